//! Face verification (PROTOCOL-FACE.md): the H5 flow from geth5faceid to queryfacerecord through
//! the login URL and the redirect (followed by a real HTTP client, `newSignature` checked with the
//! tests' own signer), the SDK completion, sync, queryphotoinfo, lifetimes and refusals.

use crate::support::*;
use idocr_mock::client::{Answer, Call};
use serde_json::{json, Value};

const N: &str = "abcdefghijklmnopqrstuvwxyz012345";

async fn nonce_ticket(mock: &Mock, user: &str) -> String {
    let q = format!(
        "/api/oauth2/access_token?app_id={APP}&secret=idocr-mock-secret&grant_type=client_credential&version=1.0.0"
    );
    let token = mock.send(Call::get(q)).await.json().unwrap()["access_token"].as_str().unwrap().to_string();
    let q = format!("/api/oauth2/api_ticket?app_id={APP}&access_token={token}&type=NONCE&version=1.0.0&user_id={user}");
    mock.send(Call::get(q)).await.json().unwrap()["tickets"][0]["value"].as_str().unwrap().to_string()
}

async fn h5faceid(mock: &Mock, order: &str, user: &str, scenario: Option<&str>) -> Value {
    let (name, id_no) = ("测试", "110101199003070011");
    let body = json!({"webankAppId": APP, "orderNo": order, "name": name, "idNo": id_no, "userId": user, "version": "1.0.0",
                      "sign": sign(&[APP, order, name, id_no, user, "1.0.0"], TICKET)});
    let mut call = Call::post_json("/api/server/h5/geth5faceid", body.to_string());
    if let Some(s) = scenario {
        call = call.header("X-Idocr-Scenario", s);
    }
    mock.send(call).await.json().unwrap()
}

/// The login URL (path and query) of `id`, signed with a fresh NONCE ticket of `user`.
async fn login_url(mock: &Mock, order: &str, user: &str, id: &str, url: &str, extra: &str) -> String {
    let ticket = nonce_ticket(mock, user).await;
    let s = sign(&[APP, user, order, "1.0.0", id, N], &ticket);
    let url = idocr_mock::protocol::face::encode(url);
    format!("/api/web/login?webankAppId={APP}&version=1.0.0&nonce={N}&orderNo={order}&h5faceId={id}&url={url}&from=browser&userId={user}&sign={s}{extra}")
}

fn location(a: &Answer) -> String {
    a.header("location").unwrap_or_default().to_string()
}

fn query_of(url: &str) -> Vec<(String, String)> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    q.split('&').map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).unwrap_or_default()).collect()
}

async fn query_record(mock: &Mock, order: &str, get_file: Value) -> Value {
    let body = json!({"appId": APP, "version": "1.0.0", "nonce": N, "orderNo": order, "getFile": get_file,
                      "sign": sign(&[APP, order, "1.0.0", N], TICKET)});
    mock.send(Call::post_json("/api/v2/base/queryfacerecord", body.to_string())).await.json().unwrap()
}

