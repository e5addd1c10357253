//! Query strings, as the token flow and getOcrResult read them (`idocr_mock::fuzzing::query`,
//! which `cargo test` runs on the seed corpus).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| idocr_mock::fuzzing::query(data));
