//! `/__admin/scenario…`: list the catalog, read or change the default, queue a script.
//!
//! - `GET /__admin/scenarios`: the catalog, the default and the queue, as JSON
//! - `GET /__admin/scenario`, `PUT /__admin/scenario` `{"name": …}`: the default
//! - `GET`, `POST` `{"scenarios": […]}`, `DELETE /__admin/scenario/queue`: the queued script

use super::{error_with, json_body};
use crate::reply::{self, Reply};
use crate::scenarios::select::MAX_QUEUE;
use crate::state::State;
use bytes::Bytes;
use hyper::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetDefault {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Queue {
    scenarios: Vec<String>,
}

/// `GET /__admin/scenarios`.
pub(super) fn list(state: &State) -> Reply {
    let s = state.scenarios();
    ok(json!({
        "default": s.default_name(),
        "queue": s.queue(),
        "scenarios": s.catalog().iter().map(|x| x.to_json()).collect::<Vec<_>>(),
    }))
}

/// `GET /__admin/scenario`.
pub(super) fn current(state: &State) -> Reply {
    ok(json!({"name": state.scenarios().default_name(), "queue": state.scenarios().queue()}))
}

/// `PUT /__admin/scenario {"name": …}`.
pub(super) fn set_default(state: &State, body: &Bytes) -> Reply {
    let body = match json_body::<SetDefault>(body) {
        Ok(b) => b,
        Err(e) => return bad(&e, json!({"name": "server-busy"})),
    };
    match state.scenarios().set_default(&body.name) {
        Ok(()) => {
            tracing::info!("default scenario is now {}", crate::redact::escaped(&body.name));
            current(state)
        }
        Err(u) => bad(&u.to_string(), json!({"name": "server-busy"})),
    }
}

/// `GET /__admin/scenario/queue`.
pub(super) fn queue(state: &State) -> Reply {
    ok(json!({"queue": state.scenarios().queue(), "max": MAX_QUEUE}))
}

/// `POST /__admin/scenario/queue {"scenarios": […]}`.
pub(super) fn enqueue(state: &State, body: &Bytes) -> Reply {
    let accepted = json!({"scenarios": ["server-busy", "success"]});
    match json_body::<Queue>(body) {
        Ok(body) => match state.scenarios().enqueue(&body.scenarios) {
            Ok(_) => queue(state),
            Err(u) => bad(&u.to_string(), accepted),
        },
        Err(e) => bad(&e, accepted),
    }
}

/// `DELETE /__admin/scenario/queue`.
pub(super) fn clear_queue(state: &State) -> Reply {
    ok(json!({"cleared": state.scenarios().clear_queue()}))
}

fn ok(v: Value) -> Reply {
    reply::json(StatusCode::OK, v.to_string())
}

fn bad(error: &str, accepted: Value) -> Reply {
    error_with(StatusCode::BAD_REQUEST, error, json!({ "accepted": [accepted] }))
}
