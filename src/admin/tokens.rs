//! The token flow's admin routes under `/__admin/`: the clock (show, advance, set, reset), an
//! app's secret (changing it revokes its tokens and tickets), and `verify-nonce-sign`, which
//! checks an SDK-login sign with a NONCE ticket and uses the ticket up (the login itself is not
//! served, docs/protocol.md §3). Bad input gets HTTP 400 with a JSON error that shows the accepted forms.

use super::{error_with, json_body};
use crate::apps::AppState;
use crate::clock;
use crate::protocol::sign::{self, Verdict};
use crate::reply::{self, Reply};
use crate::state::State;
use crate::tokens::Kind;
use bytes::Bytes;
use hyper::StatusCode;
use serde_json::{json, Value};

fn bad_request(error: &str, path: &str) -> Reply {
    let accepted: Value = match path {
        "clock" => json!([{"advance_seconds": 3600}, {"set": "2026-01-01T08:00:00+08:00"}, {"reset": true}]),
        "verify-nonce-sign" => {
            json!([{"appId": "TIDAMOCK", "userId": "user1", "nonce": "<32 letters/digits>", "version": "1.0.0", "sign": "<40 hex>"}])
        }
        _ => json!([{"secret": "new-secret"}]),
    };
    error_with(StatusCode::BAD_REQUEST, error, json!({ "accepted": accepted }))
}

/// `GET /__admin/clock`: the mock's clock, or (`app`) that app's, with whether it follows the mock's.
pub(super) fn show_clock(state: &State, app: Option<&AppState>) -> Reply {
    let (now, offset) = match app {
        Some(a) => (a.now(), a.clock_offset().0),
        None => (state.clock().now(), state.clock().offset()),
    };
    let mut body = json!({
        "now": clock::rfc3339(now),
        "transactionTime": clock::compact(now),
        "offset_ms": offset,
        "real_time": offset == 0,
    });
    if let Some(a) = app {
        body["app"] = json!(a.id());
        body["follows_mock"] = json!(!a.clock_offset().1);
    }
    reply::json(StatusCode::OK, body.to_string())
}

/// `POST /__admin/clock`.
pub(super) fn move_clock(state: &State, app: Option<&AppState>, body: &Bytes) -> Reply {
    match json_body::<Value>(body).and_then(|b| moved(state, app, &b)) {
        Ok(()) => show_clock(state, app),
        Err(e) => bad_request(&e, "clock"),
    }
}

/// Moves the mock's clock, or `app`'s own (which then no longer follows the mock's; `reset`
/// makes it follow again).
fn moved(state: &State, app: Option<&AppState>, body: &Value) -> Result<(), String> {
    let obj =
        body.as_object().filter(|o| o.len() == 1).ok_or("send a JSON object with exactly one of the accepted keys")?;
    let (key, value) = obj.iter().next().expect("exactly one entry");
    match (key.as_str(), value) {
        ("advance_seconds", Value::Number(n)) => {
            let ms = n.as_f64().map(|s| (s * 1000.0).round()).filter(|ms| ms.abs() < 1e15);
            let ms = ms.ok_or_else(|| clock::OutOfRange.to_string())?;
            match app {
                Some(a) => a.advance_clock(ms as i64),
                None => state.clock().advance(ms as i64),
            }
            .map_err(|e| e.to_string())?;
        }
        ("set", Value::String(s)) => {
            let at = clock::parse_rfc3339(s)?;
            app.map_or_else(|| state.clock().set(at), |a| a.set_clock(at)).map_err(|e| e.to_string())?
        }
        ("reset", Value::Bool(true)) => app.map_or_else(|| state.clock().reset(), AppState::reset_clock),
        (k, v) => return Err(format!("{{{k:?}: {v}}} is not an accepted form")),
    }
    Ok(())
}

/// `PUT /__admin/apps/{id}/secret`.
pub(super) fn change_secret(state: &State, app: &str, body: &Bytes) -> Reply {
    let body = json_body::<Value>(body).unwrap_or_default();
    let Some(secret) = body.get("secret").and_then(Value::as_str).filter(|s| !s.is_empty()) else {
        return bad_request("send {\"secret\": \"…\"} with a non-empty string", "secret");
    };
    let Some(found) = state.app(app) else {
        return super::apps::unknown(state, app);
    };
    let now = found.now();
    match state.tokens().change_secret(app, secret, now) {
        Some((tokens, tickets)) => {
            tracing::info!(
                "app {app}: secret changed to {}; revoked {tokens} tokens, {tickets} tickets",
                crate::redact::mask(secret)
            );
            let body = json!({"app": app, "changed_at": clock::rfc3339(now), "revoked": {"tokens": tokens, "tickets": tickets}});
            reply::json(StatusCode::OK, body.to_string())
        }
        None => super::apps::unknown(state, app),
    }
}

/// `POST /__admin/verify-nonce-sign`.
pub(super) fn verify_nonce_sign(state: &State, body: &Bytes) -> Reply {
    let body = match json_body::<Value>(body) {
        Ok(v) => v,
        Err(e) => return bad_request(&e, "verify-nonce-sign"),
    };
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let (app, user, nonce, version, received) =
        (text("appId"), text("userId"), text("nonce"), text("version"), text("sign"));
    if app.is_empty() || user.is_empty() || received.is_empty() {
        return bad_request(
            "appId, userId and sign are required strings (nonce and version too, if you signed them)",
            "verify-nonce-sign",
        );
    }
    let Some(found) = state.app(app) else {
        return super::apps::unknown(state, app);
    };
    let now = found.now();
    let candidates = state.tokens().candidates(app, Kind::Nonce, Some(user), now);
    let signed = sign::signed::nonce_login(app, user, nonce, version);
    let refused = |reason: String| {
        tracing::warn!(
            "verify-nonce-sign for app {}, user {}: {}",
            crate::redact::escaped(app),
            crate::redact::escaped(&crate::redact::value("userId", user)),
            crate::redact::escaped_to(&reason, crate::redact::MAX_REASON_CHARS)
        );
        error_with(StatusCode::FORBIDDEN, &reason, json!({"valid": false, "reason": reason}))
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
