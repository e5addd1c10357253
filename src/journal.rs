//! The request journal: every request to a vendor path, as the mock saw it and what it answered,
//! in a bounded ring (`--journal-limit`) that `GET /__admin/requests` filters. Secrets, tickets and
//! access tokens are masked, the image is reduced to its size, SHA-256 and format, unknown body
//! fields are named but never copied, and a user id that is an ID number is masked: the journal can
//! be printed in a CI log.

use crate::clock::{self, Millis};
use crate::identity;
use crate::image::{self, LineBreaks};
use crate::protocol::sign::mask;
use crate::reply::{Abort, Handled};
use crate::state::State;
use hyper::{HeaderMap, Method, Uri};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

/// The request headers worth keeping.
const KEPT_HEADERS: &[&str] = &["content-type", "content-length", "user-agent", "x-idocr-scenario"];
/// Body fields of the OCR request whose values are kept as sent.
const PLAIN_FIELDS: &[&str] = &["webankAppId", "appId", "version", "nonce", "sign", "orderNo", "cardType", "getNative"];

/// One journaled request.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// 1, 2, 3… in arrival order; never reused, even after a clear.
    pub id: u64,
    /// Arrival on the mock's clock, RFC 3339 in Beijing time.
    pub time: String,
    #[serde(skip)]
    pub at: Millis,
    pub method: String,
    pub path: String,
    pub host: Option<String>,
    /// Query parameters, decoded; secrets, tickets and tokens masked.
    pub query: Map<String, Value>,
    pub headers: BTreeMap<String, String>,
    /// The body summary (see [`summarise_body`]), for requests with a body.
    pub body: Option<Value>,
    /// HTTP status, or `None` when the connection was dropped on purpose.
    pub status: Option<u16>,
    pub abort: Option<String>,
    /// The vendor `code` answered.
    pub code: Option<String>,
    pub scenario: Option<String>,
    pub scenario_why: Option<String>,
    /// Why the request was refused (the sign diagnosis for `400105`).
    pub reason: Option<String>,
    pub order_no: Option<String>,
    pub app_id: Option<String>,
    pub latency_ms: f64,
}

/// What is known of a request before it is handled.
#[derive(Debug, Clone)]
pub struct Head {
    at: Millis,
    started: Instant,
    method: Method,
    path: String,
    host: Option<String>,
    query: Map<String, Value>,
    headers: BTreeMap<String, String>,
}

impl Head {
    /// Captures the request line and the headers that matter.
    pub fn capture(state: &State, method: &Method, uri: &Uri, headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let kept = KEPT_HEADERS.iter().filter_map(|h| Some((h.to_string(), text(h)?))).collect();
        let query = parse_query(uri.query().unwrap_or("")).into_iter().map(|(k, v)| {
            let v = if is_secret_name(&k) { mask(&v) } else { v };
            (k, Value::String(v))
        });
        Head {
            at: state.clock().now(),
            started: Instant::now(),
            method: method.clone(),
            path: uri.path().to_string(),
            host: text("host").or_else(|| uri.host().map(str::to_string)),
            query: query.collect(),
            headers: kept,
        }
    }
}

/// Records a handled request in the journal and the metrics.
pub fn record(state: &State, head: Head, handled: &Handled) {
    let n = &handled.note;
    let (status, abort) = match &handled.outcome {
        Ok(r) => (Some(r.status().as_u16()), None),
        Err(a) => (None, Some(abort_name(*a).to_string())),
    };
    let latency = head.started.elapsed();
    state.metrics().observe(&head.path, n.code.unwrap_or(""), status, latency);
    state.journal().push(Entry {
        id: 0,
        time: clock::rfc3339(head.at),
        at: head.at,
        method: head.method.to_string(),
        path: head.path,
        host: head.host,
        query: head.query,
        headers: head.headers,
        body: n.body.clone(),
        status,
        abort,
        code: n.code.map(str::to_string),
        scenario: n.scenario.clone(),
        scenario_why: n.scenario_why.clone(),
        reason: n.reason.clone(),
        order_no: n.order_no.clone(),
        app_id: n.app_id.clone(),
        latency_ms: (latency.as_secs_f64() * 1e6).round() / 1e3,
    });
}

fn abort_name(a: Abort) -> &'static str {
    match a {
        Abort::Reset => "reset",
        Abort::Close => "close",
    }
}

/// `true` for a parameter name whose value must never be shown.
fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["secret", "ticket", "token", "password"].iter().any(|s| n.contains(s))
}

/// The body of a request, safe to keep: known OCR fields as sent (secrets masked), `idcardStr` as
/// its size, SHA-256 of the decoded bytes and format, unknown fields by name only.
pub fn summarise_body(body: &[u8]) -> Value {
    let Ok(map) = serde_json::from_slice::<Map<String, Value>>(body) else {
        return json!({"bytes": body.len(), "json": false});
    };
    let mut fields = Map::new();
    let mut unknown = Vec::new();
    for (k, v) in map {
        let kept = match (k.as_str(), &v) {
            ("idcardStr", Value::String(s)) => image_summary(s),
            (name, Value::String(s)) if is_secret_name(name) => Value::String(mask(s)),
            ("userId", Value::String(s)) if looks_like_id_number(s) => Value::String(mask_id(s)),
            (name, v) if PLAIN_FIELDS.contains(&name) || name == "userId" || name == "idcardStr" => scalar(v),
            _ => {
                unknown.push(k);
                continue;
            }
        };
        fields.insert(k, kept);
    }
    json!({"bytes": body.len(), "json": true, "fields": fields, "unknown_fields": unknown})
}

