//! The token flow end to end, with a client that caches token and ticket the way partner code
//! does, and the clock moved through the admin API instead of sleeping.

use crate::support::*;
use idocr_mock::client::{Answer, Call};
use idocr_mock::protocol::Side;
use serde_json::{json, Value};

pub const TOKEN_PATH: &str = "/api/oauth2/access_token";
pub const TICKET_PATH: &str = "/api/oauth2/api_ticket";
pub const SECRET: &str = "idocr-mock-secret";

pub async fn get(mock: &Mock, target: &str) -> Value {
    mock.send(Call::get(target)).await.json().unwrap()
}

pub async fn admin(mock: &Mock, method: &str, path: &str, body: Value) -> Answer {
    let call = Call::post_json(format!("/__admin/{path}"), body.to_string());
    mock.send(Call { method: method.parse().unwrap(), ..call }).await
}

pub async fn advance(mock: &Mock, seconds: i64) {
    let answer = admin(mock, "POST", "clock", json!({ "advance_seconds": seconds })).await;
    assert_eq!(answer.status, 200, "{:?}", answer.json());
}

pub async fn new_token(mock: &Mock) -> String {
    let v = get(mock, &format!("{TOKEN_PATH}?app_id={APP}&secret={SECRET}&grant_type=client_credential&version=1.0.0"))
        .await;
    assert_eq!(v["code"], "0", "{v}");
    v["access_token"].as_str().unwrap().to_string()
}

/// `Ok(ticket)` or `Err(code)`.
pub async fn new_ticket(mock: &Mock, token: &str, extra: &str) -> Result<String, String> {
    let kind = if extra.is_empty() { "SIGN" } else { "NONCE" };
    let v =
        get(mock, &format!("{TICKET_PATH}?app_id={APP}&access_token={token}&type={kind}&version=1.0.0{extra}")).await;
    match v["code"].as_str().unwrap() {
        "0" => Ok(v["tickets"][0]["value"].as_str().unwrap().to_string()),
        code => Err(code.to_string()),
    }
}

/// Partner code: fetches a token and a SIGN ticket once, signs every OCR call with the cached
/// ticket, and refreshes only when told to.
struct Partner<'m> {
    mock: &'m Mock,
    token: Option<String>,
    ticket: Option<String>,
}

impl<'m> Partner<'m> {
    fn new(mock: &'m Mock) -> Self {
        Partner { mock, token: None, ticket: None }
    }

    async fn ticket(&mut self) -> String {
        if self.token.is_none() {
            self.token = Some(new_token(self.mock).await);
        }
        if self.ticket.is_none() {
            self.ticket = Some(new_ticket(self.mock, self.token.as_deref().unwrap(), "").await.unwrap());
        }
        self.ticket.clone().unwrap()
    }

    /// One OCR call signed with the cached ticket: (code, reason header).
    async fn ocr(&mut self, order: &str) -> (String, String) {
        let ticket = self.ticket().await;
        let mut body = signed_body(order, Side::Front);
        body["sign"] = json!(sign(&[APP, order, NONCE, "1.0.0"], &ticket));
        let answer = self.mock.ocr(&body).await;
        let code = answer.json().unwrap()["code"].as_str().unwrap().to_string();
        (code, answer.header("x-idocr-mock-reason").unwrap_or("").to_string())
    }
}

#[tokio::test]
async fn a_cached_sign_ticket_works_for_an_hour_then_the_refusal_names_it_and_a_fresh_one_works() {
    let mock = Mock::start().await;
    let mut partner = Partner::new(&mock);
    for order in ["flow1", "flow2", "flow3"] {
        assert_eq!(partner.ocr(order).await.0, "0", "the ticket is reused across calls");
    }
    advance(&mock, 3599).await;
    assert_eq!(partner.ocr("flow4").await.0, "0");
    advance(&mock, 1).await;
    let (code, reason) = partner.ocr("flow5").await;
    assert_eq!(code, "400105");
    let masked = format!(
        "signed with ticket {}...(64), which is dead: expired at 2026-01-15 11:00:",
        &partner.ticket.clone().unwrap()[..4]
    );
    assert!(reason.contains(&masked), "{reason}");
    partner.ticket = None;
    assert_eq!(partner.ocr("flow6").await.0, "0", "a fresh ticket from the same token is accepted");
}

