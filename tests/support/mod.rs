//! Helpers: a mock per test on `127.0.0.1:0`, an independent signer, request builders.
#![allow(dead_code)]

pub mod process;
pub mod proxy;

use idocr_mock::client::{Answer, Call};
use idocr_mock::clock;
use idocr_mock::protocol::Side;
use idocr_mock::{Config, State};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use std::net::SocketAddr;

pub const APP: &str = "TIDAMOCK";
pub const TICKET: &str = "idocr-mock-sign-ticket";
pub const NONCE: &str = "kHoSxvLZGxSoFsjxlbzEoUzh5PAnTU7T";
pub const OCR: &str = "/api/paas/idcardocrapp";
/// Every test runs at this time unless it moves the clock.
pub const TEST_TIME: &str = "2026-01-15T10:00:00+08:00";

/// A mock serving on a free port for the length of one test.
pub struct Mock {
    pub addr: SocketAddr,
    pub state: State,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Mock {
    pub async fn start() -> Self {
        Self::with(Config { seed: 42, ..Config::default() }).await
    }

    pub async fn with(config: Config) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = State::new(config);
        state.clock().set(clock::parse_rfc3339(TEST_TIME).unwrap()).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(idocr_mock::run(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        Mock { addr, state, _stop: stop }
    }

    pub async fn send(&self, call: Call) -> Answer {
        call.send(self.addr).await.expect("the mock answers")
    }

    /// POSTs `body` to the OCR endpoint.
    pub async fn ocr(&self, body: &Value) -> Answer {
        self.send(Call::post_json(OCR, body.to_string())).await
    }
}

/// A fresh folder under the system temp dir, removed (with everything in it) when the guard drops,
/// so that no test leaves anything behind in /tmp, whether it passes or panics.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("idocr-mock-test-").tempdir().expect("a temp dir")
}

/// SHA-1 over the sorted values and ticket, written here without the crate's signer, so a bug
/// shared by signer and verifier cannot pass (the doc's vectors pin the crate's own).
pub fn sign(values: &[&str], ticket: &str) -> String {
    let mut parts: Vec<&str> = values.iter().copied().chain([ticket]).filter(|v| !v.is_empty()).collect();
    parts.sort();
    Sha1::digest(parts.concat().as_bytes()).iter().map(|b| format!("{b:02X}")).collect()
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A generated card picture, Base64.
pub fn picture(side: Side) -> String {
    b64(&idocr_mock::image::picture::card_png(side, None))
}

/// A complete, correctly signed OCR body for the default app.
pub fn signed_body(order_no: &str, side: Side) -> Value {
    json!({
        "webankAppId": APP,
        "version": "1.0.0",
        "nonce": NONCE,
        "orderNo": order_no,
        "cardType": if side == Side::Front { "0" } else { "1" },
        "idcardStr": picture(side),
        "sign": sign(&[APP, order_no, NONCE, "1.0.0"], TICKET),
    })
}

/// `body` with `key` set to `value`, re-signed so only that field is wrong.
pub fn resigned(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    let s = |k: &str| body[k].as_str().unwrap_or("").to_string();
    let (app, order, nonce, version) = (s("webankAppId"), s("orderNo"), s("nonce"), s("version"));
    body["sign"] = json!(sign(&[&app, &order, &nonce, &version], TICKET));
    body
}

/// Insta settings that redact what changes between runs, asserting its format.
pub fn redactions() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_dynamic_redaction(".**.bizSeqNo", |v, _| {
        let t = v.as_str().unwrap_or_default();
        assert!(t.len() == 32 && t.bytes().all(|b| b.is_ascii_digit()), "bizSeqNo {t:?}");
        "[bizSeqNo]"
    });
    s.add_dynamic_redaction(".**.transactionTime", |v, _| {
        let t = v.as_str().unwrap_or_default();
        assert!(t.len() == 14 && t.starts_with("20260115"), "transactionTime {t:?}");
        "[transactionTime]"
    });
    s.add_dynamic_redaction(".**.ocrId", |v, _| {
        let t = v.as_str().unwrap_or_default();
        assert!(t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "ocrId {t:?}");
        "[ocrId]"
    });
    s
}

/// A refusal as every vendor endpoint answers one: HTTP 200, `code`, no `result`, and an
/// `X-Idocr-Mock-Reason` that says `reason`; `what` names the case in the failure message.
pub fn assert_refused(answer: &Answer, what: &str, code: &str, reason: &str) {
    assert_eq!(answer.status, 200, "{what}");
    let v = answer.json().unwrap();
    assert_eq!(v["code"], code, "{what}: {v}");
    assert!(v.get("result").is_none(), "{what}");
    let header = answer.header("x-idocr-mock-reason").unwrap_or_default();
    assert!(header.contains(reason), "{what}: reason {header:?} lacks {reason:?}");
}
