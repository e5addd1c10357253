//! The request pipeline: any body bytes (and a few switches from the first byte) through
//! `ocr::handle` must give a vendor answer in JSON with a string `code`, never a panic. The body
//! is `idocr_mock::fuzzing::pipeline`, which `cargo test` runs on the seed corpus.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| idocr_mock::fuzzing::pipeline(data));
