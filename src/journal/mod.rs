//! The request journal: every request to a vendor path, as the mock saw it and what it answered,
//! in a bounded ring (`--journal-limit`) that `GET /__admin/requests` filters. Secrets, tickets and
//! access tokens are masked, the image is reduced to its size, SHA-256 and format, unknown body
//! fields are named but never copied, and a user id that is an ID number is masked: the journal can
//! be printed in a CI log.
//!
//! Imports: `clock`, `protocol`, `redact`, `image`, `arrival`, `metrics`, `reply` (the note and the end); never `State`.

mod feed;
mod filter;
mod summary;
mod texts;

pub(crate) use feed::{Feed, MAX_BATCH, MAX_STREAMS};
pub use filter::{Filter, Since};
pub(crate) use summary::{parse_query, sha256_hex, summarise_body, summarise_parsed, summarise_split};
use texts::{Text, Texts};

use crate::arrival::Arrival;
use crate::clock::{self, Clock, Millis};
use crate::metrics::Metrics;
use crate::redact;
use crate::reply::{Abort, BodyKept, End, Note};
use hyper::{HeaderMap, Method, Uri};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

/// The request headers worth keeping, in the order the journal shows them (by name).
const KEPT_HEADERS: &[&str] = &["content-length", "content-type", "user-agent", "x-idocr-scenario"];

/// The kept request headers ([`KEPT_HEADERS`], each value clipped), as the JSON object the journal
/// shows, written when the request arrives: one allocation per request, not a map node and a
/// string per header.
///
/// `None` (shown as `{}`) when nothing is kept: the journal is off, or in tests.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeptHeaders(Option<Box<RawValue>>);

impl KeptHeaders {
    fn of(headers: &HeaderMap) -> Self {
        struct Pairs<'a>(&'a HeaderMap);
        impl Serialize for Pairs<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let text = |name: &str| self.0.get(name).and_then(|v| v.to_str().ok()).map(redact::clip);
                s.collect_map(KEPT_HEADERS.iter().filter_map(|h| Some((*h, text(h)?))))
            }
        }
        KeptHeaders(Some(serde_json::value::to_raw_value(&Pairs(headers)).expect("header texts serialise")))
    }

    /// The JSON object, if any.
    fn text(&self) -> Option<&str> {
        self.0.as_deref().map(RawValue::get)
    }
}

/// One journaled request.
#[derive(Debug, Clone)]
pub struct Entry {
    /// 1, 2, 3… in arrival order; never reused, even after a clear.
    pub(crate) id: u64,
    /// Arrival on the mock's clock; shown as `time`, RFC 3339 in Beijing time (formatted when
    /// the journal is read, not on every request).
    pub(crate) at: Millis,
    pub(crate) method: Cow<'static, str>,
    pub(crate) path: Cow<'static, str>,
    /// How the request arrived: `{"via": "http"}`, `{"via": "https", "sni": NAME}` or
    /// `{"via": "proxy", "target": HOST:PORT, "tls": true}` (CONNECT) / `false` (absolute form).
    pub(crate) arrival: Arrival,
    /// Query parameters, decoded; secrets, tickets and tokens masked.
    pub(crate) query: Map<String, Value>,
    /// The body summary (see [`summarise_body`]), for requests with a body: JSON text, one
    /// allocation, written once; or a small body itself, summarised when the journal is read.
    pub(crate) body: Option<BodyKept>,
    /// HTTP status, or `None` when the connection was dropped on purpose.
    pub status: Option<u16>,
    /// `reset` or `close`, when the mock dropped the connection on purpose.
    pub(crate) abort: Option<&'static str>,
    /// The vendor `code` answered.
    pub code: Option<&'static str>,
    /// The host, the kept headers (a JSON object), the scenario and why, the reason, the order
    /// number and the app id, each clipped: one block (see [`Entry::scenario`] and the others).
    texts: Texts,
    /// `answered`, `aborted` (the mock dropped the connection) or `abandoned` (the client went
    /// away before the whole answer was sent).
    pub ended: &'static str,
    /// From the request's headers to its end: the last byte of a dribbled body, or the moment the
    /// client went away.
    pub latency_ms: f64,
}

