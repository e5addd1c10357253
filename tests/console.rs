//! The console (issue #17, docs/console-api.md): its page served without the admin token, the
//! error catalog, and the journal as server-sent events (resume, gap, bound, journal off, shutdown).

use crate::support::process::{command, Process};
use crate::support::*;
use idocr_mock::client::Call;
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "console-test-token";

/// An open `GET /__admin/events` connection, read as it arrives.
struct Stream {
    conn: TcpStream,
    seen: String,
}

impl Stream {
    async fn open(addr: SocketAddr, extra_headers: &str) -> Self {
        Self::open_at(addr, "/__admin/events", extra_headers).await
    }

    async fn open_at(addr: SocketAddr, target: &str, extra_headers: &str) -> Self {
        let mut conn = TcpStream::connect(addr).await.unwrap();
        let head = format!("GET {target} HTTP/1.1\r\nHost: mock\r\n{extra_headers}\r\n");
        conn.write_all(head.as_bytes()).await.unwrap();
        Stream { conn, seen: String::new() }
    }

    /// Reads until `seen` contains `wanted`, or panics after 10 s with what arrived.
    async fn until(&mut self, wanted: &str) -> &str {
        let mut buf = [0u8; 8192];
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !self.seen.contains(wanted) {
            let n = tokio::time::timeout_at(deadline, self.conn.read(&mut buf))
                .await
                .unwrap_or_else(|_| panic!("no {wanted:?} in {:?}", self.seen))
                .unwrap();
            assert!(n > 0, "the stream ended before {wanted:?}: {:?}", self.seen);
            self.seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        &self.seen
    }

    /// The journal ids of the `request` events seen so far, in order.
    fn ids(&self) -> Vec<u64> {
        self.seen.lines().filter_map(|l| l.strip_prefix("id: ")).map(|id| id.trim().parse().unwrap()).collect()
    }
}

async fn calls(mock: &Mock, n: usize) {
    for i in 0..n {
        mock.ocr(&signed_body(&format!("c{i}"), Side::Front)).await;
    }
}

#[tokio::test]
async fn the_console_page_loads_without_the_admin_token_and_carries_the_csp_but_data_routes_do_not() {
    let mock = Mock::with(Config { admin_token: Some(TOKEN.into()), ..Config::default() }).await;
    for (path, content_type) in [
        ("/__admin/ui", "text/html; charset=utf-8"),
        ("/__admin/ui/app.js", "text/javascript; charset=utf-8"),
        ("/__admin/ui/style.css", "text/css; charset=utf-8"),
    ] {
        let page = mock.send(Call::get(path)).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.header("content-type"), Some(content_type), "{path}");
        assert_eq!(page.header("content-security-policy"), Some(idocr_mock::admin::ui::CSP), "{path}");
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(page.header("cache-control"), Some("no-cache"), "{path}");
    }
    for data in ["/__admin/codes", "/__admin/events", "/__admin/requests"] {
        let refused = mock.send(Call::get(data)).await;
        assert_eq!(refused.status, 401, "{data} answered without the token");
        assert_eq!(refused.header("content-security-policy"), None, "{data}");
    }
    let codes = mock.send(Call::get("/__admin/codes").header("authorization", &format!("Bearer {TOKEN}"))).await;
    assert_eq!(codes.status, 200);
}

#[tokio::test]
async fn another_method_on_the_console_page_gets_405_with_allow_get() {
    let mock = Mock::start().await;
    let answer = mock.send(Call::post_json("/__admin/ui", "{}")).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("GET"));
    assert!(answer.json().unwrap()["error"].as_str().unwrap().contains("GET"));
}

#[tokio::test]
async fn the_codes_route_answers_what_the_codes_subcommand_prints() {
    let mock = Mock::start().await;
    let answer = mock.send(Call::get("/__admin/codes")).await;
    assert_eq!(answer.status, 200);
    let printed = command(&["codes", "--json"]).output().unwrap();
    let printed: Value = serde_json::from_slice(&printed.stdout).unwrap();
    assert_eq!(answer.json().unwrap(), printed);
    assert!(printed.as_array().unwrap().iter().any(|c| c["code"] == "400105"));
}

