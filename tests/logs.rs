//! The real binary's log at debug level never shows a secret, a ticket, an image or a full ID
//! number, whatever the requests carry.

use crate::support::*;
use idocr_mock::client::Call;
use idocr_mock::protocol::Side;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const SECRET: &str = "S3cret-for-the-log-test";
const LOG_TICKET: &str = "T1cket-for-the-log-test-0123456789";
const TIKET: &str = "tiket-field-value-4f1e9a";

fn body(order_no: &str, ticket: &str) -> serde_json::Value {
    let mut b = signed_body(order_no, Side::Front);
    b["sign"] = json!(sign(&[APP, order_no, NONCE, "1.0.0"], ticket));
    b
}

#[tokio::test]
async fn debug_logs_never_contain_a_secret_a_ticket_an_image_or_an_id_number() {
    let dir = temp_dir();
    let log_path = dir.path().join("mock.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args(["--port", "0", "--seed", "3", "--log-level", "debug", "--secret", SECRET, "--sign-ticket", LOG_TICKET])
        .env_remove("IDOCR_MOCK_PORT")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let addr: std::net::SocketAddr = first.trim().strip_prefix("listening on http://").unwrap().parse().unwrap();

    let good = body("logs1", LOG_TICKET);
    let image = good["idcardStr"].as_str().unwrap().to_string();
    let front = Call::post_json(OCR, good.to_string()).send(addr).await.unwrap().json().unwrap();
    assert_eq!(front["code"], "0", "{front}");
    let id_number = front["result"]["idcard"].as_str().unwrap().to_string();

    let mut with_tiket = body("logs2", LOG_TICKET);
    with_tiket["tiket"] = json!(TIKET);
    with_tiket["ticket"] = json!(LOG_TICKET);
    let bad_sign = body("logs3", "not-the-ticket");
    let query = format!("{OCR}?orderNo=logs4&ticket={LOG_TICKET}&secret={SECRET}");
    for call in [
        Call::post_json(OCR, with_tiket.to_string()),
        Call::post_json(OCR, bad_sign.to_string()),
        Call::post_json(query, body("logs4", "dead-ticket").to_string()),
        Call::post_json(OCR, format!("{{\"webankAppId\":\"{SECRET}\",\"tiket\":\"{TIKET}\"")),
    ] {
        call.send(addr).await.unwrap();
    }

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();

    assert!(log.contains("sign refused") && log.contains("/api/paas/idcardocrapp"), "the log is not empty:\n{log}");
    let middle = &image[image.len() / 2..image.len() / 2 + 48];
    for (what, needle) in [
        ("the secret", SECRET),
        ("the SIGN ticket", LOG_TICKET),
        ("a tiket field", TIKET),
        ("the image", middle),
        ("the image's Base64 header", "iVBORw0KGgo"),
        ("a full ID number", id_number.as_str()),
    ] {
        assert!(!log.contains(needle), "the log shows {what} ({needle}):\n{log}");
    }
}
