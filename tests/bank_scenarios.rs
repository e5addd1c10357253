//! Bank-card scenarios: every one through the header, then the other four ways of choosing (queue,
//! admin default, `--scenario`, image marker), and how a scenario of the other card is treated.

use crate::bankcard::{bank, bank_body, bank_redactions, bank_result, BANK};
use crate::support::*;
use hyper::Method;
use idocr_mock::bankcard::is_luhn_valid;
use idocr_mock::client::{Answer, Call};
use idocr_mock::image::marker::{self, Marker};
use idocr_mock::protocol::{bank_codes, Document, Side};
use idocr_mock::scenarios::{Catalog, Outcome};
use idocr_mock::Config;
use serde_json::{json, Value};

async fn bank_with(mock: &Mock, scenario: &str, order: &str) -> Answer {
    mock.send(Call::post_json(BANK, bank_body(order).to_string()).header("X-Idocr-Scenario", scenario)).await
}

async fn admin(mock: &Mock, method: Method, path: &str, body: Value) -> Value {
    mock.send(Call { method, ..Call::post_json(path, body.to_string()) }).await.json().unwrap()
}

fn bank_scenarios() -> Vec<std::sync::Arc<idocr_mock::scenarios::Scenario>> {
    Catalog::builtin().iter().filter(|s| s.document == Some(Document::BankCard)).cloned().collect()
}

#[tokio::test]
async fn every_bank_error_scenario_answers_its_code_and_msg_and_get_bank_card_ocr_result_repeats_it() {
    let mock = Mock::start().await;
    let mut seen = Vec::new();
    for (i, s) in bank_scenarios().iter().enumerate() {
        let Outcome::Error(code) = &s.outcome else { continue };
        let order = format!("be{i}");
        let a = bank_with(&mock, &s.name, &order).await;
        assert_eq!((a.status.as_u16(), a.header("x-idocr-scenario")), (200, Some(s.name.as_str())));
        let v = a.json().unwrap();
        assert_eq!((v["code"].as_str(), v["msg"].as_str()), (Some(code.code), Some(code.msg)), "{}", s.name);
        assert!(v["bizSeqNo"].is_string() && v.get("result").is_none(), "{}: {v}", s.name);
        let stored = bank_result(&mock, &order, "").await.json().unwrap();
        assert_eq!(stored["code"].as_str(), Some(code.code), "{}: {stored}", s.name);
        seen.push(code.code);
    }
    assert_eq!(seen, ["-9012", "-9013", "-9014", "-9011", "-9010", "66660000"]);
    let blurry = bank_with(&mock, "bank-blurry", "be99").await.json().unwrap();
    redactions().bind(|| insta::assert_json_snapshot!("bank_blurry", blurry));
}

#[tokio::test]
async fn every_bank_warning_scenario_answers_code_0_with_its_warning_codes_and_a_coherent_validity() {
    let mock = Mock::start().await;
    for (i, s) in bank_scenarios().iter().enumerate() {
        let Outcome::Success(look) = &s.outcome else { continue };
        let order = format!("bw{i}");
        let v = bank_with(&mock, &s.name, &order).await.json().unwrap();
        let r = &v["result"];
        assert_eq!(v["code"], "0", "{}", s.name);
        let (first, all) = bank_codes::warning_fields(&look.bank_warnings);
        assert_eq!(
            (r["warningCode"].as_str(), r["multiWarningCode"].as_str()),
            (Some(&*first), Some(&*all)),
            "{}",
            s.name
        );
        assert!(is_luhn_valid(r["bankcardNo"].as_str().unwrap()), "{}", s.name);
        let valid = r["bankcardValidDate"].as_str().unwrap();
        match s.name.as_str() {
            "bank-invalid-date" => assert_eq!(valid, ""),
            "bank-expired" => assert!(valid[3..].parse::<u32>().unwrap() <= 2025, "past on 2026-01-15: {valid}"),
            "bank-multi-warning" => assert_eq!(r["clarity"], "41"),
            _ => assert!(valid[3..].parse::<u32>().unwrap() >= 2029, "{}: {valid}", s.name),
        }
        let stored = bank_result(&mock, &order, "").await.json().unwrap()["result"].clone();
        assert_eq!((stored["warnCode"].as_str(), stored["multiWarnCode"].as_str()), (Some(&*first), Some(&*all)));
    }
    let warned = bank_with(&mock, "bank-multi-warning", "bw99").await.json().unwrap();
    bank_redactions().bind(|| insta::assert_json_snapshot!("bank_multi_warning", warned));
}