#[tokio::test]
async fn an_event_stream_resumed_with_last_event_id_replays_the_entries_after_it_then_a_new_call() {
    let mock = Mock::start().await;
    calls(&mock, 4).await;
    let mut stream = Stream::open(mock.addr, "Last-Event-ID: 2\r\n").await;
    let head = stream.until("id: 4\n").await;
    assert!(head.contains("text/event-stream"), "{head}");
    assert!(head.contains("retry: 2000\n"), "{head}");
    assert!(!head.contains("event: gap"), "{head}");
    assert_eq!(stream.ids(), [3, 4]);
    calls(&mock, 1).await;
    let seen = stream.until("id: 5\n").await;
    let last = seen.lines().filter_map(|l| l.strip_prefix("data: ")).next_back().unwrap();
    let entry: Value = serde_json::from_str(last).unwrap();
    assert_eq!((entry["id"].as_u64(), entry["path"].as_str()), (Some(5), Some(OCR)));
    assert_eq!(stream.ids(), [3, 4, 5]);
}

#[tokio::test]
async fn the_header_wins_over_since_and_a_stream_without_either_sends_only_new_entries() {
    let mock = Mock::start().await;
    calls(&mock, 3).await;
    let mut resumed = Stream::open_at(mock.addr, "/__admin/events?since=0", "Last-Event-ID: 2\r\n").await;
    let mut fresh = Stream::open(mock.addr, "").await;
    fresh.until("retry: 2000").await;
    resumed.until("id: 3\n").await;
    calls(&mock, 1).await;
    fresh.until("id: 4\n").await;
    resumed.until("id: 4\n").await;
    assert_eq!(fresh.ids(), [4]);
    assert_eq!(resumed.ids(), [3, 4]);
    let bad_since = mock.send(Call::get("/__admin/events?since=x")).await;
    assert_eq!(bad_since.status, 400);
    let bad = mock.send(Call::get("/__admin/events").header("last-event-id", "x")).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json().unwrap()["error"], "Last-Event-ID \"x\" is not a journal id");
}

#[tokio::test]
async fn a_stream_after_a_journal_overflow_starts_with_a_gap_event() {
    let mock = Mock::with(Config { journal_limit: 3, ..Config::default() }).await;
    calls(&mock, 6).await;
    let mut stream = Stream::open(mock.addr, "Last-Event-ID: 1\r\n").await;
    let seen = stream.until("id: 6\n").await.to_string();
    let gap = seen.find("event: gap\ndata: {\"after\":1,\"first_kept\":4,\"missed\":2}\n\n").expect(&seen);
    assert!(gap < seen.find("id: 4").unwrap(), "{seen}");
    assert_eq!(stream.ids(), [4, 5, 6]);
}

#[tokio::test]
async fn a_batch_of_more_than_200_entries_sends_the_newest_200_after_a_gap_naming_the_others() {
    let mock = Mock::start().await;
    calls(&mock, 250).await;
    let mut stream = Stream::open(mock.addr, "Last-Event-ID: 0\r\n").await;
    let seen = stream.until("id: 250\n").await.to_string();
    assert!(seen.contains("event: gap\ndata: {\"after\":0,\"first_kept\":51,\"missed\":50}\n\n"), "{seen}");
    assert_eq!(stream.ids(), (51..=250).collect::<Vec<u64>>());
    let kept = mock.send(Call::get("/__admin/requests?since=0&limit=1000")).await;
    assert_eq!(kept.json().unwrap().as_array().unwrap().len(), 250, "the journal still has the 50");
}

