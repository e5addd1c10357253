//! The bodies of the cargo-fuzz targets (`fuzz/fuzz_targets/*`), here so that `cargo test`
//! compiles them and runs them on the seed corpus: the targets are one-line calls into these.
//! Each panics on a broken property, as a fuzz target must.
//!
//! Imports: whatever a target exercises (`vendor`, `protocol`, `image`, `config`, `reply`); nothing imports it.
#![doc(hidden)]

use crate::config::{SignCheck, Texts};
use crate::image::{self, LineBreaks};
use crate::protocol::query::{self, Plus};
use crate::protocol::sign::{self as signing, Candidate, Field, SignCase, TicketState, Verdict};
use crate::reply::{Handled, MockBody};
use crate::vendor::ocr;
use crate::{Config, State};
use bytes::Bytes;
use std::sync::OnceLock;

thread_local! {
    /// `ocr::handle` is async (a scenario may delay its answer); the default scenario never waits.
    static RUNTIME: tokio::runtime::Runtime =
        tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
}

const CONTENT_TYPES: [Option<&str>; 4] =
    [Some("application/json"), Some("application/json;charset=UTF-8"), None, Some("text/plain")];

/// The request pipeline: any body bytes (and a few switches from the first byte) through
/// `ocr::handle` give a vendor answer in JSON with a string `code`, never a panic.
pub fn pipeline(data: &[u8]) {
    let Some((&flags, body)) = data.split_first() else { return };
    let config = Config {
        seed: 7,
        sign_check: if flags & 1 == 1 { SignCheck::Off } else { SignCheck::Verify },
        texts: if flags & 2 == 2 { Texts::Legacy } else { Texts::Current },
        line_breaks: if flags & 4 == 4 { LineBreaks::Reject } else { LineBreaks::Strip },
        ..Config::default()
    };
    let state = State::new(config);
    // Bit 64 sends the body to the bank card's endpoint: the one pipeline, the other kind.
    let (document, path) = if flags & 64 == 64 {
        (crate::protocol::Document::BankCard, "/api/paas/bankcardocrapp")
    } else {
        (crate::protocol::Document::IdCard, "/api/paas/idcardocrapp")
    };
    let uri = if flags & 32 == 32 { format!("{path}?orderNo=fuzz1") } else { path.to_string() };
    let mut req = hyper::Request::builder().method("POST").uri(uri);
    if let Some(ct) = CONTENT_TYPES[usize::from((flags >> 3) & 3)] {
        req = req.header("content-type", ct);
    }
    let (parts, ()) = req.body(()).expect("a fixed request head").into_parts();
    let body = Bytes::copy_from_slice(body);
    let handled = RUNTIME.with(|rt| rt.block_on(ocr::handle(&state, &parts, &body, document)));
    let reply = handled.outcome.expect("the OCR handler always answers");
    assert_eq!(reply.status(), 200);
    let MockBody::Full(Some(bytes)) = reply.into_body() else { panic!("a whole body") };
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("the answer is JSON");
    assert!(v["code"].is_string(), "{v}");
}

/// Base64 leniency and image sniffing: any text through `image::decode`, under both line-break
/// policies, never panics; what it accepts re-encodes to the same bytes and sniffs the same.
pub fn image(data: &[u8]) {
    let _ = image::sniff(data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    for breaks in [LineBreaks::Strip, LineBreaks::Reject] {
        if let Ok(decoded) = image::decode(text, breaks) {
            assert_eq!(image::sniff(&decoded.bytes), Some(decoded.format));
            let again = image::decode(&image::encode(&decoded.bytes), LineBreaks::Reject).expect("round trip");
            assert_eq!(again, decoded);
        }
    }
}

/// The body reader's split: any body, arriving in chunks of any size (the first byte: the size,
/// and which card), reads as the whole body parses; when the image was decoded as it arrived, it
/// is the image the whole body's text decodes to.
pub fn split(data: &[u8]) {
    use crate::protocol::Document;
    use crate::vendor::ocr::request::{self, ImageText};
    let Some((&flags, body)) = data.split_first() else { return };
    let document = if flags & 128 == 128 { Document::BankCard } else { Document::IdCard };
    let size = usize::from(flags & 127) + 1;
    let mut splitter = image::stream::Splitter::new(document.image_field(), 1 << 20, None);
    body.chunks(size).for_each(|c| splitter.push(Bytes::copy_from_slice(c)));
    let (received, decoded) = splitter.finish();
    match &decoded {
        Some(image) => assert_eq!(received.rebuilt(image), body),
        None => assert_eq!(received.whole(), Some(body)),
    }
    let whole = request::parse(body, document);
    match request::parse_upload(&received, decoded, document) {
        (fields, None) => assert_eq!(fields, whole),
        (fields, Some(image)) => {
            let (mut fields, whole) = (fields.expect("a split body parses"), whole.expect("so does the whole"));
            let text = whole.image.sent().expect("the whole parse keeps the text");
            assert_eq!(fields.image, ImageText::Decoded { chars: text.len() });
            assert_eq!(image, image::decode(text, LineBreaks::Reject));
            fields.image = whole.image.clone();
            assert_eq!(fields, whole);
        }
    }
}

fn query_state() -> &'static State {
    static STATE: OnceLock<State> = OnceLock::new();
    STATE.get_or_init(|| State::new(Config { seed: 7, ..Config::default() }))
}

