//! oauth: the token flow of docs/protocol.md §4 — the `400101` probe, the shapes and JSON types of the
//! token and ticket answers (`code` a string, `success` the boolean true, `expire_in` a number),
//! and the lifetimes they report (`expire_time` = `transactionTime` + `expire_in`).

use super::Case;
use crate::client::Call;
use crate::conformance::context::{business_json, encode, fail, str_field, Check, Ctx, Stop};
use crate::protocol::catalog;
use chrono::NaiveDateTime;
use serde_json::{json, Value};

pub fn cases() -> Vec<Case> {
    vec![
        case!("probe-without-parameters", probe),
        case!("access-token-shape", access_token_shape),
        case!("sign-ticket-shape", sign_ticket_shape),
        case!("nonce-ticket-shape", nonce_ticket_shape),
        case!("wrong-secret-refused", wrong_secret),
        case!("unknown-token-refused", unknown_token),
        case!("sign-ticket-expires", sign_ticket_expires, mock_admin),
    ]
}

/// Client C1's probe: no parameters at all.
async fn probe(ctx: &Ctx) -> Check {
    ctx.expect_code(&ctx.get("/api/oauth2/access_token").await?, &catalog::BAD_REQUEST).map(drop)
}

/// `yyyyMMddHHmmss`.
pub fn parse_compact(s: &str) -> Option<NaiveDateTime> {
    (s.len() == 14).then(|| NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok()).flatten()
}

/// `expire_in` a JSON number equal to `lifetime`, and `expire_time` = `transactionTime` + it.
pub fn check_lifetime(v: &Value, transaction_time: &str, lifetime: i64, what: &str) -> Check {
    let expire_in = match v.get("expire_in") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(-1),
        Some(other) => return fail(format!("{what}expire_in a JSON number"), format!("{} {other}", kind(other))),
        None => return fail(format!("an {what}expire_in"), "none"),
    };
    if expire_in != lifetime {
        return fail(format!("{what}expire_in {lifetime} (docs/protocol.md §4)"), expire_in);
    }
    let expire_time = str_field(v, "expire_time")?;
    let (Some(start), Some(end)) = (parse_compact(transaction_time), parse_compact(expire_time)) else {
        return fail(
            "transactionTime and expire_time as yyyyMMddHHmmss",
            format!("{transaction_time:?}, {expire_time:?}"),
        );
    };
    // A real ticket answer stamps `transactionTime` one second after the issue time (docs/protocol.md
    // §10.4), so the service itself is off by one second either way: allow it.
    let reported = (end - start).num_seconds();
    if (reported - expire_in).abs() <= 1 {
        Ok(())
    } else {
        fail(format!("{what}expire_time = transactionTime + {expire_in}s (±1 s)"), format!("+{reported}s"))
    }
}

fn kind(v: &Value) -> &'static str {
    crate::conformance::context::json_type(v)
}

/// `"success": true`, the boolean.
fn check_success_true(v: &Value) -> Check {
    match v.get("success") {
        Some(Value::Bool(true)) => Ok(()),
        Some(other) => fail("success the boolean true", format!("{} {other}", kind(other))),
        None => fail("a success field", "none"),
    }
}

async fn access_token_shape(ctx: &Ctx) -> Check {
    let v = ctx.expect_code(&ctx.token_answer().await?, &catalog::SUCCESS)?;
    check_success_true(&v)?;
    str_field(&v, "msg")?;
    str_field(&v, "bizSeqNo")?;
    let token = str_field(&v, "access_token")?;
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return fail("access_token URL-safe [A-Za-z0-9_-]", format!("{} characters, not all URL-safe", token.len()));
    }
    check_lifetime(&v, str_field(&v, "transactionTime")?, 7200, "")
}

/// The one ticket of an `api_ticket` answer, after the envelope checks.
async fn ticket(ctx: &Ctx, kind_: &str, user_id: Option<&str>, lifetime: i64) -> Result<String, Stop> {
    let v = ctx.expect_code(&ctx.ticket_answer(kind_, user_id).await?, &catalog::SUCCESS)?;
    check_success_true(&v)?;
    let tickets = match v.get("tickets") {
        Some(Value::Array(t)) if t.len() == 1 => t,
        Some(other) => return fail("`tickets` an array of exactly one ticket", other),
        None => return fail("a `tickets` array", "none"),
    };
    let value = str_field(&tickets[0], "value")?.to_string();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return fail("a ticket value of letters and digits", format!("{} characters", value.len()));
    }
    check_lifetime(&tickets[0], str_field(&v, "transactionTime")?, lifetime, "tickets[0].")?;
    Ok(value)
}

