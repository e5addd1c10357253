//! The face flow per app (issues #16 and #18): each app has its own face default and queue under
//! `/__admin/apps/{id}/face/…`, its verifications run on its own clock, and the outcome chosen in
//! advance follows header → app's queue → app's default → mock's queue → mock's default → buttons.

use crate::support::*;
use hyper::Method;
use idocr_mock::client::{Answer, Call};
use serde_json::{json, Value};

const N: &str = "abcdefghijklmnopqrstuvwxyz012345";

/// One app's credentials.
struct App {
    id: String,
    secret: String,
    ticket: String,
}

async fn admin(mock: &Mock, method: Method, path: impl AsRef<str>, body: Value) -> Answer {
    mock.send(Call { method, ..Call::post_json(path.as_ref(), body.to_string()) }).await
}

async fn make_app(mock: &Mock) -> App {
    make_app_with(mock, json!({})).await
}

async fn make_app_with(mock: &Mock, body: Value) -> App {
    let v = admin(mock, Method::POST, "/__admin/apps", body).await.json().unwrap();
    let text = |k: &str| v[k].as_str().unwrap().to_string();
    App { id: text("id"), secret: text("secret"), ticket: v["sign_tickets"][0].as_str().unwrap().to_string() }
}

async fn h5faceid(mock: &Mock, app: &App, order: &str, user: &str, header: Option<&str>) -> String {
    let (name, id_no, a) = ("测试", "110101199003070011", app.id.as_str());
    let body = json!({"webankAppId": a, "orderNo": order, "name": name, "idNo": id_no, "userId": user, "version": "1.0.0",
                      "sign": sign(&[a, order, name, id_no, user, "1.0.0"], &app.ticket)});
    let mut call = Call::post_json("/api/server/h5/geth5faceid", body.to_string());
    if let Some(s) = header {
        call = call.header("X-Idocr-Scenario", s);
    }
    let v = mock.send(call).await.json().unwrap();
    assert_eq!(v["code"], "0", "{v}");
    v["result"]["h5faceId"].as_str().unwrap().to_string()
}

/// Opens the login URL of `id` (signed with a fresh NONCE ticket, `resultType=1`).
async fn log_in(mock: &Mock, app: &App, order: &str, user: &str, id: &str) -> Answer {
    let a = app.id.as_str();
    let q =
        format!("/api/oauth2/access_token?app_id={a}&secret={}&grant_type=client_credential&version=1.0.0", app.secret);
    let token = mock.send(Call::get(q)).await.json().unwrap()["access_token"].as_str().unwrap().to_string();
    let q = format!("/api/oauth2/api_ticket?app_id={a}&access_token={token}&type=NONCE&version=1.0.0&user_id={user}");
    let ticket = mock.send(Call::get(q)).await.json().unwrap()["tickets"][0]["value"].as_str().unwrap().to_string();
    let s = sign(&[a, user, order, "1.0.0", id, N], &ticket);
    let url = idocr_mock::protocol::face::encode("https://partner.example/cb");
    mock.send(Call::get(format!(
        "/api/web/login?webankAppId={a}&version=1.0.0&nonce={N}&orderNo={order}&h5faceId={id}&url={url}&from=browser&userId={user}&sign={s}&resultType=1"
    )))
    .await
}

/// The `code` of the redirect a login answered, or `page` for the face page's buttons.
async fn outcome_of_login(mock: &Mock, app: &App, order: &str, header: Option<&str>) -> String {
    let id = h5faceid(mock, app, order, "user1", header).await;
    let answer = log_in(mock, app, order, "user1", &id).await;
    match answer.status.as_u16() {
        302 => {
            let to = answer.header("location").unwrap_or_default().to_string();
            to.split(['?', '&']).find_map(|kv| kv.strip_prefix("code=")).unwrap_or_default().to_string()
        }
        200 => "page".into(),
        other => panic!("login answered {other}"),
    }
}

