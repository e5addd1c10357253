//! `/__admin/face/…`: the face scenarios, the outcome chosen in advance, and the App SDK's part
//! of the flow, which the mock cannot run (PROTOCOL-FACE.md §5.3, §11.6).
//!
//! - `GET /__admin/face/scenarios`: the face scenarios, the default and the queue
//! - `PUT /__admin/face/scenario` `{"name": "face-pass"}` (or `null`): the default outcome of a login
//! - `POST /__admin/face/queue` `{"scenarios": […]}`: outcomes for the next logins, in order
//! - `POST /__admin/face/complete` `{"faceId": …, "scenario": …}`: ends an SDK verification as the
//!   SDK would, stores the result for queryfacerecord/sync, and answers the `WbFaceVerifyResult`
//!   the app would get, with its FV-3 `sign`
//!
//! The first three under `/__admin/apps/{id}/` read or change that app's own face default and
//! queue, which come before the mock's for that app alone (`faces::choose`); `{"name": null}`
//! there makes the app follow the mock's again.

use super::scenarios::{Queue, SetDefault};
use crate::apps::AppState;
use crate::faces::{Choices, Outcome, Refused};
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
pub(super) fn scenarios(state: &State, app: Option<&AppState>) -> Reply {
    ok(list(state, app))
}

/// The mock's face choices, or `app`'s own.
fn choices<'a>(state: &'a State, app: Option<&'a AppState>) -> &'a Choices {
    app.map_or(&state.faces().choices, |a| &a.face)
}

/// `PUT /__admin/face/scenario`.
pub(super) fn set_default(state: &State, app: Option<&AppState>, body: &Bytes) -> Reply {
    match super::json_body::<SetDefault>(body).and_then(|b| known(b.name.as_deref())) {
        Ok(name) => {
            choices(state, app).set_default(name.map(str::to_string));
            let whose = app.map_or_else(|| "the mock's".to_string(), |a| format!("app {}'s", a.id()));
            let then = if app.is_some() { "(the mock's)" } else { "(buttons)" };
            tracing::info!("{whose} face default is now {}", name.unwrap_or(then));
            ok(list(state, app))
        }
        Err(e) => bad(e),
    }
}

/// `POST /__admin/face/queue`.
pub(super) fn enqueue(state: &State, app: Option<&AppState>, body: &Bytes) -> Reply {
    let names = super::json_body::<Queue>(body).and_then(|q| {
        q.scenarios
            .iter()
            .map(|n| known(Some(n)).map(|s| s.unwrap_or_default().to_string()))
            .collect::<Result<Vec<_>, _>>()
    });
    match names.map(|n| choices(state, app).enqueue(n)) {
        Ok(true) => ok(list(state, app)),
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

fn list(state: &State, app: Option<&AppState>) -> Value {
    let scenarios: Vec<Value> = ALL.iter().map(crate::scenarios::face::to_json).collect();
    let (default, queue) = state.faces().choices.selection();
    let mut v = json!({"scenarios": scenarios, "default": default, "queue": queue, "held": state.faces().len()});
    if let Some(a) = app {
        let (default, queue) = a.face.selection();
        let then = "the mock's face queue and default (GET /__admin/face/scenarios), then the buttons";
        v = json!({"app": a.id(), "scenarios": v["scenarios"].take(), "default": default, "queue": queue,
            "follows_mock": !a.face.is_set(), "then": then, "held": state.faces().count_app(a.id())});
    }
    v
}

fn finish(state: &State, c: &Complete) -> Reply {
    let Some(order) = state.faces().get(&c.face_id) else {
        let why = format!("no faceId {:?}: get one from getfaceid or getAdvFaceId", crate::redact::clip(&c.face_id));
        return super::error(StatusCode::NOT_FOUND, &why);
    };
    let Some(app) = state.app(&order.app) else {
        return super::error(StatusCode::NOT_FOUND, &format!("the app {} of this faceId is gone", order.app));
    };
    if let Err(e) = known(c.scenario.as_deref()) {
        return bad(e);
    }
    let s = sdk_scenario(state, &app, c.scenario.as_deref(), order.scenario.as_deref());
    let ticket = face::result_ticket(&state.sign_candidates(&app));
    let now = app.now();
    if now - order.created > ID_LIFETIME {
        let error = json!({"domain": "WBFaceErrorDomainNativeProcess", "code": SDK_TIMEOUT.code, "desc": SDK_TIMEOUT.msg, "reason": "faceId older than 5 minutes"});
        return ok(json!({"orderNo": order.order_no, "success": false, "error": error}));
    }
    match state.faces().complete(&order.id, Outcome::of(s, now)) {
        Ok(_) => {
            let seed = face::media_seed(state.seed(), &order.id);
            ok(sdk_result(&order.app, &order.order_no, s, ticket.as_deref(), seed))
        }
        Err(Refused::Completed) => super::error(StatusCode::CONFLICT, "this faceId has been completed already"),
        Err(_) => bad("the faceId is no longer held".into()),
    }
}

/// The outcome of an SDK completion: the body's `scenario`, else `X-Idocr-Scenario` at getfaceid,
/// the app's face queue and default, the mock's, else `face-pass`.
fn sdk_scenario(state: &State, app: &AppState, asked: Option<&str>, header: Option<&str>) -> &'static FaceScenario {
    let chosen = asked
        .map(str::to_string)
        .or_else(|| crate::faces::choose(header, Some(&app.face), &state.faces().choices).map(|(name, _)| name));
    chosen
        .as_deref()
        .and_then(crate::scenarios::face::find)
        .or_else(|| crate::scenarios::face::find(PASS))
        .expect("face-pass is built in")
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
