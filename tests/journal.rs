//! The journal (`/__admin/requests`), its filters and masking, and the rest of the admin API:
//! health, reset, metrics and the admin token.

use crate::support::*;
use idocr_mock::client::{Answer, Call};
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use serde_json::{json, Value};

async fn admin(mock: &Mock, target: &str) -> Answer {
    mock.send(Call::get(format!("/__admin/{target}"))).await
}

async fn journal(mock: &Mock, query: &str) -> Vec<Value> {
    let answer = admin(mock, &format!("requests{query}")).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.json().unwrap().as_array().unwrap().clone()
}

async fn count(mock: &Mock, query: &str) -> String {
    String::from_utf8(admin(mock, &format!("requests/count{query}")).await.body.to_vec()).unwrap()
}

/// Two successes for order j1, a refused sign for j2, an unknown path.
async fn traffic(mock: &Mock) {
    mock.ocr(&signed_body("j1", Side::Front)).await;
    mock.ocr(&signed_body("j1", Side::Back)).await;
    let mut bad = signed_body("j2", Side::Front);
    bad["sign"] = json!("0".repeat(40));
    mock.ocr(&bad).await;
    mock.send(Call::get("/no/such/path")).await;
}

#[tokio::test]
async fn every_vendor_request_is_journaled_newest_last_and_filters_select_them() {
    let mock = Mock::start().await;
    traffic(&mock).await;
    let all = journal(&mock, "").await;
    let ids: Vec<u64> = all.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4]);
    let time = all[0]["time"].as_str().unwrap();
    assert!(time.starts_with("2026-01-15T10:00:") && time.ends_with("+08:00"), "{time}");
    assert_eq!(
        (all[1]["method"].as_str(), all[1]["status"].as_u64(), all[1]["code"].as_str()),
        (Some("POST"), Some(200), Some("0"))
    );
    assert_eq!(all[1]["body"]["fields"]["cardType"], "1");
    assert_eq!(all[1]["headers"]["content-type"], "application/json;charset=UTF-8");
    assert_eq!(all[3]["path"], "/no/such/path");
    assert_eq!(all[3]["status"], 404);

    assert_eq!(journal(&mock, "?order_no=j1").await.len(), 2);
    assert_eq!(journal(&mock, "?path=/api/paas/idcardocrapp&code=0").await.len(), 2);
    let refused = journal(&mock, "?code=400105").await;
    assert_eq!(refused.len(), 1);
    assert!(refused[0]["reason"].as_str().unwrap().starts_with("sign refused:"), "{}", refused[0]["reason"]);
    assert_eq!(journal(&mock, "?limit=1").await[0]["id"], 4);
    assert_eq!(journal(&mock, "?since=2").await.len(), 2);
    assert_eq!(journal(&mock, "?since=2026-01-15T09:00:00%2B08:00").await.len(), 4);
    assert_eq!(journal(&mock, "?since=2026-01-15T11:00:00%2B08:00").await.len(), 0);
}

#[tokio::test]
async fn the_count_route_answers_a_bare_number_and_delete_clears_the_journal() {
    let mock = Mock::start().await;
    traffic(&mock).await;
    assert_eq!(count(&mock, "").await, "4");
    assert_eq!(count(&mock, "?code=0").await, "2");
    assert_eq!(count(&mock, "?order_no=j2&code=400105").await, "1");
    assert_eq!(count(&mock, "?scenario=blurry").await, "0");
    let bad = admin(&mock, "requests/count?colour=red").await;
    assert_eq!(bad.status, 400);
    assert!(bad.json().unwrap()["error"].as_str().unwrap().contains("unknown filter"));

    let cleared = mock.send(Call { method: hyper::Method::DELETE, ..Call::get("/__admin/requests") }).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(count(&mock, "").await, "0");
    mock.ocr(&signed_body("j3", Side::Front)).await;
    assert_eq!(journal(&mock, "").await[0]["id"], 5, "ids keep counting after a clear");
}

