//! orders: `GET /api/server/getOcrResult` (docs/protocol.md §6) — a front and a back call with one
//! `orderNo` fill one record, and an unknown order is `66660020`.

use super::recognition::{check_strings, recognise};
use super::Case;
use crate::conformance::context::{encode, fail, str_field, Check, Ctx};
use crate::protocol::catalog;
use crate::protocol::Side;

pub fn cases() -> Vec<Case> {
    vec![case!("unknown-order", unknown_order), case!("front-and-back-aggregated", aggregated)]
}

/// The signed query of getOcrResult: app_id, order_no, nonce, version + the SIGN ticket.
fn query(ctx: &Ctx, order: &str) -> String {
    let nonce = ctx.nonce();
    let sign = ctx.sign(&[&ctx.app_id, order, &nonce, "1.0.0"]);
    format!(
        "/api/server/getOcrResult?app_id={}&order_no={order}&nonce={nonce}&version=1.0.0&sign={sign}",
        encode(&ctx.app_id)
    )
}

async fn unknown_order(ctx: &Ctx) -> Check {
    let answer = ctx.get(query(ctx, &ctx.order_no("uo"))).await?;
    ctx.expect_code(&answer, &catalog::ORDER_NOT_FOUND).map(drop)
}

async fn aggregated(ctx: &Ctx) -> Check {
    let order = ctx.order_no("ag");
    let front = recognise(ctx, Side::Front, &order).await?;
    let back = recognise(ctx, Side::Back, &order).await?;
    let v = ctx.expect_code(&ctx.get(query(ctx, &order)).await?, &catalog::SUCCESS)?;
    let Some(result) = v.get("result") else { return fail("a `result` in getOcrResult's success", "none") };
    check_strings(result)?;
    for code in ["frontCode", "backCode"] {
        let got = str_field(result, code)?;
        if got != "0" {
            return fail(format!("{code} \"0\" (both sides recognised)"), format!("{got:?}"));
        }
    }
    if str_field(result, "orderNo")? != order {
        return fail(format!("orderNo {order:?}"), format!("{:?}", result["orderNo"]));
    }
    for (side, fields) in [(&front, ["name", "idcard"]), (&back, ["validDate", "authority"])] {
        for f in fields {
            if result.get(f) != side.get(f) {
                return fail(format!("{f} as the {f} call returned it"), format!("{:?}", result.get(f)));
            }
        }
    }
    let at = str_field(result, "operateTime")?;
    match chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S") {
        Ok(_) => Ok(()),
        Err(_) => fail("operateTime yyyy-MM-dd HH:mm:ss", format!("{at:?}")),
    }
}
