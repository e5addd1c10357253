//! `POST /api/paas/bankcardocrapp` and `GET /api/server/getBankCardOcrResult`: the success shape
//! of the doc example, a coherent test card, every refusal of the shared pipeline, the result
//! lookup, the journal, the metrics and `--data-dir`.

use crate::support::*;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use idocr_mock::bankcard;
use idocr_mock::client::{Answer, Call};
use idocr_mock::image::picture;
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use serde_json::{json, Value};

pub const BANK: &str = "/api/paas/bankcardocrapp";
pub const BANK_RESULT: &str = "/api/server/getBankCardOcrResult";

/// A complete bank-card body signed by the FV-5 rule (webankAppId, orderNo, version, nonce).
pub fn bank_body(order_no: &str) -> Value {
    json!({
        "webankAppId": APP,
        "version": "1.0.0",
        "nonce": NONCE,
        "orderNo": order_no,
        "userId": "user1",
        "bankcardStr": b64(&picture::card_png(Side::Bank, None)),
        "sign": sign(&[APP, order_no, NONCE, "1.0.0"], TICKET),
    })
}

pub async fn bank(mock: &Mock, body: &Value) -> Answer {
    mock.send(Call::post_json(BANK, body.to_string())).await
}

/// A signed getBankCardOcrResult call for `order`, with `extra` appended to the query.
pub async fn bank_result(mock: &Mock, order: &str, extra: &str) -> Answer {
    let sign = sign(&[APP, order, NONCE, "1.0.0"], TICKET);
    let target = format!("{BANK_RESULT}?app_id={APP}&order_no={order}&nonce={NONCE}&version=1.0.0&sign={sign}{extra}");
    mock.send(Call::get(target)).await
}

/// [`redactions`], and the number crop (a PNG, checked) and the operate time.
pub fn bank_redactions() -> insta::Settings {
    let mut s = redactions();
    s.add_dynamic_redaction(".result.bankcardNoPhoto", |v, _| {
        let png = STANDARD.decode(v.as_str().unwrap_or_default()).expect("Base64");
        assert_eq!(&png[1..4], b"PNG");
        "[png]"
    });
    s.add_dynamic_redaction(".result.operateTime", |v, _| {
        let t = v.as_str().unwrap_or_default();
        assert!(t.len() == 19 && t.starts_with("2026-01-15 10:00:"), "operateTime {t:?}");
        "[operateTime]"
    });
    s
}

#[tokio::test]
async fn a_signed_bank_card_gets_a_luhn_valid_test_number_and_a_future_validity() {
    let mock = Mock::start().await;
    let answer = bank(&mock, &bank_body("bank1")).await;
    assert_eq!((answer.status.as_u16(), answer.header("content-type")), (200, Some("application/json;charset=UTF-8")));
    let v = answer.json().unwrap();
    bank_redactions().bind(|| insta::assert_json_snapshot!("bank_success", v));
    let r = &v["result"];
    let number = r["bankcardNo"].as_str().unwrap();
    assert!(bankcard::is_luhn_valid(number) && number.starts_with("620000"), "{number}");
    let valid = r["bankcardValidDate"].as_str().unwrap();
    let (month, year): (u32, u32) = (valid[..2].parse().unwrap(), valid[3..].parse().unwrap());
    assert!((1..=12).contains(&month) && year >= 2029, "{valid}");
    for (k, val) in r.as_object().unwrap() {
        assert!(if k == "success" { val == &json!(false) } else { val.is_string() }, "{k} is {val}");
    }
}

#[tokio::test]
async fn app_id_instead_of_webank_app_id_is_accepted_as_clients_send_it() {
    let mock = Mock::start().await;
    let mut body = bank_body("bank2");
    let app = body.as_object_mut().unwrap().remove("webankAppId").unwrap();
    body["appId"] = app;
    assert_eq!(bank(&mock, &body).await.json().unwrap()["code"], "0");
}

#[tokio::test]
async fn the_same_seed_and_order_give_the_same_card() {
    let (a, b) = (Mock::start().await, Mock::start().await);
    let number = |v: Value| v["result"]["bankcardNo"].clone();
    assert_eq!(
        number(bank(&a, &bank_body("same1")).await.json().unwrap()),
        number(bank(&b, &bank_body("same1")).await.json().unwrap())
    );
}

fn resigned_bank(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    let s = |k: &str| body[k].as_str().unwrap_or("").to_string();
    let (app, order, nonce, version) = (s("webankAppId"), s("orderNo"), s("nonce"), s("version"));
    body["sign"] = json!(sign(&[&app, &order, &nonce, &version], TICKET));
    body
}

