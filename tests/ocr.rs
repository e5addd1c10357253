//! `POST /api/paas/idcardocrapp`: success shapes, the validation order, signs and limits.

use crate::support::*;
use idocr_mock::client::Call;
use idocr_mock::config::{App, SignCheck};
use idocr_mock::identity;
use idocr_mock::protocol::sign::SignCase;
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use serde_json::{json, Value};

#[tokio::test]
async fn a_signed_front_request_gets_the_front_fields_of_a_coherent_identity() {
    let mock = Mock::start().await;
    let answer = mock.ocr(&signed_body("order1", Side::Front)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json;charset=UTF-8"));
    let v = answer.json().unwrap();
    redactions().bind(|| insta::assert_json_snapshot!("front_success", v));
    let r = &v["result"];
    let id = r["idcard"].as_str().unwrap();
    assert!(identity::is_valid_number(id));
    assert_eq!(&id[6..14], r["birth"].as_str().unwrap());
    let male = (id.as_bytes()[16] - b'0') % 2 == 1;
    assert_eq!(r["sex"], if male { "男" } else { "女" });
    assert!(r["address"].as_str().unwrap().starts_with(&identity::region_of(&id[..6]).unwrap().address_prefix()));
}

#[tokio::test]
async fn the_back_of_the_same_order_carries_the_same_persons_authority_and_a_future_end_date() {
    let mock = Mock::start().await;
    let front = mock.ocr(&signed_body("order2", Side::Front)).await.json().unwrap();
    let back = mock.ocr(&signed_body("order2", Side::Back)).await.json().unwrap();
    redactions().bind(|| insta::assert_json_snapshot!("back_success", back));
    let region = identity::region_of(&front["result"]["idcard"].as_str().unwrap()[..6]).unwrap();
    assert_eq!(back["result"]["authority"], region.authority());
    let valid = back["result"]["validDate"].as_str().unwrap();
    assert!(&valid[9..] > "20260115", "{valid}");
}

#[tokio::test]
async fn every_result_value_is_a_string_except_success_which_is_false() {
    let mock = Mock::start().await;
    for side in [Side::Front, Side::Back] {
        let v = mock.ocr(&signed_body("order3", side)).await.json().unwrap();
        assert_eq!(v["code"], "0");
        for (k, val) in v["result"].as_object().unwrap() {
            match k.as_str() {
                "success" => assert_eq!(val, &json!(false)),
                _ => assert!(val.is_string(), "{k} is {val}"),
            }
        }
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_person() {
    let a = Mock::start().await;
    let b = Mock::start().await;
    let name = |v: Value| v["result"]["name"].clone();
    assert_eq!(
        name(a.ocr(&signed_body("orderX", Side::Front)).await.json().unwrap()),
        name(b.ocr(&signed_body("orderX", Side::Front)).await.json().unwrap())
    );
}

#[tokio::test]
async fn get_native_adds_the_native_place() {
    let mock = Mock::start().await;
    let mut body = signed_body("order4", Side::Front);
    body["getNative"] = json!("1");
    let v = mock.ocr(&body).await.json().unwrap();
    assert!(v["result"]["nativePlace"].is_string());
}

/// (what is wrong, the body, the code expected, a piece of the reason header)
fn broken_requests() -> Vec<(&'static str, Value, &'static str, &'static str)> {
    let good = || signed_body("order5", Side::Front);
    let mut missing_nonce = good();
    missing_nonce.as_object_mut().unwrap().remove("nonce");
    vec![
        ("a missing nonce", missing_nonce, "400101", "Missing parameter 'nonce'"),
        ("a numeric orderNo", resigned(good(), "orderNo", json!(7)), "400101", "must be a string"),
        ("version 2.0.0", resigned(good(), "version", json!("2.0.0")), "400502", "version"),
        ("an unknown app", resigned(good(), "webankAppId", json!("NOPE")), "400104", "unknown app id"),
        ("a short nonce", resigned(good(), "nonce", json!("abc")), "400101", "32 letters or digits"),
        ("a 33-character orderNo", resigned(good(), "orderNo", json!("o".repeat(33))), "66660000", "at most 32"),
        ("an orderNo with a dash", resigned(good(), "orderNo", json!("order-5")), "400101", "letters and digits"),
        (
            "a wrong sign",
            {
                let mut b = good();
                b["sign"] = json!("0".repeat(40));
                b
            },
            "400105",
            "sign refused",
        ),
        ("cardType 2", resigned(good(), "cardType", json!("2")), "400101", "cardType"),
        ("a 3.1 MB image", resigned(good(), "idcardStr", json!("A".repeat(3_250_000))), "66660000", "--image-cap"),
        ("broken Base64", resigned(good(), "idcardStr", json!("@@@@")), "66661005", "not valid Base64"),
        ("a text file as image", resigned(good(), "idcardStr", json!(b64(b"just some text\n"))), "66661010", "text"),
    ]
}

#[tokio::test]
async fn each_broken_rule_gets_its_code_and_a_reason() {
    let mock = Mock::start().await;
    for (what, body, code, reason) in broken_requests() {
        assert_refused(&mock.ocr(&body).await, what, code, reason);
    }
}

#[tokio::test]
async fn refusals_are_rendered_in_the_vendor_envelopes() {
    let mock = Mock::start().await;
    let bad_request = mock.ocr(&resigned(signed_body("o6", Side::Front), "nonce", json!("abc"))).await.json().unwrap();
    let mut wrong_sign = signed_body("o6", Side::Front);
    wrong_sign["sign"] = json!("0".repeat(40));
    let refused = mock.ocr(&wrong_sign).await.json().unwrap();
    let not_image =
        mock.ocr(&resigned(signed_body("o6", Side::Front), "idcardStr", json!(b64(b"text")))).await.json().unwrap();
    redactions().bind(|| insta::assert_json_snapshot!("refusals", [bad_request, refused, not_image]));
}

#[tokio::test]
async fn a_form_encoded_body_gets_400101_in_json() {
    let mock = Mock::start().await;
    let call = Call::post_json(OCR, "webankAppId=TIDAMOCK&version=1.0.0")
        .header("content-type", "application/x-www-form-urlencoded");
    let answer = mock.send(call).await;
    assert_eq!(answer.status, 200);
    let v = answer.json().unwrap();
    assert_eq!(v["code"], "400101");
    assert_eq!(v["msg"], "不合法的请求:Content type 'application/x-www-form-urlencoded' not supported");
    assert_eq!(v["success"], false);
}

#[tokio::test]
async fn broken_json_gets_400101() {
    let mock = Mock::start().await;
    let v = mock.send(Call::post_json(OCR, "{\"webankAppId\": ")).await.json().unwrap();
    assert_eq!(v["code"], "400101");
    assert!(v["msg"].as_str().unwrap().starts_with("不合法的请求:JSON parse error"));
}

#[tokio::test]
async fn a_sign_made_with_the_wrong_value_set_is_explained() {
    let mock = Mock::start().await;
    let mut body = signed_body("order7", Side::Front);
    body["sign"] = json!(sign(&[APP, "order7", NONCE], TICKET));
    let answer = mock.ocr(&body).await;
    assert_eq!(answer.json().unwrap()["code"], "400105");
    let reason = answer.header("x-idocr-mock-reason").unwrap();
    assert!(reason.contains("version is signed but was left out"), "{reason}");
    assert!(reason.contains("<ticket idoc...(22)>") && !reason.contains(TICKET), "{reason}");
}

#[tokio::test]
async fn lower_case_signs_pass_unless_strict_case_is_on() {
    let mut body = signed_body("order8", Side::Front);
    body["sign"] = json!(body["sign"].as_str().unwrap().to_lowercase());
    assert_eq!(Mock::start().await.ocr(&body).await.json().unwrap()["code"], "0");
    let strict = Mock::with(Config { seed: 42, sign_case: SignCase::UpperOnly, ..Config::default() }).await;
    let answer = strict.ocr(&body).await;
    assert_eq!(answer.json().unwrap()["code"], "400105");
    assert!(answer.header("x-idocr-mock-reason").unwrap().contains("lower case"));
}

#[tokio::test]
async fn no_sign_check_accepts_any_sign() {
    let mock = Mock::with(Config { seed: 42, sign_check: SignCheck::Off, ..Config::default() }).await;
    let mut body = signed_body("order9", Side::Front);
    body["sign"] = json!("whatever");
    assert_eq!(mock.ocr(&body).await.json().unwrap()["code"], "0");
}

#[tokio::test]
async fn any_configured_static_ticket_of_the_app_verifies() {
    let app = App { id: "TIDA0001".into(), secret: "s".into(), sign_tickets: vec!["t-one".into(), "t-two".into()] };
    let mock = Mock::with(Config { seed: 1, apps: vec![app], ..Config::default() }).await;
    for ticket in ["t-one", "t-two"] {
        let mut body = signed_body("o10", Side::Front);
        body["webankAppId"] = json!("TIDA0001");
        body["sign"] = json!(sign(&["TIDA0001", "o10", NONCE, "1.0.0"], ticket));
        assert_eq!(mock.ocr(&body).await.json().unwrap()["code"], "0", "{ticket}");
    }
}

#[tokio::test]
async fn app_id_is_accepted_in_place_of_webank_app_id() {
    let mock = Mock::start().await;
    let mut body = signed_body("order11", Side::Front);
    let app = body.as_object_mut().unwrap().remove("webankAppId").unwrap();
    body["appId"] = app;
    assert_eq!(mock.ocr(&body).await.json().unwrap()["code"], "0");
}

#[tokio::test]
async fn wrapped_base64_with_a_data_url_prefix_is_accepted() {
    let mock = Mock::start().await;
    let b64 = picture(Side::Front);
    let wrapped: Vec<String> = b64.as_bytes().chunks(76).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
    let body = resigned(
        signed_body("order12", Side::Front),
        "idcardStr",
        json!(format!("data:image/png;base64,{}", wrapped.join("\r\n"))),
    );
    assert_eq!(mock.ocr(&body).await.json().unwrap()["code"], "0");
}

#[tokio::test]
async fn unknown_fields_are_ignored_and_never_echoed() {
    let mock = Mock::start().await;
    let mut body = signed_body("order13", Side::Front);
    body["tiket"] = json!("SECRET-TICKET-VALUE");
    body["usreId"] = json!("u1");
    let answer = mock.ocr(&body).await;
    assert_eq!(answer.json().unwrap()["code"], "0");
    assert!(!String::from_utf8_lossy(&answer.body).contains("SECRET-TICKET-VALUE"));
}

#[tokio::test]
async fn the_old_path_and_an_order_no_in_the_query_behave_the_same() {
    let mock = Mock::start().await;
    let body = signed_body("order14", Side::Front).to_string();
    for path in ["/api/paas/ocrapp", "/api/paas/idcardocrapp?orderNo=order14", "/api/paas/idcardocrapp?orderNo=other"] {
        let v = mock.send(Call::post_json(path, body.clone())).await.json().unwrap();
        assert_eq!(v["code"], "0", "{path}");
    }
}

#[tokio::test]
async fn get_on_the_ocr_path_is_405_with_allow_post() {
    let mock = Mock::start().await;
    let answer = mock.send(Call::get(OCR)).await;
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("allow"), Some("POST"));
}

#[tokio::test]
async fn an_unknown_path_is_404_with_the_routes_listed() {
    let mock = Mock::start().await;
    let answer = mock.send(Call::get("/api/nope")).await;
    assert_eq!(answer.status, 404);
    let v = answer.json().unwrap();
    assert!(v["routes"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().contains(OCR)));
}

#[tokio::test]
async fn a_body_over_the_hard_limit_gets_413_and_the_connection_closes() {
    let mock = Mock::with(Config { seed: 1, max_body: 4_000_000, image_cap: 3_145_728, ..Config::default() }).await;
    let answer = mock.send(Call::post_json(OCR, vec![b'x'; 4_000_001])).await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.header("connection"), Some("close"));
    assert_eq!(answer.json().unwrap()["code"], "400501");
}

#[tokio::test]
async fn the_host_header_does_not_matter() {
    let mock = Mock::start().await;
    let body = signed_body("order15", Side::Front).to_string();
    for host in ["ida.webank.com", "kyc1.qcloud.com", "miniprogram-kyc.tencentcloudapi.com"] {
        let v = mock.send(Call::post_json(OCR, body.clone()).header("host", host)).await.json().unwrap();
        assert_eq!(v["code"], "0", "{host}");
    }
}
