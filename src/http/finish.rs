//! A vendor request's end: journaled, counted and logged once, however it ends — answered,
//! aborted by the mock, or abandoned by the client (a `hang` or `slow` call whose client timed out,
//! a dribbled body the client stopped reading) — with its real duration.

use crate::arrival::Arrival;
use crate::journal::{self, Head};
use crate::redact;
use crate::reply::{Abort, End, MockBody, Note, Reply, Tail};
use crate::state::State;
use hyper::Method;
use std::time::Instant;

/// A vendor request between its answer's decision and its end. Dropped before [`Pending::finish`]
/// (the connection went away while a fault held it), it records the request as abandoned.
pub struct Pending {
    open: Option<Open>,
    /// What happened so far; a held fault may still change it.
    pub note: Note,
}

struct Open {
    state: State,
    head: Head,
    method: Method,
    path: String,
    started: Instant,
}

impl Pending {
    pub fn new(state: &State, head: Head, method: Method, path: String, started: Instant, note: Note) -> Self {
        Pending { open: Some(Open { state: state.clone(), head, method, path, started }), note }
    }

    /// The request's outcome is known: recorded now, or, for a body sent in pieces, when its
    /// last piece has gone (or the client went away before).
    pub fn finish(mut self, outcome: Result<Reply, Abort>) -> Result<Reply, Abort> {
        let Some(open) = self.open.take() else { return outcome };
        let mut note = std::mem::take(&mut self.note);
        let reply = match outcome {
            Err(abort) => {
                open.end(&mut note, End::Aborted(abort));
                return Err(abort);
            }
            Ok(reply) => reply,
        };
        let status = reply.status().as_u16();
        if matches!(reply.body(), MockBody::Full(_)) {
            open.end(&mut note, End::Answered(status));
            return Ok(reply);
        }
        let (parts, body) = reply.into_parts();
        let tail = Tail::new(move |sent| {
            let end = if sent { End::Answered(status) } else { End::Abandoned(Some(status)) };
            open.end(&mut note, end);
        });
        Ok(Reply::from_parts(parts, MockBody::Tracked(Box::new(body), tail)))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(open) = self.open.take() {
            open.end(&mut self.note, End::Abandoned(None));
        }
    }
}

impl Open {
    fn end(self, note: &mut Note, end: End) {
        log(&self.method, &self.path, self.head.arrival(), note, end, self.started);
        journal::record(self.state.journal(), self.state.metrics(), self.head, note, end);
    }
}

fn log(method: &Method, path: &str, arrival: &Arrival, n: &Note, end: End, started: Instant) {
    // A good answer is logged at info: under `--log-level warn` its line is not even formatted.
    if n.reason.is_none() && !tracing::enabled!(tracing::Level::INFO) {
        return;
    }
    let status = match end {
        End::Answered(s) => s.to_string(),
        End::Aborted(a) => a.to_string(),
        End::Abandoned(None) => "abandoned: the client went away before the answer".to_string(),
        End::Abandoned(Some(s)) => format!("{s} abandoned: the client went away during the body"),
    };
    let code = n.code.unwrap_or("-");
    // Every value from the request is cut and escaped: a log line is one line, of bounded length.
    let order = n.order_no.as_deref().map_or_else(|| "-".to_string(), redact::escaped);
    let path = redact::escaped(path);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let scenario = match (&n.scenario, &n.scenario_why) {
        (Some(s), Some(why)) => format!(" scenario={} by {}", redact::escaped(s), redact::escaped(why)),
        _ => String::new(),
    };
    match &n.reason {
        Some(reason) => {
            let reason = redact::escaped_to(reason, redact::MAX_REASON_CHARS);
            tracing::warn!("{method} {path} {status} {arrival} code={code} order={order}{scenario} {ms:.1}ms: {reason}")
        }
        None => tracing::info!("{method} {path} {status} {arrival} code={code} order={order}{scenario} {ms:.1}ms"),
    }
}
