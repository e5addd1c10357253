//! Hostile clients over real sockets: slow-loris headers, stalled and oversized bodies, hundreds of
//! idle connections, keep-alive abuse and malformed JSON. Each test fails if the protection it
//! covers is removed; bounds on waiting are safety nets, never timing assertions.

use crate::support::*;
use idocr_mock::client::Call;
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for the server to act before calling the protection missing.
const SAFETY_NET: Duration = Duration::from_secs(20);
const SHORT: Duration = Duration::from_millis(300);

fn short_timeouts() -> Config {
    Config { seed: 1, header_timeout: SHORT, body_timeout: SHORT, ..Config::default() }
}

/// Reads until the server closes the connection (EOF or reset); returns what was read.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
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
    tokio::time::timeout(SAFETY_NET, read_all).await.expect("the server closes the connection");
    all
}

fn status_line(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).lines().next().unwrap_or_default().to_string()
}

fn json_of(raw: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(raw);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"))
}

async fn assert_healthy(mock: &Mock) {
    let answer = mock.ocr(&signed_body("healthy1", Side::Front)).await;
    assert_eq!(answer.json().unwrap()["code"], "0", "the mock still serves a valid call");
}

#[tokio::test]
async fn headers_dribbled_slower_than_the_header_timeout_get_the_connection_dropped() {
    let mock = Mock::with(short_timeouts()).await;
    let mut s = TcpStream::connect(mock.addr).await.unwrap();
    s.write_all(b"POST /api/paas/idcardocrapp HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let dribble = async {
        // One header byte every 50 ms, forever: only the server can end this loop.
        let mut buf = [0u8; 1024];
        loop {
            if s.write_all(b"X").await.is_err() {
                return;
            }
            if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(50), s.read(&mut buf)).await {
                return;
            }
        }
    };
    tokio::time::timeout(SAFETY_NET, dribble).await.expect("the header timeout drops a slow-loris connection");
    assert_healthy(&mock).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let mock = Mock::with(short_timeouts()).await;
    let mut s = TcpStream::connect(mock.addr).await.unwrap();
    let body = signed_body("idle1", Side::Front).to_string();
    let head = format!(
        "POST {OCR} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(format!("{head}{body}").as_bytes()).await.unwrap();
    let raw = read_until_closed(&mut s).await;
    assert!(status_line(&raw).starts_with("HTTP/1.1 200"), "{}", status_line(&raw));
}

