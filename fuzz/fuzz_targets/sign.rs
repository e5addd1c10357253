//! Signature verification with arbitrary fields, tickets and received signs
//! (`idocr_mock::fuzzing::sign`, which `cargo test` calls on a few inputs).
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};

#[derive(Debug, Arbitrary)]
struct Input {
    signed: Vec<(String, String)>,
    unsigned: Vec<(String, String)>,
    received: String,
    /// (value, dead reason): `None` is a live ticket.
    tickets: Vec<(String, Option<String>)>,
    strict_case: bool,
}

libfuzzer_sys::fuzz_target!(|i: Input| idocr_mock::fuzzing::sign(&idocr_mock::fuzzing::SignInput {
    signed: &i.signed,
    unsigned: &i.unsigned,
    received: &i.received,
    tickets: &i.tickets,
    strict_case: i.strict_case,
}));
