//! The token flow's refusals (docs/protocol.md §4.3), its switches, and the clock's admin API.

use crate::support::*;
use crate::tokens::{admin, get, new_token, token_redactions, SECRET, TICKET_PATH, TOKEN_PATH};
use idocr_mock::client::Call;
use idocr_mock::config::ExpireIn;
use idocr_mock::config::Expiry;
use idocr_mock::Config;
use serde_json::json;

#[tokio::test]
async fn a_token_call_without_parameters_gets_the_400101_gateway_body() {
    let mock = Mock::start().await;
    let answer = mock.send(Call::get(TOKEN_PATH)).await;
    assert_eq!(answer.status, 200);
    let v = answer.json().unwrap();
    redactions().bind(|| insta::assert_json_snapshot!("access_token_no_parameters", v));
    assert_eq!(v["success"], false);
}

#[tokio::test]
async fn token_requests_are_refused_with_the_codes_of_the_catalog() {
    let mock = Mock::start().await;
    let cases = [
        (
            "app_id=TIDAMOCK&secret=nope&grant_type=client_credential&version=1.0.0",
            "400104",
            "wrong secret for app TIDAMOCK (received ...(4))",
        ),
        ("app_id=NOPE&secret=x&grant_type=client_credential&version=1.0.0", "400104", "unknown app id \"NOPE\""),
        (
            "app_id=TIDAMOCK&secret=idocr-mock-secret&grant_type=password&version=1.0.0",
            "400101",
            "grant_type must be client_credential",
        ),
        (
            "app_id=TIDAMOCK&secret=idocr-mock-secret&grant_type=client_credential&version=2.0",
            "400502",
            "version must be 1.0.0",
        ),
        ("app_id=TIDAMOCK&grant_type=client_credential&version=1.0.0", "400101", "'secret' is not present"),
    ];
    for (query, code, reason) in cases {
        let answer = mock.send(Call::get(format!("{TOKEN_PATH}?{query}"))).await;
        let v = answer.json().unwrap();
        assert_eq!(v["code"], code, "{query}: {v}");
        let header = answer.header("x-idocr-mock-reason").unwrap_or("");
        assert!(header.contains(reason), "{query}: {header}");
        assert!(!header.contains("idocr-mock-secret"), "secrets never appear: {header}");
    }
}

#[tokio::test]
async fn token_parameters_may_come_in_any_order_with_extras_and_the_appid_spelling() {
    let mock = Mock::start().await;
    let query = "version=1.0.0&foo=bar&grant_type=client_credential&secret=idocr%2Dmock%2Dsecret&appId=TIDAMOCK&";
    let v = get(&mock, &format!("{TOKEN_PATH}?{query}")).await;
    assert_eq!(v["code"], "0", "{v}");
}

#[tokio::test]
async fn ticket_requests_are_refused_with_the_codes_of_the_catalog() {
    let mock = Mock::start().await;
    let token = new_token(&mock).await;
    let cases = [
        (format!("app_id={APP}&access_token={token}&type=sign&version=1.0.0"), "400101", "SIGN or NONCE (upper case)"),
        (format!("app_id={APP}&access_token={token}&type=NONCE&version=1.0.0"), "400101", "'user_id' is not present"),
        (
            format!("app_id={APP}&access_token={token}&type=NONCE&version=1.0.0&user_id={}", "u".repeat(31)),
            "400101",
            "at most 30",
        ),
        (
            format!("app_id={APP}&access_token={token}&type=NONCE&version=1.0.0&user_id=a%20b"),
            "400101",
            "special characters",
        ),
        (format!("app_id={APP}&access_token={token}&type=SIGN&version=1.0"), "400502", "version must be 1.0.0"),
        (format!("app_id={APP}&access_token=forged&type=SIGN&version=1.0.0"), "15", "is unknown"),
        (format!("app_id=NOPE&access_token={token}&type=SIGN&version=1.0.0"), "400104", "unknown app id"),
        (String::new(), "400101", "'app_id' is not present"),
    ];
    for (query, code, reason) in cases {
        let answer = mock.send(Call::get(format!("{TICKET_PATH}?{query}"))).await;
        let v = answer.json().unwrap();
        assert_eq!(v["code"], code, "{query}: {v}");
        assert!(answer.header("x-idocr-mock-reason").unwrap_or("").contains(reason), "{query}: {:?}", answer.headers);
    }
}

#[tokio::test]
async fn the_token_refusal_bodies_keep_the_vendor_envelopes() {
    let mock = Mock::start().await;
    let expired = get(&mock, &format!("{TICKET_PATH}?app_id={APP}&access_token=forged&type=SIGN&version=1.0.0")).await;
    let secret =
        get(&mock, &format!("{TOKEN_PATH}?app_id={APP}&secret=x&grant_type=client_credential&version=1.0.0")).await;
    redactions().bind(|| {
        insta::assert_json_snapshot!("api_ticket_unknown_token", expired);
        insta::assert_json_snapshot!("access_token_wrong_secret", secret);
    });
}

#[tokio::test]
async fn oauth_paths_answer_405_to_a_post() {
    let mock = Mock::start().await;
    let answer = mock.send(Call::post_json(TOKEN_PATH, "{}")).await;
    assert_eq!((answer.status.as_u16(), answer.header("allow")), (405, Some("GET")));
}

