//! Query strings, as the token flow and getOcrResult read them: any text to `protocol::query`
//! (both meanings of `+`), and to the two token endpoints themselves. Never a panic; every vendor
//! answer is HTTP 200 JSON with a string `code`; a plain value round-trips.
#![no_main]

use idocr_mock::protocol::query::{self, Plus};
use idocr_mock::{tokens, Config, State};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn state() -> &'static State {
    static STATE: OnceLock<State> = OnceLock::new();
    STATE.get_or_init(|| State::new(Config { seed: 7, ..Config::default() }))
}

fn assert_vendor_json(handled: &idocr_mock::reply::Handled) {
    let reply = handled.outcome.as_ref().expect("a query never drops the connection");
    assert_eq!(reply.status(), 200);
    if let idocr_mock::reply::MockBody::Full(Some(body)) = reply.body() {
        let v: serde_json::Value = serde_json::from_slice(body).expect("JSON");
        assert!(v["code"].is_string());
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else { return };
    for plus in [Plus::Space, Plus::Literal] {
        let pairs = query::parse(q, plus);
        assert!(pairs.len() <= q.len() + 1);
    }
    // A value of letters and digits survives a parse unchanged.
    let plain: String = q.chars().filter(char::is_ascii_alphanumeric).take(32).collect();
    assert_eq!(query::parse(&format!("app_id={plain}"), Plus::Space), [("app_id".to_string(), plain.clone())]);
    assert_vendor_json(&tokens::oauth::access_token(state(), Some(q)));
    assert_vendor_json(&tokens::oauth::api_ticket(state(), Some(q)));
});