#[tokio::test]
async fn a_second_token_leaves_the_first_valid_for_60_s_and_its_tickets_die_with_it() {
    let mock = Mock::start().await;
    let mut partner = Partner::new(&mock);
    assert_eq!(partner.ocr("over1").await.0, "0");
    let first = partner.token.clone().unwrap();
    let second = new_token(&mock).await;
    advance(&mock, 59).await;
    assert!(new_ticket(&mock, &first, "").await.is_ok(), "the old token still works within the minute");
    assert_eq!(partner.ocr("over2").await.0, "0");
    advance(&mock, 1).await;
    assert_eq!(new_ticket(&mock, &first, "").await, Err("15".into()));
    let (code, reason) = partner.ocr("over3").await;
    assert_eq!(code, "400105");
    assert!(reason.contains("its access_token was replaced by a newer access_token at 2026-01-15 10:00:"), "{reason}");
    assert!(reason.contains("and retired 60 s later"), "{reason}");
    partner.token = Some(second);
    partner.ticket = None;
    assert_eq!(partner.ocr("over4").await.0, "0");
}

#[tokio::test]
async fn a_token_expires_after_7200_s_and_then_gets_code_15() {
    let mock = Mock::start().await;
    let token = new_token(&mock).await;
    advance(&mock, 7199).await;
    assert!(new_ticket(&mock, &token, "").await.is_ok());
    advance(&mock, 1).await;
    let answer =
        mock.send(Call::get(format!("{TICKET_PATH}?app_id={APP}&access_token={token}&type=SIGN&version=1.0.0"))).await;
    let v = answer.json().unwrap();
    assert_eq!((v["code"].as_str(), v["msg"].as_str()), (Some("15"), Some("Token 过期，请重试")));
    let reason = answer.header("x-idocr-mock-reason").unwrap();
    assert!(reason.contains("is dead: expired at 2026-01-15 12:00:") && !reason.contains(&token), "{reason}");
}

fn nonce_sign(user: &str, ticket: &str) -> Value {
    json!({"appId": APP, "userId": user, "nonce": NONCE, "version": "1.0.0",
           "sign": sign(&[APP, user, NONCE, "1.0.0"], ticket)})
}

#[tokio::test]
async fn a_nonce_ticket_signs_one_login_and_a_second_use_is_refused() {
    let mock = Mock::start().await;
    let token = new_token(&mock).await;
    let ticket = new_ticket(&mock, &token, "&user_id=user1").await.unwrap();
    let first = admin(&mock, "POST", "verify-nonce-sign", nonce_sign("user1", &ticket)).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json().unwrap()["valid"], true);
    let second = admin(&mock, "POST", "verify-nonce-sign", nonce_sign("user1", &ticket)).await;
    assert_eq!(second.status, 403);
    let reason = second.json().unwrap()["reason"].as_str().unwrap().to_string();
    assert!(reason.contains("which is dead: used at 2026-01-15 10:00:"), "{reason}");
    let other = new_ticket(&mock, &token, "&user_id=user2").await.unwrap();
    let wrong_user = admin(&mock, "POST", "verify-nonce-sign", nonce_sign("user1", &other)).await;
    assert_eq!(wrong_user.status, 403, "a NONCE ticket is bound to its user_id");
}

#[tokio::test]
async fn a_nonce_ticket_expires_after_120_s() {
    let mock = Mock::start().await;
    let token = new_token(&mock).await;
    let ticket = new_ticket(&mock, &token, "&user_id=user1").await.unwrap();
    advance(&mock, 120).await;
    let answer = admin(&mock, "POST", "verify-nonce-sign", nonce_sign("user1", &ticket)).await;
    assert_eq!(answer.status, 403);
    assert!(answer.json().unwrap()["reason"].as_str().unwrap().contains("expired at 2026-01-15 10:02:00"));
}

