//! Apps made at run time and state scoped by app (issue #16): a CI job makes its own app, runs
//! its suite with that id and secret, asserts on its own journal and deletes the app; two such
//! jobs on one mock never see each other's scenario, clock, journal entries or orders.

use crate::support::*;
use hyper::Method;
use idocr_mock::client::{Answer, Call};
use idocr_mock::clock;
use idocr_mock::protocol::Side;
use idocr_mock::Config;
use serde_json::{json, Value};

async fn call(mock: &Mock, method: Method, path: &str, body: Value) -> Answer {
    mock.send(Call { method, ..Call::post_json(path, body.to_string()) }).await
}

/// `POST /__admin/apps` with `body`: the app's id, secret and static SIGN ticket.
async fn make_app(mock: &Mock, body: Value) -> (String, String, String) {
    let made = call(mock, Method::POST, "/__admin/apps", body).await;
    assert_eq!(made.status, 201, "{:?}", made.json());
    let v = made.json().unwrap();
    let text = |k: &str| v[k].as_str().unwrap().to_string();
    (text("id"), text("secret"), v["sign_tickets"][0].as_str().unwrap().to_string())
}

/// A signed OCR body for `app` with `ticket`.
fn body_for(app: &str, ticket: &str, order_no: &str) -> Value {
    let mut b = signed_body(order_no, Side::Front);
    b["webankAppId"] = json!(app);
    b["sign"] = json!(sign(&[app, order_no, NONCE, "1.0.0"], ticket));
    b
}

/// What one CI job's suite does with its app: three OCR calls and an access token; returns the
/// codes, one `transactionTime` and the token's `expire_time`.
async fn suite(mock: &Mock, app: &str, secret: &str, ticket: &str) -> (Vec<String>, String, String) {
    let mut codes = Vec::new();
    let mut time = String::new();
    for n in 0..3 {
        let v = mock.ocr(&body_for(app, ticket, &format!("order{n}"))).await.json().unwrap();
        codes.push(v["code"].as_str().unwrap().to_string());
        time = v["transactionTime"].as_str().unwrap().to_string();
    }
    let q = format!("/api/oauth2/access_token?app_id={app}&secret={secret}&grant_type=client_credential&version=1.0.0");
    let token = mock.send(Call::get(q)).await.json().unwrap();
    assert_eq!(token["code"], "0", "{token}");
    (codes, time, token["expire_time"].as_str().unwrap().to_string())
}

fn hours_after_test_time(compact: &str) -> i64 {
    let at = chrono::NaiveDateTime::parse_from_str(compact, "%Y%m%d%H%M%S").unwrap();
    let start = clock::to_beijing(clock::parse_rfc3339(TEST_TIME).unwrap()).naive_local();
    (at - start).num_minutes().div_euclid(60)
}

#[tokio::test]
async fn two_ci_jobs_on_one_mock_see_neither_the_others_scenario_clock_journal_nor_orders() {
    for _ in 0..5 {
        let mock = Mock::start().await;
        let (busy, busy_secret, busy_ticket) =
            make_app(&mock, json!({"scenario": "server-busy", "ttl_seconds": 600})).await;
        let (plain, plain_secret, plain_ticket) = make_app(&mock, json!({"ttl_seconds": 600})).await;
        let moved =
            call(&mock, Method::POST, &format!("/__admin/apps/{busy}/clock"), json!({"advance_seconds": 7200})).await;
        assert_eq!(moved.json().unwrap()["follows_mock"], false);

        let (a, b) = tokio::join!(
            suite(&mock, &busy, &busy_secret, &busy_ticket),
            suite(&mock, &plain, &plain_secret, &plain_ticket)
        );
        assert_eq!(a.0, ["999999"; 3], "the busy job gets its own default");
        assert_eq!(b.0, ["0"; 3], "the plain job does not get the other's scenario");
        assert_eq!((hours_after_test_time(&a.1), hours_after_test_time(&b.1)), (2, 0), "each on its own clock");
        assert_eq!(
            (hours_after_test_time(&a.2), hours_after_test_time(&b.2)),
            (4, 2),
            "tokens expire on the app's clock"
        );

        for (app, n) in [(&busy, 4), (&plain, 4)] {
            let entries = mock.send(Call::get(format!("/__admin/apps/{app}/requests"))).await.json().unwrap();
            let entries = entries.as_array().unwrap();
            assert_eq!(entries.len(), n, "{app}: {entries:?}");
            assert!(entries.iter().all(|e| e["app_id"] == json!(app)), "{app} sees only its entries");
            let count = mock.send(Call::get(format!("/__admin/apps/{app}/requests/count?code=0"))).await;
            let want = if app == &busy { "1" } else { "4" };
            assert_eq!(String::from_utf8_lossy(&count.body), want, "{app}");
        }
        let busy_orders = mock.send(Call::get(format!("/__admin/apps/{busy}/orders"))).await.json().unwrap();
        assert_eq!(busy_orders["total"], 0, "the busy job stored nothing");
        let plain_orders = mock.send(Call::get(format!("/__admin/apps/{plain}/orders"))).await.json().unwrap();
        assert_eq!(plain_orders["total"], 3);
        assert!(plain_orders["orders"].as_array().unwrap().iter().all(|o| o["app_id"] == json!(plain)));
        assert_eq!(
            mock.send(Call::get("/__admin/scenario")).await.json().unwrap()["name"],
            "success",
            "the mock's default is untouched"
        );
        let mocks = mock.send(Call::get("/__admin/clock")).await.json().unwrap();
        assert_eq!(
            hours_after_test_time(mocks["transactionTime"].as_str().unwrap()),
            0,
            "the mock's clock is untouched"
        );
    }
}

