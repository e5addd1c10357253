//! `/__admin/apps…`: make an app at run time, list the apps with their state sizes, show one,
//! delete one with everything it owns, reset one alone; and the 404 of an unknown app on an admin
//! route, which lists the apps.

use super::{error_with, json_body};
use crate::apps::{AppState, NewApp, Origin, Refused, MAX_TTL_SECONDS};
use crate::clock;
use crate::redact::mask;
use crate::reply::{self, Reply};
use crate::state::{Cleared, State};
use bytes::Bytes;
use hyper::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

/// The most apps the 404 of an unknown one names.
const LISTED: usize = 100;

/// The body of `POST /__admin/apps`; every field optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Create {
    id: Option<String>,
    secret: Option<String>,
    sign_tickets: Option<Vec<String>>,
    scenario: Option<String>,
    face_scenario: Option<String>,
    ttl_seconds: Option<u64>,
}

const ACCEPTED: &str = r#"{"id": "TIDAJOB1", "secret": "…", "sign_tickets": ["…"], "scenario": "server-busy", "face_scenario": "face-pass", "ttl_seconds": 3600}, every field optional"#;

/// `POST /__admin/apps`: 201 with the app's id, secret and static SIGN ticket.
pub(super) fn create(state: &State, body: &Bytes) -> Reply {
    let new = match json_body::<Option<Create>>(body).map(Option::unwrap_or_default).and_then(|c| check(state, c)) {
        Ok(new) => new,
        Err(why) => return error_with(StatusCode::BAD_REQUEST, &why, json!({ "accepted": ACCEPTED })),
    };
    match state.create_app(new) {
        Ok(app) => {
            tracing::info!(
                "app {} made at run time (secret {}, idle life {} s)",
                app.id(),
                mask(&app.app.secret),
                app.ttl_seconds().unwrap_or(0)
            );
            let mut v = view(state, &app);
            v["secret"] = json!(app.app.secret);
            v["sign_tickets"] = json!(app.app.sign_tickets);
            reply::json(StatusCode::CREATED, v.to_string())
        }
        Err(r @ Refused::Full { max }) => {
            error_with(StatusCode::TOO_MANY_REQUESTS, &r.to_string(), json!({ "max_apps": max }))
        }
        Err(r) => error_with(StatusCode::CONFLICT, &r.to_string(), json!({})),
    }
}

/// Bounds every value the body gives, and checks the scenario against the catalog.
fn check(state: &State, c: Create) -> Result<NewApp, String> {
    let plain = |what: &str, v: &str, max: usize| {
        let ok =
            !v.is_empty() && v.len() <= max && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(())
        } else {
            Err(format!("{what} must be 1 to {max} letters, digits, '_' or '-' (got {:?})", crate::redact::clipped(v)))
        }
    };
    if let Some(id) = &c.id {
        plain("id", id, 32)?;
    }
    if let Some(secret) = &c.secret {
        plain("secret", secret, 128)?;
    }
    for t in c.sign_tickets.iter().flatten() {
        plain("each of sign_tickets", t, 128)?;
    }
    if c.sign_tickets.as_ref().is_some_and(|t| t.len() > 8) {
        return Err("sign_tickets holds at most 8 tickets".into());
    }
    if let Some(name) = &c.scenario {
        state.scenarios().check_name(name).map_err(|u| u.to_string())?;
    }
    c.face_scenario.as_deref().map_or(Ok(()), face_known)?;
    if c.ttl_seconds.is_some_and(|t| t == 0 || t > MAX_TTL_SECONDS) {
        return Err(format!("ttl_seconds must be from 1 to {MAX_TTL_SECONDS} (30 days)"));
    }
    Ok(NewApp {
        id: c.id,
        secret: c.secret,
        sign_tickets: c.sign_tickets,
        scenario: c.scenario,
        face_scenario: c.face_scenario,
        ttl_seconds: c.ttl_seconds,
    })
}

/// `face_scenario` names a face scenario.
fn face_known(name: &str) -> Result<(), String> {
    if crate::scenarios::face::find(name).is_some() {
        return Ok(());
    }
    let known: Vec<&str> = crate::scenarios::face::ALL.iter().map(|s| s.name).collect();
    Err(format!(
        "face_scenario {:?} is not a face scenario; choose one of: {}",
        crate::redact::clipped(name),
        known.join(", ")
    ))
}

