//! The console's listings (docs/console-api.md §5, §6): the stored orders without their images,
//! and a marked card picture for a person to upload from a phone.

use super::error;
use crate::apps::AppState;
use crate::clock;
use crate::image::marker;
use crate::journal::parse_query;
use crate::orders::{Order, SideRecord};
use crate::protocol::Side;
use crate::reply::{self, Reply};
use crate::scenarios;
use crate::state::State;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use hyper::StatusCode;
use serde_json::{json, Value};

/// `GET /__admin/orders`: the orders listed when no `limit=` is given, and the most.
pub(crate) const DEFAULT_LIMIT: usize = 50;
pub(crate) const MAX_LIMIT: usize = 500;

/// `GET /__admin/orders?limit=&app_id=`: newest first (by the later side), images left out.
///
/// Under `/__admin/apps/{id}/` (`scope`), that app's orders only.
pub(crate) fn orders(state: &State, scope: Option<&AppState>, query: &str) -> Reply {
    let (mut limit, mut app) = (DEFAULT_LIMIT, None);
    for (k, v) in parse_query(query) {
        match k.as_str() {
            "limit" => match v.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => limit = n,
                _ => {
                    let shown = crate::redact::clipped(&v);
                    return error(
                        StatusCode::BAD_REQUEST,
                        &format!("limit={shown:?} is not a number from 1 to {MAX_LIMIT}"),
                    );
                }
            },
            "app_id" => app = Some(v),
            other => {
                let shown = crate::redact::clipped(other);
                return error(StatusCode::BAD_REQUEST, &format!("unknown parameter {shown:?}; use limit, app_id"));
            }
        }
    }
    if let Some(a) = scope {
        app = Some(a.id().to_string());
    }
    let mut rows: Vec<(clock::Millis, Value)> = state
        .orders()
        .each(|o| (app.is_none() || app.as_deref() == Some(o.app_id())).then(|| (o.updated(), row(o))))
        .into_iter()
        .flatten()
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let total = rows.len();
    let listed: Vec<Value> = rows.into_iter().take(limit).map(|(_, v)| v).collect();
    reply::json(StatusCode::OK, json!({"total": total, "orders": listed}).to_string())
}

fn row(o: &Order) -> Value {
    let side = |s: &Option<SideRecord>| {
        s.as_ref().map(
            |s| json!({"code": s.code, "time": clock::rfc3339(s.time), "format": s.format, "bytes": s.image.len()}),
        )
    };
    let mut row = json!({"app_id": o.app_id(), "order_no": o.order_no(), "updated": clock::rfc3339(o.updated()), "front": side(&o.front), "back": side(&o.back)});
    if o.bank.is_some() {
        row["bank"] = side(&o.bank).into();
    }
    row
}

/// `GET /__admin/image?scenario=&side=&format=&name=&idcard=`: the picture `idocr-mock image`
/// writes, as a download.
pub(crate) fn image(state: &State, query: &str) -> Reply {
    let (mut scenario, mut side, mut format, mut name, mut idcard) = (None, Side::Front, "png", None, None);
    for (k, v) in parse_query(query) {
        let shown = crate::redact::clipped(&v);
        match k.as_str() {
            "scenario" if !v.is_empty() => scenario = Some(v),
            "scenario" => {}
            "side" => {
                side = match v.as_str() {
                    "front" => Side::Front,
                    "back" => Side::Back,
                    "bank" => Side::Bank,
                    _ => return error(StatusCode::BAD_REQUEST, &format!("side={shown:?} is not front, back or bank")),
                }
            }
            "format" => {
                format = match v.as_str() {
                    "png" => "png",
                    "jpeg" | "jpg" => "jpeg",
                    _ => return error(StatusCode::BAD_REQUEST, &format!("format={shown:?} is not png or jpeg")),
                }
            }
            "name" => name = Some(v),
            "idcard" => idcard = Some(v),
            other => {
                let shown = crate::redact::clipped(other);
                let why = format!("unknown parameter {shown:?}; use scenario, side, format, name, idcard");
                return error(StatusCode::BAD_REQUEST, &why);
            }
        }
    }
    let Some(scenario) = scenario else {
        return error(StatusCode::BAD_REQUEST, "scenario= is required; GET /__admin/scenarios lists them");
    };
    let catalog = state.scenarios().catalog();
    if catalog.get(&scenario).is_none() {
        let names = catalog.names().join(", ");
        let shown = crate::redact::clipped(&scenario);
        return error(
            StatusCode::BAD_REQUEST,
            &format!("scenario={shown:?} is not a scenario; choose one of: {names}"),
        );
    }
    if let Err(e) = scenarios::catalog::pin(name.clone(), idcard.clone()) {
        return error(StatusCode::BAD_REQUEST, &format!("name/idcard: {e}"));
    }
    let m = marker::Marker { scenario, name, idcard };
    let (bytes, content_type, ext) = if format == "jpeg" {
        (marker::card_jpeg(side, Some(&m)), "image/jpeg", "jpg")
    } else {
        (marker::card_png(side, Some(&m)), "image/png", "png")
    };
    let side_name = if side == Side::Back { "back" } else { "front" };
    let file: String = format!("idocr-mock-{}-{side_name}.{ext}", m.scenario)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' })
        .collect();
    let mut r = reply::json(StatusCode::OK, bytes);
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    r
}
