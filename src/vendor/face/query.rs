//! The face result queries (PROTOCOL-FACE.md §6): `POST /api/v2/base/queryfacerecord`,
//! `GET /api/server/sync` and `POST /api/v2/base/queryphotoinfo`. Each answers the stored outcome
//! of an order for 3 days of mock time, then `66660011`; photo and video per `getFile`/`get_file`
//! (1 both, 2 photo, 3 video), absent until they have "arrived" (`face-files-late`).

use super::{Params, Tickets};
use crate::faces::{FaceOrder, Outcome};
use crate::protocol::face::{self, Rule};
use crate::protocol::face_codes::NO_RESULT;
use crate::protocol::sign::Field;
use crate::protocol::{catalog, Refusal};
use crate::reply::{self, Handled, Note};
use crate::state::State;
use crate::vendor::ocr;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hyper::http::request::Parts;
use hyper::StatusCode;
use serde::Serialize;

/// Which of the three queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    Record,
    Sync,
    Photos,
}

/// What a query names.
struct Asked {
    app: String,
    order_no: String,
    files: u8,
    query_version: String,
}

/// Answers one query; `body` is empty for `sync` (a GET).
pub(crate) fn handle(state: &State, head: &Parts, body: &[u8], which: Which) -> Handled {
    let mut note = Note::default();
    let answered = ask(state, head, body, which, &mut note).and_then(|a| found(state, &a).map(|hit| (a, hit)));
    let r = match answered {
        Ok((a, (order, outcome))) => {
            note.code = catalog::find(&outcome.code).map(|c| c.code);
            reply::json(StatusCode::OK, render(state, &a, &order, &outcome, which))
        }
        Err(refusal) if which == Which::Photos && refusal.code.code == NO_RESULT.code => {
            note.code = Some(NO_RESULT.code);
            note.reason = Some(crate::redact::reason(&refusal.detail));
            let stamp = state.stamp();
            let body = PhotosError { code: 66660011, msg: NO_RESULT.msg, biz_seq_no: &stamp.biz_seq_no };
            let mut r = reply::json(StatusCode::OK, serde_json::to_vec(&body).expect("strings serialise"));
            reply::set_text_header(&mut r, reply::REASON_HEADER, &refusal.detail);
            r
        }
        Err(refusal) => ocr::refuse(state, &refusal, &mut note),
    };
    Handled::reply(r, note)
}

/// Parses and checks the request: required → version → app → nonce → order → sign.
fn ask(state: &State, head: &Parts, body: &[u8], which: Which, note: &mut Note) -> Result<Asked, Refusal> {
    let p = match which {
        Which::Sync => Params::query(head.uri.query()),
        _ => Params::json(body)?,
    };
    let (app_names, order_name): (&[&'static str], &'static str) = match which {
        Which::Sync => (&["app_id", "appId", "webankAppId"], "order_no"),
        _ => (&["appId", "webankAppId"], "orderNo"),
    };
    let (app_name, app) = p.need_one(app_names)?;
    let order_no = p.need(order_name)?;
    (note.order_no, note.app_id) = (Some(order_no.clone()), Some(app.clone()));
    let lenient = state.config().face_sign == crate::config::FaceSign::Lenient;
    let nonce = match p.need("nonce") {
        Err(_) if lenient && which == Which::Record => p.need("nonceStr")?,
        other => other?,
    };
    let (version, sign) = (p.need("version")?, p.need("sign")?);
    let app_ref = super::check_head(state, &version, &app, Some(&nonce))?;
    super::check_order_no(order_name, &order_no)?;
    let files =
        ["getFile", "get_file"].iter().find_map(|n| p.get(n).ok().flatten().map(str::to_string)).unwrap_or_default();
    let fields = face::query_fields(
        Field { name: app_name, value: &app },
        Field { name: order_name, value: &order_no },
        &version,
        &nonce,
    );
    let rule = if which == Which::Record { Rule::Query } else { Rule::Sync };
    super::verify(state, &app_ref, &sign, &[(rule, &fields, Tickets::Sign)])?;
    let files = match files.trim() {
        "1" => 3,
        "2" => 1,
        "3" => 2,
        _ => 0,
    };
    let files = if which == Which::Photos { 1 } else { files };
    Ok(Asked { app, order_no, files, query_version: p.text("queryVersion")? })
}

/// The order's outcome, if it left a record younger than 3 days.
fn found(state: &State, a: &Asked) -> Result<(FaceOrder, Outcome), Refusal> {
    let no = |why: String| Refusal { code: &NO_RESULT, detail: why };
    let order = state.faces().find(&a.app, &a.order_no).ok_or_else(|| {
        no(format!(
            "no face verification of app {} with orderNo {} is held (unknown, evicted or reset)",
            a.app, a.order_no
        ))
    })?;
    let Some(outcome) = order.outcome.clone() else {
        return Err(no(format!("orderNo {} has not been completed (no login, or the page's buttons not pressed; SDK: POST /__admin/face/complete)", a.order_no)));
    };
    if !outcome.record {
        return Err(no(format!(
            "orderNo {} ended with {} ({}), which leaves no result (doc Q-QUERY)",
            a.order_no, outcome.code, outcome.scenario
        )));
    }
    if super::now_of(state, &a.app) - outcome.occurred > face::RESULT_LIFETIME {
        return Err(no(format!("orderNo {} was verified more than 3 days ago (results are kept 3 days)", a.order_no)));
    }
    Ok((order, outcome))
}

/// Photo (bit 1) and video (bit 2), once they have arrived.
fn media(state: &State, order: &FaceOrder, outcome: &Outcome, wanted: u8) -> (Option<String>, Option<String>) {
    if !outcome.files || super::now_of(state, &order.app) < outcome.files_at {
        return (None, None);
    }
    let seed = super::media_seed(state, order);
    let photo = (wanted & 1 != 0).then(|| STANDARD.encode(super::photo(seed)));
    let video = (wanted & 2 != 0).then(|| STANDARD.encode(super::video(seed)));
    (photo, video)
}

/// queryfacerecord's `result`, in the doc example's order (no `success`, no `transactionTime`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordResult<'a> {
    order_no: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    live_rate: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<&'a str>,
    occurred_time: &'a str,
    app_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    photo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    video: Option<String>,
    biz_seq_no: &'a str,
    /// With `queryVersion=1.0` only (guess, §13.9).
    #[serde(skip_serializing_if = "Option::is_none")]
    sdk_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trtc_flag: Option<&'a str>,
}