/// Strings and other scalars as sent; an array or object by its kind (it could be anything).
fn scalar(v: &Value) -> Value {
    match v {
        Value::Array(_) => Value::String("<array>".into()),
        Value::Object(_) => Value::String("<object>".into()),
        Value::String(s) if looks_like_id_number(s) => Value::String(mask_id(s)),
        other => other.clone(),
    }
}

fn image_summary(b64: &str) -> Value {
    match image::decode(b64, LineBreaks::Strip) {
        Ok(d) => {
            json!({"base64_chars": b64.len(), "bytes": d.bytes.len(), "sha256": sha256_hex(&d.bytes), "format": d.format.as_str()})
        }
        Err(p) => json!({"base64_chars": b64.len(), "problem": p.to_string()}),
    }
}

/// Lower-case hex SHA-256, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn looks_like_id_number(s: &str) -> bool {
    identity::is_valid_number(s) || identity::is_valid_number(&s.to_ascii_uppercase())
}

/// `110101********1234`: region and last four only.
fn mask_id(s: &str) -> String {
    let (head, tail) = (&s[..6], &s[s.len() - 4..]);
    format!("{head}{}{tail}", "*".repeat(s.len() - 10))
}

/// Query pairs, percent- and `+`-decoded.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if hex(i + 1).is_some() && hex(i + 2).is_some() => {
                out.push((hex(i + 1).unwrap_or(0) * 16 + hex(i + 2).unwrap_or(0)) as u8);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which entries `GET /__admin/requests` returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub path: Option<String>,
    pub method: Option<String>,
    pub code: Option<String>,
    pub scenario: Option<String>,
    pub order_no: Option<String>,
    pub since: Option<Since>,
    /// The newest `limit` of the matches.
    pub limit: Option<usize>,
}

/// `since=`: a journal id (entries after it) or an RFC 3339 time (entries at or after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Id(u64),
    Time(Millis),
}

impl Filter {
    /// Reads the filter from a query string.
    ///
    /// # Errors
    /// A message naming the parameter when `since` or `limit` cannot be read, or a name is unknown.
    pub fn parse(query: &str) -> Result<Filter, String> {
        let mut f = Filter::default();
        for (k, v) in parse_query(query) {
            match k.as_str() {
                "path" => f.path = Some(v),
                "method" => f.method = Some(v.to_ascii_uppercase()),
                "code" => f.code = Some(v),
                "scenario" => f.scenario = Some(v),
                "order_no" | "orderNo" => f.order_no = Some(v),
                "since" => f.since = Some(parse_since(&v)?),
                "limit" => f.limit = Some(v.parse().map_err(|_| format!("limit={v:?} is not a number"))?),
                other => {
                    return Err(format!(
                        "unknown filter {other:?}; use path, method, code, scenario, order_no, since, limit"
                    ))
                }
            }
        }
        Ok(f)
    }

    fn matches(&self, e: &Entry) -> bool {
        let eq = |want: &Option<String>, got: Option<&str>| want.as_deref().map_or(true, |w| got == Some(w));
        eq(&self.path, Some(&e.path))
            && eq(&self.method, Some(&e.method))
            && eq(&self.code, e.code.as_deref())
            && eq(&self.scenario, e.scenario.as_deref())
            && eq(&self.order_no, e.order_no.as_deref())
            && match self.since {
                None => true,
                Some(Since::Id(id)) => e.id > id,
                Some(Since::Time(at)) => e.at >= at,
            }
    }
}

fn parse_since(v: &str) -> Result<Since, String> {
    if let Ok(id) = v.parse::<u64>() {
        return Ok(Since::Id(id));
    }
    clock::parse_rfc3339(v)
        .map(Since::Time)
        .map_err(|e| format!("since={v:?} is neither a journal id nor an RFC 3339 time: {e}"))
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
    fn the_body_summary_keeps_no_image_secret_or_id_number() {
        let png = crate::picture::card_png(crate::ocr::request::Side::Front, None);
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &png);
        let body = json!({"webankAppId":"A","idcardStr":b64,"ticket":"supersecretticket","userId":"11010519491231002X","extra":"v"});
        let s = summarise_body(body.to_string().as_bytes());
        let text = s.to_string();
        assert!(!text.contains(&b64[..40]) && !text.contains("supersecret") && !text.contains("19491231"), "{text}");
        assert_eq!(s["fields"]["idcardStr"]["sha256"], sha256_hex(&png));
        assert_eq!(s["fields"]["idcardStr"]["format"], "png");
        assert_eq!(s["unknown_fields"], json!(["extra"]));
        assert!(!text.contains("\"v\""));
    }

    #[test]
    fn queries_are_percent_decoded_and_filters_refuse_unknown_names() {
        assert_eq!(
            parse_query("a=1%2B1&b=x+y&c"),
            [("a".into(), "1+1".into()), ("b".into(), "x y".into()), ("c".into(), String::new())]
        );
        assert!(Filter::parse("pth=/x").unwrap_err().contains("unknown filter"));
        assert_eq!(Filter::parse("since=3").unwrap().since, Some(Since::Id(3)));
        assert!(matches!(Filter::parse("since=2026-01-15T10:00:00%2B08:00").unwrap().since, Some(Since::Time(_))));
    }

    #[test]
    fn the_ring_drops_the_oldest_and_ids_survive_a_reset() {
        let j = Journal::new(2);
        let e = |p: &str| Entry {
            id: 0,
            time: String::new(),
            at: 0,
            method: "GET".into(),
            path: p.into(),
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
