//! envelope: the common fields of docs/protocol.md §2 — `code` a string, `transactionTime`
//! `yyyyMMddHHmmss`, `bizSeqNo` 32 digits carrying that date and time, and the shapes of gateway
//! and business errors.

use super::oauth::parse_compact;
use super::transport::not_an_image;
use super::Case;
use crate::client::Call;
use crate::conformance::context::{business_json, code_of, fail, str_field, Check, Ctx, OCR};
use crate::protocol::catalog;
use crate::protocol::Side;
use serde_json::Value;

pub fn cases() -> Vec<Case> {
    vec![
        case!("code-is-a-string", code_is_a_string),
        case!("transaction-time-format", transaction_time),
        case!("biz-seq-no-format", biz_seq_no),
        case!("gateway-error-shape", gateway_error),
        case!("business-error-shape", business_error),
    ]
}

/// A business error: the answer to a signed request whose image is no image.
async fn business_answer(ctx: &Ctx) -> Result<Value, crate::conformance::context::Stop> {
    let body = ctx.signed_body(&ctx.order_no("env"), Side::Front, &not_an_image());
    ctx.expect_code(&ctx.ocr(&body).await?, &catalog::BAD_FORMAT)
}

/// In a gateway error and in a business error alike.
async fn code_is_a_string(ctx: &Ctx) -> Check {
    let gateway = business_json(&ctx.send(Call::post_json(OCR, "{}")).await?)?;
    let body = ctx.signed_body(&ctx.order_no("cs"), Side::Front, &not_an_image());
    let business = business_json(&ctx.ocr(&body).await?)?;
    for v in [gateway, business] {
        code_of(&v)?;
        str_field(&v, "msg")?;
    }
    Ok(())
}

async fn transaction_time(ctx: &Ctx) -> Check {
    let v = business_answer(ctx).await?;
    let t = str_field(&v, "transactionTime")?;
    match parse_compact(t) {
        Some(_) => Ok(()),
        None => fail("transactionTime yyyyMMddHHmmss", format!("{t:?}")),
    }
}

/// `yyMMdd` + `2000` + 8 digits + `HHmmss` + 8 digits, its date and time those of `transactionTime`.
pub fn check_biz_seq_no(biz: &str, transaction_time: &str) -> Check {
    if biz.len() != 32 || !biz.bytes().all(|b| b.is_ascii_digit()) {
        return fail("bizSeqNo 32 digits", format!("{biz:?}"));
    }
    if transaction_time.len() != 14 {
        return fail("transactionTime of 14 digits", format!("{transaction_time:?}"));
    }
    let expected = (&transaction_time[2..8], "2000", &transaction_time[8..14]);
    if (&biz[..6], &biz[6..10], &biz[18..24]) != expected {
        return fail(
            format!("bizSeqNo {}2000________{}________ (the transactionTime's date and time)", expected.0, expected.2),
            format!("{biz:?}"),
        );
    }
    Ok(())
}

async fn biz_seq_no(ctx: &Ctx) -> Check {
    let v = business_answer(ctx).await?;
    check_biz_seq_no(str_field(&v, "bizSeqNo")?, str_field(&v, "transactionTime")?)
}

/// `{"code","msg":"不合法的请求:…","transactionTime","success":false}`: no bizSeqNo, no result.
async fn gateway_error(ctx: &Ctx) -> Check {
    let v = ctx.expect_code(&ctx.send(Call::post_json(OCR, "{}")).await?, &catalog::BAD_REQUEST)?;
    let msg = str_field(&v, "msg")?;
    if !msg.starts_with(catalog::BAD_REQUEST.msg) {
        return fail(format!("msg starting {:?}", catalog::BAD_REQUEST.msg), format!("{msg:?}"));
    }
    str_field(&v, "transactionTime")?;
    if v.get("success") != Some(&Value::Bool(false)) {
        return fail("a top-level success false", format!("{:?}", v.get("success")));
    }
    absent(&v, &["bizSeqNo", "result"])
}

/// `{"code","msg","bizSeqNo","transactionTime"}`: no result.
async fn business_error(ctx: &Ctx) -> Check {
    let v = business_answer(ctx).await?;
    check_biz_seq_no(str_field(&v, "bizSeqNo")?, str_field(&v, "transactionTime")?)?;
    absent(&v, &["result"])
}

fn absent(v: &Value, keys: &[&str]) -> Check {
    match keys.iter().find(|k| v.get(**k).is_some()) {
        Some(k) => fail(format!("no `{k}` field"), format!("{k}: {}", v[*k])),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn biz_seq_no_carries_the_transaction_time() {
        assert_eq!(check_biz_seq_no("21062120001184493117265207455389", "20210621172652"), Ok(()));
        assert!(check_biz_seq_no("21062120001184493117265307455389", "20210621172652").is_err());
        assert!(check_biz_seq_no("2106212000118449311726520745538", "20210621172652").is_err());
    }
}