async fn sign_ticket_shape(ctx: &Ctx) -> Check {
    ticket(ctx, "SIGN", None, 3600).await.map(drop)
}

async fn nonce_ticket_shape(ctx: &Ctx) -> Check {
    ticket(ctx, "NONCE", Some("conformanceUser01"), 120).await.map(drop)
}

async fn wrong_secret(ctx: &Ctx) -> Check {
    let query = format!(
        "/api/oauth2/access_token?app_id={}&secret=idocrMockConformanceWrongSecret&grant_type=client_credential&version=1.0.0",
        encode(&ctx.app_id)
    );
    ctx.expect_code(&ctx.get(query).await?, &catalog::NO_PERMISSION).map(drop)
}

async fn unknown_token(ctx: &Ctx) -> Check {
    let query = format!(
        "/api/oauth2/api_ticket?app_id={}&access_token=idocrMockConformanceNoSuchToken&type=SIGN&version=1.0.0",
        encode(&ctx.app_id)
    );
    ctx.expect_code(&ctx.get(query).await?, &catalog::TOKEN_EXPIRED).map(drop)
}

/// A SIGN ticket signs until its 3600 s are over, then is refused (the mock's clock moves).
async fn sign_ticket_expires(ctx: &Ctx) -> Check {
    let ticket = ticket(ctx, "SIGN", None, 3600).await?;
    let advance = Call::post_json("/__admin/clock", json!({"advance_seconds": 3601}).to_string());
    let moved = ctx.send(advance).await?;
    if moved.status != 200 {
        return Err(Stop::Skip(format!(
            "the mock's clock cannot be moved (POST /__admin/clock: HTTP {})",
            moved.status
        )));
    }
    let order = ctx.order_no("te");
    let nonce = ctx.nonce();
    let image = super::transport::not_an_image();
    let sign = crate::conformance::signer::sign(&[&ctx.app_id, &order, &nonce, "1.0.0"], &ticket);
    let body = json!({"webankAppId": ctx.app_id, "version": "1.0.0", "nonce": nonce, "orderNo": order,
        "cardType": "0", "idcardStr": image, "sign": sign});
    let answer = ctx.ocr(&body).await;
    // Leave the target's clock as it was found: a shared mock's other users keep their time.
    let back = Call::post_json("/__admin/clock", json!({"advance_seconds": -3601}).to_string());
    let restored = ctx.send(back).await?;
    if restored.status != 200 {
        return Err(Stop::Fail(format!("could not move the clock back (HTTP {})", restored.status)));
    }
    let answer = answer?;
    business_json(&answer)?;
    ctx.expect_code(&answer, &catalog::AUTH_FAILED).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_expire_in_fails_with_its_type() {
        let v = json!({"expire_in": "7200", "expire_time": "20260115120000"});
        let Err(Stop::Fail(why)) = check_lifetime(&v, "20260115100000", 7200, "") else { panic!() };
        assert_eq!(why, "expected expire_in a JSON number, got string \"7200\"");
    }

    #[test]
    fn expire_time_must_be_transaction_time_plus_expire_in_within_one_second() {
        let v = json!({"expire_in": 7200, "expire_time": "20260115120000"});
        assert_eq!(check_lifetime(&v, "20260115100000", 7200, ""), Ok(()));
        // The real answer of docs/protocol.md §10.4: +3599 s for a 3600 s ticket.
        assert_eq!(check_lifetime(&v, "20260115100001", 7200, ""), Ok(()));
        assert_eq!(check_lifetime(&v, "20260115095959", 7200, ""), Ok(()));
        assert!(check_lifetime(&v, "20260115100002", 7200, "").is_err());
        assert!(check_lifetime(&v, "20260115095958", 7200, "").is_err());
    }
}
