//! transport: methods, content types and the 405 of docs/protocol.md §1.

use super::Case;
use crate::client::Call;
use crate::conformance::context::{business_json, fail, Check, Ctx, OCR};
use crate::protocol::catalog;
use crate::protocol::Side;

pub fn cases() -> Vec<Case> {
    vec![
        case!("get-is-405", get_is_405),
        case!("json-content-type", json_content_type),
        case!("json-without-charset", json_without_charset),
        case!("old-path-ocrapp", old_path),
    ]
}

/// A partner's health probe sends exactly this (client C1).
async fn get_is_405(ctx: &Ctx) -> Check {
    let answer = ctx.get(OCR).await?;
    match answer.status.as_u16() {
        405 => Ok(()),
        other => fail("HTTP 405 for GET /api/paas/idcardocrapp", format!("HTTP {other}")),
    }
}

/// Every vendor answer is `application/json;charset=UTF-8`.
async fn json_content_type(ctx: &Ctx) -> Check {
    let answer = ctx.send(Call::post_json(OCR, "{}")).await?;
    ctx.expect_code(&answer, &catalog::BAD_REQUEST)?;
    let ct = answer.header("content-type").unwrap_or("none");
    let normal = ct.to_ascii_lowercase().replace(' ', "");
    if normal == "application/json;charset=utf-8" {
        Ok(())
    } else {
        fail("Content-Type application/json;charset=UTF-8", ct)
    }
}

/// A body parsed under a bare `application/json` reaches the image check (the sign passed).
async fn json_without_charset(ctx: &Ctx) -> Check {
    let order = ctx.order_no("ct");
    let body = ctx.signed_body(&order, Side::Front, &not_an_image());
    let call = Call::post_json(OCR, body.to_string()).header("content-type", "application/json");
    ctx.expect_code(&ctx.send(call).await?, &catalog::BAD_FORMAT).map(drop)
}

/// `/api/paas/ocrapp`, the oldest name, behaves the same.
async fn old_path(ctx: &Ctx) -> Check {
    let order = ctx.order_no("old");
    let body = ctx.signed_body(&order, Side::Front, &not_an_image());
    let answer = ctx.send(Call::post_json("/api/paas/ocrapp", body.to_string())).await?;
    business_json(&answer)?;
    ctx.expect_code(&answer, &catalog::BAD_FORMAT).map(drop)
}

/// Valid Base64 of bytes that are no image.
pub fn not_an_image() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b"idocr-mock conformance: this is text, not an image\n")
}
