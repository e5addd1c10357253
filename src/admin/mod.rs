//! The mock's own API under `/__admin/`: one route table ([`routes::ROUTES`], parsed once from
//! method and path, listed whole by the 404), one auth check, one body reader (`crate::body`, then
//! [`json_body`]), one error shape ([`error`]: `{"status": N, "error": "…"}` plus fields that
//! help). The handlers live by topic: the journal, orders, reset and metrics in [`inspect`], the
//! scenarios and the clock and secrets in their files, the console's routes in [`console`].
//!
//! Imports: `state`, the stores, `body` (the one body reader), `reply`, `protocol`, `redact`; never `http` or `vendor`.

pub(crate) mod console;
pub mod ui;

mod apps;
mod face;
pub mod inspect;
pub(crate) mod routes;
mod scenarios;
mod tokens;

use crate::apps::AppState;
use crate::body;
use crate::reply::{self, Abort, Reply};
use crate::state::State;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW};
use hyper::{Method, Request, StatusCode};
use routes::{Found, Name};
use serde_json::{json, Value};
use std::sync::Arc;

/// Every admin route starts with this; no vendor path does.
pub(crate) const PREFIX: &str = "/__admin/";

/// Answers one admin request; `Err` drops the connection (its body stalled).
///
/// The body is read first, by the one body reader, under `--max-admin-body` and `--body-timeout`.
pub(crate) async fn handle(state: &State, req: Request<Incoming>) -> Result<Reply, Abort> {
    if let Some(page) = console::page(req.method(), &req.uri().path()[PREFIX.len()..]) {
        return Ok(page);
    }
    let refused_auth = inspect::authorize(state, req.headers());
    // Container health checks carry no token: health answers them, with the detail only for the
    // holder of the admin token (or when there is none); a wrong token is still refused.
    let tokenless = !req.headers().contains_key(hyper::header::AUTHORIZATION);
    if req.method() == Method::GET && req.uri().path() == "/__admin/health" && (refused_auth.is_none() || tokenless) {
        return Ok(health(state, refused_auth.is_none()));
    }
    if let Some(refused) = refused_auth {
        return Ok(refused);
    }
    let what = format!("{} {}", req.method(), req.uri().path());
    let req = match body::read(state, body::Route::Admin, req).await {
        Ok(read) => Request::from_parts(read.head, read.bytes),
        Err(body::Refusal::Stalled(why)) => {
            tracing::warn!("{what}: {why}; connection dropped");
            return Err(Abort::Close);
        }
        Err(refusal) => return Ok(refused(&refusal)),
    };
    Ok(route(state, &req))
}

/// Whose state an admin call reads or changes: the mock's defaults (`/__admin/…`), or one app's
/// own (`/__admin/apps/{id}/…`).
pub(crate) enum Scope {
    Mock,
    App(Arc<AppState>),
}

impl Scope {
    pub(crate) fn app(&self) -> Option<&AppState> {
        match self {
            Scope::Mock => None,
            Scope::App(a) => Some(a),
        }
    }
}

fn route(state: &State, req: &Request<Bytes>) -> Reply {
    state.sweep_apps();
    let path = &req.uri().path()[PREFIX.len()..];
    match routes::find(req.method().as_str(), path) {
        Found::Route { name, app: None, param } => serve(state, &Scope::Mock, name, param.unwrap_or(""), req),
        Found::Route { name, app: Some(id), param } => match state.app(id) {
            Some(app) => serve(state, &Scope::App(app), name, param.unwrap_or(""), req),
            None => apps::unknown(state, id),
        },
        Found::Missing => not_found(path),
        Found::WrongMethod { allow } => method_not_allowed(req.method(), path, &allow),
    }
}

