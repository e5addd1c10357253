//! The journal's live readers (the console's event streams): a change counter the journal bumps
//! per entry, the shutdown signal that ends every stream, the slots that bound them, and the
//! rendering of a batch of entries as server-sent events.

use std::sync::Arc;
use tokio::sync::{watch, Semaphore};

/// At most this many event streams are open at once; the next gets 503.
pub(crate) const MAX_STREAMS: usize = 8;

/// What the event streams share, in the state: the journal's change counter, the shutdown
/// signal and the stream slots.
#[derive(Debug)]
pub(crate) struct Feed {
    pub(crate) recorded: watch::Sender<u64>,
    pub(crate) closing: watch::Sender<bool>,
    pub(crate) slots: Arc<Semaphore>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed {
            recorded: watch::Sender::new(0),
            closing: watch::Sender::new(false),
            slots: Arc::new(Semaphore::new(MAX_STREAMS)),
        }
    }
}

impl Feed {
    /// The journal recorded an entry: wakes the streams (one `watch` send), if any is open. A
    /// stream subscribes before it first reads the journal, so one opened after this check still
    /// sees the entry.
    pub(crate) fn recorded(&self) {
        if self.recorded.receiver_count() > 0 {
            self.recorded.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// The server is shutting down: every stream ends, so the graceful drain does not wait for them.
    pub(crate) fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// At most this many entries per written batch (a batch every 100 ms: 2,000 entries a second). Past
/// it, the oldest of the batch are left out and a `gap` event says how many; they stay in the
/// journal while it keeps them. No reader follows more calls than that, and it bounds what an open
/// console costs the mock under a load test (bench/README.md, "An open console").
pub(crate) const MAX_BATCH: usize = 200;

/// What [`Journal::render_events`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// The id the next batch starts after: the newest entry looked at.
    pub(crate) last: u64,
    /// Entries after `since` not written: dropped from the journal before this batch, or past
    /// [`MAX_BATCH`] (with a filter, some of them may not have matched it).
    pub(crate) missed: u64,
}

impl super::Journal {
    /// Writes, as server-sent events, the entries after `after` that `f` selects (at most `max`, the
    /// newest) into `out`, serialised under the lock straight from the ring: no copy of an entry,
    /// no intermediate string. A `gap` event comes first when entries were missed.
    pub(crate) fn render_events(&self, f: &super::Filter, after: u64, max: usize, out: &mut Vec<u8>) -> Rendered {
        use std::io::Write as _;
        let ring = self.ring();
        let last = ring.next_id - 1;
        let start = ring.entries.partition_point(|(e, _)| e.id <= after);
        let hits: Vec<&super::Entry> = ring.entries.range(start..).map(|(e, _)| e).filter(|e| f.matches(e)).collect();
        let first_kept = ring.entries.get(start).map_or(last + 1, |(e, _)| e.id);
        let skip = hits.len().saturating_sub(max);
        let first_sent = hits.get(skip).map_or(last + 1, |e| e.id);
        let missed = first_kept.saturating_sub(after + 1) + skip as u64;
        if missed > 0 {
            let _ = write!(
                out,
                "event: gap\ndata: {{\"after\":{after},\"first_kept\":{first_sent},\"missed\":{missed}}}\n\n"
            );
        }
        for e in &hits[skip..] {
            let _ = write!(out, "id: {}\nevent: request\ndata: ", e.id);
            serde_json::to_writer(&mut *out, e).expect("entries serialise");
            out.extend_from_slice(b"\n\n");
        }
        Rendered { last, missed }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{tests::e, Filter, Journal};

    fn render(j: &Journal, after: u64, max: usize) -> (String, super::Rendered) {
        let mut out = Vec::new();
        let r = j.render_events(&Filter::default(), after, max, &mut out);
        (String::from_utf8(out).unwrap(), r)
    }

    #[test]
    fn a_batch_writes_the_entries_after_the_id_given_each_as_one_event() {
        let j = Journal::new(10, usize::MAX);
        for p in ["/a", "/b", "/c"] {
            j.push(e(p));
        }
        let (text, r) = render(&j, 1, 10);
        assert_eq!(r, super::Rendered { last: 3, missed: 0 });
        assert!(text.starts_with("id: 2\nevent: request\ndata: {\"id\":2,"), "{text}");
        assert_eq!(text.matches("\n\n").count(), 2, "{text}");
        assert!(!text.contains("gap"), "{text}");
        assert_eq!(render(&j, 3, 10), (String::new(), super::Rendered { last: 3, missed: 0 }));
    }

    #[test]
    fn a_batch_past_its_bound_or_after_dropped_entries_starts_with_a_gap_naming_what_was_missed() {
        let j = Journal::new(4, usize::MAX);
        for p in ["/a", "/b", "/c", "/d", "/e", "/f"] {
            j.push(e(p)); // ids 1-6; 1 and 2 dropped by the limit
        }
        let (text, r) = render(&j, 0, 2);
        assert_eq!(r, super::Rendered { last: 6, missed: 4 }, "2 dropped, 2 past the bound of 2");
        assert!(text.starts_with("event: gap\ndata: {\"after\":0,\"first_kept\":5,\"missed\":4}\n\nid: 5\n"), "{text}");
        assert!(text.contains("id: 6\n") && !text.contains("id: 4\n"), "{text}");
        assert_eq!(render(&j, 9, 2).1.missed, 0, "an id from the future misses nothing");
    }
}