#[tokio::test]
async fn the_journal_holds_no_secret_ticket_image_or_full_id_number() {
    let mock = Mock::start().await;
    let mut body = signed_body("m1", Side::Front);
    body["userId"] = json!("11010519491231002X");
    body["ticket"] = json!(TICKET);
    body["myPrivateNote"] = json!("do-not-copy-me");
    let answer = mock.ocr(&body).await.json().unwrap();
    let idcard = answer["result"]["idcard"].as_str().unwrap().to_string();
    let query = format!("/api/oauth2/access_token?app_id={APP}&secret=idocr-mock-secret&access_token=tok-123456789");
    mock.send(Call::get(query)).await;

    let text = admin(&mock, "requests").await.json().unwrap().to_string();
    let image = body["idcardStr"].as_str().unwrap();
    for leak in [
        &image[..60],
        &image[image.len() / 2..image.len() / 2 + 60],
        TICKET,
        "idocr-mock-secret",
        "tok-123456789",
        "11010519491231002X",
        &idcard,
        "do-not-copy-me",
    ] {
        assert!(!text.contains(leak), "the journal contains {leak:?}: {text}");
    }
    let e = &journal(&mock, "?order_no=m1").await[0];
    assert_eq!(e["body"]["fields"]["userId"], "110105********002X");
    assert_eq!(e["body"]["fields"]["ticket"], "idoc...(22)");
    assert_eq!(e["body"]["unknown_fields"], json!(["myPrivateNote"]));
    assert_eq!(e["body"]["fields"]["idcardStr"]["format"], "png");
    assert_eq!(e["body"]["fields"]["idcardStr"]["sha256"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn a_large_upload_is_journaled_with_the_sha256_of_its_image_answered_or_refused() {
    use sha2::{Digest, Sha256};
    let mock = Mock::start().await;
    // ~400 KB: hyper delivers it in many chunks, decoded as they arrive.
    let mut png = idocr_mock::image::picture::card_png(Side::Front, None);
    png.extend((0..400_000u32).map(|i| (i % 253) as u8));
    let text = b"not a picture at all ".repeat(20_000);
    let hex = |bytes: &[u8]| Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let good = resigned(signed_body("big1", Side::Front), "idcardStr", json!(b64(&png)));
    let mut bad_sign = resigned(signed_body("big2", Side::Front), "idcardStr", json!(b64(&png)));
    bad_sign["sign"] = json!("0".repeat(40));
    let not_an_image = resigned(signed_body("big3", Side::Front), "idcardStr", json!(b64(&text)));
    let escaped = resigned(signed_body("big4", Side::Front), "idcardStr", json!(b64(&png)));
    let escaped = serde_json::to_string(&escaped).unwrap().replace('/', "\\/");
    let cases = [
        ("big1", serde_json::to_string(&good).unwrap(), "0"),
        ("big2", serde_json::to_string(&bad_sign).unwrap(), "400105"),
        ("big3", serde_json::to_string(&not_an_image).unwrap(), "66661010"),
        ("big4", escaped, "0"),
    ];
    for (order, body, code) in &cases {
        let answer = mock.send(Call::post_json("/api/paas/idcardocrapp", body.clone().into_bytes())).await;
        assert_eq!(answer.json().unwrap()["code"], *code, "{order}");
    }
    for (order, sent) in [("big1", &png), ("big2", &png), ("big4", &png)] {
        let e = &journal(&mock, &format!("?order_no={order}")).await[0];
        let image = &e["body"]["fields"]["idcardStr"];
        assert_eq!(image["sha256"], hex(sent), "{order}: {e}");
        assert_eq!((image["bytes"].as_u64(), image["format"].as_str()), (Some(sent.len() as u64), Some("png")));
        assert_eq!(image["base64_chars"].as_u64(), Some(b64(sent).len() as u64), "{order}");
    }
    let e = &journal(&mock, "?order_no=big3").await[0];
    let problem = e["body"]["fields"]["idcardStr"]["problem"].as_str().unwrap();
    assert!(problem.contains("not a JPG, PNG or BMP"), "{e}");
    assert_eq!(e["body"]["bytes"].as_u64(), Some(cases[2].1.len() as u64));
}

#[tokio::test]
async fn with_an_admin_token_every_admin_call_but_health_needs_it() {
    let mock = Mock::with(Config { seed: 1, admin_token: Some("s3cret-admin".into()), ..Config::default() }).await;
    for target in ["requests", "metrics", "orders/x", "reset"] {
        let none = admin(&mock, target).await;
        assert_eq!(none.status, 401, "{target}");
        assert_eq!(none.header("www-authenticate"), Some("Bearer"));
        assert!(none.json().unwrap()["error"].is_string());
    }
    let wrong = mock.send(Call::get("/__admin/health").header("authorization", "Bearer nope")).await;
    assert_eq!(wrong.status, 401);
    let right = mock.send(Call::get("/__admin/health").header("authorization", "Bearer s3cret-admin")).await;
    assert_eq!(right.status, 200);
    assert_eq!(mock.ocr(&signed_body("t1", Side::Front)).await.json().unwrap()["code"], "0", "vendor paths stay open");
}

#[tokio::test]
async fn with_an_admin_token_health_answers_without_one_but_tells_only_status_and_version() {
    let mock = Mock::with(Config { seed: 1, admin_token: Some("s3cret-admin".into()), ..Config::default() }).await;
    let bare = admin(&mock, "health").await;
    assert_eq!(bare.status, 200);
    assert_eq!(bare.json().unwrap(), json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}));
    let full = mock.send(Call::get("/__admin/health").header("authorization", "Bearer s3cret-admin")).await;
    let full = full.json().unwrap();
    assert_eq!((&full["status"], &full["seed"]), (&json!("ok"), &json!(1)));
    assert_eq!(full["apps"], json!(["TIDAMOCK"]));
    assert!(full["store"]["journal"].is_object(), "{full}");
}

#[tokio::test]
async fn health_reports_the_sizes_of_the_journal_and_the_store() {
    let mock = Mock::start().await;
    mock.ocr(&signed_body("h1", Side::Front)).await;
    let h = admin(&mock, "health").await.json().unwrap();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(h["store"]["journal"]["entries"], 1);
    assert_eq!(h["store"]["orders"]["orders"], 1);
}

#[tokio::test]
async fn reset_empties_the_journal_and_the_store_and_puts_the_clock_back() {
    let mock = Mock::start().await;
    traffic(&mock).await;
    let r = mock.send(Call { method: hyper::Method::POST, ..Call::get("/__admin/reset") }).await;
    assert_eq!(r.status, 200);
    assert_eq!(count(&mock, "").await, "0");
    assert_eq!(mock.state.orders().stats().orders, 0);
    assert_eq!(mock.state.clock().offset(), 0);
    assert_eq!(admin(&mock, "orders/j1").await.status, 404);
}

#[tokio::test]
async fn metrics_are_prometheus_text_with_requests_latency_and_sizes() {
    let mock = Mock::start().await;
    traffic(&mock).await;
    let answer = admin(&mock, "metrics").await;
    assert!(answer.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(answer.body.to_vec()).unwrap();
    let mut samples = std::collections::HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (name, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number: {line}"));
        let ok_name = name.split('{').next().unwrap().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        assert!(ok_name && (!name.contains('{') || name.ends_with('}')), "bad sample name: {line}");
        samples.insert(name.to_string(), value);
    }
    assert_eq!(samples[r#"idocr_mock_requests_total{path="/api/paas/idcardocrapp",code="0",status="200"}"#], 2.0);
    assert_eq!(samples[r#"idocr_mock_requests_total{path="other",code="",status="404"}"#], 1.0);
    assert_eq!(samples[r#"idocr_mock_request_duration_seconds_bucket{le="+Inf"}"#], 4.0);
    assert_eq!(samples["idocr_mock_journal_entries"], 4.0);
    assert_eq!(samples["idocr_mock_orders"], 1.0);
    assert_eq!(samples["idocr_mock_order_evictions_total"], 0.0);
}

#[tokio::test]
async fn reset_also_kills_the_access_tokens_issued_before_it() {
    let mock = Mock::start().await;
    let token_url =
        "/api/oauth2/access_token?app_id=TIDAMOCK&secret=idocr-mock-secret&grant_type=client_credential&version=1.0.0";
    let token = mock.send(Call::get(token_url)).await.json().unwrap()["access_token"].as_str().unwrap().to_string();
    let ticket_url = format!("/api/oauth2/api_ticket?app_id=TIDAMOCK&access_token={token}&type=SIGN&version=1.0.0");
    assert_eq!(mock.send(Call::get(&ticket_url)).await.json().unwrap()["code"], "0");
    let r = mock.send(Call { method: hyper::Method::POST, ..Call::get("/__admin/reset") }).await;
    assert!(r.json().unwrap()["reset"].as_array().unwrap().contains(&serde_json::json!("tokens")));
    assert_eq!(mock.send(Call::get(&ticket_url)).await.json().unwrap()["code"], "15");
}

#[tokio::test]
async fn reset_puts_the_default_scenario_back_and_empties_the_queue() {
    let mock = Mock::start().await;
    let put = Call { method: hyper::Method::PUT, ..Call::post_json("/__admin/scenario", r#"{"name":"blurry"}"#) };
    assert_eq!(mock.send(put).await.status, 200);
    let queue = Call::post_json("/__admin/scenario/queue", r#"{"scenarios":["server-busy"]}"#);
    assert_eq!(mock.send(queue).await.status, 200);
    let r = mock.send(Call { method: hyper::Method::POST, ..Call::get("/__admin/reset") }).await;
    assert!(r.json().unwrap()["reset"].as_array().unwrap().contains(&serde_json::json!("scenarios")));
    let answer = mock.ocr(&signed_body("afterreset", Side::Front)).await;
    assert_eq!(answer.json().unwrap()["code"], "0", "{:?}", answer.header("x-idocr-mock-reason"));
    assert_eq!(answer.header("x-idocr-scenario"), Some("success"));
}

#[tokio::test]
async fn a_journal_limit_of_zero_records_nothing_and_a_max_orders_of_zero_stores_nothing() {
    let mock = Mock::with(Config { seed: 1, journal_limit: 0, max_orders: 0, ..Config::default() }).await;
    assert_eq!(mock.ocr(&signed_body("off1", Side::Front)).await.json().unwrap()["code"], "0");
    assert_eq!(count(&mock, "").await, "0");
    assert_eq!(mock.state.orders().stats().orders, 0);
    let sign = sign(&[APP, "off1", NONCE, "1.0.0"], TICKET);
    let target = format!("/api/server/getOcrResult?app_id={APP}&order_no=off1&nonce={NONCE}&version=1.0.0&sign={sign}");
    assert_eq!(mock.send(Call::get(target)).await.json().unwrap()["code"], "66660020");
}
