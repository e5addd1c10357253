//! What a handler gives back: the HTTP response (with a body that can be whole or dribbled), or an
//! order to drop the connection, plus a [`Note`] of what happened for the log and the journal.
//!
//! Imports: `protocol`, `redact`.

use crate::protocol::envelope::{self, Stamp};
use crate::protocol::Code;
use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// The service's content type, on every vendor answer.
pub const JSON_UTF8: &str = "application/json;charset=UTF-8";
/// Why a request was refused, in plain words (never in the vendor body).
pub const REASON_HEADER: &str = "x-idocr-mock-reason";

/// A response body: whole, or chunks sent as a fault scenario times them.
#[derive(Debug)]
pub enum MockBody {
    Full(Option<Bytes>),
    Chunks(mpsc::Receiver<Bytes>),
    /// Another body, whose end (sent whole, or dropped before: the client went away) is told.
    Tracked(Box<MockBody>, Tail),
}

/// What to do when a body ends: called once, with `true` when its last piece was handed to the
/// connection, `false` when the body was dropped before (the client went away).
pub struct Tail(Option<Box<dyn FnOnce(bool) + Send>>);

impl Tail {
    pub fn new(on_end: impl FnOnce(bool) + Send + 'static) -> Self {
        Tail(Some(Box::new(on_end)))
    }

    fn fire(&mut self, completed: bool) {
        if let Some(on_end) = self.0.take() {
            on_end(completed);
        }
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        self.fire(false);
    }
}

impl std::fmt::Debug for Tail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Tail(pending)" } else { "Tail(done)" })
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            MockBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            MockBody::Chunks(rx) => rx.poll_recv(cx).map(|c| c.map(|d| Ok(Frame::data(d)))),
            MockBody::Tracked(inner, tail) => {
                let polled = Pin::new(inner.as_mut()).poll_frame(cx);
                if matches!(polled, Poll::Ready(None)) {
                    tail.fire(true);
                }
                polled
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        // A tracked body reports its end through poll_frame, so hyper polls it to the end.
        matches!(self, MockBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            MockBody::Full(Some(d)) => SizeHint::with_exact(d.len() as u64),
            MockBody::Full(None) => SizeHint::with_exact(0),
            MockBody::Chunks(_) => SizeHint::default(),
            MockBody::Tracked(inner, _) => inner.size_hint(),
        }
    }
}

pub type Reply = Response<MockBody>;

/// A response with `body` and the service's JSON content type.
pub fn json(status: StatusCode, body: impl Into<Bytes>) -> Reply {
    let mut r = Response::new(MockBody::Full(Some(body.into())));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    r
}

/// A vendor error answer: `code` in the envelope its shape calls for, with `msg` on the wire, and
/// `reason` (which never goes into the body) in the `X-Idocr-Mock-Reason` header.
pub fn vendor_error(status: StatusCode, code: &Code, msg: &str, stamp: &Stamp, reason: &str) -> Reply {
    let mut r = json(status, envelope::error_body(code, msg, stamp));
    set_text_header(&mut r, REASON_HEADER, reason);
    r
}

/// `reply` with `Connection: close`: after it, nothing more of this connection is read.
pub fn closing(mut reply: Reply) -> Reply {
    reply.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    reply
}

/// Adds a header whose value is free text; `…` becomes `...`, other characters a header cannot
/// carry `?` (the journal keeps the text as written).
pub fn set_text_header(reply: &mut Reply, name: &'static str, text: &str) {
    let mut clean = String::with_capacity(text.len());
    for c in crate::redact::reason(text).chars() {
        match c {
            '…' => clean.push_str("..."),
            c if c.is_ascii() && !c.is_ascii_control() => clean.push(c),
            _ => clean.push('?'),
        }
    }
    if let Ok(v) = HeaderValue::from_str(&clean) {
        reply.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// The connection is dropped instead of answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abort {
    /// Closed with a TCP reset (RST).
    Reset,
    /// Closed in order (FIN) with nothing sent.
    Close,
}

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Abort::Reset => "connection reset on purpose",
            Abort::Close => "connection closed on purpose",
        })
    }
}

impl std::error::Error for Abort {}

/// How a request ended, for the journal, the metrics and the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The whole answer was sent, with this HTTP status.
    Answered(u16),
    /// The mock dropped the connection on purpose (a fault, a stalled body).
    Aborted(Abort),
    /// The client went away first: before the answer (`None`) or during its body (its status).
    Abandoned(Option<u16>),
}

impl End {
    /// `answered`, `aborted` or `abandoned`, as the journal's `ended` shows it.
    pub fn name(self) -> &'static str {
        match self {
            End::Answered(_) => "answered",
            End::Aborted(_) => "aborted",
            End::Abandoned(_) => "abandoned",
        }
    }
}

/// What happened to a request, for the log line and the journal.
#[derive(Debug, Clone, Default)]
pub struct Note {
    /// The vendor `code` answered, if any.
    pub code: Option<&'static str>,
    /// Why the request was refused, in plain words.
    pub reason: Option<String>,
    pub order_no: Option<String>,
    pub app_id: Option<String>,
    /// The app the request named, when the mock knows it (for its per-app counters).
    pub app: Option<std::sync::Arc<str>>,
    pub scenario: Option<String>,
    /// Why that scenario: most often a static text (`default`, `queue`), not copied.
    pub scenario_why: Option<std::borrow::Cow<'static, str>>,
    /// What the body held, for the journal: the image as size, SHA-256 and format.
    pub body: Option<BodyKept>,
    /// The side of an order record created or changed, written to `--data-dir` before the answer.
    pub stored: Option<crate::protocol::Side>,
}

/// What the journal keeps of a request's body.
#[derive(Clone)]
pub enum BodyKept {
    /// Its summary, written when the request was handled (JSON text, one allocation).
    Summary(Box<serde_json::value::RawValue>),
    /// A small body as it came, summarised only when the journal is read: most calls send a few
    /// hundred bytes, and one copy of them costs far less than a parse and a JSON text per call.
    Small(Box<[u8]>),
}

impl BodyKept {
    /// Bytes held.
    pub fn len(&self) -> usize {
        match self {
            BodyKept::Summary(s) => s.get().len(),
            BodyKept::Small(b) => b.len(),
        }
    }

    /// `true` when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for BodyKept {
    /// A summary as its text; a small body as its length only (it is not redacted yet).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyKept::Summary(s) => f.debug_tuple("Summary").field(&s.get()).finish(),
            BodyKept::Small(b) => write!(f, "Small({} bytes)", b.len()),
        }
    }
}

/// A handler's whole answer.
#[derive(Debug)]
pub struct Handled {
    pub outcome: Result<Reply, Abort>,
    pub note: Note,
}

impl Handled {
    pub fn reply(reply: Reply, note: Note) -> Self {
        Handled { outcome: Ok(reply), note }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_header_writes_an_ellipsis_as_three_dots_and_other_non_ascii_as_a_question_mark() {
        let mut r = json(StatusCode::OK, "{}");
        set_text_header(&mut r, REASON_HEADER, "fetch one from /api/oauth2/api_ticket?user_id=… (签名)");
        let v = r.headers()[REASON_HEADER].to_str().unwrap();
        assert_eq!(v, "fetch one from /api/oauth2/api_ticket?user_id=... (??)");
    }
}
