//! The admin routes that look at what happened: the journal (`/__admin/requests`), stored orders
//! (`/__admin/orders/{orderNo}`), `/__admin/reset`, `/__admin/metrics`, and the `--admin-token`
//! check that guards every admin call. `admin/mod.rs` dispatches here.

use super::{error, error_with};
use crate::apps::AppState;
use crate::clock;
use crate::journal::{sha256_hex, Filter};
use crate::metrics;
use crate::orders::{Order, SideRecord};
use crate::reply::{self, Reply};
use crate::state::State;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// `Some(401)` when `--admin-token` is set and the call does not carry it.
pub(crate) fn authorize(state: &State, headers: &HeaderMap) -> Option<Reply> {
    let want = state.config().admin_token.as_deref()?;
    let got = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if got.is_some_and(|g| same(g.trim().as_bytes(), want.as_bytes())) {
        return None;
    }
    let why =
        if got.is_some() { "wrong admin token" } else { "this mock requires Authorization: Bearer <--admin-token>" };
    let mut r = error(StatusCode::UNAUTHORIZED, why);
    r.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    Some(r)
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `DELETE /__admin/requests`.
/// Under an app, only its entries.
pub(crate) fn clear_requests(state: &State, app: Option<&AppState>) -> Reply {
    match app {
        Some(a) => {
            let n = state.journal().remove_app(a.id());
            reply::json(StatusCode::OK, json!({"cleared": true, "app": a.id(), "entries": n}).to_string())
        }
        None => {
            state.journal().reset();
            reply::json(StatusCode::OK, json!({"cleared": true}).to_string())
        }
    }
}

/// What `GET /__admin/health` adds: the sizes of the journal and the order store.
pub(crate) fn health_extra(state: &State) -> Value {
    let j = state.journal();
    json!({
        "journal": {"entries": j.len(), "limit": j.capacity(), "max_bytes": j.max_bytes(), "bytes": j.bytes(), "dropped": j.dropped().entries + j.dropped().bytes},
        "orders": state.orders().stats(),
        "data_dir": state.config().data_dir.as_ref().map(|d| d.display().to_string()),
    })
}

/// `GET /__admin/requests` and `/count`; under an app, only the requests that named it.
pub(crate) fn requests(state: &State, app: Option<&AppState>, query: &str, count: bool) -> Reply {
    let mut filter = match Filter::parse(query) {
        Ok(f) => f,
        Err(why) => return error(StatusCode::BAD_REQUEST, &why),
    };
    if let Some(a) = app {
        filter.app_id = Some(a.id().to_string());
    }
    if count {
        let mut r = reply::json(StatusCode::OK, state.journal().count(&filter).to_string());
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
        return r;
    }
    reply::json(StatusCode::OK, state.journal().render(&filter))
}

/// `GET /__admin/orders/{orderNo}`; under an app, that app's order.
pub(crate) fn order(state: &State, app: Option<&AppState>, order_no: &str, query: &str) -> Reply {
    let pairs = crate::journal::parse_query(query);
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let images = get("images") == Some("1");
    let mut found = state.orders().find(order_no);
    if let Some(app) = app.map(AppState::id).or_else(|| get("app_id")) {
        found.retain(|o| o.app_id() == app);
    }
    let shown = crate::redact::clipped(order_no);
    match found.as_slice() {
        [] => error(StatusCode::NOT_FOUND, &format!("no stored order {shown} (unknown, evicted, or reset)")),
        [one] => reply::json(StatusCode::OK, order_view(one, images).to_string()),
        several => {
            let apps: Vec<&str> = several.iter().map(Order::app_id).collect();
            error(StatusCode::CONFLICT, &format!("order {shown} exists for apps {apps:?}; add ?app_id="))
        }
    }
}

fn order_view(o: &Order, images: bool) -> Value {
    let side = |s: &Option<SideRecord>| {
        s.as_ref().map(|s| {
            let mut image = json!({"bytes": s.image.len(), "sha256": sha256_hex(&s.image), "format": s.format});
            if images {
                image["base64"] = json!(STANDARD.encode(&s.image));
            }
            json!({
                "code": s.code, "fields": s.fields, "warning": s.warning, "multi_warning": s.multi_warning,
                "clarity": s.clarity, "time": clock::rfc3339(s.time), "image": image,
            })
        })
    };
    let mut view =
        json!({"app_id": o.app_id(), "order_no": o.order_no(), "front": side(&o.front), "back": side(&o.back)});
    // Only orders with a bank-card call have the key: ID-card views stay as they were.
    if o.bank.is_some() {
        view["bank"] = side(&o.bank).into();
    }
    view
}

/// Everything back to startup state, but for the apps made at run time, which stay (each back
/// to how it was made).
pub(crate) fn reset(state: &State) -> Reply {
    state.journal().reset();
    let orders = state.orders().reset();
    state.faces().reset();
    state.metrics().reset();
    state.clock().reset();
    state.tokens().reset();
    state.scenarios().reset();
    // Apps made at run time stay (other suites may be using them), back to how they were made.
    for app in state.apps().list() {
        app.scenarios.reset();
        app.face.reset();
        app.reset_clock();
    }
    match orders {
        Ok(()) => {
            let done = ["journal", "orders", "faces", "metrics", "clock", "tokens", "scenarios"];
            reply::json(StatusCode::OK, json!({"reset": done}).to_string())
        }
        Err(files) => {
            let done = ["journal", "faces", "metrics", "clock", "tokens", "scenarios"];
            let error = format!(
                "{} order files in --data-dir could not be deleted (the first 20 named); those orders come back at the next start",
                files.len()
            );
            let extra = json!({"reset": done, "not_deleted": files.iter().take(20).collect::<Vec<_>>()});
            error_with(StatusCode::INTERNAL_SERVER_ERROR, &error, extra)
        }
    }
}

/// `GET /__admin/metrics`; under an app, its counters and what it holds.
pub(crate) fn metrics(state: &State, app: Option<&AppState>) -> Reply {
    let page = app.map_or_else(|| metrics_page(state), |a| app_page(state, a));
    let mut r = reply::json(StatusCode::OK, page);
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    r
}

/// One app's metrics page: its request counters, its journal entries, orders, tokens and tickets.
fn app_page(state: &State, app: &AppState) -> String {
    let mut out = String::new();
    metrics::render_app(state.metrics(), app.id(), &mut out);
    let journal = Filter { app_id: Some(app.id().to_string()), ..Filter::default() };
    let (tokens, tickets) = state.tokens().held_by(app.id());
    let held = [
        (
            "idocr_mock_app_journal_entries",
            "Journal entries of requests that named the app.",
            state.journal().count(&journal),
        ),
        ("idocr_mock_app_orders", "Orders the app has stored.", state.orders().count_app(app.id())),
        ("idocr_mock_app_tokens", "Access tokens the app holds.", tokens),
        ("idocr_mock_app_tickets", "Tickets the app holds.", tickets),
    ];
    for (name, help, value) in held {
        metrics::header(&mut out, name, "gauge", help);
        let _ = writeln!(out, "{name} {value}");
    }
    out
}

/// The whole metrics page: the request counters, then the sizes of the journal and the order store.
pub fn metrics_page(state: &State) -> String {
    let mut out = String::new();
    metrics::render(state.metrics(), &mut out);
    let orders = state.orders().stats();
    let dropped = state.journal().dropped();
    let name = "idocr_mock_journal_dropped_total";
    metrics::header(
        &mut out,
        name,
        "counter",
        "Journal entries pushed out, by --journal-limit (entries) or --journal-max-bytes (bytes).",
    );
    let _ = writeln!(out, "{name}{{reason=\"entries\"}} {}", dropped.entries);
    let _ = writeln!(out, "{name}{{reason=\"bytes\"}} {}", dropped.bytes);
    let gauges: [(&str, &str, &str, u64); 7] = [
        ("idocr_mock_journal_entries", "gauge", "Requests in the journal.", state.journal().len() as u64),
        ("idocr_mock_journal_capacity", "gauge", "--journal-limit.", state.journal().capacity() as u64),
        (
            "idocr_mock_journal_bytes",
            "gauge",
            "Bytes the journal's entries hold, about.",
            state.journal().bytes() as u64,
        ),
        ("idocr_mock_orders", "gauge", "Orders in the store.", orders.orders as u64),
        ("idocr_mock_order_bytes", "gauge", "Image bytes in the order store.", orders.bytes as u64),
        (
            "idocr_mock_order_evictions_total",
            "counter",
            "Orders evicted by --max-orders or --max-order-bytes.",
            orders.evictions,
        ),
        (
            "idocr_mock_order_write_failures_total",
            "counter",
            "Orders that could not be written to --data-dir.",
            orders.write_failures,
        ),
    ];
    for (name, kind, help, value) in gauges {
        metrics::header(&mut out, name, kind, help);
        let _ = writeln!(out, "{name} {value}");
    }
    out
}