#[tokio::test]
async fn the_h5_flow_runs_from_geth5faceid_to_queryfacerecord_with_a_verifiable_redirect() {
    let mock = Mock::start().await;
    let v = h5faceid(&mock, "h5order1", "user1", None).await;
    assert_eq!(v["code"], "0", "{v}");
    let id = v["result"]["h5faceId"].as_str().unwrap().to_string();
    assert!(id.len() == 32 && id.starts_with("wb"), "{id}");
    assert_eq!(v["result"]["optimalDomain"], mock.addr.to_string());
    assert_eq!(v["result"]["success"], false);

    // The browser opens the login URL on optimalDomain and gets the face page.
    let url = login_url(&mock, "h5order1", "user1", &id, "https://partner.example/cb?token=t1", "&resultType=1").await;
    let page = mock.send(Call::get(url.clone())).await;
    let html = String::from_utf8(page.body.to_vec()).unwrap();
    assert_eq!(page.status, 200);
    let href =
        html.split("href=\"").map(|s| s.split('"').next().unwrap()).find(|h| h.contains("scenario=face-pass")).unwrap();
    // A person presses "face-pass"; the mock redirects to the partner.
    let done = mock.send(Call::get(href.replace("&amp;", "&"))).await;
    assert_eq!(done.status, 302);
    let to = location(&done);
    assert!(to.starts_with("https://partner.example/cb?token=t1&code=0&"), "{to}");
    let q = query_of(&to);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(
        (get("orderNo").as_str(), get("h5faceId").as_str(), get("liveRate").as_str()),
        ("h5order1", id.as_str(), "99")
    );
    assert_eq!(get("newSignature"), sign(&[APP, "h5order1", "0"], TICKET), "FV-3 with the app's SIGN ticket");

    // The same URL again (a prefetch, a reload) is refused.
    let again = mock.send(Call::get(url)).await;
    assert!(String::from_utf8_lossy(&again.body).contains("签名不合法"));
    assert!(again.header("x-idocr-mock-reason").unwrap().contains("FV-2"));

    let r = query_record(&mock, "h5order1", json!(1)).await;
    assert_eq!(
        (r["code"].as_str(), r["result"]["liveRate"].as_str(), r["result"]["similarity"].as_str()),
        (Some("0"), Some("99"), Some("88.01")),
        "{r}"
    );
    assert!(r["result"]["photo"].as_str().unwrap().starts_with("/9j/"), "a JPEG");
    assert!(r["result"].get("video").is_some() && r["result"].get("success").is_none());
    let photo_only = query_record(&mock, "h5order1", json!("2")).await;
    assert!(photo_only["result"].get("photo").is_some() && photo_only["result"].get("video").is_none());
}

#[tokio::test]
async fn an_outcome_chosen_in_advance_completes_at_once_and_a_failure_carries_no_live_rate() {
    let mock = Mock::start().await;
    let v = h5faceid(&mock, "h5order2", "user2", Some("face-liveness-fail")).await;
    let id = v["result"]["h5faceId"].as_str().unwrap().to_string();
    let url = login_url(&mock, "h5order2", "user2", &id, "https://partner.example/cb", "&resultType=1").await;
    let to = location(&mock.send(Call::get(url)).await);
    assert!(to.contains("code=1005") && !to.contains("liveRate"), "{to}");
    assert!(to.contains(&format!("newSignature={}", sign(&[APP, "h5order2", "1005"], TICKET))), "{to}");
    assert_eq!(query_record(&mock, "h5order2", json!("0")).await["code"], "1005");
}

#[tokio::test]
async fn a_cancelled_flow_and_a_result_older_than_three_days_answer_66660011() {
    let mock = Mock::start().await;
    mock.state.faces().choices.enqueue(vec!["face-user-cancelled".into(), "face-pass".into()]);
    for (order, user) in [("c1", "u1"), ("c2", "u2")] {
        let id = h5faceid(&mock, order, user, None).await["result"]["h5faceId"].as_str().unwrap().to_string();
        let url = login_url(&mock, order, user, &id, "https://p.example/", "&resultType=1").await;
        assert_eq!(mock.send(Call::get(url)).await.status, 302);
    }
    assert_eq!(query_record(&mock, "c1", json!("1")).await["code"], "66660011");
    assert_eq!(query_record(&mock, "c2", json!("1")).await["code"], "0");
    mock.state.clock().advance(3 * 24 * 3600 * 1000 + 1000).unwrap();
    assert_eq!(query_record(&mock, "c2", json!("1")).await["code"], "66660011");
}

#[tokio::test]
async fn a_login_after_five_minutes_or_with_a_bad_sign_is_refused() {
    let mock = Mock::start().await;
    let id = h5faceid(&mock, "late1", "u1", None).await["result"]["h5faceId"].as_str().unwrap().to_string();
    let bad = login_url(&mock, "late1", "u1", &id, "https://p.example/", "").await.replace("&sign=", "&sign=0");
    let page = mock.send(Call::get(bad)).await;
    assert!(String::from_utf8_lossy(&page.body).contains("签名不合法"));
    mock.state.clock().advance(5 * 60 * 1000 + 1).unwrap();
    let url = login_url(&mock, "late1", "u1", &id, "https://p.example/", "&resultType=1").await;
    assert!(location(&mock.send(Call::get(url)).await).contains("code=66660018"));
}

