//! The mock's own API under `/__admin/`: health now; the clock, scenarios, the journal and the
//! order store add their routes here.

use crate::reply::{self, Reply};
use crate::state::State;
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};

/// Every admin route starts with this; no vendor path does.
pub const PREFIX: &str = "/__admin/";

/// Answers one admin request.
pub async fn handle(state: &State, req: Request<Incoming>) -> Reply {
    let path = &req.uri().path()[PREFIX.len()..];
    if path.starts_with("scenario") {
        return crate::scenarios::admin::handle(state, req).await;
    }
    match (req.method(), path) {
        (&Method::GET, "health") => health(state),
        _ => not_found(path),
    }
}

fn health(state: &State) -> Reply {
    let body = serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "seed": state.seed(),
        "apps": state.config().apps.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
    });
    reply::json(StatusCode::OK, body.to_string())
}

fn not_found(path: &str) -> Reply {
    let body =
        serde_json::json!({"error": format!("no admin route {PREFIX}{path}"), "routes": ["GET /__admin/health"]});
    reply::json(StatusCode::NOT_FOUND, body.to_string())
}