#[tokio::test]
async fn changing_the_secret_kills_the_apps_tokens_and_tickets() {
    let mock = Mock::start().await;
    let mut partner = Partner::new(&mock);
    assert_eq!(partner.ocr("sec1").await.0, "0");
    let answer = admin(&mock, "PUT", &format!("apps/{APP}/secret"), json!({"secret": "rotated"})).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json().unwrap()["revoked"], json!({"tokens": 1, "tickets": 1}));
    let (code, reason) = partner.ocr("sec2").await;
    assert_eq!(code, "400105");
    assert!(reason.contains("revoked when the app's secret changed at 2026-01-15 10:00:"), "{reason}");
    assert_eq!(new_ticket(&mock, partner.token.as_deref().unwrap(), "").await, Err("15".into()));
    let old =
        get(&mock, &format!("{TOKEN_PATH}?app_id={APP}&secret={SECRET}&grant_type=client_credential&version=1.0.0"))
            .await;
    assert_eq!(old["code"], "400104");
    let new =
        get(&mock, &format!("{TOKEN_PATH}?app_id={APP}&secret=rotated&grant_type=client_credential&version=1.0.0"))
            .await;
    assert_eq!(new["code"], "0");
    let fine = admin(&mock, "PUT", "apps/NOPE/secret", json!({"secret": "x"})).await;
    assert_eq!(fine.status, 404);
}

#[tokio::test]
async fn static_tickets_never_expire() {
    let mock = Mock::start().await;
    advance(&mock, 400 * 86_400).await;
    let v = mock.ocr(&signed_body("static1", Side::Front)).await.json().unwrap();
    assert_eq!(v["code"], "0");
}

#[tokio::test]
async fn token_and_ticket_bodies_have_the_seen_shape_and_types() {
    let mock = Mock::start().await;
    let token =
        get(&mock, &format!("{TOKEN_PATH}?app_id={APP}&secret={SECRET}&grant_type=client_credential&version=1.0.0"))
            .await;
    let ticket = get(
        &mock,
        &format!(
            "{TICKET_PATH}?app_id={APP}&access_token={}&type=SIGN&version=1.0.0",
            token["access_token"].as_str().unwrap()
        ),
    )
    .await;
    for v in [&token, &ticket] {
        assert!(v["code"].is_string() && v["success"].is_boolean() && v["bizSeqNo"].is_string(), "{v}");
    }
    assert!(token["expire_in"].is_number() && ticket["tickets"][0]["expire_in"].is_number());
    assert_eq!(token["expire_time"], plus(&token["transactionTime"], 7200));
    assert_eq!(ticket["tickets"][0]["expire_time"], plus(&ticket["transactionTime"], 3600));
    assert_eq!(ticket["tickets"].as_array().unwrap().len(), 1);
    let raw = mock
        .send(Call::get(format!(
            "{TOKEN_PATH}?app_id={APP}&secret={SECRET}&grant_type=client_credential&version=1.0.0"
        )))
        .await;
    let raw = String::from_utf8(raw.body.to_vec()).unwrap();
    assert!(raw.starts_with(r#"{"code":"0","msg":"请求成功","bizSeqNo":""#), "field order as seen: {raw}");
    assert!(
        raw.contains(r#","success":true,"access_token":""#) && raw.contains(r#","expire_in":7200,"expire_time":""#),
        "{raw}"
    );
    token_redactions().bind(|| {
        insta::assert_json_snapshot!("access_token_success", token);
        insta::assert_json_snapshot!("api_ticket_success", ticket);
    });
}

/// `transactionTime` + `seconds`, in the same `yyyyMMddHHmmss` form.
fn plus(transaction_time: &Value, seconds: i64) -> String {
    let t = chrono::NaiveDateTime::parse_from_str(transaction_time.as_str().unwrap(), "%Y%m%d%H%M%S").unwrap();
    (t + chrono::Duration::seconds(seconds)).format("%Y%m%d%H%M%S").to_string()
}

/// The support redactions, plus tokens, tickets and expiry times (their format still asserted).
pub fn token_redactions() -> insta::Settings {
    let mut s = redactions();
    s.add_dynamic_redaction(".access_token", |v, _| {
        let t = v.as_str().unwrap_or_default();
        assert!(t.len() == 90 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{t}");
        "[access_token]"
    });
    s.add_dynamic_redaction(".tickets[].value", |v, _| {
        let t = v.as_str().unwrap_or_default();
        assert!(t.len() == 64 && t.bytes().all(|b| b.is_ascii_alphanumeric()), "{t}");
        "[ticket]"
    });
    s.add_dynamic_redaction(".**.expire_time", |v, _| {
        let t = v.as_str().unwrap_or_default();
        assert!(t.len() == 14 && t.bytes().all(|b| b.is_ascii_digit()), "{t}");
        "[expire_time]"
    });
    s
}
