//! validation: one case per field rule of docs/protocol.md §5, each request wrong in that one field
//! and signed right, so the answer is about the rule.

use super::transport::not_an_image;
use super::Case;
use crate::client::Call;
use crate::conformance::context::{Check, Ctx, OCR};
use crate::protocol::catalog::{self, Code};
use crate::protocol::Side;
use serde_json::{json, Value};

pub fn cases() -> Vec<Case> {
    vec![
        case!("missing-field", missing_field),
        case!("bad-version", bad_version),
        case!("unknown-app", unknown_app),
        case!("short-nonce", short_nonce),
        case!("long-nonce", long_nonce),
        case!("long-order-no", long_order_no),
        case!("bad-card-type", bad_card_type),
        case!("over-cap-image", over_cap_image),
        case!("bad-base64", bad_base64),
        case!("not-an-image", not_image),
        case!("form-body", form_body),
    ]
}

/// A correctly signed body whose image is no image (the last check), to break one field of.
fn base(ctx: &Ctx, tag: &str) -> Value {
    ctx.signed_body(&ctx.order_no(tag), Side::Front, &not_an_image())
}

async fn expect(ctx: &Ctx, body: Value, entry: &'static Code) -> Check {
    ctx.expect_code(&ctx.ocr(&body).await?, entry).map(drop)
}

async fn missing_field(ctx: &Ctx) -> Check {
    let mut body = base(ctx, "mf");
    body.as_object_mut().map(|o| o.remove("nonce"));
    expect(ctx, body, &catalog::BAD_REQUEST).await
}

async fn bad_version(ctx: &Ctx) -> Check {
    let body = ctx.resigned(base(ctx, "bv"), "version", json!("2.0.0"));
    expect(ctx, body, &catalog::BAD_VERSION).await
}

async fn unknown_app(ctx: &Ctx) -> Check {
    let body = ctx.resigned(base(ctx, "ua"), "webankAppId", json!("IDOCRNOSUCHAPP"));
    expect(ctx, body, &catalog::NO_PERMISSION).await
}

async fn short_nonce(ctx: &Ctx) -> Check {
    let body = ctx.resigned(base(ctx, "sn"), "nonce", json!("abc123"));
    expect(ctx, body, &catalog::BAD_REQUEST).await
}

async fn long_nonce(ctx: &Ctx) -> Check {
    let nonce = format!("{}X", ctx.nonce());
    let body = ctx.resigned(base(ctx, "ln"), "nonce", json!(nonce));
    expect(ctx, body, &catalog::BAD_REQUEST).await
}

async fn long_order_no(ctx: &Ctx) -> Check {
    let body = ctx.resigned(base(ctx, "lo"), "orderNo", json!("9".repeat(33)));
    expect(ctx, body, &catalog::PARAM_TOO_LONG).await
}

async fn bad_card_type(ctx: &Ctx) -> Check {
    let body = ctx.resigned(base(ctx, "ct"), "cardType", json!("2"));
    expect(ctx, body, &catalog::BAD_REQUEST).await
}

/// 3.2 MB of valid Base64, past the documented 3145728-byte field length.
async fn over_cap_image(ctx: &Ctx) -> Check {
    let body = ctx.resigned(base(ctx, "oc"), "idcardStr", json!("A".repeat(3_200_000)));
    expect(ctx, body, &catalog::PARAM_TOO_LONG).await
}

async fn bad_base64(ctx: &Ctx) -> Check {
    let body = ctx.resigned(base(ctx, "bb"), "idcardStr", json!("@@@@ this is not base64 @@@@"));
    expect(ctx, body, &catalog::DECODE_FAILED).await
}

async fn not_image(ctx: &Ctx) -> Check {
    expect(ctx, base(ctx, "ni"), &catalog::BAD_FORMAT).await
}

/// A form-encoded body gets a JSON 400101 with HTTP 200, never an HTML page.
async fn form_body(ctx: &Ctx) -> Check {
    let body = format!("webankAppId={}&version=1.0.0&orderNo={}", ctx.app_id, ctx.order_no("fb"));
    let call = Call::post_json(OCR, body).header("content-type", "application/x-www-form-urlencoded");
    ctx.expect_code(&ctx.send(call).await?, &catalog::BAD_REQUEST).map(drop)
}