#[tokio::test]
async fn the_ninth_event_stream_gets_503_and_closing_one_frees_a_slot() {
    let mock = Mock::start().await;
    let mut open = Vec::new();
    for _ in 0..8 {
        let mut s = Stream::open(mock.addr, "").await;
        s.until("retry: 2000").await;
        open.push(s);
    }
    let ninth = mock.send(Call::get("/__admin/events")).await;
    assert_eq!(ninth.status, 503);
    assert!(ninth.json().unwrap()["error"].as_str().unwrap().contains("GET /__admin/requests?since=ID"));
    drop(open.pop());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut s = Stream::open(mock.addr, "").await;
        s.until("\r\n\r\n").await;
        if s.seen.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no slot came free: {}", s.seen);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn with_the_journal_off_the_event_stream_is_refused_with_409() {
    let mock = Mock::with(Config { journal_limit: 0, ..Config::default() }).await;
    let answer = mock.send(Call::get("/__admin/events")).await;
    assert_eq!(answer.status, 409);
    assert!(answer.json().unwrap()["error"].as_str().unwrap().contains("--journal-limit 0"));
}

#[test]
fn an_open_event_stream_does_not_hold_the_graceful_shutdown() {
    let mock = Process::start("console-shutdown", &[]);
    let mut conn = std::net::TcpStream::connect(mock.addr).unwrap();
    std::io::Write::write_all(&mut conn, b"GET /__admin/events HTTP/1.1\r\nHost: m\r\n\r\n").unwrap();
    let mut buf = [0u8; 512];
    let n = std::io::Read::read(&mut conn, &mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));
    let log = mock.stop();
    assert!(log.contains("all connections closed"), "{log}");
    assert!(!log.contains("drain deadline passed"), "{log}");
}