#[tokio::test]
async fn the_ci_flow_makes_an_app_runs_asserts_on_its_journal_and_deletes_it_with_all_it_owns() {
    let mock = Mock::start().await;
    let (app, secret, ticket) = make_app(&mock, json!({"ttl_seconds": 900})).await;
    assert!(app.starts_with("TIDA") && app.len() == 8, "{app}");
    let (codes, _, _) = suite(&mock, &app, &secret, &ticket).await;
    assert_eq!(codes, ["0"; 3]);
    let listed = mock.send(Call::get("/__admin/apps")).await.json().unwrap();
    let mine = listed["apps"].as_array().unwrap().iter().find(|a| a["id"] == json!(app)).unwrap().clone();
    assert_eq!(
        (mine["origin"].as_str(), mine["holds"]["orders"].as_u64(), mine["holds"]["tokens"].as_u64()),
        (Some("run time"), Some(3), Some(1))
    );
    assert_ne!(mine["secret"], json!(secret), "listings mask the secret");

    let deleted = call(&mock, Method::DELETE, &format!("/__admin/apps/{app}"), json!(null)).await.json().unwrap();
    assert_eq!(deleted["removed"], json!({"tokens": 1, "tickets": 0, "requests": 4, "orders": 3, "faces": 0}));
    let refused = mock.ocr(&body_for(&app, &ticket, "order9")).await.json().unwrap();
    assert_eq!(refused["code"], "400104", "a vendor call naming a deleted app: {refused}");
    let gone = mock.send(Call::get(format!("/__admin/apps/{app}/requests"))).await;
    let v = gone.json().unwrap();
    assert_eq!((gone.status.as_u16(), v["status"].as_u64()), (404, Some(404)));
    assert_eq!(v["apps"], json!([APP]), "the 404 lists the apps: {v}");
    let configured = call(&mock, Method::DELETE, &format!("/__admin/apps/{APP}"), json!(null)).await;
    assert_eq!(configured.status, 409);
}

#[tokio::test]
async fn past_max_apps_a_new_app_gets_429_and_an_idle_one_goes_when_the_mocks_clock_passes_its_life() {
    let mock = Mock::with(Config { seed: 42, max_apps: 1, ..Config::default() }).await;
    let (app, _, ticket) = make_app(&mock, json!({"id": "JOB1", "ttl_seconds": 60})).await;
    assert_eq!(app, "JOB1");
    let full = call(&mock, Method::POST, "/__admin/apps", json!({})).await;
    let v = full.json().unwrap();
    assert_eq!((full.status.as_u16(), v["max_apps"].as_u64()), (429, Some(1)), "{v}");
    assert!(v["error"].as_str().unwrap().contains("--max-apps"), "{v}");
    let taken = call(&mock, Method::POST, "/__admin/apps", json!({"id": APP})).await;
    assert_eq!(taken.status, 409);
    for bad in [json!({"id": "a b"}), json!({"scenario": "nope"}), json!({"ttl_seconds": 0}), json!({"colour": 1})] {
        let refused = call(&mock, Method::POST, "/__admin/apps", bad.clone()).await;
        assert_eq!(refused.status, 400, "{bad}");
    }
    assert_eq!(mock.ocr(&body_for(&app, &ticket, "o1")).await.json().unwrap()["code"], "0");
    call(&mock, Method::POST, "/__admin/clock", json!({"advance_seconds": 61})).await;
    assert_eq!(mock.send(Call::get("/__admin/apps/JOB1")).await.status, 404, "idle past its life");
    assert_eq!(mock.ocr(&body_for(&app, &ticket, "o2")).await.json().unwrap()["code"], "400104");
    assert_eq!(call(&mock, Method::POST, "/__admin/apps", json!({})).await.status, 201, "its place is free again");
}

