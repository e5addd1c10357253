//! The order store and `GET /api/server/getOcrResult`: aggregation of both sides, the images back
//! byte-identical, refusals, eviction, duplicates, and `--data-dir` across a restart.

use crate::support::*;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use idocr_mock::client::{Answer, Call};
use idocr_mock::config::DuplicateOrders;
use idocr_mock::image::picture;
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use serde_json::{json, Value};

const RESULT: &str = "/api/server/getOcrResult";

/// A signed getOcrResult call for `order`, with `extra` appended to the query.
async fn get_result(mock: &Mock, order: &str, extra: &str) -> Answer {
    let sign = sign(&[APP, order, NONCE, "1.0.0"], TICKET);
    let target = format!("{RESULT}?app_id={APP}&order_no={order}&nonce={NONCE}&version=1.0.0&sign={sign}{extra}");
    mock.send(Call::get(target)).await
}

fn decoded(v: &Value) -> Vec<u8> {
    STANDARD.decode(v.as_str().unwrap()).unwrap()
}

fn with_operate_time_redacted() -> insta::Settings {
    let mut s = redactions();
    s.add_dynamic_redaction(".result.operateTime", |v, _| {
        let t = v.as_str().unwrap_or_default();
        assert!(t.len() == 19 && t.starts_with("2026-01-15 10:00:"), "operateTime {t:?}");
        "[operateTime]"
    });
    s
}

#[tokio::test]
async fn the_front_and_back_of_one_order_come_back_as_one_result() {
    let mock = Mock::start().await;
    let front = mock.ocr(&signed_body("agg1", Side::Front)).await.json().unwrap();
    let back = mock.ocr(&signed_body("agg1", Side::Back)).await.json().unwrap();
    let v = get_result(&mock, "agg1", "").await.json().unwrap();
    with_operate_time_redacted().bind(|| insta::assert_json_snapshot!("get_ocr_result", v));
    let r = &v["result"];
    assert_eq!((r["frontCode"].as_str(), r["backCode"].as_str()), (Some("0"), Some("0")));
    assert_eq!(r["idcard"], front["result"]["idcard"]);
    assert_eq!(r["frontClarity"], front["result"]["clarity"]);
    assert_eq!(r["validDate"], back["result"]["validDate"]);
    assert!(r.get("frontPhoto").is_none(), "images only with get_file=1");
}

#[tokio::test]
async fn get_ocr_result_keys_come_in_the_order_of_the_ocr_answers() {
    let mock = Mock::start().await;
    mock.ocr(&signed_body("ord1", Side::Front)).await.json().unwrap();
    let body = get_result(&mock, "ord1", "").await.body;
    let text = String::from_utf8(body.to_vec()).unwrap();
    let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("no {key} in {text}"));
    let top = ["code", "msg", "bizSeqNo", "result", "transactionTime"];
    assert!(text.starts_with("{\"code\":"), "{text}");
    assert!(top.windows(2).all(|w| at(w[0]) < at(w[1])), "top-level order: {text}");
    let result = ["frontCode", "backCode", "orderNo", "name", "idcard", "validDate", "operateTime"];
    assert!(result.windows(2).all(|w| at(w[0]) < at(w[1])), "result order: {text}");
}

