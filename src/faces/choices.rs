//! The face outcomes chosen in advance for logins (and SDK completions) that name none: a default
//! and a bounded queue. The mock holds one (`/__admin/face/…`, "the mock's defaults"); each app
//! holds its own (`/__admin/apps/{id}/face/…`), which comes first for that app alone. Names are
//! checked against the face scenarios by the caller.
//!
//! Imports: nothing of the crate.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

/// Face scenarios a queue may hold at once.
pub(crate) const MAX_QUEUE: usize = 1000;

/// Where a face outcome chosen in advance came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Queue,
    Default,
}

/// A face default and queue.
#[derive(Debug, Default)]
pub struct Choices {
    /// The default it was made with, which its reset restores.
    initial: Option<String>,
    live: Mutex<Live>,
}

#[derive(Debug, Default)]
struct Live {
    default: Option<String>,
    queue: VecDeque<String>,
}

impl Choices {
    /// Choices whose default is `default` (an app made with `face_scenario`), also after a reset.
    pub(crate) fn with_default(default: Option<String>) -> Self {
        Choices { live: Mutex::new(Live { default: default.clone(), queue: VecDeque::new() }), initial: default }
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next queued name, else the default, else `None`.
    pub(crate) fn next(&self) -> Option<(String, Source)> {
        let mut live = self.live();
        live.queue
            .pop_front()
            .map(|n| (n, Source::Queue))
            .or_else(|| live.default.clone().map(|n| (n, Source::Default)))
    }

    /// Sets (or clears) the default.
    pub fn set_default(&self, name: Option<String>) {
        self.live().default = name;
    }

    /// Appends to the queue; `false` (nothing added) when it would pass [`MAX_QUEUE`].
    pub fn enqueue(&self, names: Vec<String>) -> bool {
        let mut live = self.live();
        if live.queue.len() + names.len() > MAX_QUEUE {
            return false;
        }
        live.queue.extend(names);
        true
    }

    /// The default and the queue.
    pub(crate) fn selection(&self) -> (Option<String>, Vec<String>) {
        let live = self.live();
        (live.default.clone(), live.queue.iter().cloned().collect())
    }

    /// Whether a default or a queued entry is set.
    pub(crate) fn is_set(&self) -> bool {
        let live = self.live();
        live.default.is_some() || !live.queue.is_empty()
    }

    /// The default it was made with, an empty queue.
    pub(crate) fn reset(&self) {
        *self.live() = Live { default: self.initial.clone(), queue: VecDeque::new() };
    }
}

/// The face outcome chosen in advance, first match wins: `header` (`X-Idocr-Scenario` at
/// geth5faceid/getfaceid), the app's queue, the app's default, the mock's queue, the mock's
/// default; `None`: nothing was chosen (the face page shows its buttons). With why, for the journal.
pub(crate) fn choose(header: Option<&str>, own: Option<&Choices>, mock: &Choices) -> Option<(String, &'static str)> {
    if let Some(h) = header {
        return Some((h.to_string(), "header"));
    }
    let from_own = own.and_then(Choices::next).map(|(n, s)| match s {
        Source::Queue => (n, "app's queue"),
        Source::Default => (n, "app's default"),
    });
    from_own.or_else(|| {
        mock.next().map(|(n, s)| match s {
            Source::Queue => (n, "queue"),
            Source::Default => (n, "default"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_comes_before_the_default_and_is_bounded() {
        let c = Choices::default();
        assert_eq!(c.next(), None);
        c.set_default(Some("face-pass".into()));
        assert!(c.enqueue(vec!["face-spoof".into()]));
        assert_eq!(c.next(), Some(("face-spoof".into(), Source::Queue)));
        assert_eq!(c.next(), Some(("face-pass".into(), Source::Default)));
        assert!(!c.enqueue(vec![String::new(); MAX_QUEUE + 1]));
        assert!(c.is_set());
        c.reset();
        assert!(!c.is_set() && c.next().is_none());
        let made = Choices::with_default(Some("face-spoof".into()));
        made.set_default(None);
        made.reset();
        assert_eq!(
            made.next(),
            Some(("face-spoof".into(), Source::Default)),
            "reset restores the default it was made with"
        );
    }

    #[test]
    fn header_then_the_apps_queue_and_default_then_the_mocks_queue_and_default() {
        let (own, mock) = (Choices::default(), Choices::default());
        mock.set_default(Some("face-pass".into()));
        assert!(mock.enqueue(vec!["face-busy".into()]));
        own.set_default(Some("face-spoof".into()));
        assert!(own.enqueue(vec!["face-low-similarity".into()]));
        let pick = |h| choose(h, Some(&own), &mock).map(|(n, w)| format!("{n} ({w})"));
        assert_eq!(pick(Some("face-liveness-fail")).unwrap(), "face-liveness-fail (header)");
        assert_eq!(pick(None).unwrap(), "face-low-similarity (app's queue)");
        assert_eq!(pick(None).unwrap(), "face-spoof (app's default)");
        own.set_default(None);
        assert_eq!(pick(None).unwrap(), "face-busy (queue)");
        assert_eq!(pick(None).unwrap(), "face-pass (default)");
        mock.set_default(None);
        assert_eq!(pick(None), None, "nothing chosen: the buttons");
    }
}
