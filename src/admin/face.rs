//! `/__admin/face/…`: the face scenarios, the outcome chosen in advance, and the App SDK's part
//! of the flow, which the mock cannot run (PROTOCOL-FACE.md §5.3, §11.6).
//!
//! - `GET /__admin/face/scenarios`: the face scenarios, the default and the queue
//! - `PUT /__admin/face/scenario` `{"name": "face-pass"}` (or `null`): the default outcome of a login
//! - `POST /__admin/face/queue` `{"scenarios": […]}`: outcomes for the next logins, in order
//! - `POST /__admin/face/complete` `{"faceId": …, "scenario": …}`: ends an SDK verification as the
//!   SDK would, stores the result for queryfacerecord/sync, and answers the `WbFaceVerifyResult`
//!   the app would get, with its FV-3 `sign`

use crate::faces::{Outcome, Refused};
use crate::protocol::face::{self, ID_LIFETIME};
use crate::protocol::face_codes::SDK_TIMEOUT;
use crate::reply::{self, Reply};
use crate::scenarios::face::{FaceScenario, ALL, PASS};
use crate::state::State;
use bytes::Bytes;
use hyper::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

/// `GET /__admin/face/scenarios`.
pub(super) fn scenarios(state: &State) -> Reply {
    ok(list(state))
}

/// `PUT /__admin/face/scenario`.
pub(super) fn set_default(state: &State, body: &Bytes) -> Reply {
    match super::json_body::<SetDefault>(body).and_then(|b| known(b.name.as_deref())) {
        Ok(name) => {
            state.faces().set_default(name.map(str::to_string));
            ok(list(state))
        }
        Err(e) => bad(e),
    }
}

/// `POST /__admin/face/queue`.
pub(super) fn enqueue(state: &State, body: &Bytes) -> Reply {
    let names = super::json_body::<Queue>(body).and_then(|q| {
        q.scenarios
            .iter()
            .map(|n| known(Some(n)).map(|s| s.unwrap_or_default().to_string()))
            .collect::<Result<Vec<_>, _>>()
    });
    match names.map(|n| state.faces().enqueue(n)) {
        Ok(true) => ok(list(state)),
        Ok(false) => bad(format!("the face queue holds at most {}", crate::faces::MAX_QUEUE)),
        Err(e) => bad(e),
    }
}

/// `POST /__admin/face/complete`.
pub(super) fn complete(state: &State, body: &Bytes) -> Reply {
    match super::json_body::<Complete>(body) {
        Ok(c) => finish(state, &c),
        Err(e) => bad(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetDefault {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Queue {
    scenarios: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Complete {
    #[serde(alias = "h5faceId")]
    #[serde(rename = "faceId")]
    face_id: String,
    scenario: Option<String>,
}

fn known(name: Option<&str>) -> Result<Option<&'static str>, String> {
    match name {
        None => Ok(None),
        Some(n) => crate::scenarios::face::find(n).map(|s| Some(s.name)).ok_or_else(|| {
            let names: Vec<&str> = ALL.iter().map(|s| s.name).collect();
            format!("{n:?} is not a face scenario; choose one of: {}", names.join(", "))
        }),
    }
}

fn list(state: &State) -> Value {
    let (default, queue) = state.faces().selection();
    let scenarios: Vec<Value> = ALL.iter().map(crate::scenarios::face::to_json).collect();
    json!({"scenarios": scenarios, "default": default, "queue": queue, "held": state.faces().len()})
}

fn finish(state: &State, c: &Complete) -> Reply {
    let Some(order) = state.faces().get(&c.face_id) else {
        let why = format!("no faceId {:?}: get one from getfaceid or getAdvFaceId", crate::redact::clip(&c.face_id));
        return super::error(StatusCode::NOT_FOUND, &why);
    };
    let s = match known(c.scenario.as_deref().or(Some(PASS))) {
        Ok(s) => crate::scenarios::face::find(s.unwrap_or(PASS)).expect("known"),
        Err(e) => return bad(e),
    };
    let ticket = state.app(&order.app).and_then(|a| face::result_ticket(&state.sign_candidates(&a)));
    if state.clock().now() - order.created > ID_LIFETIME {
        let error = json!({"domain": "WBFaceErrorDomainNativeProcess", "code": SDK_TIMEOUT.code, "desc": SDK_TIMEOUT.msg, "reason": "faceId older than 5 minutes"});
        return ok(json!({"orderNo": order.order_no, "success": false, "error": error}));
    }
    match state.faces().complete(&order.id, Outcome::of(s, state.clock().now())) {
        Ok(_) => {
            let seed = face::media_seed(state.seed(), &order.id);
            ok(sdk_result(&order.app, &order.order_no, s, ticket.as_deref(), seed))
        }
        Err(Refused::Completed) => super::error(StatusCode::CONFLICT, "this faceId has been completed already"),
        Err(_) => bad("the faceId is no longer held".into()),
    }
}

/// The `WbFaceVerifyResult` the SDK hands the app (doc Q-SDK-RESULT; shapes as C22).
fn sdk_result(app: &str, order_no: &str, s: &FaceScenario, ticket: Option<&str>, seed: u64) -> Value {
    let sign = ticket.map(|t| face::result_sign(app, order_no, s.code.code, t));
    if s.code.code == "0" {
        // The same generated person queryfacerecord answers for this order.
        let photo = crate::image::encode(&crate::image::face_photo(seed));
        return json!({"orderNo": order_no, "success": true, "liveRate": s.live_rate, "similarity": s.similarity, "sign": sign, "userImageString": photo});
    }
    let (code, domain) = s.sdk.map_or((s.code, "WBFaceErrorDomainCompareServer"), |(c, d)| (c, d));
    let error = json!({"domain": domain, "code": code.code, "desc": code.msg, "reason": s.description});
    let mut v = json!({"orderNo": order_no, "success": false, "sign": sign, "error": error});
    if let Some(l) = s.live_rate {
        v["liveRate"] = l.into();
    }
    v
}

fn ok(v: Value) -> Reply {
    reply::json(StatusCode::OK, v.to_string())
}

fn bad(e: String) -> Reply {
    super::error(StatusCode::BAD_REQUEST, &e)
}
