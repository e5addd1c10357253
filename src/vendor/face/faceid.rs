//! `POST /api/server/h5/geth5faceid`, `POST /api/server/getfaceid` and
//! `POST /api/server/getAdvFaceId` (PROTOCOL-FACE.md §4.1, §5.1, §5.2): upload who is to be
//! verified, get a 32-character id that lives 5 minutes. Checked as the OCR endpoint is:
//! content type → JSON → required fields → version → app → nonce, orderNo, userId, photo → sign.

use super::{Params, Tickets};
use crate::faces::FaceOrder;
use crate::protocol::face::{self, Flow, Rule};
use crate::protocol::sign::Field;
use crate::protocol::Refusal;
use crate::reply::{self, Handled, Note};
use crate::state::State;
use crate::vendor::ocr;
use hyper::http::request::Parts;
use hyper::StatusCode;
use serde::Serialize;

/// The largest `sourcePhotoStr` (doc: field length 1048576).
pub(crate) const MAX_SOURCE_PHOTO: usize = 1_048_576;

/// What the three endpoints read.
struct Upload {
    app_name: &'static str,
    app: String,
    order_no: String,
    name: String,
    id_no: String,
    user_id: String,
    version: String,
    nonce: String,
    sign: String,
}

/// Answers one of the three calls; `flow` says which.
pub(crate) fn handle(state: &State, head: &Parts, body: &[u8], flow: Flow) -> Handled {
    let mut note = Note::default();
    match answer(state, head, body, flow, &mut note) {
        Ok(r) => Handled::reply(r, note),
        Err(refusal) => Handled::reply(ocr::refuse(state, &refusal, &mut note), note),
    }
}

fn read(p: &Params, flow: Flow) -> Result<Upload, Refusal> {
    let (app_name, app) = p.need_one(&["webankAppId", "appId"])?;
    let nonce = match flow {
        Flow::H5 => String::new(),
        _ => p.text("nonce")?,
    };
    Ok(Upload {
        app_name,
        app,
        order_no: p.need("orderNo")?,
        name: p.text("name")?,
        id_no: p.text("idNo")?,
        user_id: p.need("userId")?,
        version: p.need("version")?,
        nonce,
        sign: p.need("sign")?,
    })
}

fn answer(state: &State, head: &Parts, body: &[u8], flow: Flow, note: &mut Note) -> Result<reply::Reply, Refusal> {
    let content_type = head.headers.get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    ocr::request::check_content_type(content_type)?;
    let p = Params::json(body)?;
    let u = read(&p, flow)?;
    (note.order_no, note.app_id) = (Some(u.order_no.clone()), Some(u.app.clone()));
    let nonce = match (flow, u.nonce.is_empty()) {
        (Flow::H5, _) => None,
        (_, false) => Some(u.nonce.as_str()),
        (_, true) if super::lenient_faceid(state) => {
            tracing::info!(order_no = %crate::redact::escaped(&u.order_no), "no nonce, accepted as C21 sends it (--face-sign strict refuses it)");
            None
        }
        (_, true) => return Err(Refusal::bad_request("Missing parameter 'nonce'")),
    };
    let app = super::check_head(state, &u.version, &u.app, nonce)?;
    super::check_order_no("orderNo", &u.order_no)?;
    check_person(&p, &u)?;
    let choice = scenario(head)?;
    let app_field = Field { name: u.app_name, value: &u.app };
    let (rule, _) = match flow {
        Flow::H5 => {
            let f = face::h5faceid_fields(app_field, &u.order_no, &u.name, &u.id_no, &u.user_id, &u.version);
            super::verify(state, &app, &u.sign, &[(Rule::H5FaceId, &f, Tickets::Sign)])?
        }
        _ => {
            let f = face::faceid_fields(app_field, &u.user_id, &u.version, &u.nonce);
            let mut tries = vec![(Rule::FaceId, &f[..], Tickets::Sign)];
            if super::lenient_faceid(state) {
                tries.push((Rule::FaceIdWithNonceTicket, &f[..], Tickets::Nonce(&u.user_id)));
            }
            super::verify(state, &app, &u.sign, &tries)?
        }
    };
    if rule != Rule::FaceId && rule != Rule::H5FaceId {
        tracing::info!("sign accepted by the lenient rule {}", rule.name());
    }
    note.scenario = choice.map(str::to_string);
    let id = face::new_id(flow, state.seed(), state.next_seq());
    state.faces().create(FaceOrder {
        id: id.clone(),
        flow,
        app: u.app.clone(),
        order_no: u.order_no.clone(),
        user_id: u.user_id.clone(),
        name: u.name.clone(),
        id_no: u.id_no.clone(),
        created: app.now(),
        scenario: choice.map(str::to_string),
        login: None,
        outcome: None,
    });
    note.code = Some(crate::protocol::catalog::SUCCESS.code);
    Ok(reply::json(StatusCode::OK, render(state, head, flow, &u.order_no, &id)))
}

