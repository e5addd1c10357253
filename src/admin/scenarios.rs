//! `/__admin/scenario…`: list the catalog, read or change the default, queue a script.
//!
//! - `GET /__admin/scenarios`: the catalog, the default and the queue, as JSON
//! - `GET /__admin/scenario`, `PUT /__admin/scenario` `{"name": …}`: the default
//! - `GET`, `POST` `{"scenarios": […]}`, `DELETE /__admin/scenario/queue`: the queued script
//!
//! Under `/__admin/apps/{id}/` each reads or changes that app's own settings, which come before
//! the mock's for that app alone.

use super::{error_with, json_body};
use crate::apps::AppState;
use crate::reply::{self, Reply};
use crate::scenarios::select::MAX_QUEUE;
use crate::state::State;
use bytes::Bytes;
use hyper::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

/// `{"name": …}` of `PUT …/scenario` (OCR and face alike); `null` is "none of its own".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SetDefault {
    pub(super) name: Option<String>,
}

/// `{"scenarios": […]}` of `POST …/scenario/queue` (OCR and face alike).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Queue {
    pub(super) scenarios: Vec<String>,
}

/// `GET /__admin/scenarios`.
pub(super) fn list(state: &State, app: Option<&AppState>) -> Reply {
    let mut v = settings(state, app);
    v["scenarios"] = state.scenarios().catalog().iter().map(|x| x.to_json()).collect();
    v["default"] = v["name"].take();
    ok(v)
}

/// `GET /__admin/scenario`.
pub(super) fn current(state: &State, app: Option<&AppState>) -> Reply {
    ok(settings(state, app))
}

/// The default and the queue that apply: the mock's, or `app`'s (its own, or the mock's it follows).
fn settings(state: &State, app: Option<&AppState>) -> Value {
    let s = state.scenarios();
    match app {
        None => json!({"name": s.default_name(), "queue": s.queue()}),
        Some(a) if a.scenarios.is_set() => json!({
            "app": a.id(), "name": a.scenarios.default_name(), "queue": a.scenarios.queue(), "follows_mock": false,
            "then": if a.scenarios.default_name().is_none() { "the mock's queue and default, once this queue is empty" } else { "this default" },
        }),
        Some(a) => json!({"app": a.id(), "name": s.default_name(), "queue": s.queue(), "follows_mock": true}),
    }
}

/// `PUT /__admin/scenario {"name": …}`; under an app, `{"name": null}` makes it follow the mock's again.
pub(super) fn set_default(state: &State, app: Option<&AppState>, body: &Bytes) -> Reply {
    let body = match json_body::<SetDefault>(body) {
        Ok(b) => b,
        Err(e) => return bad(&e, json!({"name": "server-busy"})),
    };
    let set = match (app, &body.name) {
        (Some(a), name) => state.scenarios().set_own_default(&a.scenarios, name.as_deref()),
        (None, Some(name)) => state.scenarios().set_default(name),
        (None, None) => return bad("the mock's default needs a name", json!({"name": "server-busy"})),
    };
    match set {
        Ok(()) => {
            let whose = app.map_or_else(|| "the mock's".to_string(), |a| format!("app {}'s", a.id()));
            let name = body.name.as_deref().map_or("(the mock's)".into(), crate::redact::escaped);
            tracing::info!("{whose} default scenario is now {name}");
            current(state, app)
        }
        Err(u) => bad(&u.to_string(), json!({"name": "server-busy"})),
    }
}

/// `GET /__admin/scenario/queue`.
pub(super) fn queue(state: &State, app: Option<&AppState>) -> Reply {
    let queued = app.map_or_else(|| state.scenarios().queue(), |a| a.scenarios.queue());
    ok(json!({"queue": queued, "max": MAX_QUEUE}))
}

/// `POST /__admin/scenario/queue {"scenarios": […]}`.
pub(super) fn enqueue(state: &State, app: Option<&AppState>, body: &Bytes) -> Reply {
    let accepted = json!({"scenarios": ["server-busy", "success"]});
    let body = match json_body::<Queue>(body) {
        Ok(b) => b,
        Err(e) => return bad(&e, accepted),
    };
    let queued = match app {
        Some(a) => state.scenarios().enqueue_own(&a.scenarios, &body.scenarios),
        None => state.scenarios().enqueue(&body.scenarios),
    };
    match queued {
        Ok(_) => queue(state, app),
        Err(u) => bad(&u.to_string(), accepted),
    }
}

/// `DELETE /__admin/scenario/queue`.
pub(super) fn clear_queue(state: &State, app: Option<&AppState>) -> Reply {
    let cleared = app.map_or_else(|| state.scenarios().clear_queue(), |a| a.scenarios.clear_queue());
    ok(json!({ "cleared": cleared }))
}

fn ok(v: Value) -> Reply {
    reply::json(StatusCode::OK, v.to_string())
}

fn bad(error: &str, accepted: Value) -> Reply {
    error_with(StatusCode::BAD_REQUEST, error, json!({ "accepted": [accepted] }))
}
