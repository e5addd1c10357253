//! Connections held on purpose or by a client: stalled admin bodies, held faults (`hang`, `slow`,
//! `dribble`) past `--max-held`, and clients that give up. Each test fails if the bound it covers
//! is removed; waits are safety nets, and durations are asserted from below only.

use crate::support::*;
use idocr_mock::client::Call;
use idocr_mock::journal::{Entry, Filter};
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for the server to act before calling the protection missing.
const SAFETY_NET: Duration = Duration::from_secs(20);
const SCENARIO: &str = "X-Idocr-Scenario";

/// Reads until the server closes the connection; `None` if it is still open after the safety net.
async fn read_until_closed(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(SAFETY_NET, read_all).await.ok()?;
    Some(all)
}

async fn health(mock: &Mock) -> u16 {
    let call = Call::get("/__admin/health").timeout(Duration::from_secs(10));
    call.send(mock.addr).await.expect("health answers").status.as_u16()
}

/// The journal's entries once `done` holds for one of them (they are recorded when a request ends).
async fn journal_when(mock: &Mock, done: impl Fn(&Entry) -> bool) -> Vec<Entry> {
    let wait = async {
        loop {
            let all = mock.state.journal().select(&Filter::default());
            if all.iter().any(&done) {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(SAFETY_NET, wait).await.expect("the request is journaled when it ends")
}

#[tokio::test]
async fn stalled_admin_bodies_on_every_connection_are_dropped_after_the_body_timeout_and_health_answers() {
    let config = Config { seed: 1, max_connections: 8, body_timeout: Duration::from_millis(300), ..Config::default() };
    let mock = Mock::with(config).await;
    let mut stalled = Vec::new();
    for path in
        ["clock", "scenario", "scenario/queue", "verify-nonce-sign", "apps/TIDAMOCK/secret"].iter().cycle().take(8)
    {
        let mut s = TcpStream::connect(mock.addr).await.unwrap();
        let method = if path.starts_with("apps/") || *path == "scenario" { "PUT" } else { "POST" };
        let head = format!("{method} /__admin/{path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{");
        s.write_all(head.as_bytes()).await.unwrap();
        stalled.push(s);
    }
    for s in &mut stalled {
        let raw = read_until_closed(s).await.expect("the mock closes a stalled admin body's connection");
        assert!(raw.is_empty(), "dropped without an answer: {}", String::from_utf8_lossy(&raw));
    }
    assert_eq!(health(&mock).await, 200);
    let answer = mock.ocr(&signed_body("afterstall1", Side::Front)).await;
    assert_eq!(answer.json().unwrap()["code"], "0");
}

#[tokio::test]
async fn an_admin_body_over_max_admin_body_is_refused_with_413_before_it_is_read() {
    let mock = Mock::with(Config { seed: 1, max_admin_body: 1024, ..Config::default() }).await;
    let mut s = TcpStream::connect(mock.addr).await.unwrap();
    let head =
        "POST /__admin/clock HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2048\r\n\r\n";
    s.write_all(head.as_bytes()).await.unwrap();
    let raw = read_until_closed(&mut s).await.expect("closed after the answer");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("body larger than 1024 bytes (--max-admin-body)"), "{text}");
}

#[tokio::test]
async fn sixteen_hanging_calls_on_a_16_connection_mock_do_not_stop_health_or_a_signed_ocr_call() {
    let config = Config { seed: 1, max_connections: 16, hang_for: Duration::from_secs(60), ..Config::default() };
    let mock = Mock::with(config).await;
    let mut hung = Vec::new();
    for i in 0..16 {
        let mut s = TcpStream::connect(mock.addr).await.unwrap();
        let body = format!("{{\"orderNo\":\"hang{i}\"}}");
        let head = format!(
            "POST {OCR} HTTP/1.1\r\nHost: x\r\n{SCENARIO}: hang\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        hung.push(s);
    }
    assert_eq!(health(&mock).await, 200);
    let answer = mock
        .send(Call::post_json(OCR, signed_body("pasthang1", Side::Front).to_string()).timeout(Duration::from_secs(10)))
        .await;
    assert_eq!(answer.json().unwrap()["code"], "0");
    // Past the bound (a quarter of 16), a hang is answered at once with 503 and 999999.
    let entries = journal_when(&mock, |e| e.code == Some("999999")).await;
    let refused = entries.iter().find(|e| e.code == Some("999999")).unwrap();
    assert_eq!(refused.status, Some(503));
    assert!(refused.reason().unwrap().contains("--max-held 4"), "{:?}", refused.reason());
    drop(hung);
}

async fn abandoned_after_a_client_timeout(scenario: &str, config: Config) {
    let mock = Mock::with(config).await;
    let call = Call::post_json(OCR, signed_body("gaveup1", Side::Front).to_string())
        .header(SCENARIO, scenario)
        .timeout(Duration::from_millis(400));
    assert!(call.send(mock.addr).await.is_err(), "the client times out first");
    let entries = journal_when(&mock, |e| e.ended == "abandoned").await;
    let e = entries.iter().find(|e| e.ended == "abandoned").unwrap();
    assert_eq!(e.scenario(), Some(scenario));
    // The scenario would have held the answer 60 s; the entry keeps the time until the client left
    // (400 ms after it started), not the planned delay. Only an order of magnitude is asserted: the
    // client's clock starts before the mock's, and a loaded machine stretches both.
    assert!(
        e.latency_ms > 0.0 && e.latency_ms < 30_000.0,
        "the real duration, up to the client leaving, not the 60 s planned: {} ms",
        e.latency_ms
    );
    let page = idocr_mock::admin::inspect::metrics_page(&mock.state);
    assert!(page.contains(r#"status="abandoned"} 1"#), "{page}");
}

#[tokio::test]
async fn a_client_that_times_out_during_hang_leaves_an_abandoned_journal_entry_with_its_real_duration() {
    abandoned_after_a_client_timeout(
        "hang",
        Config { seed: 1, hang_for: Duration::from_secs(60), ..Config::default() },
    )
    .await;
}

#[tokio::test]
async fn a_client_that_times_out_during_slow_leaves_an_abandoned_journal_entry_with_its_real_duration() {
    abandoned_after_a_client_timeout(
        "slow",
        Config { seed: 1, slow_delay: Duration::from_secs(60), ..Config::default() },
    )
    .await;
}

#[tokio::test]
async fn a_dribbled_answer_is_journaled_answered_with_the_time_until_its_last_byte() {
    let mock = Mock::start().await;
    let call = Call::post_json(OCR, signed_body("dribble1", Side::Front).to_string())
        .header(SCENARIO, "dribble")
        .timeout(SAFETY_NET);
    let answer = mock.send(call).await;
    let pieces = answer.body.len().div_ceil(idocr_mock::scenarios::fault::DRIBBLE_BYTES);
    let pause = idocr_mock::vendor::ocr::scenario::DRIBBLE_PAUSE.as_secs_f64() * 1000.0;
    let entries = journal_when(&mock, |e| e.order_no() == Some("dribble1")).await;
    let e = entries.iter().find(|e| e.order_no() == Some("dribble1")).unwrap();
    assert_eq!((e.ended, e.status), ("answered", Some(200)));
    let at_least = (pieces - 1) as f64 * pause;
    assert!(e.latency_ms >= at_least, "{} pieces {pause} ms apart: {} ms journaled", pieces, e.latency_ms);
}
