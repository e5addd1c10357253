//! recognition: the success bodies of docs/protocol.md §5 — front and back shapes, every result value
//! a string but `success`, which is `false`, and an identity as coherent as a real card's
//! (GB 11643 check digit, birth = digits 7–14, sex = parity of digit 17). Checked here with code of
//! its own, not the mock's identity module.

use super::Case;
use crate::conformance::context::{fail, str_field, Check, Ctx, Stop};
use crate::protocol::catalog;
use crate::protocol::Side;
use serde_json::Value;

pub const FRONT_FIELDS: &[&str] = &[
    "bizSeqNo",
    "transactionTime",
    "ocrId",
    "orderNo",
    "name",
    "sex",
    "nation",
    "birth",
    "address",
    "idcard",
    "warning",
    "sign",
    "clarity",
    "multiWarning",
    "retry",
    "success",
];
pub const BACK_FIELDS: &[&str] = &[
    "bizSeqNo",
    "transactionTime",
    "ocrId",
    "orderNo",
    "validDate",
    "authority",
    "warning",
    "sign",
    "clarity",
    "multiWarning",
    "retry",
    "success",
];

pub fn cases() -> Vec<Case> {
    vec![
        case!("front-shape", front_shape),
        case!("back-shape", back_shape),
        case!("result-values-are-strings", values_are_strings),
        case!("identity-coherent", identity_coherent),
    ]
}

/// Recognises one side and returns `result`, after the envelope checks.
pub async fn recognise(ctx: &Ctx, side: Side, order: &str) -> Result<Value, Stop> {
    let image = ctx.image(side)?.to_string();
    let answer = ctx.ocr(&ctx.signed_body(order, side, &image)).await?;
    let v = ctx.expect_code(&answer, &catalog::SUCCESS)?;
    match v.get("result") {
        Some(r @ Value::Object(_)) => Ok(r.clone()),
        Some(other) => fail("`result` an object", other),
        None => fail("a `result` object in a success (code \"0\")", "none"),
    }
}

/// Every field of `fields` present; the other side's fields absent.
pub fn check_shape(result: &Value, fields: &[&str], absent: &[&str]) -> Check {
    let missing: Vec<&str> = fields.iter().copied().filter(|f| result.get(f).is_none()).collect();
    if !missing.is_empty() {
        return fail(format!("result fields {fields:?}"), format!("{missing:?} missing"));
    }
    let extra: Vec<&str> = absent.iter().copied().filter(|f| !fields.contains(f) && result.get(f).is_some()).collect();
    if !extra.is_empty() {
        return fail("none of the other side's fields", format!("{extra:?}"));
    }
    Ok(())
}

async fn front_shape(ctx: &Ctx) -> Check {
    let result = recognise(ctx, Side::Front, &ctx.order_no("fs")).await?;
    check_shape(&result, FRONT_FIELDS, BACK_FIELDS)
}

async fn back_shape(ctx: &Ctx) -> Check {
    let result = recognise(ctx, Side::Back, &ctx.order_no("bs")).await?;
    check_shape(&result, BACK_FIELDS, FRONT_FIELDS)?;
    let valid = str_field(&result, "validDate")?;
    let ok = valid.len() >= 17
        && valid.as_bytes()[8] == b'-'
        && valid[..8].bytes().all(|b| b.is_ascii_digit())
        && (valid[9..] == *"长期" || (valid.len() == 17 && valid[9..].bytes().all(|b| b.is_ascii_digit())));
    if ok {
        Ok(())
    } else {
        fail("validDate yyyyMMdd-yyyyMMdd or yyyyMMdd-长期", format!("{valid:?}"))
    }
}

/// Every value inside `result` is a string, except `success`, the boolean `false`.
pub fn check_strings(result: &Value) -> Check {
    let Some(map) = result.as_object() else { return fail("`result` an object", result) };
    for (k, v) in map {
        match (k.as_str(), v) {
            ("success", Value::Bool(false)) => {}
            ("success", other) => return fail("result.success the boolean false", other),
            (_, Value::String(_)) => {}
            (k, other) => return fail(format!("result.{k} a string"), format!("{} {other}", type_of(other))),
        }
    }
    if map.contains_key("success") {
        Ok(())
    } else {
        fail("result.success false", "no success field")
    }
}

fn type_of(v: &Value) -> &'static str {
    crate::conformance::context::json_type(v)
}

async fn values_are_strings(ctx: &Ctx) -> Check {
    for side in [Side::Front, Side::Back] {
        check_strings(&recognise(ctx, side, &ctx.order_no("vs")).await?)?;
    }
    Ok(())
}

async fn identity_coherent(ctx: &Ctx) -> Check {
    let result = recognise(ctx, Side::Front, &ctx.order_no("ic")).await?;
    check_identity(&result)
}

/// GB 11643: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, remainder → `1 0 X 9 8 7 6 5 4 3 2`.
pub fn check_digit_ok(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const DIGITS: &[u8; 11] = b"10X98765432";
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    b[17].to_ascii_uppercase() == DIGITS[(sum % 11) as usize]
}

/// The number's check digit, birth and sex agree with the other fields.
pub fn check_identity(result: &Value) -> Check {
    let id = str_field(result, "idcard")?;
    if !check_digit_ok(id) {
        return fail("an 18-character idcard with a valid GB 11643 check digit", format!("{} characters", id.len()));
    }
    let birth = str_field(result, "birth")?;
    if birth != &id[6..14] {
        return fail("birth equal to digits 7–14 of idcard", format!("birth {birth:?}, digits {:?}", &id[6..14]));
    }
    let sex = str_field(result, "sex")?;
    let expected = if (id.as_bytes()[16] - b'0') % 2 == 1 { "男" } else { "女" };
    if sex != expected {
        return fail(format!("sex {expected} (parity of digit 17)"), format!("{sex:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_check_digit_follows_gb_11643() {
        assert!(check_digit_ok("11010519491231002X"));
        assert!(!check_digit_ok("110105194912310021"));
        assert!(!check_digit_ok("1101051949123100"));
    }

    #[test]
    fn a_birth_that_disagrees_with_the_number_fails() {
        let r = json!({"idcard": "11010519491231002X", "birth": "19491230", "sex": "女"});
        let Err(Stop::Fail(why)) = check_identity(&r) else { panic!("passed") };
        assert!(why.contains("digits 7–14"), "{why}");
    }

    #[test]
    fn a_numeric_clarity_fails_the_string_rule() {
        let Err(Stop::Fail(why)) = check_strings(&json!({"clarity": 64, "success": false})) else { panic!() };
        assert_eq!(why, "expected result.clarity a string, got number 64");
    }
}