/// (what is wrong, the body, the code expected, a piece of the reason header)
fn broken_bank_requests() -> Vec<(&'static str, Value, &'static str, &'static str)> {
    let good = || bank_body("bad1");
    let mut no_image = good();
    no_image.as_object_mut().unwrap().remove("bankcardStr");
    let mut id_image = no_image.clone();
    id_image["idcardStr"] = json!(b64(&picture::card_png(Side::Front, None)));
    let mut wrong_sign = good();
    wrong_sign["sign"] = json!("0".repeat(40));
    let mut user_signed = good();
    user_signed["sign"] = json!(sign(&[APP, "bad1", NONCE, "1.0.0", "user1"], TICKET));
    vec![
        ("no bankcardStr", no_image, "400101", "Missing parameter 'bankcardStr'"),
        ("an ID card's idcardStr instead", id_image, "400101", "Missing parameter 'bankcardStr'"),
        ("version 2.0.0", resigned_bank(good(), "version", json!("2.0.0")), "400502", "version"),
        ("an unknown app", resigned_bank(good(), "webankAppId", json!("NOPE")), "400104", "unknown app id"),
        ("a short nonce", resigned_bank(good(), "nonce", json!("abc")), "400101", "32 letters or digits"),
        ("a 33-character orderNo", resigned_bank(good(), "orderNo", json!("o".repeat(33))), "66660000", "at most 32"),
        (
            "a wrong sign",
            wrong_sign,
            "400105",
            "rule tried: bankcardocrapp, SHA-1 of the sorted values of webankAppId, orderNo, nonce, version",
        ),
        ("userId signed too", user_signed, "400105", "userId is not signed"),
        (
            "a 3.1 MB image",
            resigned_bank(good(), "bankcardStr", json!("A".repeat(3_250_000))),
            "66660000",
            "bankcardStr is 3250000 bytes",
        ),
        ("broken Base64", resigned_bank(good(), "bankcardStr", json!("@@@@")), "66661005", "not valid Base64"),
        ("a text file", resigned_bank(good(), "bankcardStr", json!(b64(b"just some text\n"))), "66661010", "text"),
    ]
}

#[tokio::test]
async fn each_broken_rule_of_a_bank_card_call_gets_its_code_and_a_reason() {
    let mock = Mock::start().await;
    for (what, body, code, reason) in broken_bank_requests() {
        assert_refused(&bank(&mock, &body).await, what, code, reason);
    }
}

#[tokio::test]
async fn bank_card_refusals_are_rendered_in_the_vendor_envelopes() {
    let mock = Mock::start().await;
    let all: Vec<Value> = broken_bank_requests()
        .into_iter()
        .filter(|(what, ..)| ["no bankcardStr", "a wrong sign", "a 3.1 MB image", "a text file"].contains(what))
        .map(|(_, body, ..)| body)
        .collect();
    let mut answers = Vec::new();
    for body in &all {
        answers.push(bank(&mock, body).await.json().unwrap());
    }
    let form =
        Call::post_json(BANK, "webankAppId=TIDAMOCK").header("content-type", "application/x-www-form-urlencoded");
    answers.push(mock.send(form).await.json().unwrap());
    redactions().bind(|| insta::assert_json_snapshot!("bank_refusals", answers));
}

#[tokio::test]
async fn a_get_of_the_bank_card_endpoint_is_405_and_a_post_of_the_result_is_405() {
    let mock = Mock::start().await;
    let get = mock.send(Call::get(BANK)).await;
    assert_eq!((get.status.as_u16(), get.header("allow")), (405, Some("POST")));
    let post = mock.send(Call::post_json(BANK_RESULT, "{}")).await;
    assert_eq!((post.status.as_u16(), post.header("allow")), (405, Some("GET")));
}

#[tokio::test]
async fn get_bank_card_ocr_result_answers_the_stored_card_and_with_get_file_the_upload() {
    let mock = Mock::start().await;
    let body = bank_body("res1");
    let recognised = bank(&mock, &body).await.json().unwrap();
    let v = bank_result(&mock, "res1", "").await.json().unwrap();
    bank_redactions().bind(|| insta::assert_json_snapshot!("bank_result", v));
    assert_eq!(v["result"]["bankCardNo"], recognised["result"]["bankcardNo"]);
    assert_eq!(v["result"]["bankCardValidDate"], recognised["result"]["bankcardValidDate"]);
    assert_eq!(v["result"]["clarity"], recognised["result"]["clarity"]);
    assert!(v["result"].get("originBankcardPhoto").is_none(), "files only with get_file=1");
    let files = bank_result(&mock, "res1", "&get_file=1").await.json().unwrap();
    let upload = STANDARD.decode(body["bankcardStr"].as_str().unwrap()).unwrap();
    assert_eq!(STANDARD.decode(files["result"]["originBankcardPhoto"].as_str().unwrap()).unwrap(), upload);
    assert!(files["result"]["bankcardNoPhoto"].as_str().is_some_and(|p| !p.is_empty()));
}