#[tokio::test]
async fn geth5faceid_refuses_a_bad_sign_naming_the_rule_and_a_long_order_number() {
    let mock = Mock::start().await;
    let body = json!({"webankAppId": APP, "orderNo": "o1", "userId": "u1", "version": "1.0.0", "sign": sign(&[APP, "o1"], TICKET)});
    let a = mock.send(Call::post_json("/api/server/h5/geth5faceid", body.to_string())).await;
    assert_eq!(a.json().unwrap()["code"], "400105");
    assert!(a.header("x-idocr-mock-reason").unwrap().contains("FV-1"));
    let long = json!({"webankAppId": APP, "orderNo": "o".repeat(33), "userId": "u1", "version": "1.0.0", "sign": "0".repeat(40)});
    let a = mock.send(Call::post_json("/api/server/h5/geth5faceid", long.to_string())).await;
    assert_eq!(a.json().unwrap()["code"], "66660000");
    let a = mock.send(Call::post_json("/api/server/h5/geth5faceid", "{}")).await;
    assert_eq!(a.json().unwrap()["code"], "400101");
    assert_eq!(mock.send(Call::get("/api/server/h5/geth5faceid")).await.status, 405);
}

#[tokio::test]
async fn the_sdk_flow_completes_a_face_id_through_the_admin_api() {
    let mock = Mock::start().await;
    let body = json!({"appId": APP, "orderNo": "sdk1", "name": "测试", "idNo": "1", "userId": "u9", "version": "1.0.0", "nonce": N,
                      "sign": sign(&[APP, "u9", "1.0.0", N], TICKET)});
    let adv = mock.send(Call::post_json("/api/server/getAdvFaceId", body.to_string())).await.json().unwrap();
    assert_eq!(
        (adv["code"].as_str(), adv["result"]["success"].as_bool(), adv["result"]["oriCode"].as_str()),
        (Some("0"), Some(true), Some("0")),
        "{adv}"
    );
    let face_id = adv["result"]["faceId"].as_str().unwrap();
    assert!(face_id.starts_with("tx"));
    assert_eq!(query_record(&mock, "sdk1", json!("1")).await["code"], "66660011", "not completed yet");
    let done = mock
        .send(Call::post_json(
            "/__admin/face/complete",
            json!({"faceId": face_id, "scenario": "face-pass"}).to_string(),
        ))
        .await
        .json()
        .unwrap();
    assert_eq!(
        (done["success"].as_bool(), done["sign"].as_str()),
        (Some(true), Some(sign(&[APP, "sdk1", "0"], TICKET).as_str()))
    );
    let sync_sign = sign(&[APP, "sdk1", "1.0.0", N], TICKET);
    let s = mock
        .send(Call::get(format!(
            "/api/server/sync?app_id={APP}&version=1.0.0&nonce={N}&order_no=sdk1&sign={sync_sign}&get_file=2"
        )))
        .await
        .json()
        .unwrap();
    assert_eq!(
        (s["code"].as_str(), s["app_id"].as_str(), s["result"]["idType"].as_str()),
        (Some("0"), Some(APP), Some("01")),
        "{s}"
    );
    assert!(s["result"].get("photo").is_some() && s["result"].get("video").is_none());
    let photos = json!({"webankAppId": APP, "version": "1.0.0", "nonce": N, "orderNo": "sdk1", "sign": sync_sign});
    let p = mock.send(Call::post_json("/api/v2/base/queryphotoinfo", photos.to_string())).await.json().unwrap();
    assert_eq!(p["code"], 0, "a JSON number");
    assert_eq!(p["result"]["photoList"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn getfaceid_takes_a_nonce_ticket_sign_unless_strict() {
    let mock = Mock::start().await;
    let ticket = nonce_ticket(&mock, "u5").await;
    let body = json!({"webankAppId": APP, "orderNo": "g1", "userId": "u5", "version": "1.0.0", "nonce": N, "sign": sign(&[APP, "u5", "1.0.0", N], &ticket)});
    let v = mock.send(Call::post_json("/api/server/getfaceid", body.to_string())).await.json().unwrap();
    assert_eq!(v["code"], "0", "{v}");
    assert!(v["result"].get("optimalDomain").is_none() && v["result"]["success"] == false);
    let strict = Mock::with(idocr_mock::Config {
        seed: 1,
        face_sign: idocr_mock::config::FaceSign::Strict,
        ..Default::default()
    })
    .await;
    let ticket = nonce_ticket(&strict, "u5").await;
    let body = json!({"webankAppId": APP, "orderNo": "g1", "userId": "u5", "version": "1.0.0", "nonce": N, "sign": sign(&[APP, "u5", "1.0.0", N], &ticket)});
    let a = strict.send(Call::post_json("/api/server/getfaceid", body.to_string())).await;
    assert_eq!(a.json().unwrap()["code"], "400105");
}

#[tokio::test]
async fn files_late_arrive_one_second_of_mock_time_after_completion() {
    let mock = Mock::start().await;
    let id = h5faceid(&mock, "late2", "u3", Some("face-files-late")).await["result"]["h5faceId"]
        .as_str()
        .unwrap()
        .to_string();
    let url = login_url(&mock, "late2", "u3", &id, "https://p.example/", "&resultType=1").await;
    mock.send(Call::get(url)).await;
    let first = query_record(&mock, "late2", json!("1")).await;
    assert!(first["code"] == "0" && first["result"].get("photo").is_none(), "{first}");
    mock.state.clock().advance(1000).unwrap();
    assert!(query_record(&mock, "late2", json!("1")).await["result"].get("photo").is_some());
}

#[tokio::test]
async fn the_journal_and_metrics_cover_face_calls_and_never_show_a_ticket_sent_in_the_body() {
    let mock = Mock::start().await;
    let body = json!({"webankAppId": APP, "orderNo": "j1", "userId": "u1", "version": "1.0.0", "ticket": "leaked-ticket-value-123456",
                      "sign": sign(&[APP, "j1", "u1", "1.0.0"], TICKET)});
    assert_eq!(
        mock.send(Call::post_json("/api/server/h5/geth5faceid", body.to_string())).await.json().unwrap()["code"],
        "0"
    );
    let journal = String::from_utf8(mock.send(Call::get("/__admin/requests")).await.body.to_vec()).unwrap();
    assert!(journal.contains("/api/server/h5/geth5faceid") && journal.contains("j1"), "{journal}");
    assert!(!journal.contains("leaked-ticket-value-123456"), "{journal}");
    let metrics = String::from_utf8(mock.send(Call::get("/__admin/metrics")).await.body.to_vec()).unwrap();
    assert!(metrics.contains("/api/server/h5/geth5faceid"), "{metrics}");
}

#[tokio::test]
async fn a_login_signed_with_the_sign_ticket_is_refused_by_default_and_the_reason_says_how_to_accept_it() {
    let mock = Mock::start().await;
    let id = h5faceid(&mock, "signtk1", "u1", None).await["result"]["h5faceId"].as_str().unwrap().to_string();
    let s = sign(&[APP, "u1", "signtk1", "1.0.0", &id, N], TICKET);
    let url = format!("/api/web/login?webankAppId={APP}&version=1.0.0&nonce={N}&orderNo=signtk1&h5faceId={id}&url=https%3A%2F%2Fp.example%2F&from=browser&userId=u1&sign={s}");

    let page = mock.send(Call::get(url)).await;

    assert!(String::from_utf8_lossy(&page.body).contains("签名不合法"));
    let reason = page.header("x-idocr-mock-reason").unwrap_or_default().to_string();
    assert!(reason.contains("right for a SIGN ticket") && reason.contains("--face-sign lenient"), "{reason}");
}
