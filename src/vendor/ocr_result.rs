//! `GET /api/server/getOcrResult` (docs/protocol.md §6): the stored result of an order, both sides in
//! one `result`, and with `get_file=1` the uploaded images, Base64 of exactly the bytes received.
//! Checked in the OCR endpoint's style: required → version → app → nonce, order_no → sign → order.

use crate::config::SignCheck;
use crate::journal::parse_query;
use crate::orders::{Order, SideRecord};
use crate::protocol::sign::{self, Verdict};
use crate::protocol::{catalog, fields};
use crate::protocol::{Refusal, Side};
use crate::reply::{self, Handled, Note};
use crate::state::State;
use crate::vendor::ocr;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hyper::http::request::Parts;
use hyper::StatusCode;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

/// The query of a well-formed call.
struct Query {
    app_id_name: &'static str,
    app_id: String,
    order_no: String,
    nonce: String,
    version: String,
    sign: String,
    get_file: bool,
    get_native: bool,
}

/// Answers one `getOcrResult` call.
pub fn handle(state: &State, head: &Parts) -> Handled {
    let mut note = Note::default();
    match answer(state, head, &mut note) {
        Ok(reply) => Handled::reply(reply, note),
        Err(refusal) => Handled::reply(ocr::refuse(state, &refusal, &mut note), note),
    }
}

fn bad(detail: impl Into<String>) -> Refusal {
    Refusal { code: &catalog::BAD_REQUEST, detail: detail.into() }
}

fn parse(query: &str) -> Result<Query, Refusal> {
    let pairs = parse_query(query);
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let need =
        |name: &str| get(name).filter(|v| !v.is_empty()).ok_or_else(|| bad(format!("Missing parameter '{name}'")));
    let (app_id_name, app_id) = ["app_id", "webankAppId", "appId"]
        .into_iter()
        .find_map(|n| get(n).map(|v| (n, v)))
        .ok_or_else(|| bad("Missing parameter 'app_id'"))?;
    if app_id.is_empty() {
        return Err(bad(format!("Missing parameter '{app_id_name}'")));
    }
    Ok(Query {
        app_id_name,
        app_id,
        order_no: need("order_no")?,
        nonce: need("nonce")?,
        version: need("version")?,
        sign: need("sign")?,
        get_file: get("get_file").is_some_and(|v| v == "1"),
        get_native: get("get_native").is_some_and(|v| v == "1"),
    })
}

fn answer(state: &State, head: &Parts, note: &mut Note) -> Result<reply::Reply, Refusal> {
    let q = parse(head.uri.query().unwrap_or(""))?;
    note.order_no = Some(q.order_no.clone());
    note.app_id = Some(q.app_id.clone());
    fields::check_version(&q.version)?;
    let app = state.known_app(&q.app_id)?;
    fields::check_nonce(&q.nonce)?;
    if !q.order_no.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad("order_no must contain only letters and digits"));
    }
    verify_sign(state, app, &q)?;
    let order = state.orders().get(&q.app_id, &q.order_no).ok_or_else(|| Refusal {
        code: &catalog::ORDER_NOT_FOUND,
        detail: format!(
            "no OCR call of app {} with orderNo {} is stored (unknown, evicted, or reset)",
            q.app_id, q.order_no
        ),
    })?;
    note.code = Some(catalog::SUCCESS.code);
    Ok(reply::json(StatusCode::OK, render(state, &order, &q)))
}

fn verify_sign(state: &State, app: &crate::config::App, q: &Query) -> Result<(), Refusal> {
    if state.config().sign_check == SignCheck::Off {
        return Ok(());
    }
    let candidates = state.sign_candidates(app);
    let signed = sign::signed::ocr_result(q.app_id_name, &q.app_id, &q.order_no, &q.nonce, &q.version);
    match sign::verify(&signed, &[], &q.sign, &candidates, state.config().sign_case) {
        Verdict::Valid { .. } => Ok(()),
        Verdict::Refused(diagnosis) => Err(Refusal { code: &catalog::AUTH_FAILED, detail: diagnosis.to_string() }),
    }
}

/// The success body: per-side code, warnings and clarity, the card fields of both sides.
fn render(state: &State, order: &Order, q: &Query) -> Vec<u8> {
    let stamp = state.stamp();
    let mut r = Map::new();
    for (side, prefix) in [(Side::Front, "front"), (Side::Back, "back")] {
        let s = order.side(side);
        let text = |f: fn(&SideRecord) -> &str| Value::String(s.map(f).unwrap_or("").to_string());
        r.insert(format!("{prefix}Code"), text(|s| &s.code));
        r.insert(format!("{prefix}WarnCode"), text(|s| &s.warning));
        r.insert(format!("{prefix}MultiWarning"), text(|s| &s.multi_warning));
        r.insert(format!("{prefix}Clarity"), text(|s| &s.clarity));
    }
    r.insert("orderNo".into(), json!(order.order_no));
    let front_keys = ["name", "sex", "nation", "birth", "address", "idcard"];
    let (front, back) =
        (order.front.as_ref().map(|s| s.fields.to_map()), order.back.as_ref().map(|s| s.fields.to_map()));
    let fields = |s: Option<&Map<String, Value>>, k: &str| s.and_then(|m| m.get(k).cloned()).unwrap_or(json!(""));
    for k in front_keys {
        r.insert(k.into(), fields(front.as_ref(), k));
    }
    if q.get_native {
        r.insert("nativePlace".into(), fields(front.as_ref(), "nativePlace"));
    }
    for k in ["validDate", "authority"] {
        r.insert(k.into(), fields(back.as_ref(), k));
    }
    r.insert("operateTime".into(), json!(crate::clock::dashed(order.updated())));
    r.insert("bizSeqNo".into(), json!(stamp.biz_seq_no));
    r.insert("transactionTime".into(), json!(stamp.transaction_time));
    r.insert("success".into(), json!(false));
    let mut result = serde_json::to_string(&r).expect("serialising JSON values cannot fail");
    if q.get_file {
        result.pop();
        for (key, b64) in files(order) {
            let _ = write!(result, ",\"{key}\":\"{b64}\"");
        }
        result.push('}');
    }
    let head = json!({"code": catalog::SUCCESS.code, "msg": catalog::SUCCESS.msg, "bizSeqNo": stamp.biz_seq_no});
    let mut body = head.to_string();
    body.pop();
    let _ = write!(body, ",\"result\":{result},\"transactionTime\":\"{}\"}}", stamp.transaction_time);
    body.into_bytes()
}

/// `frontPhoto`/`backPhoto` (Base64 of the bytes received), the crops and the head picture.
/// Written into the body by hand: Base64 needs no JSON escaping, and serde_json's escaping loop
/// over megabytes of it is slow in the debug builds most CI jobs run.
fn files(order: &Order) -> [(&'static str, String); 5] {
    let photo = |s: Option<&SideRecord>| s.map(|s| STANDARD.encode(&s.image)).unwrap_or_default();
    [
        ("frontPhoto", photo(order.front.as_ref())),
        ("backPhoto", photo(order.back.as_ref())),
        ("frontCrop", String::new()),
        ("backCrop", String::new()),
        ("headPhoto", head_photo(order)),
    ]
}

/// A generated placeholder portrait (the mock has no face to crop): the front picture with a
/// `head` marker, when a front was recognised.
fn head_photo(order: &Order) -> String {
    match &order.front {
        Some(f) if f.code == catalog::SUCCESS.code => {
            STANDARD.encode(crate::image::picture::card_png(Side::Front, Some("head")))
        }
        _ => String::new(),
    }
}