#[tokio::test]
async fn get_file_returns_the_uploaded_images_byte_identical() {
    let mock = Mock::start().await;
    let (front_png, back_png) = (picture::card_png(Side::Front, None), picture::card_png(Side::Back, None));
    let mut front = signed_body("img1", Side::Front);
    front["idcardStr"] = json!(format!("data:image/png;base64,{}", b64(&front_png)));
    let mut back = signed_body("img1", Side::Back);
    let wrapped: Vec<String> =
        b64(&back_png).as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into()).collect();
    back["idcardStr"] = json!(wrapped.join("\r\n"));
    assert_eq!(mock.ocr(&front).await.json().unwrap()["code"], "0");
    assert_eq!(mock.ocr(&back).await.json().unwrap()["code"], "0");

    let r = get_result(&mock, "img1", "&get_file=1").await.json().unwrap()["result"].clone();
    assert_eq!(decoded(&r["frontPhoto"]), front_png);
    assert_eq!(decoded(&r["backPhoto"]), back_png);
    assert_eq!((r["frontCrop"].as_str(), r["backCrop"].as_str()), (Some(""), Some("")));
    assert!(decoded(&r["headPhoto"]).starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn an_unknown_order_gets_66660020() {
    let mock = Mock::start().await;
    let v = get_result(&mock, "nosuchorder", "").await.json().unwrap();
    assert_eq!((v["code"].as_str(), v["msg"].as_str()), (Some("66660020"), Some("OCR 结果查询不到")));
    assert!(v.get("result").is_none());
}

#[tokio::test]
async fn a_bad_sign_on_get_ocr_result_is_refused_with_the_diagnosis() {
    let mock = Mock::start().await;
    mock.ocr(&signed_body("bs1", Side::Front)).await;
    let wrong = sign(&[APP, "bs1", NONCE], TICKET);
    let target = format!("{RESULT}?app_id={APP}&order_no=bs1&nonce={NONCE}&version=1.0.0&sign={wrong}");
    let answer = mock.send(Call::get(target)).await;
    assert_eq!(answer.json().unwrap()["code"], "400105");
    assert!(answer.header("x-idocr-mock-reason").unwrap().contains("version is signed but was left out"));
    let missing = mock.send(Call::get(format!("{RESULT}?app_id={APP}&order_no=bs1"))).await.json().unwrap();
    assert_eq!(missing["code"], "400101");
    let post = mock.send(Call::post_json(RESULT, "{}")).await;
    assert_eq!((post.status.as_u16(), post.header("allow")), (405, Some("GET")));
}

#[tokio::test]
async fn the_oldest_order_is_evicted_past_max_orders() {
    let mock = Mock::with(Config { seed: 1, max_orders: 2, ..Config::default() }).await;
    for order in ["ev1", "ev2", "ev3"] {
        mock.ocr(&signed_body(order, Side::Front)).await;
    }
    assert_eq!(get_result(&mock, "ev1", "").await.json().unwrap()["code"], "66660020");
    assert_eq!(get_result(&mock, "ev3", "").await.json().unwrap()["code"], "0");
    let stats = mock.state.orders().stats();
    assert_eq!((stats.orders, stats.evictions), (2, 1));
}

#[tokio::test]
async fn the_oldest_order_is_evicted_past_the_byte_budget() {
    let one = picture::card_png(Side::Front, None).len();
    let mock = Mock::with(Config { seed: 1, max_order_bytes: one * 3 / 2, ..Config::default() }).await;
    mock.ocr(&signed_body("by1", Side::Front)).await;
    mock.ocr(&signed_body("by2", Side::Front)).await;
    assert_eq!(get_result(&mock, "by1", "").await.json().unwrap()["code"], "66660020");
    assert_eq!(get_result(&mock, "by2", "").await.json().unwrap()["code"], "0");
    let stats = mock.state.orders().stats();
    assert_eq!((stats.orders, stats.bytes, stats.evictions), (1, one, 1));
}

#[tokio::test]
async fn reject_duplicate_orders_refuses_a_repeated_side_only() {
    let mock = Mock::with(Config { seed: 1, duplicate_orders: DuplicateOrders::Reject, ..Config::default() }).await;
    assert_eq!(mock.ocr(&signed_body("dup1", Side::Front)).await.json().unwrap()["code"], "0");
    assert_eq!(mock.ocr(&signed_body("dup1", Side::Back)).await.json().unwrap()["code"], "0");
    let again = mock.ocr(&signed_body("dup1", Side::Front)).await;
    assert_eq!(again.json().unwrap()["code"], "66660030");
    assert!(again.header("x-idocr-mock-reason").unwrap().contains("--reject-duplicate-orders"));
}

#[tokio::test]
async fn the_admin_view_of_an_order_summarises_images_unless_asked() {
    let mock = Mock::start().await;
    mock.ocr(&signed_body("adm1", Side::Front)).await;
    let v = mock.send(Call::get("/__admin/orders/adm1")).await.json().unwrap();
    assert_eq!(v["front"]["code"], "0");
    assert_eq!(v["front"]["image"]["format"], "png");
    assert!(v["front"]["image"].get("base64").is_none());
    assert!(v["back"].is_null());
    let full = mock.send(Call::get("/__admin/orders/adm1?images=1")).await.json().unwrap();
    assert_eq!(decoded(&full["front"]["image"]["base64"]), picture::card_png(Side::Front, None));
}

#[tokio::test]
async fn orders_in_a_data_dir_survive_a_restart() {
    let guard = temp_dir();
    let dir = guard.path().join("data");
    let config = || Config { seed: 1, data_dir: Some(dir.clone()), ..Config::default() };
    let (photo, name) = {
        let first = Mock::with(config()).await;
        first.ocr(&signed_body("dd1", Side::Front)).await;
        first.ocr(&signed_body("dd1", Side::Back)).await;
        let r = get_result(&first, "dd1", "&get_file=1").await.json().unwrap()["result"].clone();
        (r["frontPhoto"].clone(), r["name"].clone())
    };
    let second = Mock::with(config()).await;
    let r = get_result(&second, "dd1", "&get_file=1").await.json().unwrap()["result"].clone();
    assert_eq!((r["frontCode"].as_str(), r["backCode"].as_str()), (Some("0"), Some("0")));
    assert_eq!(r["frontPhoto"], photo);
    assert_eq!(r["name"], name);
    assert_eq!(decoded(&r["backPhoto"]), picture::card_png(Side::Back, None));
}

#[tokio::test]
async fn a_corrupt_file_in_the_data_dir_is_skipped_not_fatal() {
    let guard = temp_dir();
    let dir = guard.path().join("data");
    {
        let first = Mock::with(Config { seed: 1, data_dir: Some(dir.clone()), ..Config::default() }).await;
        first.ocr(&signed_body("good1", Side::Front)).await;
    }
    std::fs::write(dir.join("order-TIDAMOCK-broken1.json"), b"{\"app_id\": \"TIDA").unwrap();
    std::fs::write(dir.join("order-TIDAMOCK-other1.json"), b"[]").unwrap();
    let second = Mock::with(Config { seed: 1, data_dir: Some(dir.clone()), ..Config::default() }).await;
    assert_eq!(second.state.orders().stats().orders, 1);
    assert_eq!(get_result(&second, "good1", "").await.json().unwrap()["code"], "0");
}

#[tokio::test]
async fn get_ocr_result_takes_webank_app_id_and_get_native() {
    let mock = Mock::start().await;
    let mut body = signed_body("nat1", Side::Front);
    body["getNative"] = json!("1");
    let front = mock.ocr(&body).await.json().unwrap();
    let sign = sign(&[APP, "nat1", NONCE, "1.0.0"], TICKET);
    let target =
        format!("{RESULT}?webankAppId={APP}&order_no=nat1&nonce={NONCE}&version=1.0.0&sign={sign}&get_native=1");
    let r = mock.send(Call::get(target)).await.json().unwrap()["result"].clone();
    assert_eq!(r["nativePlace"], front["result"]["nativePlace"]);
    assert_eq!(
        (r["frontCode"].as_str(), r["backCode"].as_str(), r["validDate"].as_str()),
        (Some("0"), Some(""), Some(""))
    );
}

#[tokio::test]
async fn a_recognition_error_is_stored_as_that_sides_code() {
    let mock = Mock::start().await;
    let blurry =
        Call::post_json(OCR, signed_body("err1", Side::Front).to_string()).header("x-idocr-scenario", "blurry");
    assert_eq!(mock.send(blurry).await.json().unwrap()["code"], "66661001");
    assert_eq!(mock.ocr(&signed_body("err1", Side::Back)).await.json().unwrap()["code"], "0");
    let r = get_result(&mock, "err1", "").await.json().unwrap()["result"].clone();
    assert_eq!((r["frontCode"].as_str(), r["backCode"].as_str()), (Some("66661001"), Some("0")));
}

#[tokio::test]
async fn a_gateway_answer_leaves_no_order_behind() {
    let mock = Mock::start().await;
    let busy =
        Call::post_json(OCR, signed_body("err2", Side::Front).to_string()).header("x-idocr-scenario", "server-busy");
    assert_eq!(mock.send(busy).await.json().unwrap()["code"], "999999");
    assert_eq!(get_result(&mock, "err2", "").await.json().unwrap()["code"], "66660020");
}