#[tokio::test]
async fn an_apps_reset_empties_that_app_alone_and_its_queue_comes_before_the_mocks() {
    let mock = Mock::start().await;
    let (app, _, ticket) = make_app(&mock, json!({})).await;
    mock.ocr(&signed_body("mine0", Side::Front)).await;
    let queued =
        call(&mock, Method::POST, &format!("/__admin/apps/{app}/scenario/queue"), json!({"scenarios": ["blurry"]}))
            .await;
    assert_eq!(queued.json().unwrap()["queue"], json!(["blurry"]));
    let first = mock.ocr(&body_for(&app, &ticket, "o1")).await;
    assert_eq!(first.header("x-idocr-scenario"), Some("blurry"));
    assert_eq!(mock.ocr(&body_for(&app, &ticket, "o2")).await.header("x-idocr-scenario"), Some("success"));
    let reset = call(&mock, Method::POST, &format!("/__admin/apps/{app}/reset"), json!(null)).await.json().unwrap();
    assert_eq!(reset["removed"]["requests"], 2, "{reset}");
    assert_eq!(
        mock.send(Call::get(format!("/__admin/apps/{APP}/requests/count"))).await.body,
        "1",
        "the other app keeps its entries"
    );
    let metrics =
        String::from_utf8(mock.send(Call::get(format!("/__admin/apps/{APP}/metrics"))).await.body.to_vec()).unwrap();
    assert!(metrics.contains(&format!("idocr_mock_app_requests_total{{app=\"{APP}\",path=\"/api/paas/idcardocrapp\",code=\"0\",status=\"200\"}} 1")), "{metrics}");
}

#[tokio::test]
async fn a_bank_card_call_follows_its_apps_default_scenario_and_clock_and_its_result_stays_in_the_app() {
    let mock = Mock::start().await;
    let (app, _, ticket) = make_app(&mock, json!({"scenario": "bank-blurry", "ttl_seconds": 600})).await;
    let (plain, _, plain_ticket) = make_app(&mock, json!({"ttl_seconds": 600})).await;
    call(&mock, Method::POST, &format!("/__admin/apps/{plain}/clock"), json!({"advance_seconds": 7200})).await;
    let bank_for = |app: &str, ticket: &str, order: &str| {
        let mut b = crate::bankcard::bank_body(order);
        b["webankAppId"] = json!(app);
        b["sign"] = json!(sign(&[app, order, NONCE, "1.0.0"], ticket));
        b
    };

    let blurred = crate::bankcard::bank(&mock, &bank_for(&app, &ticket, "bankorder1")).await.json().unwrap();
    let read = crate::bankcard::bank(&mock, &bank_for(&plain, &plain_ticket, "bankorder1")).await.json().unwrap();

    assert_ne!(blurred["code"], "0", "the app's own default applies to its bank cards: {blurred}");
    assert_eq!(read["code"], "0", "the other app's default does not: {read}");
    assert_eq!(hours_after_test_time(read["transactionTime"].as_str().unwrap()), 2, "stamped on its app's clock");
    let sign = sign(&[&plain, "bankorder1", NONCE, "1.0.0"], &plain_ticket);
    let q = format!(
        "{}?app_id={plain}&order_no=bankorder1&nonce={NONCE}&version=1.0.0&sign={sign}",
        crate::bankcard::BANK_RESULT
    );
    let result = mock.send(Call::get(q)).await.json().unwrap();
    assert_eq!(result["code"], "0", "{result}");
    assert_eq!(
        result["result"]["bankCardNo"], read["result"]["bankcardNo"],
        "getBankCardOcrResult spells it bankCardNo"
    );
    assert_eq!(hours_after_test_time(result["transactionTime"].as_str().unwrap()), 2, "the result too");
    let orders = mock.send(Call::get(format!("/__admin/apps/{plain}/orders"))).await.json().unwrap();
    assert_eq!(orders["total"], 1, "{orders}");
}
