//! Scenarios: every catalog entry through the header, the queue, image markers and the default,
//! with their precedence, and transport faults that leave the server healthy.

use crate::support::*;
use hyper::Method;
use idocr_mock::client::{Answer, Call, CallError};
use idocr_mock::identity;
use idocr_mock::image::marker::{self, Marker};
use idocr_mock::protocol::catalog::{self, Shape};
use idocr_mock::protocol::{Document, Side};
use idocr_mock::scenarios::{Catalog, Outcome};
use idocr_mock::Config;
use serde_json::{json, Value};
use std::time::Duration;

const SCENARIO: &str = "X-Idocr-Scenario";

fn fast() -> Config {
    Config { seed: 42, slow_delay: Duration::from_millis(10), hang_for: Duration::from_secs(5), ..Config::default() }
}

async fn call(mock: &Mock, body: &Value, scenario: Option<&str>) -> Result<Answer, CallError> {
    let mut c = Call::post_json(OCR, body.to_string()).timeout(Duration::from_secs(10));
    if let Some(s) = scenario {
        c = c.header(SCENARIO, s);
    }
    c.send(mock.addr).await
}

async fn ocr_with(mock: &Mock, scenario: &str, order: &str, side: Side) -> Answer {
    call(mock, &signed_body(order, side), Some(scenario)).await.expect("the mock answers")
}

async fn admin(mock: &Mock, method: Method, path: &str, body: Value) -> Value {
    let call = Call { method, ..Call::post_json(path, body.to_string()) };
    mock.send(call).await.json().unwrap()
}

/// A signed body whose image is `image`.
fn with_image(order: &str, side: Side, image: &[u8]) -> Value {
    let mut body = signed_body(order, side);
    body["idcardStr"] = json!(b64(image));
    body
}

#[tokio::test]
async fn every_error_scenario_answers_its_catalog_code_and_msg_in_its_envelope() {
    let mock = Mock::with(fast()).await;
    for s in Catalog::builtin().iter() {
        let Outcome::Error(code) = &s.outcome else { continue };
        if s.document == Some(Document::BankCard) {
            continue; // tests/bank_scenarios.rs sends them to the bank-card endpoint
        }
        let a = ocr_with(&mock, &s.name, "err1", Side::Front).await;
        assert_eq!((a.status.as_u16(), a.header("x-idocr-scenario")), (200, Some(s.name.as_str())));
        let v = a.json().unwrap();
        assert_eq!((v["code"].as_str(), v["msg"].as_str()), (Some(code.code), Some(code.msg)), "{}", s.name);
        assert!(v.get("result").is_none(), "{}: {v}", s.name);
        match code.shape {
            Shape::Gateway => assert!(v["success"] == json!(false) && v.get("bizSeqNo").is_none(), "{v}"),
            Shape::Business => assert!(v["bizSeqNo"].is_string() && v.get("success").is_none(), "{v}"),
        }
    }
}

#[tokio::test]
async fn every_success_scenario_answers_code_0_with_its_warnings_and_its_identity_edge() {
    let mock = Mock::with(fast()).await;
    for s in Catalog::builtin().iter() {
        let Outcome::Success(look) = &s.outcome else { continue };
        if s.document == Some(Document::BankCard) {
            continue; // tests/bank_scenarios.rs sends them to the bank-card endpoint
        }
        let front = ocr_with(&mock, &s.name, "ok1", Side::Front).await.json().unwrap();
        let back = ocr_with(&mock, &s.name, "ok1", Side::Back).await.json().unwrap();
        let (f, b) = (&front["result"], &back["result"]);
        assert_eq!((front["code"].as_str(), back["code"].as_str()), (Some("0"), Some("0")), "{}", s.name);
        for r in [f, b] {
            assert_eq!(r["warning"].as_str(), Some(&*look.warning), "{}", s.name);
            assert_eq!(r["multiWarning"].as_str(), Some(&*look.warning), "{}", s.name);
        }
        let id = f["idcard"].as_str().unwrap();
        assert!(identity::is_valid_number(id), "{}: {id}", s.name);
        let valid = b["validDate"].as_str().unwrap();
        match s.name.as_str() {
            "low-clarity" => assert!(f["clarity"].as_str().unwrap().parse::<u8>().unwrap() < 40),
            "long-term" => assert!(valid.ends_with("-长期"), "{valid}"),
            "x-check-digit" => assert!(id.ends_with('X'), "{id}"),
            "dotted-name" => assert!(f["name"].as_str().unwrap().contains('·')),
            "long-address" => assert_eq!(f["address"].as_str().unwrap().chars().count(), 60),
            "elderly" => assert!(f["birth"].as_str().unwrap() < "19460115", "{}", f["birth"]),
            "minor" => {
                let years = |i: usize| valid[i..i + 4].parse::<i32>().unwrap();
                assert_eq!(years(9) - years(0), 5, "{valid}");
            }
            _ => {}
        }
    }
    let warned = ocr_with(&mock, "multi-warning", "ok2", Side::Front).await.json().unwrap();
    assert_eq!(warned["result"]["multiWarning"], "10010100");
}

