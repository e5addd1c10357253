//! The request journal: every request to a vendor path, as the mock saw it and what it answered,
//! in a bounded ring (`--journal-limit`) that `GET /__admin/requests` filters. Secrets, tickets and
//! access tokens are masked, the image is reduced to its size, SHA-256 and format, unknown body
//! fields are named but never copied, and a user id that is an ID number is masked: the journal can
//! be printed in a CI log.

mod filter;
mod summary;

pub use filter::{Filter, Since};
use summary::is_secret_name;
pub use summary::{parse_query, sha256_hex, summarise_body, summarise_request};

use crate::clock::{self, Millis};
use crate::protocol::sign::mask;
use crate::reply::{Abort, End, Note};
use crate::state::State;
use hyper::{HeaderMap, Method, Uri};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

/// The request headers worth keeping.
const KEPT_HEADERS: &[&str] = &["content-type", "content-length", "user-agent", "x-idocr-scenario"];

/// One journaled request.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// 1, 2, 3… in arrival order; never reused, even after a clear.
    pub id: u64,
    /// Arrival on the mock's clock; shown as `time`, RFC 3339 in Beijing time (formatted when
    /// the journal is read, not on every request).
    #[serde(rename = "time", serialize_with = "as_rfc3339")]
    pub at: Millis,
    pub method: Cow<'static, str>,
    pub path: Cow<'static, str>,
    pub host: Option<String>,
    /// Query parameters, decoded; secrets, tickets and tokens masked.
    pub query: Map<String, Value>,
    pub headers: BTreeMap<&'static str, String>,
    /// The body summary (see [`summarise_body`]), for requests with a body: JSON text, one
    /// allocation, written once.
    pub body: Option<Box<RawValue>>,
    /// HTTP status, or `None` when the connection was dropped on purpose.
    pub status: Option<u16>,
    pub abort: Option<String>,
    /// The vendor `code` answered.
    pub code: Option<&'static str>,
    pub scenario: Option<String>,
    pub scenario_why: Option<String>,
    /// Why the request was refused (the sign diagnosis for `400105`).
    pub reason: Option<String>,
    pub order_no: Option<String>,
    pub app_id: Option<String>,
    /// `answered`, `aborted` (the mock dropped the connection) or `abandoned` (the client went
    /// away before the whole answer was sent).
    pub ended: &'static str,
    /// From the request's headers to its end: the last byte of a dribbled body, or the moment the
    /// client went away.
    pub latency_ms: f64,
}

/// What is known of a request before it is handled.
#[derive(Debug, Clone)]
pub struct Head {
    at: Millis,
    started: Instant,
    method: Method,
    path: Cow<'static, str>,
    host: Option<String>,
    query: Map<String, Value>,
    headers: BTreeMap<&'static str, String>,
}

impl Head {
    /// Captures the request line and the headers that matter.
    pub fn capture(state: &State, method: &Method, uri: &Uri, headers: &HeaderMap) -> Self {
        if !state.journal().is_on() {
            // The metrics need the path and the start only.
            return Head {
                at: 0,
                started: Instant::now(),
                method: method.clone(),
                path: static_path(uri.path()),
                host: None,
                query: Map::new(),
                headers: BTreeMap::new(),
            };
        }
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let kept = KEPT_HEADERS.iter().filter_map(|h| Some((*h, text(h)?))).collect();
        let query = parse_query(uri.query().unwrap_or("")).into_iter().map(|(k, v)| {
            let v = if is_secret_name(&k) { mask(&v) } else { v };
            (k, Value::String(v))
        });
        Head {
            at: state.clock().now(),
            started: Instant::now(),
            method: method.clone(),
            path: static_path(uri.path()),
            host: text("host").or_else(|| uri.host().map(str::to_string)),
            query: query.collect(),
            headers: kept,
        }
    }
}

