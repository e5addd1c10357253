//! isolation: apps made at run time keep their state apart (issue #16). idocr-mock's own
//! `/__admin/apps` API, so skipped against any other target.

use super::Case;
use crate::client::Call;
use crate::conformance::context::{fail, str_field, Check, Ctx, Stop};
use crate::conformance::signer;
use crate::protocol::Side;
use hyper::Method;
use serde_json::{json, Value};

pub fn cases() -> Vec<Case> {
    vec![
        case!("apps-keep-scenario-and-journal-apart", apart, mock_admin),
        case!("unknown-app-admin-404-lists-apps", unknown_app, mock_admin),
    ]
}

async fn admin(ctx: &Ctx, method: Method, path: &str, body: Value) -> Result<(u16, Value), Stop> {
    let answer = ctx.send(Call { method, ..Call::post_json(path, body.to_string()) }).await?;
    let status = answer.status.as_u16();
    let v = if path.ends_with("/count") {
        json!(String::from_utf8_lossy(&answer.body).trim().parse::<u64>().unwrap_or(u64::MAX))
    } else {
        answer.json().map_err(Stop::Fail)?
    };
    Ok((status, v))
}

/// Makes an app; returns its id and SIGN ticket.
async fn make(ctx: &Ctx, body: Value) -> Result<(String, String), Stop> {
    let (status, v) = admin(ctx, Method::POST, "/__admin/apps", body).await?;
    if status != 201 {
        return fail("201 from POST /__admin/apps", format!("{status} {v}"));
    }
    Ok((str_field(&v, "id")?.to_string(), v["sign_tickets"][0].as_str().unwrap_or_default().to_string()))
}

/// One OCR call of `app` signed with `ticket`: its code.
async fn ocr(ctx: &Ctx, app: &str, ticket: &str, order: &str) -> Result<String, Stop> {
    let nonce = ctx.nonce();
    let body = json!({
        "webankAppId": app, "version": "1.0.0", "nonce": nonce, "orderNo": order, "cardType": "0",
        "idcardStr": ctx.image(Side::Front)?, "sign": signer::sign(&[app, order, &nonce, "1.0.0"], ticket),
    });
    let v = ctx.ocr(&body).await?.json().map_err(Stop::Fail)?;
    Ok(str_field(&v, "code")?.to_string())
}

async fn apart(ctx: &Ctx) -> Check {
    let (busy, busy_ticket) = make(ctx, json!({"scenario": "server-busy", "ttl_seconds": 300})).await?;
    let (plain, plain_ticket) = make(ctx, json!({"ttl_seconds": 300})).await?;
    let order = ctx.order_no("is");
    let codes = (ocr(ctx, &busy, &busy_ticket, &order).await?, ocr(ctx, &plain, &plain_ticket, &order).await?);
    let counts = (
        admin(ctx, Method::GET, &format!("/__admin/apps/{busy}/requests/count"), json!(null)).await?.1,
        admin(ctx, Method::GET, &format!("/__admin/apps/{plain}/requests/count?code=0"), json!(null)).await?.1,
    );
    let busy_orders = admin(ctx, Method::GET, &format!("/__admin/apps/{busy}/orders"), json!(null)).await?.1;
    for app in [&busy, &plain] {
        admin(ctx, Method::DELETE, &format!("/__admin/apps/{app}"), json!(null)).await?;
    }
    if codes != ("999999".to_string(), "0".to_string()) {
        return fail("999999 for the app whose default is server-busy, 0 for the other", format!("{codes:?}"));
    }
    if counts != (json!(1), json!(1)) || busy_orders["total"] != json!(0) {
        return fail(
            "one journal entry each and no order for the busy app",
            format!("{counts:?}, {}", busy_orders["total"]),
        );
    }
    Ok(())
}

async fn unknown_app(ctx: &Ctx) -> Check {
    let (status, v) = admin(ctx, Method::GET, "/__admin/apps/NOSUCHAPP0/requests", json!(null)).await?;
    if status != 404 || !v["apps"].as_array().is_some_and(|a| a.iter().any(|x| x == &json!(ctx.app_id))) {
        return fail(format!("404 listing the apps ({} among them)", ctx.app_id), format!("{status} {v}"));
    }
    Ok(())
}
