//! The token flow's admin routes under `/__admin/`: the clock (show, advance, set, reset), an
//! app's secret (changing it revokes its tokens and tickets), and `verify-nonce-sign`, which
//! checks an SDK-login sign with a NONCE ticket and uses the ticket up (the login itself is not
//! served, docs/protocol.md §3). Bad input gets HTTP 400 with a JSON error that shows the accepted forms.

use crate::clock;
use crate::protocol::sign::{self, Verdict};
use crate::reply::{self, Reply};
use crate::state::State;
use crate::tokens::Kind;
use bytes::Bytes;
use hyper::{Method, Request, StatusCode};
use serde_json::{json, Value};

/// The routes this module serves, for the admin 404 listing.
pub const ROUTES: &[&str] = &[
    "GET /__admin/clock",
    "POST /__admin/clock {\"advance_seconds\": N} | {\"set\": \"2026-01-01T08:00:00+08:00\"} | {\"reset\": true}",
    "PUT /__admin/apps/{id}/secret {\"secret\": \"…\"}",
    "POST /__admin/verify-nonce-sign {\"appId\",\"userId\",\"nonce\",\"version\",\"sign\"}",
];

/// Whether `path` (after `/__admin/`) is one of this module's routes.
pub fn owns(path: &str) -> bool {
    path == "clock" || path == "verify-nonce-sign" || secret_route(path).is_some()
}

fn secret_route(path: &str) -> Option<&str> {
    path.strip_prefix("apps/")?.strip_suffix("/secret").filter(|id| !id.is_empty() && !id.contains('/'))
}

/// Answers one of [`ROUTES`].
pub fn handle(state: &State, req: Request<Bytes>, path: &str) -> Reply {
    let method = req.method().clone();
    let body = match read_json(req.body()) {
        Ok(v) => v,
        Err(e) => return bad_request(&e, path),
    };
    match (method, path) {
        (Method::GET, "clock") => show_clock(state),
        (Method::POST, "clock") => match move_clock(state, &body) {
            Ok(()) => show_clock(state),
            Err(e) => bad_request(&e, path),
        },
        (Method::POST, "verify-nonce-sign") => verify_nonce_sign(state, &body),
        (Method::PUT, p) if secret_route(p).is_some() => change_secret(state, secret_route(p).unwrap_or(""), &body),
        (m, p) => reply::json(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"error": format!("{m} is not served on /__admin/{p}"), "routes": ROUTES}).to_string(),
        ),
    }
}

fn read_json(bytes: &Bytes) -> Result<Value, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|e| format!("the body is not JSON: {e}"))
}

fn bad_request(error: &str, path: &str) -> Reply {
    let accepted: Value = match path {
        "clock" => json!([{"advance_seconds": 3600}, {"set": "2026-01-01T08:00:00+08:00"}, {"reset": true}]),
        "verify-nonce-sign" => {
            json!([{"appId": "TIDAMOCK", "userId": "user1", "nonce": "<32 letters/digits>", "version": "1.0.0", "sign": "<40 hex>"}])
        }
        _ => json!([{"secret": "new-secret"}]),
    };
    reply::json(StatusCode::BAD_REQUEST, json!({"error": error, "accepted": accepted}).to_string())
}

fn show_clock(state: &State) -> Reply {
    let now = state.clock().now();
    let offset = state.clock().offset();
    let body = json!({
        "now": clock::rfc3339(now),
        "transactionTime": clock::compact(now),
        "offset_ms": offset,
        "real_time": offset == 0,
    });
    reply::json(StatusCode::OK, body.to_string())
}

fn move_clock(state: &State, body: &Value) -> Result<(), String> {
    let obj =
        body.as_object().filter(|o| o.len() == 1).ok_or("send a JSON object with exactly one of the accepted keys")?;
    let (key, value) = obj.iter().next().expect("exactly one entry");
    match (key.as_str(), value) {
        ("advance_seconds", Value::Number(n)) => {
            let ms = n.as_f64().map(|s| (s * 1000.0).round()).filter(|ms| ms.abs() < 1e15);
            let ms = ms.ok_or_else(|| clock::OutOfRange.to_string())?;
            state.clock().advance(ms as i64).map_err(|e| e.to_string())?;
        }
        ("set", Value::String(s)) => state.clock().set(clock::parse_rfc3339(s)?).map_err(|e| e.to_string())?,
        ("reset", Value::Bool(true)) => state.clock().reset(),
        (k, v) => return Err(format!("{{{k:?}: {v}}} is not an accepted form")),
    }
    Ok(())
}

fn change_secret(state: &State, app: &str, body: &Value) -> Reply {
    let Some(secret) = body.get("secret").and_then(Value::as_str).filter(|s| !s.is_empty()) else {
        return bad_request("send {\"secret\": \"…\"} with a non-empty string", "secret");
    };
    let now = state.clock().now();
    match state.tokens().change_secret(app, secret, now) {
        Some((tokens, tickets)) => {
            tracing::info!(
                "app {app}: secret changed to {}; revoked {tokens} tokens, {tickets} tickets",
                crate::redact::mask(secret)
            );
            let body = json!({"app": app, "changed_at": clock::rfc3339(now), "revoked": {"tokens": tokens, "tickets": tickets}});
            reply::json(StatusCode::OK, body.to_string())
        }
        None => reply::json(StatusCode::NOT_FOUND, json!({"error": format!("unknown app {app:?}")}).to_string()),
    }
}

fn verify_nonce_sign(state: &State, body: &Value) -> Reply {
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let (app, user, nonce, version, received) =
        (text("appId"), text("userId"), text("nonce"), text("version"), text("sign"));
    if app.is_empty() || user.is_empty() || received.is_empty() {
        return bad_request(
            "appId, userId and sign are required strings (nonce and version too, if you signed them)",
            "verify-nonce-sign",
        );
    }
    if state.app(app).is_none() {
        return reply::json(StatusCode::NOT_FOUND, json!({"error": format!("unknown app {app:?}")}).to_string());
    }
    let now = state.clock().now();
    let candidates = state.tokens().candidates(app, Kind::Nonce, Some(user), now);
    let signed = sign::signed::nonce_login(app, user, nonce, version);
    let refused = |reason: String| {
        tracing::warn!(
            "verify-nonce-sign for app {}, user {}: {}",
            crate::redact::escaped(app),
            crate::redact::escaped(&crate::redact::value("userId", user)),
            crate::redact::escaped_to(&reason, crate::redact::MAX_REASON_CHARS)
        );
        reply::json(StatusCode::FORBIDDEN, json!({"valid": false, "reason": reason}).to_string())
    };
    match sign::verify(&signed, &[], received, &candidates, state.config().sign_case) {
        Verdict::Valid { ticket } => {
            let value = &candidates[ticket].value;
            match state.tokens().consume(app, value, now) {
                Ok(()) => reply::json(
                    StatusCode::OK,
                    json!({"valid": true, "ticket": crate::redact::mask(value), "consumed": true}).to_string(),
                ),
                Err(why) => refused(format!("signed with ticket {}, which is dead: {why}", crate::redact::mask(value))),
            }
        }
        Verdict::Refused(d) => refused(d.for_nonce()),
    }
}