/// Calls the handler of `name` for `scope`; `param` is the route's `{…}` segment, if it has one.
fn serve(state: &State, scope: &Scope, name: Name, param: &str, req: &Request<Bytes>) -> Reply {
    let query = req.uri().query().unwrap_or("");
    let body = req.body();
    match name {
        Name::Ui => console::page(req.method(), "ui").unwrap_or_else(|| not_found("ui")),
        Name::Health => health(state, true),
        Name::Codes => console::codes(),
        Name::Events => console::events::stream(state, req.headers(), query),
        Name::Image => console::listings::image(state, query),
        Name::Tokens => console::tokens::tokens(state, scope.app()),
        Name::Orders => console::listings::orders(state, scope.app(), query),
        Name::Order => inspect::order(state, scope.app(), param, query),
        Name::Requests => inspect::requests(state, scope.app(), query, false),
        Name::RequestsCount => inspect::requests(state, scope.app(), query, true),
        Name::ClearRequests => inspect::clear_requests(state, scope.app()),
        Name::Reset => match scope.app() {
            Some(app) => apps::reset(state, app),
            None => inspect::reset(state),
        },
        Name::Metrics => inspect::metrics(state, scope.app()),
        Name::Catalog => scenarios::list(state, scope.app()),
        Name::Scenario => scenarios::current(state, scope.app()),
        Name::SetScenario => scenarios::set_default(state, scope.app(), body),
        Name::Queue => scenarios::queue(state, scope.app()),
        Name::Enqueue => scenarios::enqueue(state, scope.app(), body),
        Name::ClearQueue => scenarios::clear_queue(state, scope.app()),
        Name::Clock => tokens::show_clock(state, scope.app()),
        Name::MoveClock => tokens::move_clock(state, scope.app(), body),
        Name::VerifyNonceSign => tokens::verify_nonce_sign(state, body),
        Name::Secret => tokens::change_secret(state, param, body),
        Name::Apps => apps::list(state),
        Name::CreateApp => apps::create(state, body),
        Name::App => apps::show(state, param),
        Name::DeleteApp => apps::delete(state, param),
        Name::FaceScenarios => face::scenarios(state, scope.app()),
        Name::SetFaceScenario => face::set_default(state, scope.app(), body),
        Name::FaceQueue => face::enqueue(state, scope.app(), body),
        Name::FaceComplete => face::complete(state, body),
    }
}

/// `{"status": N, "error": why}`: the one shape of every admin error.
pub(crate) fn error(status: StatusCode, why: &str) -> Reply {
    error_with(status, why, json!({}))
}

/// [`error`] plus the fields of `extra` (an object) that help fix the call.
pub(crate) fn error_with(status: StatusCode, why: &str, extra: Value) -> Reply {
    let mut body = json!({"status": status.as_u16(), "error": why});
    if let (Some(out), Value::Object(more)) = (body.as_object_mut(), extra) {
        out.extend(more);
    }
    reply::json(status, body.to_string())
}

/// The body of an admin call as JSON of type `T`; an empty body reads as `null` (so an
/// `Option` or a `Value` accepts it).
///
/// # Errors
/// Why the body is not that JSON, for a 400.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_str("null").map_err(|_| "the body is empty; send a JSON object".to_string());
    }
    serde_json::from_slice(bytes).map_err(|e| format!("the body is not the expected JSON: {e}"))
}

/// `{"status":"ok","version":…}`, plus the seed, the apps and the store sizes when `detail`.
fn health(state: &State, detail: bool) -> Reply {
    if !detail {
        let body = json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")});
        return reply::json(StatusCode::OK, body.to_string());
    }
    let body = json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": state.seed(),
        "apps": state.config().apps.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        "apps_made_at_run_time": state.apps().runtime_count().0,
        "store": inspect::health_extra(state),
    });
    reply::json(StatusCode::OK, body.to_string())
}

/// 413 or 503 for an admin body the mock would not read; the connection is closed, since the
/// unread body is still on it.
fn refused(refusal: &body::Refusal) -> Reply {
    let status = match refusal {
        body::Refusal::OverBudget { .. } => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::PAYLOAD_TOO_LARGE,
    };
    reply::closing(error(status, &refusal.to_string()))
}

/// A route served for other methods: 405 with `Allow`.
fn method_not_allowed(method: &Method, path: &str, allow: &[&'static str]) -> Reply {
    let allow = allow.join(", ");
    let why = format!("{method} is not served on {PREFIX}{path}; use {allow}");
    let mut r = error_with(StatusCode::METHOD_NOT_ALLOWED, &why, json!({"allow": allow}));
    if let Ok(v) = HeaderValue::from_str(&allow) {
        r.headers_mut().insert(ALLOW, v);
    }
    r
}

/// 404 listing every admin route with what it does.
fn not_found(path: &str) -> Reply {
    let why = format!("no admin route {PREFIX}{}", crate::redact::clipped(path.trim_start_matches(PREFIX)));
    error_with(StatusCode::NOT_FOUND, &why, json!({"routes": routes::listing()}))
}
