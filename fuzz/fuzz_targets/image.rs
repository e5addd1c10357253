//! Base64 leniency and image sniffing (`idocr_mock::fuzzing::image`, which `cargo test` runs on the
//! seed corpus).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| idocr_mock::fuzzing::image(data));
