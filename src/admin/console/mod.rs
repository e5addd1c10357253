//! The console's routes (issue #17, docs/console-api.md): its files at `/__admin/ui` (served before
//! the token check: they hold no data), the error catalog at `/__admin/codes`, and the journal as
//! server-sent events at `/__admin/events` ([`events`]). Each function takes what it needs and
//! returns a [`Reply`]; the admin router dispatches here.

pub(crate) mod events;
pub(crate) mod listings;
pub(crate) mod tokens;

pub(crate) use super::error;
use super::ui as admin_ui;
use crate::reply::{self, MockBody, Reply};
use hyper::header::{HeaderName, HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::{Method, Response, StatusCode};

/// The console file at `path` (after `/__admin/`), or `None` when `path` is not one of them.
/// `GET` and `HEAD` only; another method gets 405 with `Allow: GET`.
pub(crate) fn page(method: &Method, path: &str) -> Option<Reply> {
    let (content_type, body) = admin_ui::asset(path)?;
    if method != Method::GET && method != Method::HEAD {
        let why = format!("{method} is not served on /__admin/{path}; the console is read with GET");
        let mut r = error(StatusCode::METHOD_NOT_ALLOWED, &why);
        r.headers_mut().insert(ALLOW, HeaderValue::from_static("GET"));
        return Some(r);
    }
    let mut r = Response::new(MockBody::Full(Some(body.into())));
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (name, value) in admin_ui::HEADERS {
        r.headers_mut().insert(HeaderName::from_static(name), HeaderValue::from_static(value));
    }
    Some(r)
}

/// `GET /__admin/codes`: the array `idocr-mock codes --json` prints.
pub(crate) fn codes() -> Reply {
    reply::json(StatusCode::OK, crate::protocol::catalog::to_json())
}
