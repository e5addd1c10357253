//! The mock's own API under `/__admin/`: health now; the clock, scenarios, the journal and the
//! order store add their routes here.

use crate::inspect;
use crate::reply::{self, Reply};
use crate::state::State;
use crate::tokens;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};

/// The largest admin request body: every admin call takes a small JSON object.
pub const MAX_BODY: usize = 64 * 1024;

/// Reads an admin request's body, at most [`MAX_BODY`] bytes.
///
/// # Errors
/// A message saying the body could not be read or passed the limit.
pub async fn read_body(req: Request<Incoming>) -> Result<Bytes, String> {
    Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .map_err(|e| format!("cannot read the body (at most {MAX_BODY} bytes): {e}"))
}

/// Every admin route starts with this; no vendor path does.
pub const PREFIX: &str = "/__admin/";

/// Answers one admin request.
pub async fn handle(state: &State, req: Request<Incoming>) -> Reply {
    let refused = inspect::authorize(state, req.headers());
    let path = req.uri().path()[PREFIX.len()..].to_string();
    // Container health checks carry no token: health answers them, with the detail only for the
    // holder of the admin token (or when there is none); a wrong token is still refused.
    let tokenless = !req.headers().contains_key(hyper::header::AUTHORIZATION);
    if req.method() == Method::GET && path == "health" && (refused.is_none() || tokenless) {
        return health(state, refused.is_none());
    }
    if let Some(refused) = refused {
        return refused;
    }
    if path.starts_with("scenario") {
        return crate::scenarios::admin::handle(state, req).await;
    }
    match (req.method(), path.as_str()) {
        (_, p) if tokens::admin::owns(p) => tokens::admin::handle(state, req, p).await,
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

fn not_found(path: &str) -> Reply {
    let body = serde_json::json!({
        "error": format!("no admin route {PREFIX}{path}"),
        "routes": ["GET /__admin/health"],
        "token_flow": tokens::admin::ROUTES,
        "more_routes": inspect::ROUTES,
    });
    reply::json(StatusCode::NOT_FOUND, body.to_string())
}