async fn query_record(mock: &Mock, app: &App, order: &str) -> Value {
    let a = app.id.as_str();
    let body = json!({"appId": a, "version": "1.0.0", "nonce": N, "orderNo": order, "getFile": "0",
                      "sign": sign(&[a, order, "1.0.0", N], &app.ticket)});
    mock.send(Call::post_json("/api/v2/base/queryfacerecord", body.to_string())).await.json().unwrap()
}

#[tokio::test]
async fn two_apps_with_different_face_defaults_see_neither_the_others_outcome_records_nor_clock() {
    let mock = Mock::start().await;
    let (spoofed, plain) = (make_app(&mock).await, make_app(&mock).await);
    let set =
        admin(&mock, Method::PUT, format!("/__admin/apps/{}/face/scenario", spoofed.id), json!({"name": "face-spoof"}));
    assert_eq!(set.await.status, 200);
    mock.state.faces().choices.set_default(Some("face-pass".into()));

    // The same orderNo in both apps: each gets its own outcome and keeps its own record.
    assert_eq!(outcome_of_login(&mock, &spoofed, "shared1", None).await, "1002");
    assert_eq!(outcome_of_login(&mock, &plain, "shared1", None).await, "0", "the plain app follows the mock's default");
    assert_eq!(query_record(&mock, &spoofed, "shared1").await["code"], "1002");
    assert_eq!(query_record(&mock, &plain, "shared1").await["code"], "0");

    let view = |app: &App| admin(&mock, Method::GET, format!("/__admin/apps/{}/face/scenarios", app.id), Value::Null);
    let (a, b) = (view(&spoofed).await.json().unwrap(), view(&plain).await.json().unwrap());
    assert_eq!(
        (a["default"].as_str(), a["follows_mock"].as_bool(), a["held"].as_u64()),
        (Some("face-spoof"), Some(false), Some(1))
    );
    assert_eq!((b["default"].as_str(), b["follows_mock"].as_bool(), b["held"].as_u64()), (None, Some(true), Some(1)));
    let listed = admin(&mock, Method::GET, format!("/__admin/apps/{}", spoofed.id), Value::Null).await.json().unwrap();
    assert_eq!((listed["face"]["default"].as_str(), listed["holds"]["faces"].as_u64()), (Some("face-spoof"), Some(1)));

    // Three days and a minute on the spoofed app's clock: its record is gone, the other's stays.
    let moved = admin(
        &mock,
        Method::POST,
        format!("/__admin/apps/{}/clock", spoofed.id),
        json!({"advance_seconds": 3 * 86400 + 60}),
    );
    assert_eq!(moved.await.status, 200);
    assert_eq!(query_record(&mock, &spoofed, "shared1").await["code"], "66660011");
    assert_eq!(query_record(&mock, &plain, "shared1").await["code"], "0");

    // The app's reset clears its face default; it follows the mock's again.
    assert_eq!(admin(&mock, Method::POST, format!("/__admin/apps/{}/reset", spoofed.id), json!({})).await.status, 200);
    assert_eq!(outcome_of_login(&mock, &spoofed, "after-reset", None).await, "0");

    // The mock's reset clears every app's face settings too (a configured app: the reset also
    // moves the mock's clock from the tests' time back to now, past a run-time app's idle life).
    let configured = format!("/__admin/apps/{APP}/face/scenario");
    admin(&mock, Method::PUT, &configured, json!({"name": "face-spoof"})).await;
    assert_eq!(admin(&mock, Method::POST, "/__admin/reset", json!({})).await.status, 200);
    let after =
        admin(&mock, Method::GET, format!("/__admin/apps/{APP}/face/scenarios"), Value::Null).await.json().unwrap();
    assert_eq!((after["default"].as_str(), after["follows_mock"].as_bool()), (None, Some(true)), "{after}");
}

