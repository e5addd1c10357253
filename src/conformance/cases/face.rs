//! face: the face verification's server calls (docs/protocol.md §12, PROTOCOL-FACE.md §4–§6) —
//! geth5faceid's and getfaceid's success shapes and 32-character ids, a refused bad sign (the code
//! is a guess for these endpoints), the login URL refused on reuse with a page saying 签名不合法 (the
//! page's status and markup are a guess), and queryfacerecord after an outcome chosen in advance
//! (`POST /__admin/apps/{id}/face/queue`, the mock's admin API, so skipped against other targets),
//! with the redirect's `newSignature` checked by the suite's own signer. The report's
//! ledger records what a real service answered to each guess.

use super::Case;
use crate::client::Call;
use crate::conformance::context::{business_json, encode, fail, str_field, Check, Ctx, Stop};
use crate::conformance::signer;
use crate::protocol::catalog;
use serde_json::{json, Value};

const H5: &str = "/api/server/h5/geth5faceid";
const SDK: &str = "/api/server/getfaceid";
const LOGIN: &str = "/api/web/login";
const QUERY: &str = "/api/v2/base/queryfacerecord";
/// What the login page of a refused URL says (doc Q-H5-LOGIN).
const BAD_SIGN_PAGE: &str = "签名不合法";
/// A generated person: the suite's own, never a real one.
const NAME: &str = "测试";
const ID_NO: &str = "110101199003070011";

/// The keys of the doc example's `result` (Q-H5-ID, Q-SDK-FACEID), without the id's own key.
const ID_FIELDS: &[&str] = &["bizSeqNo", "transactionTime", "orderNo", "success"];

pub fn cases() -> Vec<Case> {
    vec![
        case!("geth5faceid-shape", h5_shape),
        case!("getfaceid-shape", sdk_shape),
        case!("bad-sign", bad_sign),
        case!("login-refused-on-reuse", login_reuse),
        case!("query-after-outcome-chosen", query_after_outcome, mock_admin),
    ]
}

/// A geth5faceid body signed by FV-1 (wbappid, orderNo, name, idNo, userId, version + SIGN).
fn h5_body(ctx: &Ctx, order: &str, user: &str) -> Value {
    let sign = ctx.sign(&[&ctx.app_id, order, NAME, ID_NO, user, "1.0.0"]);
    json!({"webankAppId": ctx.app_id, "orderNo": order, "name": NAME, "idNo": ID_NO, "userId": user,
           "version": "1.0.0", "sign": sign})
}

/// geth5faceid for `order`; the `result` object.
async fn h5faceid(ctx: &Ctx, order: &str, user: &str) -> Result<Value, Stop> {
    let call = Call::post_json(H5, h5_body(ctx, order, user).to_string());
    let v = ctx.expect_code(&ctx.send(call).await?, &catalog::SUCCESS)?;
    result_with_id(&v, "h5faceId")
}

/// `result` with the doc's fields and a 32-character string id under `key`.
fn result_with_id(v: &Value, key: &str) -> Result<Value, Stop> {
    let Some(r @ Value::Object(m)) = v.get("result") else { return fail("a `result` object", v) };
    let missing: Vec<&&str> = ID_FIELDS.iter().filter(|k| !m.contains_key(**k)).collect();
    if !missing.is_empty() {
        return fail(format!("the doc's result fields {ID_FIELDS:?} and {key}"), format!("{missing:?} missing"));
    }
    let id = str_field(r, key)?;
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return fail(format!("{key} of 32 letters and digits (doc example)"), format!("{id:?}"));
    }
    Ok(r.clone())
}

async fn h5_shape(ctx: &Ctx) -> Check {
    let r = h5faceid(ctx, &ctx.order_no("fh"), "cfuser1").await?;
    if r["success"] != json!(false) {
        return fail("result.success false (doc example)", &r["success"]);
    }
    str_field(&r, "optimalDomain").map(drop)
}

async fn sdk_shape(ctx: &Ctx) -> Check {
    let (order, nonce, user) = (ctx.order_no("fs"), ctx.nonce(), "cfuser2");
    let body = json!({"webankAppId": ctx.app_id, "orderNo": order, "name": NAME, "idNo": ID_NO, "userId": user,
                      "version": "1.0.0", "nonce": nonce, "sign": ctx.sign(&[&ctx.app_id, user, "1.0.0", &nonce])});
    let v = ctx.expect_code(&ctx.send(Call::post_json(SDK, body.to_string())).await?, &catalog::SUCCESS)?;
    let r = result_with_id(&v, "faceId")?;
    if r["orderNo"] != json!(order) {
        return fail(format!("result.orderNo {order:?}"), &r["orderNo"]);
    }
    Ok(())
}

async fn bad_sign(ctx: &Ctx) -> Check {
    let mut b = h5_body(ctx, &ctx.order_no("fb"), "cfuser3");
    b["sign"] = json!("0".repeat(40));
    let answer = ctx.send(Call::post_json(H5, b.to_string())).await?;
    ctx.expect_guessed_code(&answer, &catalog::AUTH_FAILED).map(drop)
}

