//! The request pipeline: any body bytes (and a few switches from the first byte) through
//! `ocr::handle` must give a vendor answer in JSON with a string `code`, never a panic.
#![no_main]

use bytes::Bytes;
use idocr_mock::config::{SignCheck, Texts};
use idocr_mock::image::LineBreaks;
use idocr_mock::reply::MockBody;
use idocr_mock::{ocr, Config, State};
use libfuzzer_sys::fuzz_target;

thread_local! {
    /// `ocr::handle` is async (a scenario may delay its answer); the default scenario never waits.
    static RUNTIME: tokio::runtime::Runtime =
        tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a runtime");
}

const CONTENT_TYPES: [Option<&str>; 4] =
    [Some("application/json"), Some("application/json;charset=UTF-8"), None, Some("text/plain")];

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else { return };
    let config = Config {
        seed: 7,
        sign_check: if flags & 1 == 1 { SignCheck::Off } else { SignCheck::Verify },
        texts: if flags & 2 == 2 { Texts::Legacy } else { Texts::Current },
        line_breaks: if flags & 4 == 4 { LineBreaks::Reject } else { LineBreaks::Strip },
        ..Config::default()
    };
    let state = State::new(config);
    let uri = if flags & 32 == 32 { "/api/paas/idcardocrapp?orderNo=fuzz1" } else { "/api/paas/idcardocrapp" };
    let mut req = hyper::Request::builder().method("POST").uri(uri);
    if let Some(ct) = CONTENT_TYPES[usize::from((flags >> 3) & 3)] {
        req = req.header("content-type", ct);
    }
    let (parts, ()) = req.body(()).expect("a fixed request head").into_parts();
    let body = Bytes::copy_from_slice(body);
    let handled = RUNTIME.with(|rt| rt.block_on(ocr::handle(&state, &parts, &body)));
    let reply = handled.outcome.expect("the OCR handler always answers");
    assert_eq!(reply.status(), 200);
    let MockBody::Full(Some(bytes)) = reply.into_body() else { panic!("a whole body") };
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("the answer is JSON");
    assert!(v["code"].is_string(), "{v}");
});
