//! The journal's live readers (the console's event streams): a change counter the journal bumps
//! per entry, the shutdown signal that ends every stream, and the slots that bound them.

use std::sync::Arc;
use tokio::sync::{watch, Semaphore};

/// At most this many event streams are open at once; the next gets 503.
pub const MAX_STREAMS: usize = 8;

/// What the event streams share, in the state: the journal's change counter, the shutdown
/// signal and the stream slots.
#[derive(Debug)]
pub struct Feed {
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
    /// The journal recorded an entry: wakes the streams (one `watch` send, whoever listens).
    pub fn recorded(&self) {
        self.recorded.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The server is shutting down: every stream ends, so the graceful drain does not wait for them.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}
