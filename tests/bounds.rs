//! Nothing a request carries is kept or logged whole: every value is cut to 256 characters with
//! its length noted, the journal holds at most `--journal-max-bytes`, and a log line is one line.

use crate::support::process::Process;
use crate::support::*;
use idocr_mock::client::Call;
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use serde_json::{json, Value};

const MB10: usize = 10 * 1024 * 1024;

/// The longest string anywhere in `v` (keys included), in characters.
fn longest(v: &Value) -> usize {
    match v {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.iter().map(longest).max().unwrap_or(0),
        Value::Object(o) => o.iter().map(|(k, v)| k.chars().count().max(longest(v))).max().unwrap_or(0),
        _ => 0,
    }
}

async fn journal(mock: &Mock) -> Vec<Value> {
    let answer = mock.send(Call::get("/__admin/requests")).await;
    answer.json().unwrap().as_array().unwrap().clone()
}

#[tokio::test]
async fn a_refused_call_with_huge_values_leaves_a_journal_entry_of_cut_strings() {
    let mock = Mock::start().await;
    let huge_app = "A".repeat(MB10);
    let cases = [
        ("webankAppId", json!(huge_app), format!("...({MB10} bytes)")),
        ("version", json!("9".repeat(MB10)), format!("...({MB10} bytes)")),
    ];
    for (field, value, note) in cases {
        let body = resigned(signed_body("big1", Side::Front), field, value);
        let answer = mock.ocr(&body).await;
        assert_ne!(answer.json().unwrap()["code"], "0");
        let reason = answer.header("x-idocr-mock-reason").unwrap_or_default().to_string();
        assert!(reason.len() <= 1100, "the reason header has {} bytes", reason.len());
        let entry = journal(&mock).await.pop().unwrap();
        let text = entry.to_string();
        assert!(longest(&entry) <= 1024 + 32, "{field}: a string of {} chars is kept", longest(&entry));
        assert!(text.contains(&note), "{field}: the full length is not noted: {}", &text[..text.len().min(2000)]);
    }
    let mut body = signed_body("big2", Side::Front);
    body[format!("x{}", "N".repeat(MB10))] = json!(1);
    mock.ocr(&body).await;
    let entry = journal(&mock).await.pop().unwrap();
    let unknown = entry["body"]["unknown_fields"][0].as_str().unwrap();
    assert_eq!(unknown.len(), 1 + 255 + format!("...({} bytes)", MB10 + 1).len(), "{unknown:.300}");
    assert!(longest(&entry) <= 1024 + 32, "a string of {} chars is kept", longest(&entry));
}

#[tokio::test]
async fn a_huge_user_agent_is_kept_cut() {
    let mock = Mock::start().await;
    let agent = "U".repeat(300 * 1024);
    mock.send(Call::get("/api/server/getOcrResult").header("user-agent", &agent)).await;
    let entry = journal(&mock).await.pop().unwrap();
    let kept = entry["headers"]["user-agent"].as_str().unwrap();
    assert_eq!(kept, format!("{}...({} bytes)", "U".repeat(256), agent.len()));
}

#[tokio::test]
async fn past_the_byte_budget_the_oldest_entries_are_dropped_and_counted() {
    let mock = Mock::with(Config { seed: 42, journal_max_bytes: 16 * 1024, ..Config::default() }).await;
    let agent = "U".repeat(300);
    for n in 0..40 {
        mock.send(Call::get(format!("/api/server/getOcrResult?orderNo=b{n}")).header("user-agent", &agent)).await;
    }
    let entries = journal(&mock).await;
    assert!(entries.len() < 40 && !entries.is_empty(), "{} entries kept", entries.len());
    let last = entries.last().unwrap();
    assert_eq!(last["query"]["orderNo"], "b39", "the newest is kept");
    assert_eq!(entries[0]["id"].as_u64().unwrap(), 41 - entries.len() as u64, "the oldest went first");
    let metrics = String::from_utf8(mock.send(Call::get("/__admin/metrics")).await.body.to_vec()).unwrap();
    let dropped = format!("idocr_mock_journal_dropped_total{{reason=\"bytes\"}} {}", 40 - entries.len());
    assert!(metrics.contains(&dropped), "no {dropped:?} in\n{metrics}");
    let health = mock.send(Call::get("/__admin/health")).await.json().unwrap();
    assert!(health["store"]["journal"]["bytes"].as_u64().unwrap() <= 16 * 1024, "{health}");
}

#[tokio::test]
async fn a_log_line_is_bounded_and_an_order_number_cannot_forge_a_line() {
    let mock = Process::start("bounds", &["--seed", "3"]);
    let forged = "x\n2026-12-02T00:00:00.000000Z ERROR defect: forged line";
    let mut body = signed_body("o1", Side::Front);
    body["orderNo"] = json!(forged);
    Call::post_json(OCR, body.to_string()).send(mock.addr).await.unwrap();
    let query = format!("{OCR}?orderNo=x%0A2026-12-02T00:00:00.000000Z%20ERROR%20defect:%20from%20the%20query");
    Call::post_json(query, signed_body("o2", Side::Front).to_string()).send(mock.addr).await.unwrap();
    let huge = resigned(signed_body("o3", Side::Front), "webankAppId", json!("A".repeat(MB10)));
    Call::post_json(OCR, huge.to_string()).send(mock.addr).await.unwrap();
    let log = mock.stop();
    for line in log.lines() {
        assert!(!line.starts_with("2026-12-02T00:00:00"), "a forged line: {line}");
        assert!(line.len() < 4096, "a log line of {} bytes: {:.300}", line.len(), line);
    }
    assert!(log.contains(r"x\n2026-12-02T00:00:00.000000Z ERROR defect: forged line"), "{log}");
}
