//! bankcard: `POST /api/paas/bankcardocrapp` and `GET /api/server/getBankCardOcrResult`
//! (docs/protocol.md §13) — the success shape of the doc example, a card number that passes the
//! Luhn check and a `MM/yyyy` validity (checked with code of its own, not the mock's generator),
//! the result by order, and the refusals whose codes the mock guesses for this endpoint (the
//! report's ledger records what a real service answered).

use super::recognition::check_strings;
use super::Case;
use crate::client::Call;
use crate::conformance::context::{encode, fail, str_field, Check, Ctx, Stop};
use crate::protocol::catalog;
use crate::protocol::Side;
use serde_json::{json, Value};

const BANK: &str = "/api/paas/bankcardocrapp";

/// The keys of the doc example's `result` (Q-BANK-API), in its order.
pub const BANK_FIELDS: &[&str] = &[
    "bizSeqNo",
    "transactionTime",
    "orderNo",
    "bankcardNo",
    "bankcardValidDate",
    "warningCode",
    "bankcardNoPhoto",
    "multiWarningCode",
    "clarity",
    "success",
];

pub fn cases() -> Vec<Case> {
    vec![
        case!("shape", shape),
        case!("number-and-validity", number_and_validity),
        case!("result-by-order", result_by_order),
        case!("unknown-order", unknown_order),
        case!("bad-sign", bad_sign),
        case!("over-long-order-no", long_order_no),
        case!("not-base64", not_base64),
        case!("not-an-image", not_an_image),
    ]
}

/// A bank-card body signed over webankAppId, orderNo, nonce, version (FV-5).
fn body(ctx: &Ctx, order: &str, image: &str) -> Value {
    let nonce = ctx.nonce();
    json!({
        "webankAppId": ctx.app_id,
        "version": "1.0.0",
        "nonce": nonce,
        "orderNo": order,
        "bankcardStr": image,
        "sign": ctx.sign(&[&ctx.app_id, order, &nonce, "1.0.0"]),
    })
}

async fn post(ctx: &Ctx, body: &Value) -> Result<crate::client::Answer, Stop> {
    ctx.send(Call::post_json(BANK, body.to_string())).await
}

/// Recognises the bank card of `--bank-image` (a generated one on the mock) and returns `result`.
async fn recognise(ctx: &Ctx, order: &str) -> Result<Value, Stop> {
    let image = ctx.image(Side::Bank)?.to_string();
    let v = ctx.expect_code(&post(ctx, &body(ctx, order, &image)).await?, &catalog::SUCCESS)?;
    match v.get("result") {
        Some(r @ Value::Object(_)) => Ok(r.clone()),
        other => fail("a `result` object", format!("{other:?}")),
    }
}

async fn shape(ctx: &Ctx) -> Check {
    let r = recognise(ctx, &ctx.order_no("bs")).await?;
    check_strings(&r)?;
    let keys: Vec<&str> = r.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
    let missing: Vec<&&str> = BANK_FIELDS.iter().filter(|k| !keys.contains(k)).collect();
    if !missing.is_empty() {
        return fail(format!("the doc's result fields {BANK_FIELDS:?}"), format!("{missing:?} missing"));
    }
    Ok(())
}

/// The Luhn check, written here and not borrowed from the mock.
fn luhn_ok(number: &str) -> bool {
    let digits: Option<Vec<u32>> = number.chars().map(|c| c.to_digit(10)).collect();
    let Some(digits) = digits else { return false };
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { (d * 2) % 9 + u32::from(d == 9) * 9 } else { d })
        .sum();
    (12..=19).contains(&digits.len()) && sum.is_multiple_of(10)
}