impl Entry {
    /// Bytes the entry holds, about: its strings plus a fixed overhead, for `--journal-max-bytes`.
    fn weight(&self) -> usize {
        let query: usize = self.query.iter().map(|(k, v)| k.len() + v.as_str().map_or(0, str::len) + 64).sum();
        ENTRY_OVERHEAD
            + self.method.len()
            + self.path.len()
            + query
            + self.texts.len()
            + self.body.as_ref().map_or(0, BodyKept::len)
    }

    /// The scenario that answered, if one did.
    pub fn scenario(&self) -> Option<&str> {
        self.texts.get(Text::Scenario)
    }

    /// Why that scenario (`default`, `queue`, …), or why none applied.
    pub fn scenario_why(&self) -> Option<&str> {
        self.texts.get(Text::ScenarioWhy)
    }

    /// Why the request was refused (the sign diagnosis for `400105`).
    pub fn reason(&self) -> Option<&str> {
        self.texts.get(Text::Reason)
    }

    pub fn order_no(&self) -> Option<&str> {
        self.texts.get(Text::OrderNo)
    }

    pub(crate) fn app_id(&self) -> Option<&str> {
        self.texts.get(Text::AppId)
    }
}

/// The entry as `GET /__admin/requests` shows it, field by field in this order.
impl Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeStruct as _};
        struct Summary<'a>(&'a Option<BodyKept>);
        impl Serialize for Summary<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                as_summary(self.0, s)
            }
        }
        let headers: Option<&RawValue> = match self.texts.get(Text::Headers) {
            Some(text) => Some(serde_json::from_str(text).map_err(S::Error::custom)?),
            None => None,
        };
        let mut st = s.serialize_struct("Entry", 19)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("time", &clock::rfc3339(self.at))?;
        st.serialize_field("method", &self.method)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("host", &self.texts.get(Text::Host))?;
        st.serialize_field("arrival", &self.arrival)?;
        st.serialize_field("query", &self.query)?;
        match headers {
            Some(raw) => st.serialize_field("headers", raw)?,
            None => st.serialize_field("headers", &Map::new())?,
        }
        st.serialize_field("body", &Summary(&self.body))?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("abort", &self.abort)?;
        st.serialize_field("code", &self.code)?;
        st.serialize_field("scenario", &self.scenario())?;
        st.serialize_field("scenario_why", &self.scenario_why())?;
        st.serialize_field("reason", &self.reason())?;
        st.serialize_field("order_no", &self.order_no())?;
        st.serialize_field("app_id", &self.app_id())?;
        st.serialize_field("ended", &self.ended)?;
        st.serialize_field("latency_ms", &self.latency_ms)?;
        st.end()
    }
}

/// Bytes an entry costs beyond its strings (the struct, the map nodes, the allocator's rounding).
const ENTRY_OVERHEAD: usize = 512;

/// What is known of a request before it is handled.
#[derive(Debug, Clone)]
pub struct Head {
    at: Millis,
    started: Instant,
    method: Method,
    path: Cow<'static, str>,
    host: Option<String>,
    arrival: Arrival,
    query: Map<String, Value>,
    headers: KeptHeaders,
}

impl Head {
    /// Captures the request line and the headers that matter.
    pub fn capture(journal: &Journal, clock: &Clock, method: &Method, uri: &Uri, headers: &HeaderMap) -> Self {
        if !journal.is_on() {
            // The metrics need the path and the start only.
            return Head {
                at: 0,
                started: Instant::now(),
                method: method.clone(),
                path: static_path(uri.path()),
                host: None,
                arrival: Arrival::Http,
                query: Map::new(),
                headers: KeptHeaders::default(),
            };
        }
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(redact::clipped);
        let query = parse_query(uri.query().unwrap_or("")).into_iter().map(|(k, v)| {
            let v = redact::value(&k, &v).into_owned();
            (redact::clipped(&k), Value::String(v))
        });
        Head {
            at: clock.now(),
            started: Instant::now(),
            method: method.clone(),
            path: static_path(uri.path()),
            host: text("host").or_else(|| uri.host().map(str::to_string)),
            arrival: Arrival::Http,
            query: query.collect(),
            headers: KeptHeaders::of(headers),
        }
    }
}

