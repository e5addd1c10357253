//! signing: the rule of docs/protocol.md §3 as the target enforces it. A wrong sign, a sign made with a
//! ticket the app does not have, and a sign over the wrong value set are refused; a lower-case sign
//! is accepted (the docs: "不区分大小写").

use super::transport::not_an_image;
use super::Case;
use crate::conformance::context::{Check, Ctx};
use crate::protocol::catalog;
use crate::protocol::Side;
use serde_json::{json, Value};

pub fn cases() -> Vec<Case> {
    vec![
        case!("wrong-sign-refused", wrong_sign),
        case!("lower-case-sign-accepted", lower_case),
        case!("unknown-ticket-refused", unknown_ticket),
        case!("wrong-value-set-refused", wrong_value_set),
    ]
}

/// A body that passes every check when signed right: the user's front image when there is one,
/// else bytes that are no image (the answer is then about the image, which means the sign passed).
fn probe(ctx: &Ctx, tag: &str) -> (Value, &'static catalog::Code) {
    let order = ctx.order_no(tag);
    match ctx.image(Side::Front) {
        Ok(image) => (ctx.signed_body(&order, Side::Front, image), &catalog::SUCCESS),
        Err(_) => (ctx.signed_body(&order, Side::Front, &not_an_image()), &catalog::BAD_FORMAT),
    }
}

async fn wrong_sign(ctx: &Ctx) -> Check {
    let (mut body, _) = probe(ctx, "ws");
    let sign = body["sign"].as_str().unwrap_or_default();
    // One hex digit changed: the shape is right, the value is not.
    let flipped: String = sign
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                if c == '0' {
                    '1'
                } else {
                    '0'
                }
            } else {
                c
            }
        })
        .collect();
    body["sign"] = json!(flipped);
    ctx.expect_code(&ctx.ocr(&body).await?, &catalog::AUTH_FAILED).map(drop)
}

async fn lower_case(ctx: &Ctx) -> Check {
    let (mut body, accepted) = probe(ctx, "lc");
    body["sign"] = json!(body["sign"].as_str().unwrap_or_default().to_lowercase());
    ctx.expect_code(&ctx.ocr(&body).await?, accepted).map(drop)
}

async fn unknown_ticket(ctx: &Ctx) -> Check {
    let (mut body, _) = probe(ctx, "ut");
    let s = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    let values = [s("webankAppId"), s("orderNo"), s("nonce"), s("version")];
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    let foreign = "idocrMockConformanceTicketNoAppHas0000000000000000000000000000000";
    body["sign"] = json!(crate::conformance::signer::sign(&values, foreign));
    ctx.expect_code(&ctx.ocr(&body).await?, &catalog::AUTH_FAILED).map(drop)
}

/// Signed over app id, orderNo and nonce, without `version`: the commonest partner bug.
async fn wrong_value_set(ctx: &Ctx) -> Check {
    let (mut body, _) = probe(ctx, "vs");
    let s = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    let (app, order, nonce) = (s("webankAppId"), s("orderNo"), s("nonce"));
    body["sign"] = json!(ctx.sign(&[&app, &order, &nonce]));
    ctx.expect_code(&ctx.ocr(&body).await?, &catalog::AUTH_FAILED).map(drop)
}
