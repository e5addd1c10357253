//! `GET /__admin/events`: the journal as server-sent events (docs/console-api.md §2).
//!
//! "Misses nothing the journal still has" holds by construction: the journal bumps one
//! [`watch`] counter per entry ([`Feed::recorded`](crate::journal::Feed::recorded)); each stream wakes on a change, waits
//! [`BATCH`], renders the entries after the last id it looked at with the journal's own [`Filter`]
//! ([`Journal::render_events`](crate::journal::Journal::render_events): under the lock, no copies), and writes them; what it
//! could not send (dropped by the journal meanwhile, or past [`MAX_BATCH`]) it names in a `gap`
//! event. A slow client only delays itself: no per-client queue grows beyond its 16-chunk channel.

use super::error;
use crate::journal::{Filter, Since};
use crate::reply::{MockBody, Reply};
use crate::state::State;
use bytes::Bytes;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{HeaderMap, Response, StatusCode};
use std::time::Duration;
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit};

pub(crate) use crate::journal::{MAX_BATCH, MAX_STREAMS};
/// A comment line after this much silence, so proxies and the page notice a dead connection.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(15);
/// After the journal changes, a stream waits this long before writing, so that under load it
/// renders once per batch rather than once per request (the page shows a call within a second).
pub(crate) const BATCH: Duration = Duration::from_millis(100);
/// Chunks waiting for a slow client, per stream.
const CHANNEL: usize = 16;

/// Answers `GET /__admin/events` with `headers` (for `Last-Event-ID`) and `query` (the journal's
/// filters, `since=` among them).
pub(crate) fn stream(state: &State, headers: &HeaderMap, query: &str) -> Reply {
    if !state.journal().is_on() {
        let why = "the journal is off (--journal-limit 0): there are no requests to stream";
        return error(StatusCode::CONFLICT, why);
    }
    let mut filter = match Filter::parse(query) {
        Ok(f) => f,
        Err(why) => return error(StatusCode::BAD_REQUEST, &why),
    };
    if let Some(v) = headers.get("last-event-id") {
        let text = String::from_utf8_lossy(v.as_bytes());
        match text.trim().parse::<u64>() {
            Ok(id) => filter.since = Some(Since::Id(id)),
            Err(_) => {
                let shown = crate::redact::clipped(&text);
                return error(StatusCode::BAD_REQUEST, &format!("Last-Event-ID {shown:?} is not a journal id"));
            }
        }
    }
    let Ok(slot) = state.journal().feed().slots.clone().try_acquire_owned() else {
        let why = format!(
            "{MAX_STREAMS} event streams are already open (close a console tab); GET /__admin/requests?since=ID still works"
        );
        return error(StatusCode::SERVICE_UNAVAILABLE, &why);
    };
    // Where the first batch starts: after the id asked for (a `gap` event first when entries after it
    // were dropped), after the entries older than the time asked for, or after the newest entry.
    let journal = state.journal();
    let after = match filter.since {
        Some(Since::Id(after)) => after,
        Some(Since::Time(_)) => journal.first_id().map_or(journal.last_id(), |id| id - 1),
        None => journal.last_id(),
    };
    let head = Bytes::from_static(b"retry: 2000\n\n");
    let (tx, rx) = mpsc::channel(CHANNEL);
    tokio::spawn(serve(state.clone(), filter, after, head, tx, slot));
    let mut r = Response::new(MockBody::Chunks(rx));
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}

/// One stream's task: writes the entries after `after` (at most [`MAX_BATCH`] a batch), then waits
/// for the journal to change, the heartbeat, the client to leave or the shutdown. The slot is freed
/// when it ends.
async fn serve(
    state: State,
    mut filter: Filter,
    mut after: u64,
    head: Bytes,
    tx: mpsc::Sender<Bytes>,
    _slot: OwnedSemaphorePermit,
) {
    let mut changes = state.journal().feed().recorded.subscribe();
    let mut closing = state.journal().feed().closing.subscribe();
    if !put(&tx, &mut closing, head).await {
        return;
    }
    loop {
        changes.mark_unchanged();
        let max = filter.limit.map_or(MAX_BATCH, |l| l.min(MAX_BATCH));
        let mut text = Vec::new();
        after = state.journal().render_events(&filter, after, max, &mut text).last;
        if !text.is_empty() && !put(&tx, &mut closing, Bytes::from(text)).await {
            return;
        }
        filter.since = None;
        filter.limit = None;
        let quiet = tokio::select! {
            changed = changes.changed() => if changed.is_err() { return } else { false },
            _ = closing.wait_for(|c| *c) => return,
            () = tx.closed() => return,
            () = tokio::time::sleep(HEARTBEAT) => true,
        };
        if quiet && !put(&tx, &mut closing, Bytes::from_static(b": keep-alive\n\n")).await {
            return;
        }
        if !quiet {
            tokio::select! {
                () = tokio::time::sleep(BATCH) => {}
                _ = closing.wait_for(|c| *c) => return,
            }
        }
    }
}

/// Hands `chunk` to the connection; `false` when the client left or the server is shutting down.
async fn put(tx: &mpsc::Sender<Bytes>, closing: &mut watch::Receiver<bool>, chunk: Bytes) -> bool {
    if *closing.borrow() {
        return false;
    }
    tokio::select! {
        sent = tx.send(chunk) => sent.is_ok(),
        _ = closing.wait_for(|c| *c) => false,
    }
}