impl Head {
    /// The same head, noted as arrived by `arrival`.
    pub(crate) fn arrived(mut self, arrival: Arrival) -> Self {
        self.arrival = arrival;
        self
    }

    /// How the request arrived (http, https, proxy).
    pub(crate) fn arrival(&self) -> &Arrival {
        &self.arrival
    }
}

/// Records a request that has ended in the journal and the metrics, with how it ended and its
/// real duration (from its headers to now). The journal copies the head's and the note's texts
/// (clipped where long) into one block: the copies are freed at once, while still in cache,
/// rather than when the entry leaves the ring.
pub fn record(journal: &Journal, metrics: &Metrics, head: Head, note: &mut Note, end: End) {
    let body = note.body.take();
    let n = &*note;
    let (status, abort) = match end {
        End::Answered(s) => (Some(s), None),
        End::Aborted(a) => (None, Some(abort_name(a))),
        End::Abandoned(s) => (s, None),
    };
    let latency = head.started.elapsed();
    let counted = if matches!(end, End::Abandoned(_)) { Some(crate::metrics::ABANDONED) } else { status };
    metrics.observe(&head.path, n.app.as_ref(), n.code.unwrap_or(""), counted, latency);
    if !journal.is_on() {
        return;
    }
    fn clip(t: Option<&str>) -> Option<Cow<'_, str>> {
        t.map(redact::clip)
    }
    let (scenario, why) = (clip(n.scenario.as_deref()), clip(n.scenario_why.as_deref()));
    let (order_no, app_id) = (clip(n.order_no.as_deref()), clip(n.app_id.as_deref()));
    let reason = n.reason.as_deref().map(|r| redact::clip_to(r, redact::MAX_REASON_CHARS));
    let texts = Texts::new([
        head.host.as_deref(),
        head.headers.text(),
        scenario.as_deref(),
        why.as_deref(),
        reason.as_deref(),
        order_no.as_deref(),
        app_id.as_deref(),
    ]);
    journal.push(Entry {
        id: 0,
        at: head.at,
        method: method_text(&head.method),
        path: head.path,
        arrival: head.arrival,
        query: head.query,
        body,
        status,
        abort,
        code: n.code,
        texts,
        ended: end.name(),
        latency_ms: (latency.as_secs_f64() * 1e6).round() / 1e3,
    });
}

/// A vendor path as the route table's static text (no copy per request); any other path copied.
fn static_path(path: &str) -> Cow<'static, str> {
    crate::protocol::paths::vendor_path(path).map_or_else(|| Cow::Owned(redact::clipped(path)), Cow::Borrowed)
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

/// Bodies of at most this many bytes are kept as they came and summarised when the journal is
/// read ([`keep_body`]): every call without a real image (the bench's small call is 299 bytes).
pub(crate) const SMALL_BODY: usize = 4096;

/// Whether [`keep_body`] keeps `body` as it came: then an endpoint need not summarise it.
pub(crate) fn keeps_whole(body: &[u8]) -> bool {
    body.len() <= SMALL_BODY
}

/// What the journal keeps of `body`: the body itself when it is small ([`SMALL_BODY`]), otherwise
/// its summary, written now (a larger body is not held: its image is reduced to a size and a
/// SHA-256).
pub(crate) fn keep_body(body: &[u8]) -> BodyKept {
    if keeps_whole(body) {
        BodyKept::Small(body.into())
    } else {
        BodyKept::Summary(summarise_body(body))
    }
}

/// The summary a reader sees: the one written, or a small body's, written now (the same text
/// [`summarise_body`] writes when the request is handled).
fn as_summary<S: serde::Serializer>(body: &Option<BodyKept>, s: S) -> Result<S::Ok, S::Error> {
    match body {
        None => s.serialize_none(),
        Some(BodyKept::Summary(raw)) => raw.serialize(s),
        Some(BodyKept::Small(bytes)) => summarise_body(bytes).serialize(s),
    }
}

fn abort_name(a: Abort) -> &'static str {
    match a {
        Abort::Reset => "reset",
        Abort::Close => "close",
    }
}