/// `GET /__admin/apps`.
pub(super) fn list(state: &State) -> Reply {
    let apps: Vec<Value> = state.apps().list().iter().map(|a| view(state, a)).collect();
    let (made, max) = state.apps().runtime_count();
    let body = json!({"apps": apps, "made_at_run_time": made, "max_apps": max});
    reply::json(StatusCode::OK, body.to_string())
}

/// `GET /__admin/apps/{id}`.
pub(super) fn show(state: &State, id: &str) -> Reply {
    match state.app(id) {
        Some(app) => reply::json(StatusCode::OK, view(state, &app).to_string()),
        None => unknown(state, id),
    }
}

/// `DELETE /__admin/apps/{id}`.
pub(super) fn delete(state: &State, id: &str) -> Reply {
    match state.delete_app(id) {
        Ok(cleared) => {
            tracing::info!("app {} deleted", crate::redact::escaped(id));
            done(json!({"deleted": id}), cleared)
        }
        Err(Refused::Unknown(_)) => unknown(state, id),
        Err(r) => error_with(StatusCode::CONFLICT, &r.to_string(), json!({})),
    }
}

/// `POST /__admin/apps/{id}/reset`: that app alone back to how it was made.
pub(super) fn reset(state: &State, app: &AppState) -> Reply {
    done(json!({"reset": app.id()}), state.clear_app(app, false))
}

/// What was emptied; 500 naming the order files that could not be deleted.
fn done(mut body: Value, c: Cleared) -> Reply {
    let orders = c.orders.as_ref().map_or(0, |n| *n);
    body["removed"] =
        json!({"tokens": c.tokens, "tickets": c.tickets, "requests": c.requests, "orders": orders, "faces": c.faces});
    match c.orders {
        Ok(_) => reply::json(StatusCode::OK, body.to_string()),
        Err(files) => {
            let why = format!("{} order files in --data-dir could not be deleted (the first 20 named); those orders come back at the next start", files.len());
            body["not_deleted"] = json!(files.iter().take(20).collect::<Vec<_>>());
            error_with(StatusCode::INTERNAL_SERVER_ERROR, &why, body)
        }
    }
}

/// One app as the listings show it: where it came from, its own settings and what it holds.
fn view(state: &State, app: &AppState) -> Value {
    let (offset, own_clock) = app.clock_offset();
    let (tokens, tickets) = state.tokens().held_by(app.id());
    let journal = crate::journal::Filter { app_id: Some(app.id().to_string()), ..Default::default() };
    json!({
        "id": app.id(),
        "origin": match app.origin { Origin::Configured => "configured", Origin::RunTime => "run time" },
        "created": clock::rfc3339(app.created),
        "base": format!("{}apps/{}/", super::PREFIX, app.id()),
        "secret": mask(&app.app.secret),
        "sign_tickets": app.app.sign_tickets.iter().map(|t| mask(t)).collect::<Vec<_>>(),
        "scenario": {"default": app.scenarios.default_name(), "queue": app.scenarios.queue().len(), "follows_mock": !app.scenarios.is_set()},
        "face": {"default": app.face.selection().0, "queue": app.face.selection().1.len(), "follows_mock": !app.face.is_set()},
        "clock": {"now": clock::rfc3339(app.now()), "offset_ms": offset, "follows_mock": !own_clock},
        "ttl_seconds": app.ttl_seconds(),
        "expires_at": app.expires_at().map(clock::rfc3339),
        "holds": {"tokens": tokens, "tickets": tickets, "orders": state.orders().count_app(app.id()), "requests": state.journal().count(&journal), "faces": state.faces().count_app(app.id())},
    })
}

/// 404 for an app the mock does not know, naming the ones it does.
pub(super) fn unknown(state: &State, id: &str) -> Reply {
    let all = state.apps().list();
    let apps: Vec<&str> = all.iter().take(LISTED).map(|a| a.id()).collect();
    let why = format!("unknown app {:?}: not configured, never made, deleted, or removed after its idle life; POST /__admin/apps makes one", crate::redact::clipped(id));
    error_with(StatusCode::NOT_FOUND, &why, json!({"apps": apps, "apps_total": all.len()}))
}
