//! `GET /__admin/events`: the journal as server-sent events (docs/console-api.md §2).
//!
//! "Misses nothing the journal still has" holds by construction: the journal bumps one
//! [`watch`] counter per entry ([`Feed::recorded`](crate::journal::Feed::recorded)); each stream wakes on a change, renders the
//! entries after the last id it sent with the journal's own [`Filter`], and writes them. A slow
//! client only delays itself: no per-client queue grows beyond its 16-chunk channel.

use super::error;
use crate::journal::{Filter, Since};
use crate::reply::{MockBody, Reply};
use crate::state::State;
use bytes::Bytes;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{HeaderMap, Response, StatusCode};
use std::fmt::Write as _;
use std::time::Duration;
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit};

pub use crate::journal::MAX_STREAMS;
/// A comment line after this much silence, so proxies and the page notice a dead connection.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// After the journal changes, a stream waits this long before writing, so that under load it
/// renders once per batch rather than once per request (the page shows a call within a second).
pub const BATCH: Duration = Duration::from_millis(100);
/// Chunks waiting for a slow client, per stream.
const CHANNEL: usize = 16;

/// Answers `GET /__admin/events` with `headers` (for `Last-Event-ID`) and `query` (the journal's
/// filters, `since=` among them).
pub fn stream(state: &State, headers: &HeaderMap, query: &str) -> Reply {
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
    let mut head = String::from("retry: 2000\n\n");
    match filter.since {
        Some(Since::Id(after)) => {
            let journal = state.journal();
            let first_kept = journal.first_id().unwrap_or(journal.last_id() + 1);
            if first_kept > after + 1 {
                let gap =
                    serde_json::json!({"after": after, "first_kept": first_kept, "missed": first_kept - after - 1});
                let _ = write!(head, "event: gap\ndata: {gap}\n\n");
            }
        }
        Some(Since::Time(_)) => {}
        None => filter.since = Some(Since::Id(state.journal().last_id())),
    }
    let (tx, rx) = mpsc::channel(CHANNEL);
    tokio::spawn(serve(state.clone(), filter, Bytes::from(head), tx, slot));
    let mut r = Response::new(MockBody::Chunks(rx));
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}

/// One stream's task: writes the entries after the last one sent, then waits for the journal to
/// change, the heartbeat, the client to leave or the shutdown. The slot is freed when it ends.
async fn serve(state: State, mut filter: Filter, head: Bytes, tx: mpsc::Sender<Bytes>, _slot: OwnedSemaphorePermit) {
    let mut changes = state.journal().feed().recorded.subscribe();
    let mut closing = state.journal().feed().closing.subscribe();
    if !put(&tx, &mut closing, head).await {
        return;
    }
    loop {
        changes.mark_unchanged();
        let newest = state.journal().last_id();
        let entries = state.journal().select(&filter);
        let mut text = String::new();
        let mut last = newest;
        for e in &entries {
            let data = serde_json::to_string(e).expect("entries serialise");
            let _ = write!(text, "id: {}\nevent: request\ndata: {data}\n\n", e.id);
            last = last.max(e.id);
        }
        if !text.is_empty() && !put(&tx, &mut closing, Bytes::from(text)).await {
            return;
        }
        filter.since = Some(Since::Id(last));
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