async fn number_and_validity(ctx: &Ctx) -> Check {
    let r = recognise(ctx, &ctx.order_no("bn")).await?;
    let number = str_field(&r, "bankcardNo")?;
    if !luhn_ok(number) {
        return fail("bankcardNo 12 to 19 digits passing the Luhn check", format!("{number:?}"));
    }
    let valid = str_field(&r, "bankcardValidDate")?;
    let month_year = valid.split_once('/').and_then(|(m, y)| Some((m.parse::<u32>().ok()?, y.parse::<u32>().ok()?)));
    match month_year {
        Some((m, y)) if valid.len() == 7 && (1..=12).contains(&m) && y >= 2000 => Ok(()),
        _ if valid.is_empty() => Ok(()),
        _ => fail("bankcardValidDate MM/yyyy (or \"\")", format!("{valid:?}")),
    }
}

fn result_query(ctx: &Ctx, order: &str) -> String {
    let nonce = ctx.nonce();
    let sign = ctx.sign(&[&ctx.app_id, order, &nonce, "1.0.0"]);
    format!(
        "/api/server/getBankCardOcrResult?app_id={}&order_no={order}&nonce={nonce}&version=1.0.0&sign={sign}",
        encode(&ctx.app_id)
    )
}

async fn result_by_order(ctx: &Ctx) -> Check {
    let order = ctx.order_no("br");
    let recognised = recognise(ctx, &order).await?;
    let v = ctx.expect_code(&ctx.get(result_query(ctx, &order)).await?, &catalog::SUCCESS)?;
    let Some(r) = v.get("result") else { return fail("a `result` in the success", "none") };
    check_strings(r)?;
    for (stored, sent) in [("bankCardNo", "bankcardNo"), ("bankCardValidDate", "bankcardValidDate")] {
        if r.get(stored) != recognised.get(sent) {
            return fail(format!("{stored} equal to the call's {sent}"), format!("{:?}", r.get(stored)));
        }
    }
    let at = str_field(r, "operateTime")?;
    match chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S") {
        Ok(_) => Ok(()),
        Err(_) => fail("operateTime yyyy-MM-dd HH:mm:ss", format!("{at:?}")),
    }
}

async fn unknown_order(ctx: &Ctx) -> Check {
    let answer = ctx.get(result_query(ctx, &ctx.order_no("bu"))).await?;
    ctx.expect_guessed_code(&answer, &catalog::ORDER_NOT_FOUND).map(drop)
}

/// A body that passes every check but the one a case breaks: a generated picture is enough, since
/// the service refuses before it reads the picture.
fn generated() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(crate::image::picture::card_png(Side::Bank, None))
}

async fn bad_sign(ctx: &Ctx) -> Check {
    let mut b = body(ctx, &ctx.order_no("bg"), &generated());
    b["sign"] = json!("0".repeat(40));
    ctx.expect_code(&post(ctx, &b).await?, &catalog::AUTH_FAILED).map(drop)
}

async fn long_order_no(ctx: &Ctx) -> Check {
    let order = format!("{}{}", ctx.order_no("bl"), "0".repeat(32));
    ctx.expect_guessed_code(&post(ctx, &body(ctx, &order, &generated())).await?, &catalog::PARAM_TOO_LONG).map(drop)
}

async fn not_base64(ctx: &Ctx) -> Check {
    let b = body(ctx, &ctx.order_no("b6"), "@@@@");
    ctx.expect_guessed_code(&post(ctx, &b).await?, &catalog::DECODE_FAILED).map(drop)
}

async fn not_an_image(ctx: &Ctx) -> Check {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(b"just some text, not a picture\n");
    let b = body(ctx, &ctx.order_no("bt"), &text);
    ctx.expect_guessed_code(&post(ctx, &b).await?, &catalog::BAD_FORMAT).map(drop)
}

#[cfg(test)]
mod tests {
    use super::luhn_ok;

    #[test]
    fn the_suites_own_luhn_check_agrees_with_published_test_numbers() {
        assert!(luhn_ok("4111111111111111") && luhn_ok("6200000000000005") && luhn_ok("5555555555554444"));
        assert!(!luhn_ok("4111111111111112") && !luhn_ok("12345") && !luhn_ok("41111111x1111111"));
    }
}
