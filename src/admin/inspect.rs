//! The admin routes that look at what happened: the journal (`/__admin/requests`), stored orders
//! (`/__admin/orders/{orderNo}`), `/__admin/reset`, `/__admin/metrics`, and the `--admin-token`
//! check that guards every admin call. `admin/mod.rs` dispatches here.

use super::{error, error_with};
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
pub fn authorize(state: &State, headers: &HeaderMap) -> Option<Reply> {
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
pub(crate) fn clear_requests(state: &State) -> Reply {
    state.journal().reset();
    reply::json(StatusCode::OK, json!({"cleared": true}).to_string())
}

/// What `GET /__admin/health` adds: the sizes of the journal and the order store.
pub fn health_extra(state: &State) -> Value {
    let j = state.journal();
    json!({
        "journal": {"entries": j.len(), "limit": j.capacity(), "max_bytes": j.max_bytes(), "bytes": j.bytes(), "dropped": j.dropped().entries + j.dropped().bytes},
        "orders": state.orders().stats(),
        "data_dir": state.config().data_dir.as_ref().map(|d| d.display().to_string()),
    })
}

pub(crate) fn requests(state: &State, query: &str, count: bool) -> Reply {
    let filter = match Filter::parse(query) {
        Ok(f) => f,
        Err(why) => return error(StatusCode::BAD_REQUEST, &why),
    };
    if count {
        let mut r = reply::json(StatusCode::OK, state.journal().count(&filter).to_string());
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
        return r;
    }
    reply::json(StatusCode::OK, state.journal().render(&filter))
}

pub(crate) fn order(state: &State, order_no: &str, query: &str) -> Reply {
    let pairs = crate::journal::parse_query(query);
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let images = get("images") == Some("1");
    let mut found = state.orders().find(order_no);
    if let Some(app) = get("app_id") {
        found.retain(|o| o.app_id == app);
    }
    match found.as_slice() {
        [] => error(StatusCode::NOT_FOUND, &format!("no stored order {order_no} (unknown, evicted, or reset)")),
        [one] => reply::json(StatusCode::OK, order_view(one, images).to_string()),
        several => {
            let apps: Vec<&str> = several.iter().map(|o| o.app_id.as_str()).collect();
            error(StatusCode::CONFLICT, &format!("order {order_no} exists for apps {apps:?}; add ?app_id="))
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
    json!({"app_id": o.app_id, "order_no": o.order_no, "front": side(&o.front), "back": side(&o.back)})
}

/// Everything back to startup state.
pub(crate) fn reset(state: &State) -> Reply {
    state.journal().reset();
    let orders = state.orders().reset();
    state.metrics().reset();
    state.clock().reset();
    state.tokens().reset();
    state.scenarios().reset();
    match orders {
        Ok(()) => {
            let done = ["journal", "orders", "metrics", "clock", "tokens", "scenarios"];
            reply::json(StatusCode::OK, json!({"reset": done}).to_string())
        }
        Err(files) => {
            let done = ["journal", "metrics", "clock", "tokens", "scenarios"];
            let error = format!(
                "{} order files in --data-dir could not be deleted (the first 20 named); those orders come back at the next start",
                files.len()
            );
            let extra = json!({"reset": done, "not_deleted": files.iter().take(20).collect::<Vec<_>>()});
            error_with(StatusCode::INTERNAL_SERVER_ERROR, &error, extra)
        }
    }
}

pub(crate) fn metrics(state: &State) -> Reply {
    let mut r = reply::json(StatusCode::OK, metrics_page(state));
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    r
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