#[tokio::test]
async fn an_order_of_the_other_card_is_not_found_by_either_result_endpoint() {
    let mock = Mock::start().await;
    mock.ocr(&signed_body("idonly1", Side::Front)).await;
    bank(&mock, &bank_body("bankonly1")).await;
    let missing = bank_result(&mock, "idonly1", "").await;
    assert_eq!(missing.json().unwrap()["code"], "66660020");
    assert!(missing.header("x-idocr-mock-reason").unwrap().contains("no bankcardocrapp call"));
    assert_eq!(bank_result(&mock, "nosuch1", "").await.json().unwrap()["code"], "66660020");
    let sign = sign(&[APP, "bankonly1", NONCE, "1.0.0"], TICKET);
    let target =
        format!("/api/server/getOcrResult?app_id={APP}&order_no=bankonly1&nonce={NONCE}&version=1.0.0&sign={sign}");
    assert_eq!(mock.send(Call::get(target)).await.json().unwrap()["code"], "66660020");
}

#[tokio::test]
async fn an_id_card_and_a_bank_card_may_share_an_order_number() {
    let mock = Mock::start().await;
    mock.ocr(&signed_body("shared1", Side::Front)).await;
    bank(&mock, &bank_body("shared1")).await;
    assert_eq!(bank_result(&mock, "shared1", "").await.json().unwrap()["code"], "0");
    let sign = sign(&[APP, "shared1", NONCE, "1.0.0"], TICKET);
    let target =
        format!("/api/server/getOcrResult?app_id={APP}&order_no=shared1&nonce={NONCE}&version=1.0.0&sign={sign}");
    let id = mock.send(Call::get(target)).await.json().unwrap();
    assert_eq!((id["result"]["frontCode"].as_str(), id["result"]["backCode"].as_str()), (Some("0"), Some("")));
}

#[tokio::test]
async fn a_wrong_result_sign_is_refused_naming_the_rule_tried() {
    let mock = Mock::start().await;
    bank(&mock, &bank_body("res2")).await;
    let target =
        format!("{BANK_RESULT}?app_id={APP}&order_no=res2&nonce={NONCE}&version=1.0.0&sign={}", "0".repeat(40));
    let answer = mock.send(Call::get(target)).await;
    assert_eq!(answer.json().unwrap()["code"], "400105");
    let reason = answer.header("x-idocr-mock-reason").unwrap();
    assert!(
        reason.contains(
            "rule tried: getBankCardOcrResult, SHA-1 of the sorted values of app_id, order_no, nonce, version"
        ),
        "{reason}"
    );
}

#[tokio::test]
async fn a_repeated_bank_card_call_is_refused_with_reject_duplicate_orders() {
    let config =
        Config { seed: 42, duplicate_orders: idocr_mock::config::DuplicateOrders::Reject, ..Config::default() };
    let mock = Mock::with(config).await;
    assert_eq!(bank(&mock, &bank_body("dup1")).await.json().unwrap()["code"], "0");
    let again = bank(&mock, &bank_body("dup1")).await;
    assert_eq!(again.json().unwrap()["code"], "66660030");
    assert!(again.header("x-idocr-mock-reason").unwrap().contains("already has a bankcard result"));
}

#[tokio::test]
async fn bank_card_calls_are_journaled_and_counted_in_the_metrics() {
    let mock = Mock::start().await;
    bank(&mock, &bank_body("jb1")).await;
    bank_result(&mock, "jb1", "").await;
    let entries = mock.send(Call::get("/__admin/requests?path=/api/paas/bankcardocrapp")).await.json().unwrap();
    let entry = &entries.as_array().unwrap()[0];
    assert_eq!((entry["code"].as_str(), entry["order_no"].as_str()), (Some("0"), Some("jb1")));
    let body = entry["body"].to_string();
    assert!(
        body.contains("bankcardStr") && !body.contains(&bank_body("jb1")["bankcardStr"].as_str().unwrap()[..64]),
        "{body}"
    );
    let metrics = String::from_utf8(mock.send(Call::get("/__admin/metrics")).await.body.to_vec()).unwrap();
    for path in [BANK, BANK_RESULT] {
        assert!(
            metrics.contains(&format!("idocr_mock_requests_total{{path=\"{path}\",code=\"0\",status=\"200\"}} 1")),
            "{metrics}"
        );
    }
}

#[tokio::test]
async fn bank_card_orders_in_a_data_dir_survive_a_restart() {
    let guard = temp_dir();
    let dir = guard.path().join("data");
    let config = || Config { seed: 1, data_dir: Some(dir.clone()), ..Config::default() };
    let before = {
        let first = Mock::with(config()).await;
        bank(&first, &bank_body("ddb1")).await;
        bank_result(&first, "ddb1", "&get_file=1").await.json().unwrap()["result"].clone()
    };
    let second = Mock::with(config()).await;
    let after = bank_result(&second, "ddb1", "&get_file=1").await.json().unwrap()["result"].clone();
    for key in ["bankCardNo", "bankCardValidDate", "originBankcardPhoto", "clarity", "operateTime"] {
        assert_eq!(after[key], before[key], "{key}");
    }
}
