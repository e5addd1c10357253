//! What the mock says when it refuses: each text names the real problem (issue #12, defect 13).

use crate::support::*;
use crate::tokens::admin;
use idocr_mock::client::Call;
use idocr_mock::journal::Filter;
use idocr_mock::protocol::Side;
use serde_json::{json, Value};

#[tokio::test]
async fn a_full_scenario_queue_says_it_is_full_not_that_a_scenario_is_unknown() {
    let mock = Mock::start().await;
    let names = vec!["success"; 1001];
    let answer = admin(&mock, "POST", "scenario/queue", json!({ "scenarios": names })).await;
    assert_eq!(answer.status, 400);
    let error = answer.json().unwrap()["error"].as_str().unwrap().to_string();
    assert!(
        error.starts_with("the queue is full: it holds at most 1000 entries, has 0, and 1001 more were sent"),
        "{error}"
    );
    assert!(!error.contains("unknown scenario"), "{error}");
}

#[tokio::test]
async fn a_refused_nonce_sign_speaks_of_nonce_tickets_not_sign_tickets() {
    let mock = Mock::start().await;
    let body = json!({"appId": APP, "userId": "nobody", "nonce": NONCE, "version": "1.0.0", "sign": "0".repeat(40)});
    let answer = admin(&mock, "POST", "verify-nonce-sign", body).await;
    assert_eq!(answer.status, 403);
    let reason = answer.json().unwrap()["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("the user has no live NONCE ticket"), "{reason}");
    assert!(!reason.contains("SIGN ticket"), "{reason}");
}

#[tokio::test]
async fn head_and_post_on_admin_health_get_405_with_allow_get() {
    let mock = Mock::start().await;
    for method in ["HEAD", "POST"] {
        let call = Call { method: method.parse().unwrap(), ..Call::get("/__admin/health") };
        let answer = mock.send(call).await;
        assert_eq!((answer.status.as_u16(), answer.header("allow")), (405, Some("GET")), "{method}");
    }
}

/// A signed body with an extra field nested so that the whole body is `depth` deep.
fn nested(depth: usize) -> String {
    let body = signed_body("deep1", Side::Front).to_string();
    let inner = depth - 1; // the body object itself is one level
    format!("{},\"extra\":{}{}}}", &body[..body.len() - 1], "[".repeat(inner), "]".repeat(inner))
}

#[tokio::test]
async fn a_json_nesting_of_exactly_128_is_accepted_and_129_is_refused_with_400101() {
    let mock = Mock::start().await;
    let ok = mock.send(Call::post_json(OCR, nested(128))).await.json().unwrap();
    assert_eq!(ok["code"], "0", "{ok}");
    let deep = mock.send(Call::post_json(OCR, nested(129))).await.json().unwrap();
    assert_eq!(deep["code"], "400101", "{deep}");
    assert!(deep["msg"].as_str().unwrap().contains("nesting depth (129) exceeds 128"), "{deep}");
}

#[tokio::test]
async fn a_duplicate_unknown_key_is_refused_with_400101_like_a_known_one() {
    let mock = Mock::start().await;
    let body = signed_body("dup1", Side::Front).to_string();
    for extra in [r#","tiket":"a","tiket":"b""#, r#","nonce":"x""#] {
        let sent = format!("{}{extra}}}", &body[..body.len() - 1]);
        let v: Value = mock.send(Call::post_json(OCR, sent)).await.json().unwrap();
        assert_eq!(v["code"], "400101", "{extra}: {v}");
        assert!(v["msg"].as_str().unwrap().contains("duplicate field"), "{v}");
    }
}

#[tokio::test]
async fn a_400105_in_the_journal_claims_no_scenario() {
    let mock = Mock::start().await;
    let mut body = signed_body("badsign1", Side::Front);
    body["sign"] = json!("0".repeat(40));
    let bad = mock.ocr(&body).await.json().unwrap();
    assert_eq!(bad["code"], "400105", "{bad}");
    let entries = mock.state.journal().select(&Filter::default());
    let e = entries.iter().find(|e| e.code == Some("400105")).expect("journaled");
    assert_eq!(e.scenario(), None);
    assert_eq!(e.scenario_why(), Some("none applied: refused before the scenario stage"));
}
