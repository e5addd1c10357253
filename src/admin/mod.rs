//! The mock's own API under `/__admin/`: health, auth and reset here; the journal, the orders and
//! the metrics in [`inspect`]; the scenarios, the face flow and the token flow's clock and secrets in their files.
//!
//! Imports: `state`, the stores, `body` (the one body reader), `reply`, `protocol`, `redact`; never `http` or `vendor`.

pub mod console;
pub mod ui;

mod face;
pub mod inspect;
mod scenarios;
mod tokens;

use crate::body;
use crate::reply::{self, Abort, Reply};
use crate::state::State;
use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};

/// Every admin route starts with this; no vendor path does.
pub const PREFIX: &str = "/__admin/";

/// Answers one admin request; `Err` drops the connection (its body stalled).
///
/// The body is read first, by the one body reader, under `--max-admin-body` and `--body-timeout`.
pub async fn handle(state: &State, req: Request<Incoming>) -> Result<Reply, Abort> {
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
    Ok(route(state, req))
}

fn route(state: &State, req: Request<Bytes>) -> Reply {
    let path = req.uri().path()[PREFIX.len()..].to_string();
    if path.starts_with("scenario") {
        return scenarios::handle(state, req);
    }
    match (req.method(), path.as_str()) {
        (_, "health") => health_method_not_allowed(req.method()),
        (&Method::GET, "codes") => console::codes(),
        (&Method::GET, "tokens") => console::tokens::tokens(state),
        (&Method::GET, "orders") => console::listings::orders(state, req.uri().query().unwrap_or("")),
        (&Method::GET, "image") => console::listings::image(state, req.uri().query().unwrap_or("")),
        (&Method::GET, "events") => console::events::stream(state, req.headers(), req.uri().query().unwrap_or("")),
        (_, p) if tokens::owns(p) => tokens::handle(state, req, p),
        (_, p) if face::owns(p) => face::handle(state, req, p),
        (m, p) => inspect::route(state, m, p, req.uri().query().unwrap_or("")).unwrap_or_else(|| not_found(&path)),
    }
}

/// `{"status":"ok","version":…}`, plus the seed, the apps and the store sizes when `detail`.
fn health(state: &State, detail: bool) -> Reply {
    if !detail {
        let body = serde_json::json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")});
        return reply::json(StatusCode::OK, body.to_string());
    }
    let body = serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": state.seed(),
        "apps": state.config().apps.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
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
    reply::closing(reply::json(status, serde_json::json!({ "error": refusal.to_string() }).to_string()))
}

/// `HEAD`, `POST`… on `/__admin/health`: 405 with `Allow: GET`.
fn health_method_not_allowed(method: &Method) -> Reply {
    let body = serde_json::json!({"error": format!("{method} is not served on {PREFIX}health"), "allow": "GET"});
    let mut r = reply::json(StatusCode::METHOD_NOT_ALLOWED, body.to_string());
    r.headers_mut().insert(hyper::header::ALLOW, hyper::header::HeaderValue::from_static("GET"));
    r
}

fn not_found(path: &str) -> Reply {
    let body = serde_json::json!({
        "error": format!("no admin route {PREFIX}{path}"),
        "routes": ["GET /__admin/health"],
        "token_flow": tokens::ROUTES,
        "scenarios": scenarios::ROUTES,
        "face": face::ROUTES,
        "more_routes": inspect::ROUTES,
    });
    reply::json(StatusCode::NOT_FOUND, body.to_string())
}
