//! Signature verification with arbitrary fields, tickets and received signs: never a panic; a
//! sign made by `sign::sign` with a live ticket always verifies, in any case and field order.
#![no_main]

use idocr_mock::protocol::sign::{self, Candidate, Field, SignCase, TicketState, Verdict};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    signed: Vec<(String, String)>,
    unsigned: Vec<(String, String)>,
    received: String,
    /// (value, dead reason): `None` is a live ticket.
    tickets: Vec<(String, Option<String>)>,
    strict_case: bool,
}

fn field((name, value): &(String, String)) -> Field<'_> {
    Field { name, value }
}

fuzz_target!(|input: Input| {
    let signed: Vec<Field<'_>> = input.signed.iter().take(8).map(field).collect();
    let unsigned: Vec<Field<'_>> = input.unsigned.iter().take(8).map(field).collect();
    let candidates: Vec<Candidate<'_>> = input
        .tickets
        .iter()
        .take(4)
        .map(|(v, dead)| Candidate { value: v.as_str().into(), state: dead.clone().map_or(TicketState::Live, TicketState::Dead) })
        .collect();
    let case = if input.strict_case { SignCase::UpperOnly } else { SignCase::Insensitive };
    if let Verdict::Refused(d) = sign::verify(&signed, &unsigned, &input.received, &candidates, case) {
        let _ = d.to_string();
    }

    let values: Vec<&str> = signed.iter().map(|f| f.value).collect();
    if let Some(live) = candidates.iter().find(|c| c.state == TicketState::Live) {
        let good = sign::sign(&values, &live.value);
        assert!(sign::is_well_formed(&good));
        let reversed: Vec<Field<'_>> = signed.iter().rev().copied().collect();
        for fields in [&signed, &reversed] {
            let verdict = sign::verify(fields, &unsigned, &good, &candidates, case);
            assert!(matches!(verdict, Verdict::Valid { .. }), "{verdict:?}");
            let lower = sign::verify(fields, &unsigned, &good.to_lowercase(), &candidates, SignCase::Insensitive);
            assert!(matches!(lower, Verdict::Valid { .. }), "{lower:?}");
        }
    }
});
