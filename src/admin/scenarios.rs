//! `/__admin/scenario…`: list the catalog, read or change the default, queue a script.
//!
//! - `GET /__admin/scenarios`: the catalog, the default and the queue, as JSON
//! - `GET /__admin/scenario`, `PUT /__admin/scenario` `{"name": …}`: the default
//! - `GET`, `POST` `{"scenarios": […]}`, `DELETE /__admin/scenario/queue`: the queued script

use super::PREFIX;
use crate::reply::{self, Reply};
use crate::scenarios::select::MAX_QUEUE;
use crate::state::State;
use bytes::Bytes;
use hyper::{Method, Request, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

/// The scenario routes, for this module's 404 and the admin API's.
pub const ROUTES: &[&str] = &[
    "GET /__admin/scenarios",
    "GET /__admin/scenario",
    "PUT /__admin/scenario {\"name\": …}",
    "GET|POST|DELETE /__admin/scenario/queue {\"scenarios\": […]}",
];

/// Answers one `/__admin/scenario…` request.
pub fn handle(state: &State, req: Request<Bytes>) -> Reply {
    let path = req.uri().path()[PREFIX.len()..].trim_end_matches('/').to_string();
    let method = req.method().clone();
    match (method, path.as_str()) {
        (Method::GET, "scenarios") => ok(list(state)),
        (Method::GET, "scenario") => ok(current(state)),
        (Method::PUT, "scenario") => match read::<SetDefault>(req.body()) {
            Ok(body) => match state.scenarios().set_default(&body.name) {
                Ok(()) => {
                    tracing::info!("default scenario is now {}", body.name);
                    ok(current(state))
                }
                Err(u) => bad(u.to_string()),
            },
            Err(e) => bad(e),
        },
        (Method::GET, "scenario/queue") => ok(json!({"queue": state.scenarios().queue(), "max": MAX_QUEUE})),
        (Method::POST, "scenario/queue") => match read::<Queue>(req.body()) {
            Ok(body) => match state.scenarios().enqueue(&body.scenarios) {
                Ok(_) => ok(json!({"queue": state.scenarios().queue(), "max": MAX_QUEUE})),
                Err(u) => bad(u.to_string()),
            },
            Err(e) => bad(e),
        },
        (Method::DELETE, "scenario/queue") => ok(json!({"cleared": state.scenarios().clear_queue()})),
        _ => reply::json(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no admin route {PREFIX}{path}"), "routes": ROUTES}).to_string(),
        ),
    }
}

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

fn read<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("body is not the expected JSON: {e}"))
}

fn list(state: &State) -> Value {
    let s = state.scenarios();
    json!({
        "default": s.default_name(),
        "queue": s.queue(),
        "scenarios": s.catalog().iter().map(|x| x.to_json()).collect::<Vec<_>>(),
    })
}

fn current(state: &State) -> Value {
    json!({"name": state.scenarios().default_name(), "queue": state.scenarios().queue()})
}

fn ok(v: Value) -> Reply {
    reply::json(StatusCode::OK, v.to_string())
}

fn bad(error: String) -> Reply {
    reply::json(StatusCode::BAD_REQUEST, json!({ "error": error }).to_string())
}