#[tokio::test]
async fn the_outcome_chosen_in_advance_is_header_then_apps_queue_and_default_then_the_mocks_then_buttons() {
    let mock = Mock::start().await;
    let app = make_app(&mock).await;
    let path = |p: &str| format!("/__admin/apps/{}/face/{p}", app.id);
    admin(&mock, Method::PUT, "/__admin/face/scenario", json!({"name": "face-liveness-fail"})).await;
    admin(&mock, Method::POST, "/__admin/face/queue", json!({"scenarios": ["face-busy"]})).await;
    admin(&mock, Method::PUT, path("scenario"), json!({"name": "face-spoof"})).await;
    let queued = admin(&mock, Method::POST, path("queue"), json!({"scenarios": ["face-low-similarity"]})).await;
    assert_eq!(queued.json().unwrap()["queue"], json!(["face-low-similarity"]));

    let mut seen = Vec::new();
    seen.push(outcome_of_login(&mock, &app, "o1", Some("face-pass")).await);
    seen.push(outcome_of_login(&mock, &app, "o2", None).await);
    seen.push(outcome_of_login(&mock, &app, "o3", None).await);
    admin(&mock, Method::PUT, path("scenario"), json!({"name": null})).await;
    seen.push(outcome_of_login(&mock, &app, "o4", None).await);
    seen.push(outcome_of_login(&mock, &app, "o5", None).await);
    admin(&mock, Method::PUT, "/__admin/face/scenario", json!({"name": null})).await;
    seen.push(outcome_of_login(&mock, &app, "o6", None).await);
    assert_eq!(seen, ["0", "66660004", "1002", "66660021", "1005", "page"]);

    let journal =
        admin(&mock, Method::GET, format!("/__admin/apps/{}/requests?path=/api/web/login", app.id), Value::Null);
    let entries = journal.await.json().unwrap();
    let whys: Vec<&str> = entries.as_array().unwrap().iter().filter_map(|e| e["scenario_why"].as_str()).collect();
    assert!(whys.contains(&"app's queue") && whys.contains(&"header"), "{entries}");
}

#[tokio::test]
async fn an_sdk_completion_without_a_scenario_follows_its_apps_face_default() {
    let mock = Mock::start().await;
    let app = make_app(&mock).await;
    admin(&mock, Method::PUT, format!("/__admin/apps/{}/face/scenario", app.id), json!({"name": "face-spoof"})).await;
    let a = app.id.as_str();
    let body = json!({"appId": a, "orderNo": "sdk1", "name": "测试", "idNo": "1", "userId": "u9", "version": "1.0.0", "nonce": N,
                      "sign": sign(&[a, "u9", "1.0.0", N], &app.ticket)});
    let v = mock.send(Call::post_json("/api/server/getfaceid", body.to_string())).await.json().unwrap();
    let face_id = v["result"]["faceId"].as_str().unwrap();
    let done = admin(&mock, Method::POST, "/__admin/face/complete", json!({"faceId": face_id})).await.json().unwrap();
    assert_eq!((done["success"].as_bool(), done["error"]["code"].as_str()), (Some(false), Some("1002")), "{done}");
    assert_eq!(done["sign"], sign(&[a, "sdk1", "1002"], &app.ticket));
}

#[tokio::test]
async fn an_app_made_with_a_face_scenario_keeps_it_as_its_face_default_across_its_reset() {
    let mock = Mock::start().await;
    let bad = admin(&mock, Method::POST, "/__admin/apps", json!({"face_scenario": "blurry"})).await;
    assert_eq!(bad.status, 400);
    assert!(bad.json().unwrap()["error"].as_str().unwrap().contains("not a face scenario; choose one of: face-pass"));
    let app = make_app_with(&mock, json!({"face_scenario": "face-name-id-mismatch"})).await;
    assert_eq!(outcome_of_login(&mock, &app, "m1", None).await, "66660010");
    admin(&mock, Method::PUT, format!("/__admin/apps/{}/face/scenario", app.id), json!({"name": "face-pass"})).await;
    assert_eq!(outcome_of_login(&mock, &app, "m2", None).await, "0");
    admin(&mock, Method::POST, format!("/__admin/apps/{}/reset", app.id), json!({})).await;
    assert_eq!(outcome_of_login(&mock, &app, "m3", None).await, "66660010", "back to how it was made");
}