#[tokio::test]
async fn gateway_answers_come_before_validation_and_recognition_errors_after_it() {
    let mock = Mock::with(fast()).await;
    let mut bad_sign = signed_body("v1", Side::Front);
    bad_sign["sign"] = json!("0".repeat(40));
    let busy = call(&mock, &bad_sign, Some("server-busy")).await.unwrap().json().unwrap();
    assert_eq!(busy["code"], catalog::NETWORK_999999.code);
    let blurry = call(&mock, &bad_sign, Some("blurry")).await.unwrap().json().unwrap();
    assert_eq!(blurry["code"], catalog::AUTH_FAILED.code, "a bad sign is refused whatever the scenario");
}

#[tokio::test]
async fn an_unknown_scenario_header_is_a_400101_naming_the_known_ones() {
    let mock = Mock::start().await;
    let a = ocr_with(&mock, "no-such-thing", "u1", Side::Front).await;
    let v = a.json().unwrap();
    assert_eq!(v["code"], "400101");
    assert!(v["msg"].as_str().unwrap().starts_with("不合法的请求:X-Idocr-Scenario names unknown scenario"), "{v}");
    assert!(a.header("x-idocr-mock-reason").unwrap().contains("blurry"));
}

#[tokio::test]
async fn queued_scenarios_are_taken_in_order_then_the_default_returns_and_a_header_wins_meanwhile() {
    let mock = Mock::with(fast()).await;
    let q =
        admin(&mock, Method::POST, "/__admin/scenario/queue", json!({"scenarios": ["server-busy", "blurry"]})).await;
    assert_eq!(q["queue"], json!(["server-busy", "blurry"]));
    let headed = ocr_with(&mock, "expired", "q0", Side::Front).await.json().unwrap();
    assert_eq!(headed["code"], "66661003", "the header wins and leaves the queue alone");
    let mut codes = Vec::new();
    for i in 0..3 {
        let a = mock.ocr(&signed_body(&format!("q{i}"), Side::Front)).await;
        codes.push((
            a.json().unwrap()["code"].as_str().unwrap().to_string(),
            a.header("x-idocr-scenario").unwrap().to_string(),
        ));
    }
    let expected = [("999999", "server-busy"), ("66661001", "blurry"), ("0", "success")];
    assert_eq!(codes, expected.map(|(c, n)| (c.to_string(), n.to_string())));
    admin(&mock, Method::POST, "/__admin/scenario/queue", json!({"scenarios": ["blurry"]})).await;
    assert_eq!(admin(&mock, Method::DELETE, "/__admin/scenario/queue", json!({})).await["cleared"], 1);
    let refused = mock.send(Call::post_json("/__admin/scenario/queue", r#"{"scenarios":["nope"]}"#)).await;
    assert_eq!(refused.status, 400);
    assert!(refused.json().unwrap()["error"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn the_default_is_changed_at_run_time_listed_and_restored_by_reset() {
    let mock = Mock::with(Config { scenario: "photocopy".into(), ..fast() }).await;
    let listed = mock.send(Call::get("/__admin/scenarios")).await.json().unwrap();
    assert!(listed["scenarios"].as_array().unwrap().len() >= 30);
    assert_eq!(listed["default"], "photocopy");
    let first = mock.ocr(&signed_body("d1", Side::Front)).await.json().unwrap();
    assert_eq!(first["result"]["warning"], "01000000");
    let set = admin(&mock, Method::PUT, "/__admin/scenario", json!({"name": "not-back"})).await;
    assert_eq!(set["name"], "not-back");
    assert_eq!(mock.ocr(&signed_body("d2", Side::Back)).await.json().unwrap()["code"], "66661007");
    let bad = mock.send(Call { method: Method::PUT, ..Call::post_json("/__admin/scenario", r#"{"name":"x"}"#) }).await;
    assert_eq!(bad.status, 400);
    mock.state.scenarios().reset();
    assert_eq!(mock.state.scenarios().default_name(), "photocopy");
}

#[tokio::test]
async fn a_png_marker_pins_the_identity_and_a_jpeg_marker_picks_an_error() {
    let mock = Mock::with(fast()).await;
    let pinned =
        Marker {
            scenario: "success".into(), name: Some("测试员".into()), idcard: Some("11010519491231002X".into())
        };
    let png = marker::card_png(Side::Front, Some(&pinned));
    let a = mock.ocr(&with_image("m1", Side::Front, &png)).await;
    let v = a.json().unwrap();
    assert_eq!(
        (v["result"]["name"].as_str(), v["result"]["idcard"].as_str()),
        (Some("测试员"), Some("11010519491231002X"))
    );
    assert_eq!(a.header("x-idocr-scenario"), Some("success"));
    let blurry = Marker { scenario: "blurry".into(), name: None, idcard: None };
    let jpeg = marker::card_jpeg(Side::Back, Some(&blurry));
    assert_eq!(mock.ocr(&with_image("m2", Side::Back, &jpeg)).await.json().unwrap()["code"], "66661001");
    let tagged = marker::tag(
        &marker::card_jpeg(Side::Front, None),
        &Marker { scenario: "x-check-digit".into(), name: None, idcard: None },
    )
    .unwrap();
    let x = mock.ocr(&with_image("m3", Side::Front, &tagged)).await.json().unwrap();
    assert!(x["result"]["idcard"].as_str().unwrap().ends_with('X'));
}

#[tokio::test]
async fn a_marker_beats_the_default_but_not_the_queue_or_the_header() {
    let mock = Mock::with(Config { scenario: "server-busy".into(), ..fast() }).await;
    let expired = marker::card_png(Side::Front, Some(&Marker { scenario: "expired".into(), name: None, idcard: None }));
    let body = with_image("p1", Side::Front, &expired);
    assert_eq!(mock.ocr(&body).await.json().unwrap()["code"], "66661003", "marker over default");
    admin(&mock, Method::POST, "/__admin/scenario/queue", json!({"scenarios": ["photocopy"]})).await;
    assert_eq!(mock.ocr(&body).await.json().unwrap()["result"]["warning"], "01000000", "queue over marker");
    assert_eq!(call(&mock, &body, Some("minor")).await.unwrap().json().unwrap()["code"], "0", "header over marker");
    let unknown = marker::card_png(Side::Front, Some(&Marker { scenario: "nope".into(), name: None, idcard: None }));
    let v = mock.ocr(&with_image("p2", Side::Front, &unknown)).await.json().unwrap();
    assert_eq!(v["code"], "400101", "{v}");
}

#[tokio::test]
async fn connection_faults_drop_the_connection_and_the_server_stays_healthy() {
    let mock = Mock::with(fast()).await;
    for fault in ["reset", "empty-reply"] {
        let err = call(&mock, &signed_body("f1", Side::Front), Some(fault)).await.unwrap_err();
        assert!(matches!(err, CallError::Http(_)), "{fault}: {err}");
    }
    assert_eq!(mock.ocr(&signed_body("f2", Side::Front)).await.json().unwrap()["code"], "0");
}

#[tokio::test]
async fn http_faults_answer_what_a_proxy_would_and_truncated_json_does_not_parse() {
    let mock = Mock::with(fast()).await;
    let truncated = ocr_with(&mock, "truncated-json", "h1", Side::Front).await;
    assert_eq!(truncated.status, 200);
    assert!(truncated.json().is_err() && truncated.body.starts_with(b"{\"code\":\"0\""));
    for (name, status) in [("http-500", 500), ("http-502", 502), ("http-503", 503)] {
        let a = ocr_with(&mock, name, "h2", Side::Front).await;
        assert_eq!((a.status.as_u16(), a.header("content-type")), (status, Some("text/html")));
        assert!(String::from_utf8_lossy(&a.body).contains(&format!("<h1>{status} ")));
    }
    let page = ocr_with(&mock, "http-502", "h3", Side::Front).await;
    assert!(String::from_utf8_lossy(&page.body).contains("<center>nginx</center>"));
}

#[tokio::test]
async fn slow_and_dribble_deliver_the_full_valid_answer() {
    let mock = Mock::with(fast()).await;
    for name in ["slow", "dribble"] {
        let a = ocr_with(&mock, name, "s1", Side::Front).await;
        assert_eq!(a.json().unwrap()["code"], "0", "{name}");
        assert_eq!(a.header("x-idocr-scenario"), Some(name));
    }
}

#[tokio::test]
async fn a_hanging_request_does_not_stop_other_clients() {
    let mock = Mock::with(fast()).await;
    let hung = Call::post_json(OCR, signed_body("g1", Side::Front).to_string())
        .header(SCENARIO, "hang")
        .timeout(Duration::from_millis(800));
    let addr = mock.addr;
    let waiting = tokio::spawn(async move { hung.send(addr).await });
    for i in 0..5 {
        let v = mock.ocr(&signed_body(&format!("g{i}"), Side::Front)).await.json().unwrap();
        assert_eq!(v["code"], "0");
    }
    assert!(matches!(waiting.await.unwrap(), Err(CallError::Timeout(_))));
    assert_eq!(mock.send(Call::get("/__admin/health")).await.status, 200);
}

#[tokio::test]
async fn a_mix_draws_its_scenarios_and_names_the_one_applied() {
    let mock = Mock::with(fast()).await;
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..16 {
        seen.insert(
            ocr_with(&mock, "flaky", &format!("x{i}"), Side::Front)
                .await
                .header("x-idocr-scenario")
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["server-busy", "success"]);
}

#[tokio::test]
async fn scenario_answers_keep_the_vendor_shapes() {
    let mock = Mock::with(fast()).await;
    let gateway = ocr_with(&mock, "rate-limited", "snap1", Side::Front).await.json().unwrap();
    let business = ocr_with(&mock, "server-busy", "snap1", Side::Front).await.json().unwrap();
    let warned = ocr_with(&mock, "multi-warning", "snap1", Side::Back).await.json().unwrap();
    redactions().bind(|| {
        insta::assert_json_snapshot!("scenario_gateway_error", gateway);
        insta::assert_json_snapshot!("scenario_business_error", business);
        insta::assert_json_snapshot!("scenario_warned_back", warned);
    });
}

#[tokio::test]
async fn a_marker_pinning_an_invalid_number_is_refused_with_the_reason() {
    let mock = Mock::with(fast()).await;
    let bad = Marker { scenario: "success".into(), name: None, idcard: Some("110105194912310021".into()) };
    let a = mock.ocr(&with_image("bad1", Side::Front, &marker::card_png(Side::Front, Some(&bad)))).await;
    assert_eq!(a.json().unwrap()["code"], "400101");
    assert!(a.header("x-idocr-mock-reason").unwrap().contains("GB 11643"));
}

#[test]
fn the_binary_refuses_an_unknown_startup_scenario_listing_the_names() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args(["--port", "0", "--scenario", "blury"])
        .env_remove("IDOCR_MOCK_SCENARIO")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--scenario \"blury\" is not a scenario") && err.contains("blurry, expired"), "{err}");
}

#[test]
fn the_image_command_writes_a_marked_jpeg_the_mock_can_read() {
    let dir = temp_dir();
    let path = dir.path().join("marker.jpg");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args(["image", "--scenario", "expired", "--side", "back", "--format", "jpeg", "-o"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let found = marker::find(&std::fs::read(&path).unwrap());
    assert_eq!(found, Some(Ok(Marker { scenario: "expired".into(), name: None, idcard: None })));
}

#[test]
fn a_broken_scenario_file_stops_startup_naming_the_file_and_the_reason() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("mine.json"), r#"{"name":"mine","description":"d","outcome":"error","code":"42"}"#)
        .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_idocr-mock"))
        .args(["--port", "0", "--fixtures"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mine.json") && err.contains("code \"42\" is not an error of the catalog"), "{err}");
}

#[tokio::test]
async fn an_unknown_admin_route_answers_404_in_the_admin_error_shape_listing_every_admin_route() {
    let mock = Mock::with(fast()).await;
    let a = mock.send(Call::get("/__admin/no-such-route")).await;
    assert_eq!(a.status.as_u16(), 404);
    let v = a.json().unwrap();
    assert_eq!((v["status"].as_u64(), v["error"].as_str()), (Some(404), Some("no admin route /__admin/no-such-route")));
    let listed: Vec<&str> = v["routes"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    for route in [
        "GET /__admin/health — ",
        "GET /__admin/ui — ",
        "GET /__admin/events — ",
        "GET /__admin/tokens — ",
        "GET /__admin/scenarios — ",
        "POST /__admin/scenario/queue — ",
        "DELETE /__admin/scenario/queue — ",
        "GET /__admin/requests — ",
        "POST /__admin/clock — ",
        "PUT /__admin/apps/{id}/secret — ",
    ] {
        assert!(listed.iter().any(|l| l.starts_with(route)), "{route} missing from {listed:?}");
    }
}

#[tokio::test]
async fn every_admin_error_has_the_status_and_error_fields_and_a_wrong_method_gets_405_with_allow() {
    let mock = Mock::with(fast()).await;
    let calls = [
        (Call::post_json("/__admin/scenario/queue", r#"{"scenarios":["nope"]}"#), 400),
        (Call::post_json("/__admin/clock", r#"{"jump":1}"#), 400),
        (Call::get("/__admin/requests?pth=x"), 400),
        (Call::get("/__admin/orders/nosuch"), 404),
        (Call { method: Method::PATCH, ..Call::get("/__admin/scenario/queue") }, 405),
    ];
    for (call, status) in calls {
        let a = mock.send(call).await;
        let v = a.json().unwrap();
        assert_eq!((a.status.as_u16(), v["status"].as_u64()), (status, Some(u64::from(status))), "{v}");
        assert!(!v["error"].as_str().unwrap().is_empty(), "{v}");
        if status == 405 {
            assert_eq!(a.header("allow"), Some("GET, POST, DELETE"));
        }
    }
}