/// sync's `result`, in the doc example's order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncResult<'a> {
    biz_seq_no: &'a str,
    transaction_time: &'a str,
    order_no: &'a str,
    id_no: &'a str,
    id_type: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    video: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    photo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    live_rate: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<&'a str>,
    occurred_time: &'a str,
    success: bool,
}

/// The envelope of queryfacerecord and sync: `code` is the outcome's; sync adds `app_id`, `order_no`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a, R> {
    code: &'a str,
    msg: &'a str,
    biz_seq_no: &'a str,
    result: R,
    transaction_time: &'a str,
    #[serde(rename = "app_id", skip_serializing_if = "Option::is_none")]
    app_id: Option<&'a str>,
    #[serde(rename = "order_no", skip_serializing_if = "Option::is_none")]
    order_no: Option<&'a str>,
}

/// queryphotoinfo: `code` a JSON number, no `transactionTime` (doc Q-PHOTOS).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Photos<'a> {
    code: i64,
    msg: &'a str,
    biz_seq_no: &'a str,
    result: PhotoList<'a>,
}

/// queryphotoinfo's 66660011, its `code` a number too (guess).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhotosError<'a> {
    code: i64,
    msg: &'a str,
    biz_seq_no: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhotoList<'a> {
    order_no: &'a str,
    occurred_time: &'a str,
    photo_list: Option<Vec<String>>,
}

fn render(state: &State, a: &Asked, order: &FaceOrder, outcome: &Outcome, which: Which) -> Vec<u8> {
    let stamp = state.stamp();
    let msg = catalog::find(&outcome.code).map_or("", |c| c.msg);
    let (photo, video) = media(state, order, outcome, a.files);
    let occurred = crate::clock::compact(outcome.occurred);
    let (live_rate, similarity) = (outcome.live_rate.as_deref(), outcome.similarity.as_deref());
    let envelope = |app_id, order_no| {
        (outcome.code.as_str(), msg, stamp.biz_seq_no.as_str(), stamp.transaction_time.as_str(), app_id, order_no)
    };
    let out = match which {
        Which::Record => {
            let v1 = a.query_version == "1.0";
            let result = RecordResult {
                order_no: &order.order_no,
                live_rate,
                similarity,
                occurred_time: &occurred,
                app_id: &order.app,
                photo,
                video,
                biz_seq_no: &stamp.biz_seq_no,
                sdk_version: v1.then_some("1.12.12"),
                trtc_flag: v1.then_some("N"),
            };
            let (code, msg, biz_seq_no, transaction_time, app_id, order_no) = envelope(None, None);
            serde_json::to_vec(&Envelope { code, msg, biz_seq_no, result, transaction_time, app_id, order_no })
        }
        Which::Sync => {
            let result = SyncResult {
                biz_seq_no: &stamp.biz_seq_no,
                transaction_time: &stamp.transaction_time,
                order_no: &order.order_no,
                id_no: &order.id_no,
                id_type: "01",
                name: &order.name,
                video,
                photo,
                live_rate,
                similarity,
                occurred_time: &occurred,
                success: false,
            };
            let (code, msg, biz_seq_no, transaction_time, app_id, order_no) =
                envelope(Some(&order.app), Some(&order.order_no));
            serde_json::to_vec(&Envelope { code, msg, biz_seq_no, result, transaction_time, app_id, order_no })
        }
        Which::Photos => serde_json::to_vec(&Photos {
            code: outcome.code.parse().unwrap_or(-1),
            msg,
            biz_seq_no: &stamp.biz_seq_no,
            result: PhotoList {
                order_no: &order.order_no,
                occurred_time: &occurred,
                photo_list: photo.map(|p| vec![p]),
            },
        }),
    };
    out.expect("strings serialise")
}