/// `userId` (no special characters, at most 32), `name` and `idNo` (bounded), `sourcePhotoStr`
/// (at most 1048576 characters of Base64, doc), `sourcePhotoType` (`1` or `2` when a photo is sent).
fn check_person(p: &Params, u: &Upload) -> Result<(), Refusal> {
    if !face::user_id_ok(&u.user_id) {
        return Err(Refusal::bad_request("userId must be at most 32 letters, digits, '_' or '-'"));
    }
    if u.name.chars().count() > 64 || u.id_no.len() > 32 {
        return Err(Refusal::too_long("name is longer than 64 characters or idNo longer than 32"));
    }
    let photo = p.text("sourcePhotoStr")?;
    if photo.len() > MAX_SOURCE_PHOTO {
        return Err(Refusal::too_long(format!(
            "sourcePhotoStr is {} characters; at most {MAX_SOURCE_PHOTO}",
            photo.len()
        )));
    }
    let kind = p.text("sourcePhotoType")?;
    if !photo.is_empty() && kind != "1" && kind != "2" {
        return Err(Refusal::bad_request(
            "sourcePhotoType must be 1 (水纹正脸照) or 2 (高清正脸照) when sourcePhotoStr is sent",
        ));
    }
    Ok(())
}

/// The face scenario chosen in advance with `X-Idocr-Scenario`, if any.
fn scenario(head: &Parts) -> Result<Option<&'static str>, Refusal> {
    let Some(h) = head.headers.get(crate::scenarios::HEADER) else { return Ok(None) };
    let name = h.to_str().unwrap_or("").trim();
    match crate::scenarios::face::find(name) {
        Some(s) => Ok(Some(s.name)),
        None => {
            let known: Vec<&str> = crate::scenarios::face::ALL.iter().map(|s| s.name).collect();
            Err(Refusal::bad_request(format!(
                "X-Idocr-Scenario {:?} is not a face scenario; choose one of: {}",
                crate::redact::clip(name),
                known.join(", ")
            )))
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Result_<'a> {
    biz_seq_no: &'a str,
    transaction_time: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ori_code: Option<&'a str>,
    order_no: &'a str,
    #[serde(rename = "h5faceId", skip_serializing_if = "Option::is_none")]
    h5_face_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    face_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    optimal_domain: Option<&'a str>,
    success: bool,
}

/// The doc's (geth5faceid, getfaceid) or the seen (getAdvFaceId: `oriCode`, `success:true`) answer.
fn render(state: &State, head: &Parts, flow: Flow, order_no: &str, id: &str) -> Vec<u8> {
    let stamp = state.stamp();
    let domain = (flow != Flow::Sdk).then(|| super::optimal_domain(state, head));
    let result = Result_ {
        biz_seq_no: &stamp.biz_seq_no,
        transaction_time: &stamp.transaction_time,
        ori_code: (flow == Flow::Adv).then_some("0"),
        order_no,
        h5_face_id: (flow == Flow::H5).then_some(id),
        face_id: (flow != Flow::H5).then_some(id),
        optimal_domain: domain.as_deref(),
        success: flow == Flow::Adv,
    };
    serde_json::to_vec(&crate::protocol::envelope::Success::new(&stamp, result)).expect("strings serialise")
}