#[tokio::test]
async fn expire_in_as_string_writes_the_docs_form() {
    let mock = Mock::with(Config { seed: 42, expire_in: ExpireIn::String, ..Config::default() }).await;
    let token =
        get(&mock, &format!("{TOKEN_PATH}?app_id={APP}&secret={SECRET}&grant_type=client_credential&version=1.0.0"))
            .await;
    assert_eq!(token["expire_in"], json!("7200"));
    let at = token["access_token"].as_str().unwrap();
    let ticket = get(&mock, &format!("{TICKET_PATH}?app_id={APP}&access_token={at}&type=SIGN&version=1.0.0")).await;
    assert_eq!(ticket["tickets"][0]["expire_in"], json!("3600"));
    token_redactions().bind(|| insta::assert_json_snapshot!("access_token_expire_in_string", token));
}

#[tokio::test]
async fn tickets_never_expire_keeps_a_cached_ticket_working_for_days() {
    let mock = Mock::with(Config { seed: 42, expiry: Expiry::Never, ..Config::default() }).await;
    let token = new_token(&mock).await;
    let ticket = crate::tokens::new_ticket(&mock, &token, "").await.unwrap();
    new_token(&mock).await;
    admin(&mock, "POST", "clock", json!({"advance_seconds": 30 * 86_400})).await;
    let mut body = signed_body("never1", idocr_mock::protocol::Side::Front);
    body["sign"] = json!(sign(&[APP, "never1", NONCE, "1.0.0"], &ticket));
    assert_eq!(mock.ocr(&body).await.json().unwrap()["code"], "0");
}

#[tokio::test]
async fn the_clock_can_be_shown_advanced_set_and_reset_through_the_admin_api() {
    let mock = Mock::start().await;
    let shown = mock.send(Call::get("/__admin/clock")).await.json().unwrap();
    assert!(shown["now"].as_str().unwrap().starts_with("2026-01-15T10:00:0"), "{shown}");
    assert!(shown["now"].as_str().unwrap().ends_with("+08:00") && shown["offset_ms"].is_i64());
    let moved = admin(&mock, "POST", "clock", json!({"advance_seconds": 3600})).await.json().unwrap();
    assert!(moved["now"].as_str().unwrap().starts_with("2026-01-15T11:00:0"), "{moved}");
    let set = admin(&mock, "POST", "clock", json!({"set": "2026-01-01T08:00:00+08:00"})).await.json().unwrap();
    assert!(set["transactionTime"].as_str().unwrap().starts_with("2026010108000"), "{set}");
    let reset = admin(&mock, "POST", "clock", json!({"reset": true})).await.json().unwrap();
    assert_eq!((reset["offset_ms"].as_i64(), reset["real_time"].as_bool()), (Some(0), Some(true)));
}

#[tokio::test]
async fn bad_clock_input_gets_400_with_the_accepted_forms() {
    let mock = Mock::start().await;
    for body in
        [json!({"advance_seconds": "60"}), json!({"set": "tomorrow"}), json!({"reset": false}), json!({}), json!([1])]
    {
        let answer = admin(&mock, "POST", "clock", body.clone()).await;
        assert_eq!(answer.status, 400, "{body}");
        let v = answer.json().unwrap();
        assert_eq!(v["accepted"][0], json!({"advance_seconds": 3600}), "{v}");
        assert!(v["error"].is_string());
    }
    let broken = mock.send(Call::post_json("/__admin/clock", "{nope")).await;
    assert_eq!(broken.status, 400);
}

#[tokio::test]
async fn an_unencoded_secret_with_url_characters_is_read_as_sent() {
    let app = idocr_mock::config::App { id: "TIDA0002".into(), secret: "s3/cr+t=x%y".into(), sign_tickets: vec![] };
    let mock = Mock::with(Config { seed: 42, apps: vec![app], ..Config::default() }).await;
    let raw = "/api/oauth2/access_token?grant_type=client_credential&secret=s3/cr+t=x%y&app_id=TIDA0002&version=1.0.0";
    assert_eq!(get(&mock, raw).await["code"], "0");
    let encoded = "/api/oauth2/access_token?grant_type=client_credential&secret=s3%2Fcr%2Bt%3Dx%25y&app_id=TIDA0002&version=1.0.0";
    assert_eq!(get(&mock, encoded).await["code"], "0");
}

#[tokio::test]
async fn a_token_of_another_app_gets_15_and_the_reason_names_its_owner() {
    let other = idocr_mock::config::App { id: "TIDA0002".into(), secret: "s2".into(), sign_tickets: vec![] };
    let apps = vec![idocr_mock::config::App::default_app(), other];
    let mock = Mock::with(Config { seed: 42, apps, ..Config::default() }).await;
    let token = new_token(&mock).await;
    let answer = mock
        .send(Call::get(format!("{TICKET_PATH}?app_id=TIDA0002&access_token={token}&type=SIGN&version=1.0.0")))
        .await;
    assert_eq!(answer.json().unwrap()["code"], "15");
    assert!(answer.header("x-idocr-mock-reason").unwrap().contains("was issued to app TIDAMOCK, not TIDA0002"));
}
