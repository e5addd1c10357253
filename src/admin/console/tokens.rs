//! `GET /__admin/tokens` (docs/console-api.md §4): every configured app's tokens and tickets that
//! still work on the mock's clock, masked, with their time left.

use crate::apps::AppState;
use crate::clock::{self, Millis};
use crate::redact;
use crate::redact::mask;
use crate::reply::{self, Reply};
use crate::state::State;
use crate::tokens::{Kind, UsableTicket, UsableToken};
use hyper::StatusCode;
use serde_json::{json, Value};

/// Every app (configured in config order, then those made at run time), each with its static
/// SIGN tickets and usable tokens on its own clock; under `/__admin/apps/{id}/` (`scope`), that app alone.
pub(crate) fn tokens(state: &State, scope: Option<&AppState>) -> Reply {
    let all = match scope {
        Some(_) => Vec::new(),
        None => state.apps().list(),
    };
    let apps: Vec<Value> = scope.into_iter().chain(all.iter().map(|a| &**a)).map(|app| one(state, app)).collect();
    let now = scope.map_or_else(|| state.clock().now(), AppState::now);
    reply::json(StatusCode::OK, json!({"now": clock::rfc3339(now), "apps": apps}).to_string())
}

fn one(state: &State, app: &AppState) -> Value {
    let now = app.now();
    let tokens = state.tokens().usable(app.id(), now).unwrap_or_default();
    json!({
        "app_id": app.id(),
        "static_sign_tickets": app.app.sign_tickets.iter().map(|t| mask(t)).collect::<Vec<_>>(),
        "tokens": tokens.iter().map(|t| token(t, now)).collect::<Vec<_>>(),
    })
}

fn token(t: &UsableToken, now: Millis) -> Value {
    json!({
        "token": mask(&t.value),
        "state": if t.retiring { "retiring" } else { "live" },
        "issued_at": clock::rfc3339(t.issued_at),
        "expires_at": t.ends_at.map(clock::rfc3339),
        "expires_in_s": left(t.ends_at, now),
        "tickets": t.tickets.iter().map(|k| ticket(k, now)).collect::<Vec<_>>(),
    })
}

fn ticket(k: &UsableTicket, now: Millis) -> Value {
    json!({
        "kind": if k.kind == Kind::Sign { "SIGN" } else { "NONCE" },
        "ticket": mask(&k.value),
        "user_id": k.user_id.as_deref().map(|u| redact::value("userId", u).into_owned()),
        "state": "live",
        "issued_at": clock::rfc3339(k.issued_at),
        "expires_at": k.ends_at.map(clock::rfc3339),
        "expires_in_s": left(k.ends_at, now),
    })
}

/// Whole seconds from `now` to `end`, rounded down.
fn left(end: Option<Millis>, now: Millis) -> Option<i64> {
    end.map(|e| (e - now).max(0) / 1000)
}
