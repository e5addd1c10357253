//! `GET /api/server/getOcrResult` (docs/protocol.md §6): the stored result of an order, both sides in
//! one `result`, and with `get_file=1` the uploaded images, Base64 of exactly the bytes received.
//! Checked in the OCR endpoint's style: required → version → app → nonce, order_no → sign → order.
//! The query, its checks and the lookup are the bank card's too ([`lookup`], used by
//! `vendor::bank_result` for `getBankCardOcrResult`): one lookup over the document kind.

use crate::apps::AppState;
use crate::config::SignCheck;
use crate::journal::parse_query;
use crate::orders::{Order, SideRecord};
use crate::protocol::envelope::Success;
use crate::protocol::sign::{self, Verdict};
use crate::protocol::{catalog, fields};
use crate::protocol::{Document, Refusal, Side};
use crate::reply::{self, Handled, Note};
use crate::state::State;
use crate::vendor::ocr;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hyper::http::request::Parts;
use hyper::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

/// What a result call found: the stored order, the checked query and the app (whose clock stamps
/// the answer).
pub(crate) struct Found {
    pub(crate) order: Order,
    pub(crate) query: Query,
    pub(crate) app: Arc<AppState>,
}

/// The query of a well-formed call.
pub(crate) struct Query {
    app_id_name: &'static str,
    app_id: String,
    order_no: String,
    nonce: String,
    version: String,
    sign: String,
    pub(crate) get_file: bool,
    get_native: bool,
}

/// Answers one `getOcrResult` call.
pub(crate) fn handle(state: &State, head: &Parts) -> Handled {
    let mut note = Note::default();
    let answer = lookup(state, head, Document::IdCard, &mut note).map(|found| {
        note.code = Some(catalog::SUCCESS.code);
        reply::json(StatusCode::OK, render(state, &found.app, &found.order, &found.query))
    });
    match answer {
        Ok(reply) => Handled::reply(reply, note),
        Err(refusal) => {
            // Refused after the app was found (sign, order): the answer is stamped on its clock.
            let app = note.app.as_deref().and_then(|id| state.app(id));
            Handled::reply(ocr::refuse_for(state, app.as_deref(), &refusal, &mut note), note)
        }
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

/// The checked query of a result call and the stored order holding a result of `document`.
///
/// # Errors
/// The first rule the query breaks, a refused sign, or `66660020` for an order with no result of
/// that card.
pub(crate) fn lookup(state: &State, head: &Parts, document: Document, note: &mut Note) -> Result<Found, Refusal> {
    let q = parse(head.uri.query().unwrap_or(""))?;
    note.order_no = Some(q.order_no.clone());
    note.app_id = Some(q.app_id.clone());
    fields::check_version(&q.version)?;
    let app = state.known_app(&q.app_id)?;
    app.note(note);
    fields::check_nonce(&q.nonce)?;
    if !q.order_no.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad("order_no must contain only letters and digits"));
    }
    verify_sign(state, &app, &q, document)?;
    let order = state.orders().get(&q.app_id, &q.order_no).filter(|o| o.has(document)).ok_or_else(|| Refusal {
        code: &catalog::ORDER_NOT_FOUND,
        detail: format!(
            "no {} call of app {} with orderNo {} is stored (unknown, evicted, reset, or only a call of the other card has this number)",
            document.endpoint(),
            q.app_id,
            q.order_no
        ),
    })?;
    Ok(Found { order, query: q, app })
}

fn verify_sign(state: &State, app: &AppState, q: &Query, document: Document) -> Result<(), Refusal> {
    if state.config().sign_check == SignCheck::Off {
        return Ok(());
    }
    let candidates = state.sign_candidates(app);
    let signed = sign::signed::ocr_result(q.app_id_name, &q.app_id, &q.order_no, &q.nonce, &q.version);
    match sign::verify(&signed, &[], &q.sign, &candidates, state.config().sign_case) {
        Verdict::Valid { .. } => Ok(()),
        Verdict::Refused(diagnosis) => {
            let endpoint = match document {
                Document::IdCard => "getOcrResult",
                Document::BankCard => "getBankCardOcrResult",
            };
            let rule = ocr::rule_tried(endpoint, &signed);
            Err(Refusal { code: &catalog::AUTH_FAILED, detail: format!("{diagnosis}; {rule}") })
        }
    }
}