/// Records a request that has ended in the journal and the metrics, with how it ended and its
/// real duration (from its headers to now).
pub fn record(state: &State, head: Head, note: &mut Note, end: End) {
    let body = note.body.take();
    let n = &*note;
    let (status, abort) = match end {
        End::Answered(s) => (Some(s), None),
        End::Aborted(a) => (None, Some(abort_name(a).to_string())),
        End::Abandoned(s) => (s, None),
    };
    let latency = head.started.elapsed();
    let counted = if matches!(end, End::Abandoned(_)) { Some(crate::metrics::ABANDONED) } else { status };
    state.metrics().observe(&head.path, n.code.unwrap_or(""), counted, latency);
    if !state.journal().is_on() {
        return;
    }
    state.journal().push(Entry {
        id: 0,
        at: head.at,
        method: method_text(&head.method),
        path: head.path,
        host: head.host,
        query: head.query,
        headers: head.headers,
        body,
        status,
        abort,
        code: n.code,
        scenario: n.scenario.clone(),
        scenario_why: n.scenario_why.clone(),
        reason: n.reason.clone(),
        order_no: n.order_no.clone(),
        app_id: n.app_id.clone(),
        ended: end.name(),
        latency_ms: (latency.as_secs_f64() * 1e6).round() / 1e3,
    });
}

/// A vendor path as the route table's static text (no copy per request); any other path copied.
fn static_path(path: &str) -> Cow<'static, str> {
    crate::routes::vendor_path(path).map_or_else(|| Cow::Owned(path.to_string()), Cow::Borrowed)
}

/// The method's name, without a copy for the standard ones.
fn method_text(m: &Method) -> Cow<'static, str> {
    Cow::Borrowed(match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => return Cow::Owned(m.to_string()),
    })
}

fn as_rfc3339<S: serde::Serializer>(at: &Millis, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&clock::rfc3339(*at))
}

fn abort_name(a: Abort) -> &'static str {
    match a {
        Abort::Reset => "reset",
        Abort::Close => "close",
    }
}

/// The bounded ring of entries.
#[derive(Debug)]
pub struct Journal {
    limit: usize,
    ring: Mutex<Ring>,
}

#[derive(Debug, Default)]
struct Ring {
    entries: VecDeque<Entry>,
    next_id: u64,
    dropped: u64,
}

impl Journal {
    pub fn new(limit: usize) -> Self {
        Journal { limit, ring: Mutex::new(Ring { next_id: 1, ..Ring::default() }) }
    }

    /// `false` with `--journal-limit 0`: nothing is recorded, and no summary is computed.
    pub fn is_on(&self) -> bool {
        self.limit > 0
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `e` with the next id, dropping the oldest past the limit.
    pub fn push(&self, mut e: Entry) {
        let mut ring = self.ring();
        e.id = ring.next_id;
        ring.next_id += 1;
        ring.entries.push_back(e);
        while ring.entries.len() > self.limit {
            ring.entries.pop_front();
            ring.dropped += 1;
        }
    }

    /// The entries `f` selects, oldest first.
    pub fn select(&self, f: &Filter) -> Vec<Entry> {
        let ring = self.ring();
        let hits: Vec<&Entry> = ring.entries.iter().filter(|e| f.matches(e)).collect();
        let skip = f.limit.map_or(0, |l| hits.len().saturating_sub(l));
        hits[skip..].iter().map(|e| (*e).clone()).collect()
    }

    /// How many entries `f` selects.
    pub fn count(&self, f: &Filter) -> usize {
        let n = self.ring().entries.iter().filter(|e| f.matches(e)).count();
        f.limit.map_or(n, |l| n.min(l))
    }

    pub fn len(&self) -> usize {
        self.ring().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> usize {
        self.limit
    }

    /// Entries pushed out by the limit since startup.
    pub fn dropped(&self) -> u64 {
        self.ring().dropped
    }

    /// Forgets every entry; ids keep counting, so `since=<id>` stays meaningful.
    pub fn reset(&self) {
        let mut ring = self.ring();
        ring.entries.clear();
        ring.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_drops_the_oldest_and_ids_survive_a_reset() {
        let j = Journal::new(2);
        let e = |p: &str| Entry {
            id: 0,
            at: 0,
            method: "GET".into(),
            path: p.to_string().into(),
            host: None,
            query: Map::new(),
            headers: BTreeMap::new(),
            body: None,
            status: Some(200),
            abort: None,
            code: None,
            scenario: None,
            scenario_why: None,
            reason: None,
            order_no: None,
            app_id: None,
            ended: "answered",
            latency_ms: 0.0,
        };
        for p in ["/a", "/b", "/c"] {
            j.push(e(p));
        }
        let all = j.select(&Filter::default());
        assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(j.dropped(), 1);
        j.reset();
        j.push(e("/d"));
        assert_eq!(j.select(&Filter::default())[0].id, 4);
    }
}