fn assert_vendor_json(handled: &Handled) {
    let reply = handled.outcome.as_ref().expect("a query never drops the connection");
    assert_eq!(reply.status(), 200);
    if let MockBody::Full(Some(body)) = reply.body() {
        let v: serde_json::Value = serde_json::from_slice(body).expect("JSON");
        assert!(v["code"].is_string());
    }
}

/// Query strings, as the token flow and getOcrResult read them: never a panic; every vendor
/// answer is HTTP 200 JSON with a string `code`; a plain value round-trips.
pub fn query(data: &[u8]) {
    let Ok(q) = std::str::from_utf8(data) else { return };
    for plus in [Plus::Space, Plus::Literal] {
        let pairs = query::parse(q, plus);
        assert!(pairs.len() <= q.len() + 1);
    }
    let plain: String = q.chars().filter(char::is_ascii_alphanumeric).take(32).collect();
    assert_eq!(query::parse(&format!("app_id={plain}"), Plus::Space), [("app_id".to_string(), plain.clone())]);
    assert_vendor_json(&crate::vendor::oauth::access_token(query_state(), Some(q)));
    assert_vendor_json(&crate::vendor::oauth::api_ticket(query_state(), Some(q)));
}

/// The sign target's input (the target derives `Arbitrary` for its own copy of these fields).
pub struct SignInput<'a> {
    pub signed: &'a [(String, String)],
    pub unsigned: &'a [(String, String)],
    pub received: &'a str,
    /// (value, dead reason): `None` is a live ticket.
    pub tickets: &'a [(String, Option<String>)],
    pub strict_case: bool,
}

fn field((name, value): &(String, String)) -> Field<'_> {
    Field { name, value }
}

/// Signature verification with arbitrary fields, tickets and received signs: never a panic; a
/// sign made by `sign::sign` with a live ticket always verifies, in any case and field order.
pub fn sign(input: &SignInput<'_>) {
    let signed: Vec<Field<'_>> = input.signed.iter().take(8).map(field).collect();
    let unsigned: Vec<Field<'_>> = input.unsigned.iter().take(8).map(field).collect();
    let candidates: Vec<Candidate<'_>> = input
        .tickets
        .iter()
        .take(4)
        .map(|(v, dead)| Candidate {
            value: v.as_str().into(),
            state: dead.clone().map_or(TicketState::Live, TicketState::Dead),
        })
        .collect();
    let case = if input.strict_case { SignCase::UpperOnly } else { SignCase::Insensitive };
    if let Verdict::Refused(d) = signing::verify(&signed, &unsigned, input.received, &candidates, case) {
        let _ = d.to_string();
    }
    let values: Vec<&str> = signed.iter().map(|f| f.value).collect();
    if let Some(live) = candidates.iter().find(|c| c.state == TicketState::Live) {
        let good = signing::sign(&values, &live.value);
        assert!(signing::is_well_formed(&good));
        let reversed: Vec<Field<'_>> = signed.iter().rev().copied().collect();
        for fields in [&signed, &reversed] {
            let verdict = signing::verify(fields, &unsigned, &good, &candidates, case);
            assert!(matches!(verdict, Verdict::Valid { .. }), "{verdict:?}");
            let lower = signing::verify(fields, &unsigned, &good.to_lowercase(), &candidates, SignCase::Insensitive);
            assert!(matches!(lower, Verdict::Valid { .. }), "{lower:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every seed of `fuzz/corpus/<target>`, read at test time.
    fn seeds(target: &str) -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
        let mut all: Vec<Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|f| std::fs::read(f.unwrap().path()).unwrap())
            .collect();
        all.extend([Vec::new(), vec![0], b"\x00{\"a\":".to_vec(), vec![0xff; 40]]);
        all
    }

    #[test]
    fn the_pipeline_target_holds_on_its_seeds() {
        seeds("pipeline").iter().for_each(|s| pipeline(s));
    }

    #[test]
    fn the_image_target_holds_on_its_seeds() {
        seeds("image").iter().for_each(|s| image(s));
    }

    #[test]
    fn the_split_target_holds_on_its_seeds() {
        seeds("split").iter().for_each(|s| split(s));
    }

    #[test]
    fn the_query_target_holds_on_its_seeds() {
        seeds("query").iter().for_each(|s| query(s));
    }

    #[test]
    fn the_sign_target_holds_on_a_few_inputs() {
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        let signed = [pair("appId", "TIDAMOCK"), pair("nonce", "n"), pair("version", "1.0.0")];
        let tickets = [("dead".to_string(), Some("expired".to_string())), ("live-ticket".to_string(), None)];
        for (received, strict_case) in [("", false), ("0123456789abcdef0123456789ABCDEF01234567", true)] {
            sign(&SignInput {
                signed: &signed,
                unsigned: &[pair("userId", "u")],
                received,
                tickets: &tickets,
                strict_case,
            });
            sign(&SignInput { signed: &[], unsigned: &[], received, tickets: &[], strict_case });
        }
    }
}
