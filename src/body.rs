//! The one reader of request bodies, for every route: vendor paths under `--max-body`, `/__admin/`
//! under `--max-admin-body`, both under `--body-timeout` and `--body-budget`. A body that stalls
//! gets its connection dropped, wherever it was sent.
//!
//! Imports: `state` (the limits and the body budget) only.

use crate::state::State;
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::CONTENT_LENGTH;
use hyper::http::request::Parts;
use hyper::Request;
use tokio::sync::OwnedSemaphorePermit;

/// Which limit a body is read under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A vendor path: `--max-body`.
    Vendor,
    /// `/__admin/…`: `--max-admin-body`.
    Admin,
}

impl Route {
    /// The limit in bytes and the flag that sets it.
    pub fn limit(self, state: &State) -> (usize, &'static str) {
        match self {
            Route::Vendor => (state.config().max_body, "--max-body"),
            Route::Admin => (state.config().max_admin_body, "--max-admin-body"),
        }
    }
}

/// A body the mock would not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Larger than the route's limit (declared or as it arrived): HTTP 413.
    TooLarge { limit: usize, flag: &'static str },
    /// The bodies being read already fill `--body-budget`: HTTP 503.
    OverBudget { budget: usize },
    /// Not received in time, or the client stopped sending: the connection is dropped.
    Stalled(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooLarge { limit, flag } => write!(f, "body larger than {limit} bytes ({flag})"),
            Refusal::OverBudget { budget } => {
                write!(f, "the request bodies being read already fill --body-budget ({budget} bytes); retry shortly")
            }
            Refusal::Stalled(why) => f.write_str(why),
        }
    }
}

/// A body read whole, with its room in `--body-budget` (given back when dropped).
pub struct Read {
    pub head: Parts,
    pub bytes: Bytes,
    pub room: OwnedSemaphorePermit,
}

/// Reads the whole body of `req` under the limit of `route`, `--body-timeout` and `--body-budget`.
///
/// # Errors
/// [`Refusal`]: too large (checked on the declared `Content-Length` before a byte is read), no
/// room in the budget, or not received in time.
pub async fn read(state: &State, route: Route, req: Request<Incoming>) -> Result<Read, Refusal> {
    let mut chunks = Vec::new();
    let (head, room) = read_with(state, route, req, |chunk| chunks.push(chunk)).await?;
    let bytes = match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.pop().expect("one chunk"),
        _ => {
            let mut all = BytesMut::with_capacity(chunks.iter().map(Bytes::len).sum());
            chunks.iter().for_each(|c| all.extend_from_slice(c));
            all.freeze()
        }
    };
    Ok(Read { head, bytes, room })
}

/// The `Content-Length` a request declares, if it declares a valid one.
pub fn declared(req: &Request<Incoming>) -> Option<u64> {
    req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
}

/// [`read`], handing each chunk of the body to `each` as it arrives instead of keeping it: the
/// request's head, and its room in `--body-budget`, once the whole body has arrived.
///
/// # Errors
/// As [`read`]; `each` may have seen part of the body.
pub async fn read_with(
    state: &State,
    route: Route,
    req: Request<Incoming>,
    mut each: impl FnMut(Bytes),
) -> Result<(Parts, OwnedSemaphorePermit), Refusal> {
    let (limit, flag) = route.limit(state);
    let declared = declared(&req);
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Refusal::TooLarge { limit, flag });
    }
    // Room for the whole body in --body-budget before a byte of it is buffered.
    let Some(room) = state.reserve_body(declared.map_or(limit, |n| n as usize)) else {
        return Err(Refusal::OverBudget { budget: state.config().body_budget });
    };
    let (head, body) = req.into_parts();
    let timeout = state.config().body_timeout;
    let mut body = Limited::new(body, limit);
    let all = async {
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame?.into_data() {
                each(data);
            }
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    };
    match tokio::time::timeout(timeout, all).await {
        Ok(Ok(())) => Ok((head, room)),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(Refusal::TooLarge { limit, flag }),
        Ok(Err(e)) => Err(Refusal::Stalled(format!("the client stopped sending its body: {e}"))),
        Err(_) => Err(Refusal::Stalled(format!("body not received within {}s (--body-timeout)", timeout.as_secs()))),
    }
}