/// The bounded ring of entries: at most `limit` entries and `max_bytes` bytes of them.
#[derive(Debug)]
pub struct Journal {
    limit: usize,
    feed: Feed,
    max_bytes: usize,
    ring: Mutex<Ring>,
}

#[derive(Debug, Default)]
struct Ring {
    /// Each entry with its [`Entry::weight`].
    entries: VecDeque<(Entry, usize)>,
    bytes: usize,
    next_id: u64,
    dropped: Dropped,
}

/// Entries pushed out since startup, by the bound that pushed them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dropped {
    /// By `--journal-limit`.
    pub(crate) entries: u64,
    /// By `--journal-max-bytes`.
    pub(crate) bytes: u64,
}

impl Journal {
    pub(crate) fn new(limit: usize, max_bytes: usize) -> Self {
        Journal { limit, max_bytes, feed: Feed::default(), ring: Mutex::new(Ring { next_id: 1, ..Ring::default() }) }
    }

    /// The live readers of the journal (the console's event streams).
    pub(crate) fn feed(&self) -> &Feed {
        &self.feed
    }

    /// `false` with `--journal-limit 0`: nothing is recorded, and no summary is computed.
    pub(crate) fn is_on(&self) -> bool {
        self.limit > 0
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `e` with the next id, dropping the oldest past either bound (never `e` itself).
    pub(crate) fn push(&self, mut e: Entry) {
        let weight = e.weight();
        let mut ring = self.ring();
        e.id = ring.next_id;
        ring.next_id += 1;
        ring.entries.push_back((e, weight));
        ring.bytes += weight;
        while ring.entries.len() > 1 && (ring.entries.len() > self.limit || ring.bytes > self.max_bytes) {
            let by_count = ring.entries.len() > self.limit;
            let Some((_, w)) = ring.entries.pop_front() else { break };
            ring.bytes -= w;
            if by_count {
                ring.dropped.entries += 1;
            } else {
                ring.dropped.bytes += 1;
            }
        }
        drop(ring);
        // Wakes the console's event streams: one `watch` send, whoever listens.
        self.feed.recorded();
    }

    /// The entries `f` selects, oldest first, written as a JSON array under the lock: the entries
    /// are not copied first, so reading the journal costs its text once, not its entries twice.
    pub(crate) fn render(&self, f: &Filter) -> Vec<u8> {
        let ring = self.ring();
        let hits: Vec<&Entry> = ring.entries.iter().map(|(e, _)| e).filter(|e| f.matches(e)).collect();
        let skip = f.limit.map_or(0, |l| hits.len().saturating_sub(l));
        serde_json::to_vec(&hits[skip..]).expect("entries serialise")
    }

    /// The entries `f` selects, oldest first (copies; for tests and small reads).
    pub fn select(&self, f: &Filter) -> Vec<Entry> {
        let ring = self.ring();
        let hits: Vec<&Entry> = ring.entries.iter().map(|(e, _)| e).filter(|e| f.matches(e)).collect();
        let skip = f.limit.map_or(0, |l| hits.len().saturating_sub(l));
        hits[skip..].iter().map(|e| (*e).clone()).collect()
    }

    /// How many entries `f` selects.
    pub(crate) fn count(&self, f: &Filter) -> usize {
        let n = self.ring().entries.iter().filter(|(e, _)| f.matches(e)).count();
        f.limit.map_or(n, |l| n.min(l))
    }

    /// `--journal-max-bytes`.
    pub(crate) fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Bytes the entries hold, about (see `--journal-max-bytes`).
    pub(crate) fn bytes(&self) -> usize {
        self.ring().bytes
    }

    pub(crate) fn len(&self) -> usize {
        self.ring().entries.len()
    }

    pub(crate) fn capacity(&self) -> usize {
        self.limit
    }

    /// Entries pushed out by either bound since startup (or the last reset).
    pub(crate) fn dropped(&self) -> Dropped {
        self.ring().dropped
    }

    /// The id of the oldest entry kept, if any.
    pub(crate) fn first_id(&self) -> Option<u64> {
        self.ring().entries.front().map(|(e, _)| e.id)
    }

    /// The id of the newest entry ever recorded (0 before the first).
    pub(crate) fn last_id(&self) -> u64 {
        self.ring().next_id - 1
    }

    /// Forgets the entries of `app`; returns how many.
    pub(crate) fn remove_app(&self, app: &str) -> usize {
        let mut ring = self.ring();
        let before = ring.entries.len();
        ring.entries.retain(|(e, _)| e.app_id() != Some(app));
        ring.bytes = ring.entries.iter().map(|(_, w)| w).sum();
        before - ring.entries.len()
    }

    /// Forgets every entry; ids keep counting, so `since=<id>` stays meaningful.
    pub(crate) fn reset(&self) {
        let mut ring = self.ring();
        ring.entries.clear();
        ring.bytes = 0;
        ring.dropped = Dropped::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain answered GET of `p`, for the journal's tests.
    pub(super) fn e(p: &str) -> Entry {
        Entry {
            id: 0,
            at: 0,
            method: "GET".into(),
            path: p.to_string().into(),
            arrival: Arrival::Http,
            query: Map::new(),
            body: None,
            status: Some(200),
            abort: None,
            code: None,
            texts: Texts::default(),
            ended: "answered",
            latency_ms: 0.0,
        }
    }

    #[test]
    fn a_small_body_kept_as_it_came_reads_as_the_summary_written_at_once_and_a_large_one_is_not_kept() {
        let body =
            br#"{"webankAppId":"A","orderNo":"o1","ticket":"supersecret","userId":"11010519491231002X","x":"v"}"#;
        let small = Entry { body: Some(keep_body(body)), ..e("/api/paas/idcardocrapp") };
        let eager = Entry { body: Some(BodyKept::Summary(summarise_body(body))), ..e("/api/paas/idcardocrapp") };
        let read = serde_json::to_string(&small).unwrap();
        assert_eq!(read, serde_json::to_string(&eager).unwrap());
        assert!(
            !read.contains("supersecret") && !read.contains("19491231") && read.contains("unknown_fields"),
            "{read}"
        );
        assert!(!format!("{small:?}").contains("supersecret"), "Debug shows a small body's length only");
        assert!(matches!(small.body, Some(BodyKept::Small(_))));
        assert!(matches!(keep_body(&[b' '; SMALL_BODY]), BodyKept::Small(_)));
        assert!(matches!(keep_body(&[b' '; SMALL_BODY + 1]), BodyKept::Summary(_)));
    }

    #[test]
    fn the_kept_headers_are_one_json_object_by_name_with_long_values_clipped() {
        let mut h = HeaderMap::new();
        h.insert("user-agent", "U".repeat(300).parse().unwrap());
        h.insert("content-type", "application/json".parse().unwrap());
        h.insert("authorization", "Bearer secret".parse().unwrap());
        let kept = KeptHeaders::of(&h);
        let clipped = format!("{}...(300 bytes)", "U".repeat(256));
        let want = format!(r#"{{"content-type":"application/json","user-agent":"{clipped}"}}"#);
        assert_eq!(kept.text(), Some(want.as_str()));
        let texts = Texts::new([Some("h"), kept.text(), None, None, None, None, None]);
        let entry = serde_json::to_value(Entry { texts, ..e("/e") }).unwrap();
        assert_eq!(entry["headers"], serde_json::from_str::<Value>(&want).unwrap());
        assert_eq!(serde_json::to_value(e("/e")).unwrap()["headers"], serde_json::json!({}), "none kept: {{}}");
    }

    #[test]
    fn the_ring_drops_the_oldest_and_ids_survive_a_reset() {
        let j = Journal::new(2, usize::MAX);
        for p in ["/a", "/b", "/c"] {
            j.push(e(p));
        }
        let all = j.select(&Filter::default());
        assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(j.dropped(), Dropped { entries: 1, bytes: 0 });
        j.reset();
        j.push(e("/d"));
        assert_eq!(j.select(&Filter::default())[0].id, 4);
        j.push(Entry { texts: Texts::new([None, None, None, None, None, None, Some("JOB1")]), ..e("/e") });
        let job = Filter { app_id: Some("JOB1".into()), ..Filter::default() };
        assert_eq!((j.count(&job), j.remove_app("JOB1"), j.count(&job), j.len()), (1, 1, 0, 1));
    }
}