/// The login URL's path and query for `id`, signed by FV-2 with a fresh NONCE ticket of `user`.
async fn login_target(ctx: &Ctx, order: &str, user: &str, id: &str) -> Result<String, Stop> {
    let v = business_json(&ctx.ticket_answer("NONCE", Some(user)).await?)?;
    let Some(ticket) = v["tickets"][0]["value"].as_str() else { return fail("a NONCE ticket", v) };
    let nonce = ctx.nonce();
    let sign = signer::sign(&[&ctx.app_id, user, order, "1.0.0", id, &nonce], ticket);
    Ok(format!(
        "{LOGIN}?webankAppId={}&version=1.0.0&nonce={nonce}&orderNo={order}&h5faceId={id}&url={}&resultType=1&from=browser&userId={user}&sign={sign}",
        encode(&ctx.app_id),
        encode("https://partner.example/cb")
    ))
}

/// The login page is served on `optimalDomain`; the suite follows it only when that is the target.
fn same_host(ctx: &Ctx, r: &Value) -> Check {
    let domain = r["optimalDomain"].as_str().unwrap_or_default();
    if domain.is_empty() || domain == ctx.base.authority() || domain == ctx.base.host {
        return Ok(());
    }
    Err(Stop::Skip(format!("the login page is on optimalDomain {domain}, not the target's host")))
}

async fn login_reuse(ctx: &Ctx) -> Check {
    let (order, user) = (ctx.order_no("fl"), "cfuser4");
    let r = h5faceid(ctx, &order, user).await?;
    same_host(ctx, &r)?;
    let target = login_target(ctx, &order, user, str_field(&r, "h5faceId")?).await?;
    let first = ctx.get(target.clone()).await?;
    if String::from_utf8_lossy(&first.body).contains(BAD_SIGN_PAGE) || first.status.as_u16() >= 400 {
        return fail("the first login to open the face page", format!("HTTP {} refusing it", first.status.as_u16()));
    }
    let again = ctx.get(target).await?;
    let said = String::from_utf8_lossy(&again.body).contains(BAD_SIGN_PAGE);
    ctx.record_page(&catalog::AUTH_FAILED, &again, BAD_SIGN_PAGE, said);
    if !said {
        return fail(
            format!("a page saying {BAD_SIGN_PAGE} on the URL's second use"),
            format!("HTTP {}", again.status.as_u16()),
        );
    }
    Ok(())
}

/// The SIGN tickets `newSignature` may be signed with (PROTOCOL-FACE.md §13.4): the suite's, and
/// the one the token flow hands out now.
async fn sign_tickets(ctx: &Ctx) -> Vec<String> {
    let mut tickets = vec![ctx.ticket.clone()];
    if let Ok(v) = ctx.ticket_answer("SIGN", None).await.and_then(|a| business_json(&a)) {
        tickets.extend(v["tickets"][0]["value"].as_str().map(str::to_string));
    }
    tickets
}

async fn query_after_outcome(ctx: &Ctx) -> Check {
    let (order, user) = (ctx.order_no("fq"), "cfuser5");
    let queue = format!("/__admin/apps/{}/face/queue", encode(&ctx.app_id));
    let queued = ctx.send(Call::post_json(&queue, json!({"scenarios": ["face-pass"]}).to_string())).await?;
    if queued.status.as_u16() != 200 {
        return fail(format!("200 from POST {queue}"), queued.status.as_u16());
    }
    let r = h5faceid(ctx, &order, user).await?;
    let target = login_target(ctx, &order, user, str_field(&r, "h5faceId")?).await?;
    let tickets = sign_tickets(ctx).await;
    let login = ctx.get(target).await?;
    let to = login.header("location").unwrap_or_default().to_string();
    let signed = |t: &String| to.contains(&format!("newSignature={}", signer::sign(&[&ctx.app_id, &order, "0"], t)));
    if login.status.as_u16() != 302 || !to.contains("code=0") || !tickets.iter().any(signed) {
        let page = crate::redact::clip(&String::from_utf8_lossy(&login.body)).to_string();
        let got = format!("{} {to}{}", login.status.as_u16(), if to.is_empty() { page } else { String::new() });
        return fail("a 302 to the partner with code=0 and newSignature by FV-3", got);
    }
    let nonce = ctx.nonce();
    let body = json!({"appId": ctx.app_id, "version": "1.0.0", "nonce": nonce, "orderNo": order, "getFile": "0",
                      "sign": ctx.sign(&[&ctx.app_id, &order, "1.0.0", &nonce])});
    let v = ctx.expect_code(&ctx.send(Call::post_json(QUERY, body.to_string())).await?, &catalog::SUCCESS)?;
    let r = &v["result"];
    if r["orderNo"] != json!(order) || r.get("liveRate").is_none_or(|l| !l.is_string()) {
        return fail("result with the orderNo and a string liveRate", r);
    }
    Ok(())
}