/// The `result` of a success, in the order of the field table (docs/protocol.md §6); the card
/// fields are those stored with each side, `""` where a side or a field is missing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OcrResult<'a> {
    front_code: &'a str,
    front_warn_code: &'a str,
    front_multi_warning: &'a str,
    front_clarity: &'a str,
    back_code: &'a str,
    back_warn_code: &'a str,
    back_multi_warning: &'a str,
    back_clarity: &'a str,
    order_no: &'a str,
    name: Value,
    sex: Value,
    nation: Value,
    birth: Value,
    address: Value,
    idcard: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    native_place: Option<Value>,
    valid_date: Value,
    authority: Value,
    operate_time: String,
    biz_seq_no: &'a str,
    transaction_time: &'a str,
    success: bool,
    #[serde(flatten)]
    files: Option<Files>,
}

/// With `get_file=1`: `frontPhoto`/`backPhoto` (Base64 of the bytes received), the crops and the
/// head picture.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Files {
    front_photo: String,
    back_photo: String,
    front_crop: String,
    back_crop: String,
    head_photo: String,
}

/// The success body: the one success envelope around the result, serialised in one pass.
fn render(state: &State, app: &AppState, order: &Order, q: &Query) -> Vec<u8> {
    let stamp = state.stamp_for(Some(app));
    let (front, back) = (order.side(Side::Front), order.side(Side::Back));
    let (front_fields, back_fields) = (front.map(|s| s.fields.to_map()), back.map(|s| s.fields.to_map()));
    let field = |m: &Option<Map<String, Value>>, k: &str| {
        m.as_ref().and_then(|m| m.get(k).cloned()).unwrap_or_else(|| Value::String(String::new()))
    };
    let result = OcrResult {
        front_code: text(front, |s| &s.code),
        front_warn_code: text(front, |s| &s.warning),
        front_multi_warning: text(front, |s| &s.multi_warning),
        front_clarity: text(front, |s| &s.clarity),
        back_code: text(back, |s| &s.code),
        back_warn_code: text(back, |s| &s.warning),
        back_multi_warning: text(back, |s| &s.multi_warning),
        back_clarity: text(back, |s| &s.clarity),
        order_no: order.order_no(),
        name: field(&front_fields, "name"),
        sex: field(&front_fields, "sex"),
        nation: field(&front_fields, "nation"),
        birth: field(&front_fields, "birth"),
        address: field(&front_fields, "address"),
        idcard: field(&front_fields, "idcard"),
        native_place: q.get_native.then(|| field(&front_fields, "nativePlace")),
        valid_date: field(&back_fields, "validDate"),
        authority: field(&back_fields, "authority"),
        operate_time: crate::clock::dashed(order.updated()),
        biz_seq_no: &stamp.biz_seq_no,
        transaction_time: &stamp.transaction_time,
        success: false,
        files: q.get_file.then(|| files(order)),
    };
    serde_json::to_vec(&Success::new(&stamp, result)).expect("serialising strings and JSON values cannot fail")
}

/// One text of a side, `""` for a side never sent.
fn text(side: Option<&SideRecord>, f: fn(&SideRecord) -> &str) -> &str {
    side.map(f).unwrap_or("")
}

fn files(order: &Order) -> Files {
    let photo = |s: Option<&SideRecord>| s.map(|s| STANDARD.encode(&s.image)).unwrap_or_default();
    Files {
        front_photo: photo(order.front.as_ref()),
        back_photo: photo(order.back.as_ref()),
        front_crop: String::new(),
        back_crop: String::new(),
        head_photo: head_photo(order),
    }
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
