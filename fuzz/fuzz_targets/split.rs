//! The body reader's split of a large upload, in chunks of any size (`idocr_mock::fuzzing::split`,
//! which `cargo test` runs on the seed corpus).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| idocr_mock::fuzzing::split(data));