#[tokio::test]
async fn a_bank_scenario_is_chosen_by_queue_admin_default_flag_and_image_marker() {
    let mock = Mock::with(Config { seed: 42, scenario: "bank-blurry".into(), ..Config::default() }).await;
    assert_eq!(bank(&mock, &bank_body("ch1")).await.json().unwrap()["code"], "-9012", "--scenario");
    admin(&mock, Method::PUT, "/__admin/scenario", json!({"name": "bank-not-found"})).await;
    assert_eq!(bank(&mock, &bank_body("ch2")).await.json().unwrap()["code"], "-9013", "admin default");
    admin(&mock, Method::POST, "/__admin/scenario/queue", json!({"scenarios": ["bank-bad-number"]})).await;
    assert_eq!(bank(&mock, &bank_body("ch3")).await.json().unwrap()["code"], "-9014", "queue");
    let marked = marker::card_png(Side::Bank, Some(&Marker { scenario: "bank-fail".into(), name: None, idcard: None }));
    let mut body = bank_body("ch4");
    body["bankcardStr"] = json!(b64(&marked));
    assert_eq!(bank(&mock, &body).await.json().unwrap()["code"], "-9011", "marker over the default");
}

#[tokio::test]
async fn shared_scenarios_serve_bank_cards_too() {
    let mock = Mock::start().await;
    let busy = bank_with(&mock, "server-busy", "sh1").await.json().unwrap();
    assert_eq!(busy["code"], "999999");
    let low = bank_with(&mock, "low-clarity", "sh2").await.json().unwrap();
    assert!(low["result"]["clarity"].as_str().unwrap().parse::<u8>().unwrap() < 40, "{low}");
    let dropped =
        Call::post_json(BANK, bank_body("sh3").to_string()).header("X-Idocr-Scenario", "reset").send(mock.addr).await;
    assert!(dropped.is_err(), "the connection is dropped");
}

#[tokio::test]
async fn a_scenario_of_the_other_card_asked_for_is_refused_naming_both_cards() {
    let mock = Mock::start().await;
    let a = bank_with(&mock, "blurry", "oc1").await;
    assert_eq!(a.json().unwrap()["code"], "400101");
    let reason = a.header("x-idocr-mock-reason").unwrap();
    assert!(reason.contains("\"blurry\", which is for ID-cards; this bankcardocrapp request"), "{reason}");
    let b = mock
        .send(
            Call::post_json(OCR, signed_body("oc2", Side::Front).to_string()).header("X-Idocr-Scenario", "bank-blurry"),
        )
        .await;
    assert_eq!(b.json().unwrap()["code"], "400101");
    assert!(b.header("x-idocr-mock-reason").unwrap().contains("which is for bank-cards"));
    admin(&mock, Method::POST, "/__admin/scenario/queue", json!({"scenarios": ["expired"]})).await;
    assert_eq!(bank(&mock, &bank_body("oc3")).await.json().unwrap()["code"], "400101", "queued");
}

#[tokio::test]
async fn a_default_of_the_other_card_gives_way_to_success_and_the_journal_says_why() {
    let mock = Mock::with(Config { seed: 42, scenario: "blurry".into(), ..Config::default() }).await;
    let a = bank(&mock, &bank_body("dw1")).await;
    assert_eq!((a.header("x-idocr-scenario"), a.json().unwrap()["code"].as_str()), (Some("success"), Some("0")));
    assert_eq!(mock.ocr(&signed_body("dw2", Side::Front)).await.json().unwrap()["code"], "66661001");
    let entries = mock.send(Call::get("/__admin/requests?path=/api/paas/bankcardocrapp")).await.json().unwrap();
    assert_eq!(entries[0]["scenario_why"], "default (blurry is for ID-cards)", "{entries}");
    let id = Mock::with(Config { seed: 42, scenario: "bank-expired".into(), ..Config::default() }).await;
    let v = id.ocr(&signed_body("dw3", Side::Front)).await.json().unwrap();
    assert_eq!(v["result"]["warning"], "00000000");
}

#[tokio::test]
async fn the_scenarios_listing_says_which_card_each_is_for_and_what_the_client_sees() {
    let mock = Mock::start().await;
    let listed = mock.send(Call::get("/__admin/scenarios")).await.json().unwrap();
    let all = listed["scenarios"].as_array().or(listed.as_array()).unwrap().clone();
    let find = |n: &str| all.iter().find(|s| s["name"] == n).unwrap().clone();
    assert_eq!(
        (find("bank-blurry")["document"].as_str(), find("bank-blurry")["sees"].as_str()),
        (Some("bankcard"), Some("code -9012 图片模糊"))
    );
    assert_eq!(find("bank-expired")["sees"], "code 0, warningCode 66661009, multiWarningCode 66661009 (银行卡已过期)");
    assert_eq!(
        (find("blurry")["document"].as_str(), find("server-busy")["document"].as_str()),
        (Some("idcard"), Some("any"))
    );
}

#[tokio::test]
async fn the_admin_image_route_draws_a_marked_bank_card_that_picks_its_scenario() {
    let mock = Mock::start().await;
    let answer = mock.send(Call::get("/__admin/image?scenario=bank-photocopy&side=bank&format=png")).await;
    assert_eq!(answer.status.as_u16(), 200);
    let mut body = bank_body("img1");
    body["bankcardStr"] = json!(b64(&answer.body));
    let v = bank(&mock, &body).await.json().unwrap();
    assert_eq!(v["result"]["warningCode"], "-9113", "{v}");
    let wrong = mock.send(Call::get("/__admin/image?scenario=success&side=passport")).await;
    assert!(String::from_utf8_lossy(&wrong.body).contains("is not front, back or bank"));
}