#[tokio::test]
async fn a_stalled_body_gets_the_connection_dropped_after_the_body_timeout() {
    let mock = Mock::with(short_timeouts()).await;
    let mut s = TcpStream::connect(mock.addr).await.unwrap();
    let head =
        format!("POST {OCR} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
    s.write_all(format!("{head}{{\"webankAppId\":").as_bytes()).await.unwrap();
    let raw = read_until_closed(&mut s).await;
    assert!(raw.is_empty(), "dropped without an answer: {}", String::from_utf8_lossy(&raw));
    assert_healthy(&mock).await;
}

#[tokio::test]
async fn a_40_mb_chunked_upload_is_refused_with_413_before_it_is_all_sent() {
    const TOTAL: usize = 40 * 1024 * 1024;
    let mock = Mock::with(Config { seed: 1, max_body: 1 << 20, image_cap: 1 << 19, ..Config::default() }).await;
    let s = TcpStream::connect(mock.addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let writer = tokio::spawn(async move {
        let head = format!(
            "POST {OCR} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        wr.write_all(head.as_bytes()).await?;
        let chunk = [format!("{:x}\r\n", 64 * 1024).into_bytes(), vec![b' '; 64 * 1024], b"\r\n".to_vec()].concat();
        let mut sent = 0;
        while sent < TOTAL {
            wr.write_all(&chunk).await?;
            sent += 64 * 1024;
        }
        wr.write_all(b"0\r\n\r\n").await?;
        Ok::<usize, std::io::Error>(sent)
    });
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let read_answer = async {
        while !String::from_utf8_lossy(&raw).contains("400501") {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(SAFETY_NET, read_answer).await.expect("an answer to the upload");
    assert!(status_line(&raw).starts_with("HTTP/1.1 413"), "{}", String::from_utf8_lossy(&raw));
    drop(rd);
    let sent = tokio::time::timeout(SAFETY_NET, writer).await.expect("the upload is cut off").unwrap();
    assert!(sent.is_err(), "the server stopped reading and closed: the client could not send all 40 MB");
    assert_healthy(&mock).await;
}

#[tokio::test]
async fn a_declared_40_mb_body_is_refused_before_a_byte_of_it_is_read() {
    let mock = Mock::start().await;
    let mut s = TcpStream::connect(mock.addr).await.unwrap();
    let head = format!(
        "POST {OCR} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        40 * 1024 * 1024
    );
    s.write_all(head.as_bytes()).await.unwrap();
    // Not one body byte is sent: only an early refusal can answer.
    let raw = read_until_closed(&mut s).await;
    assert!(status_line(&raw).starts_with("HTTP/1.1 413"), "{}", String::from_utf8_lossy(&raw));
    assert_eq!(json_of(&raw)["code"], "400501");
}

#[tokio::test]
async fn three_hundred_idle_connections_do_not_stop_a_new_client_being_served() {
    let mock = Mock::start().await;
    let mut idle = Vec::new();
    for i in 0..300 {
        let mut s = TcpStream::connect(mock.addr).await.unwrap();
        if i % 2 == 1 {
            // Half of them stall in the middle of their headers.
            s.write_all(b"POST /api/paas/idcardocrapp HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        }
        idle.push(s);
    }
    let call = Call::post_json(OCR, signed_body("crowded1", Side::Front).to_string()).timeout(SAFETY_NET);
    let answer = call.send(mock.addr).await.expect("a new client is served next to 300 idle connections");
    assert_eq!(answer.json().unwrap()["code"], "0");
    drop(idle);
}

#[tokio::test]
async fn a_keep_alive_connection_is_closed_after_its_request_cap() {
    let mock = Mock::with(Config { seed: 1, max_requests_per_connection: 3, ..Config::default() }).await;
    let mut s = TcpStream::connect(mock.addr).await.unwrap();
    let request = format!("GET {OCR} HTTP/1.1\r\nHost: x\r\n\r\n");
    // Five pipelined requests; the third answer says close and nothing follows it.
    s.write_all(request.repeat(5).as_bytes()).await.unwrap();
    let raw = String::from_utf8_lossy(&read_until_closed(&mut s).await).to_string();
    assert_eq!(raw.matches("HTTP/1.1 405").count(), 3, "{raw}");
    assert_eq!(raw.matches("connection: close").count(), 1, "{raw}");
}

/// Bodies that must get `400101` and leave the server healthy.
fn hostile_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let good = signed_body("hostile1", Side::Front);
    let with = |key: &str, raw_value: &str| {
        let mut text = good.to_string();
        let needle = format!("\"{key}\":{}", good[key]);
        assert!(text.contains(&needle), "{needle}");
        text = text.replace(&needle, &format!("\"{key}\":{raw_value}"));
        text.into_bytes()
    };
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let sign = good["sign"].as_str().unwrap();
    vec![
        ("100000 nested arrays", deep(100_000).into_bytes()),
        ("100000 nested objects", format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)).into_bytes()),
        ("deep nesting in an unknown field", with("sign", &format!("\"{sign}\",\"x\":{}", deep(100_000)))),
        ("a 400-digit orderNo number", with("orderNo", &"9".repeat(400))),
        ("a number beyond f64", with("nonce", "1e999999")),
        ("invalid UTF-8 in a string", [&b"{\"webankAppId\":\"TIDA\xff\xfeMOCK\"}"[..]].concat()),
        (
            "invalid UTF-8 in the order",
            with("orderNo", "\"hostile\u{1}1\"").into_iter().map(|b| if b == 1 { 0xC3 } else { b }).collect(),
        ),
        ("a duplicate orderNo", with("orderNo", "\"hostile1\",\"orderNo\":\"hostile2\"")),
        ("an object as the nonce", with("nonce", "{\"a\":1}")),
        ("an array as the sign", with("sign", "[1,2,3]")),
        ("a boolean as the version", with("version", "true")),
        ("an array body", b"[]".to_vec()),
        ("a string body", b"\"webankAppId\"".to_vec()),
        ("a null body", b"null".to_vec()),
        ("an empty body", Vec::new()),
        ("NUL bytes", vec![0u8; 64]),
    ]
}

#[tokio::test]
async fn malformed_json_over_the_wire_gets_400101_and_the_server_stays_healthy() {
    let mock = Mock::start().await;
    for (what, body) in hostile_bodies() {
        let answer = mock.send(Call::post_json(OCR, body)).await;
        assert_eq!(answer.status, 200, "{what}");
        let v = answer.json().unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(v["code"], "400101", "{what}: {v}");
        assert_eq!(v["success"], false, "{what}");
    }
    assert_healthy(&mock).await;
}

#[tokio::test]
async fn bodies_held_at_once_stay_within_the_body_budget_and_the_room_comes_back() {
    let budget = Config { seed: 1, body_budget: 1_000_000, max_body: 1_000_000, ..Config::default() };
    let mock = Mock::with(budget).await;
    // An upload that declares 800 kB and stalls: its room is reserved before a byte is buffered.
    let mut stalled = TcpStream::connect(mock.addr).await.unwrap();
    let head = "POST /api/paas/idcardocrapp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 800000\r\n\r\n{";
    stalled.write_all(head.as_bytes()).await.unwrap();
    let big = || Call::post_json(OCR, format!("{{\"x\":\"{}\"}}", "a".repeat(300_000)));
    let refused = tokio::time::timeout(SAFETY_NET, async {
        loop {
            let answer = mock.send(big()).await;
            if answer.status == 503 {
                return answer;
            }
        }
    })
    .await
    .expect("a body that does not fit the budget is refused");
    assert_eq!(refused.json().unwrap()["code"], "999999");
    assert!(refused.header("x-idocr-mock-reason").unwrap().contains("--body-budget"));
    // A small call still fits in what is left.
    assert_eq!(mock.ocr(&signed_body("budget1", Side::Front)).await.json().unwrap()["code"], "0");
    // The stalled client leaves: its room comes back.
    drop(stalled);
    tokio::time::timeout(SAFETY_NET, async {
        while mock.send(big()).await.status != 200 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the room of a finished body is given back");
}