#[tokio::test]
async fn the_orders_listing_is_newest_first_and_honours_limit_and_app_id() {
    let mock = Mock::start().await;
    mock.ocr(&signed_body("first", Side::Front)).await;
    mock.state.clock().advance(1000).unwrap();
    mock.ocr(&signed_body("second", Side::Front)).await;
    mock.state.clock().advance(1000).unwrap();
    mock.ocr(&signed_body("first", Side::Back)).await;
    let all = mock.send(Call::get("/__admin/orders")).await.json().unwrap();
    assert_eq!(all["total"], 2);
    let numbers: Vec<&str> =
        all["orders"].as_array().unwrap().iter().map(|o| o["order_no"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["first", "second"], "first got its back side last");
    let first = &all["orders"][0];
    assert_eq!(
        (first["app_id"].as_str(), first["front"]["code"].as_str(), first["back"]["format"].as_str()),
        (Some(APP), Some("0"), Some("png"))
    );
    assert!(first["front"]["bytes"].as_u64().unwrap() > 0 && first["front"].get("base64").is_none());
    let one = mock.send(Call::get("/__admin/orders?limit=1")).await.json().unwrap();
    assert_eq!((one["total"].as_u64(), one["orders"].as_array().unwrap().len()), (Some(2), 1));
    let other_app = mock.send(Call::get("/__admin/orders?app_id=NOSUCHAPP")).await.json().unwrap();
    assert_eq!(other_app, serde_json::json!({"total": 0, "orders": []}));
    let ours = mock.send(Call::get(format!("/__admin/orders?app_id={APP}"))).await.json().unwrap();
    assert_eq!(ours["total"], 2);
    for bad in ["limit=0", "limit=501", "limit=x", "colour=red"] {
        let refused = mock.send(Call::get(format!("/__admin/orders?{bad}"))).await;
        assert_eq!(refused.status, 400, "{bad}");
    }
    let words = mock.send(Call::get("/__admin/orders?limit=x")).await.json().unwrap();
    assert_eq!(words["error"], "limit=\"x\" is not a number from 1 to 500");
}

#[tokio::test]
async fn an_image_from_the_console_carries_the_marker_that_makes_the_upload_answer_the_scenario() {
    let mock = Mock::start().await;
    let image = mock.send(Call::get("/__admin/image?scenario=blurry&side=front&format=png")).await;
    assert_eq!(image.status, 200, "{:?}", image.body);
    assert_eq!(image.header("content-type"), Some("image/png"));
    assert_eq!(image.header("content-disposition"), Some("attachment; filename=\"idocr-mock-blurry-front.png\""));
    let body = resigned(signed_body("img1", Side::Front), "idcardStr", serde_json::json!(b64(&image.body)));
    let answer = mock.ocr(&body).await.json().unwrap();
    assert_eq!(answer["code"], "66661001", "{answer}");
    let jpeg = mock.send(Call::get("/__admin/image?scenario=blurry&side=back&format=jpeg")).await;
    assert_eq!((jpeg.header("content-type"), &jpeg.body[..2]), (Some("image/jpeg"), &[0xff, 0xd8][..]));
    let missing = mock.send(Call::get("/__admin/image")).await;
    assert_eq!(missing.json().unwrap()["error"], "scenario= is required; GET /__admin/scenarios lists them");
    for (bad, names) in [
        ("scenario=nosuch", "blurry"),
        ("scenario=blurry&side=top", "front, back or bank"),
        ("scenario=blurry&format=gif", "png or jpeg"),
    ] {
        let refused = mock.send(Call::get(format!("/__admin/image?{bad}"))).await;
        assert_eq!(refused.status, 400, "{bad}");
        assert!(refused.json().unwrap()["error"].as_str().unwrap().contains(names), "{bad}");
    }
}

#[tokio::test]
async fn the_tokens_view_shows_a_fetched_sign_ticket_masked_and_not_after_the_clock_moved_3601_s() {
    let mock = Mock::with(Config { admin_token: Some(TOKEN.into()), ..Config::default() }).await;
    assert_eq!(mock.send(Call::get("/__admin/tokens")).await.status, 401);
    let view = || async {
        let call = Call::get("/__admin/tokens").header("authorization", &format!("Bearer {TOKEN}"));
        let answer = mock.send(call).await;
        assert_eq!(answer.status, 200);
        answer.json().unwrap()
    };
    let empty = view().await;
    assert_eq!(empty["apps"][0]["app_id"], APP);
    assert_eq!(empty["apps"][0]["tokens"], serde_json::json!([]));
    let token = new_token_with(&mock).await;
    let ticket = new_ticket_with(&mock, &token).await;
    let shown = view().await;
    let t = &shown["apps"][0]["tokens"][0];
    assert_eq!(t["token"], masked(&token));
    assert_eq!(t["state"], "live");
    assert!((7190..=7200).contains(&t["expires_in_s"].as_i64().unwrap()), "{t}");
    let k = &t["tickets"][0];
    assert_eq!((k["kind"].as_str(), k["state"].as_str()), (Some("SIGN"), Some("live")));
    assert!((3590..=3600).contains(&k["expires_in_s"].as_i64().unwrap()), "{k}");
    assert_eq!(k["ticket"], masked(&ticket));
    let text = shown.to_string();
    assert!(!text.contains(&token) && !text.contains(&ticket) && !text.contains(TICKET), "{text}");
    let call = Call::post_json("/__admin/clock", r#"{"advance_seconds":3601}"#)
        .header("authorization", &format!("Bearer {TOKEN}"));
    assert_eq!(mock.send(call).await.status, 200);
    let later = view().await;
    let t = &later["apps"][0]["tokens"][0];
    assert!((3589..=3599).contains(&t["expires_in_s"].as_i64().unwrap()), "{later}");
    assert_eq!(t["tickets"], serde_json::json!([]), "{later}");
}

async fn new_token_with(mock: &Mock) -> String {
    let path = format!(
        "/api/oauth2/access_token?app_id={APP}&secret={}&grant_type=client_credential&version=1.0.0",
        idocr_mock::config::DEFAULT_SECRET
    );
    let v = mock.send(Call::get(path)).await.json().unwrap();
    v["access_token"].as_str().unwrap_or_else(|| panic!("{v}")).to_string()
}

async fn new_ticket_with(mock: &Mock, token: &str) -> String {
    let path = format!("/api/oauth2/api_ticket?app_id={APP}&access_token={token}&type=SIGN&version=1.0.0");
    let v = mock.send(Call::get(path)).await.json().unwrap();
    v["tickets"][0]["value"].as_str().unwrap_or_else(|| panic!("{v}")).to_string()
}

/// How the mock shows a token or ticket of 8 characters or more: its first quarter (at most 4
/// characters) and its length.
fn masked(value: &str) -> String {
    let n = value.chars().count();
    format!("{}...({n})", value.chars().take((n / 4).min(4)).collect::<String>())
}
