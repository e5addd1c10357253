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
use hyper::{Method, Request, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

/// The face routes, for the admin API's 404.
pub const ROUTES: &[&str] = &[
    "GET /__admin/face/scenarios",
    "PUT /__admin/face/scenario {\"name\": …|null}",
    "POST /__admin/face/queue {\"scenarios\": […]}",
    "POST /__admin/face/complete {\"faceId\": …, \"scenario\": …}",
];

/// Whether `path` (after the prefix) is one of these routes.
pub fn owns(path: &str) -> bool {
    path.starts_with("face/")
}

/// Answers one `/__admin/face/…` request.
pub fn handle(state: &State, req: Request<Bytes>, path: &str) -> Reply {
    match (req.method().clone(), path.trim_end_matches('/')) {
        (Method::GET, "face/scenarios") => ok(list(state)),
        (Method::PUT, "face/scenario") => match read::<SetDefault>(req.body()).and_then(|b| known(b.name.as_deref())) {
            Ok(name) => {
                state.faces().set_default(name.map(str::to_string));
                ok(list(state))
            }
            Err(e) => bad(e),
        },
        (Method::POST, "face/queue") => {
            let names = read::<Queue>(req.body()).and_then(|q| {
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
        (Method::POST, "face/complete") => match read::<Complete>(req.body()) {
            Ok(c) => complete(state, &c),
            Err(e) => bad(e),
        },
        (_, p) => reply::json(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no admin route /__admin/{p}"), "routes": ROUTES}).to_string(),
        ),
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

fn read<'a, T: Deserialize<'a>>(body: &'a Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("body: {e}"))
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

fn complete(state: &State, c: &Complete) -> Reply {
    let Some(order) = state.faces().get(&c.face_id) else {
        return reply::json(StatusCode::NOT_FOUND, json!({"error": format!("no faceId {:?}: get one from getfaceid or getAdvFaceId", crate::redact::clip(&c.face_id))}).to_string());
    };
    let s = match known(c.scenario.as_deref().or(Some(PASS))) {
        Ok(s) => crate::scenarios::face::find(s.unwrap_or(PASS)).expect("known"),
        Err(e) => return bad(e),
    };
    let ticket = state.app(&order.app).and_then(|a| face::result_ticket(&state.sign_candidates(a)));
    if state.clock().now() - order.created > ID_LIFETIME {
        let error = json!({"domain": "WBFaceErrorDomainNativeProcess", "code": SDK_TIMEOUT.code, "desc": SDK_TIMEOUT.msg, "reason": "faceId older than 5 minutes"});
        return ok(json!({"orderNo": order.order_no, "success": false, "error": error}));
    }
    match state.faces().complete(&order.id, Outcome::of(s, state.clock().now())) {
        Ok(_) => ok(sdk_result(&order.app, &order.order_no, s, ticket.as_deref())),
        Err(Refused::Completed) => {
            reply::json(StatusCode::CONFLICT, json!({"error": "this faceId has been completed already"}).to_string())
        }
        Err(_) => bad("the faceId is no longer held".into()),
    }
}

/// The `WbFaceVerifyResult` the SDK hands the app (doc Q-SDK-RESULT; shapes as C22).
fn sdk_result(app: &str, order_no: &str, s: &FaceScenario, ticket: Option<&str>) -> Value {
    let sign = ticket.map(|t| face::result_sign(app, order_no, s.code.code, t));
    if s.code.code == "0" {
        // lead: repoint to image::face_photo/face_video
        let photo = crate::image::encode(&crate::image::marker::card_jpeg(crate::protocol::Side::Front, None));
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
    reply::json(StatusCode::BAD_REQUEST, json!({"error": e}).to_string())
}
