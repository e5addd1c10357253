//! Which scenario a request gets, first match wins: its `X-Idocr-Scenario` header, the next entry
//! of the queued script, a marker inside its image, the default (`--scenario`, changed by
//! `PUT /__admin/scenario`). An app with its own settings ([`Own`]: a default or a non-empty queue,
//! `/__admin/apps/{id}/scenario…`) takes its own queue, then its own default, and never the
//! mock's; an app without follows the mock's. A mix is drawn here, reproducibly from the seed and
//! a draw counter.

use super::{Catalog, Outcome, Scenario, DEFAULT};
use crate::identity::Pin;
use crate::protocol::Document;
use crate::seed::{fnv1a, mix};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Most entries the queue holds.
pub(crate) const MAX_QUEUE: usize = 1000;

/// Why a scenario was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    Header,
    Queue,
    Marker,
    Default,
}

impl Why {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Why::Header => "header",
            Why::Queue => "queue",
            Why::Marker => "marker",
            Why::Default => "default",
        }
    }
}

/// The scenario a request gets, resolved (never a mix).
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub(crate) scenario: Arc<Scenario>,
    pub(crate) why: Why,
    /// The mix it was drawn from, if any.
    pub(crate) from_mix: Option<String>,
    /// The identity to pin: the scenario's, or the marker's.
    pub(crate) pin: Pin,
    /// The default that gave way to this one, and the card it is for.
    pub(crate) gave_way: Option<(String, Document)>,
    /// Chosen by the app's own queue or default.
    pub(crate) own: bool,
}

impl Choice {
    pub(crate) fn name(&self) -> &str {
        &self.scenario.name
    }

    /// For the log: `default`, `queue (mix flaky)`, `default (blurry is for ID cards)`, …
    pub(crate) fn why_text(&self) -> Cow<'static, str> {
        if !self.own && self.from_mix.is_none() && self.gave_way.is_none() {
            // The common case (`default`, `queue`, `header`…): the static text, no copy per call.
            return Cow::Borrowed(self.why.as_str());
        }
        let why = if self.own { format!("app's {}", self.why.as_str()) } else { self.why.as_str().to_string() };
        let mut text = match &self.from_mix {
            Some(m) => format!("{why} (mix {m})"),
            None => why,
        };
        if let Some((name, document)) = &self.gave_way {
            text.push_str(&format!(" ({name} is for {}s)", document.label()));
        }
        Cow::Owned(text)
    }

    /// The built-in `success`, as the default for a request of the other card than `instead`'s.
    pub(crate) fn in_place_of(instead: &Choice, success: Arc<Scenario>, document: Document) -> Choice {
        Choice {
            pin: Pin::default(),
            scenario: success,
            why: instead.why,
            from_mix: None,
            gave_way: Some((instead.name().to_string(), document)),
            own: instead.own,
        }
    }
}

/// A name that is not in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unknown {
    pub(crate) name: String,
    pub(crate) known: String,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown scenario {:?}; known: {}", self.name, self.known)
    }
}

/// Why a script was not queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QueueRefusal {
    Unknown(Unknown),
    /// The queue would pass [`MAX_QUEUE`].
    Full {
        asked: usize,
        queued: usize,
    },
}

impl std::fmt::Display for QueueRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueueRefusal::Unknown(u) => u.fmt(f),
            QueueRefusal::Full { asked, queued } => write!(
                f,
                "the queue is full: it holds at most {MAX_QUEUE} entries, has {queued}, and {asked} more were sent; nothing was queued (DELETE /__admin/scenario/queue empties it)"
            ),
        }
    }
}

struct Live {
    default: String,
    queue: VecDeque<String>,
}

/// An app's own scenario settings: a default and a queue that replace the mock's for that app.
#[derive(Debug)]
pub(crate) struct Own {
    /// The default it was made with (`POST /__admin/apps {"scenario"}`), which its reset restores.
    initial: Option<String>,
    live: Mutex<OwnLive>,
}

#[derive(Debug, Default)]
struct OwnLive {
    default: Option<String>,
    queue: VecDeque<String>,
}

impl Own {
    /// `default` must be in the catalog (the caller checks it).
    pub(crate) fn new(default: Option<String>) -> Self {
        Own { live: Mutex::new(OwnLive { default: default.clone(), queue: VecDeque::new() }), initial: default }
    }

    fn live(&self) -> std::sync::MutexGuard<'_, OwnLive> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The app's own default; `None`: it follows the mock's.
    pub(crate) fn default_name(&self) -> Option<String> {
        self.live().default.clone()
    }

    pub(crate) fn queue(&self) -> Vec<String> {
        self.live().queue.iter().cloned().collect()
    }

    /// Whether the app has settings of its own (then the mock's do not apply to it).
    pub(crate) fn is_set(&self) -> bool {
        let live = self.live();
        live.default.is_some() || !live.queue.is_empty()
    }

    /// Empties the app's queue; returns how many entries it had.
    pub(crate) fn clear_queue(&self) -> usize {
        std::mem::take(&mut self.live().queue).len()
    }

    /// The default it was made with, and an empty queue.
    pub(crate) fn reset(&self) {
        let mut live = self.live();
        live.queue.clear();
        live.default.clone_from(&self.initial);
    }

    /// The next own entry: the queue's, else the own default.
    fn next(&self) -> Option<(String, Why)> {
        let mut live = self.live();
        live.queue.pop_front().map(|n| (n, Why::Queue)).or_else(|| live.default.clone().map(|n| (n, Why::Default)))
    }
}

/// The catalog and what the admin API changes: the default and the queue.
pub struct ScenarioState {
    catalog: Catalog,
    startup_default: String,
    seed: u64,
    draws: AtomicU64,
    live: Mutex<Live>,
}

impl ScenarioState {
    /// `default` must be in `catalog` (checked at startup); otherwise `success` is served.
    pub(crate) fn new(catalog: impl Into<Catalog>, default: &str, seed: u64) -> Self {
        let catalog = catalog.into();
        let default = if catalog.get(default).is_some() { default } else { DEFAULT };
        ScenarioState {
            startup_default: default.to_string(),
            live: Mutex::new(Live { default: default.to_string(), queue: VecDeque::new() }),
            catalog,
            seed,
            draws: AtomicU64::new(0),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn live(&self) -> std::sync::MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn default_name(&self) -> String {
        self.live().default.clone()
    }

    /// # Errors
    /// [`Unknown`] when `name` is not in the catalog; the default is then unchanged.
    pub(crate) fn set_default(&self, name: &str) -> Result<(), Unknown> {
        self.known(name)?;
        self.live().default = name.to_string();
        Ok(())
    }

    /// Whether `name` is in the catalog.
    ///
    /// # Errors
    /// [`Unknown`], naming the catalog.
    pub(crate) fn check_name(&self, name: &str) -> Result<(), Unknown> {
        self.known(name).map(drop)
    }

    /// Sets `own`'s default; `None`: the app follows the mock's default again.
    ///
    /// # Errors
    /// [`Unknown`] when `name` is not in the catalog; the default is then unchanged.
    pub(crate) fn set_own_default(&self, own: &Own, name: Option<&str>) -> Result<(), Unknown> {
        if let Some(n) = name {
            self.known(n)?;
        }
        own.live().default = name.map(str::to_string);
        Ok(())
    }

    /// Appends `names` to `own`'s queue, as [`ScenarioState::enqueue`] does to the mock's.
    ///
    /// # Errors
    /// [`QueueRefusal`]; nothing is queued then.
    pub(crate) fn enqueue_own(&self, own: &Own, names: &[String]) -> Result<usize, QueueRefusal> {
        self.append(&mut own.live().queue, names)
    }

    /// Appends `names` to the queue; returns its new length.
    ///
    /// # Errors
    /// [`QueueRefusal`]: the first unknown name, or a queue that would pass [`MAX_QUEUE`]; nothing
    /// is queued then.
    pub(crate) fn enqueue(&self, names: &[String]) -> Result<usize, QueueRefusal> {
        self.append(&mut self.live().queue, names)
    }

    /// Appends `names` to `queue` (the mock's or an app's) when every name is known and the queue
    /// stays within [`MAX_QUEUE`]; returns its new length.
    fn append(&self, queue: &mut VecDeque<String>, names: &[String]) -> Result<usize, QueueRefusal> {
        for n in names {
            self.known(n).map_err(QueueRefusal::Unknown)?;
        }
        if queue.len() + names.len() > MAX_QUEUE {
            return Err(QueueRefusal::Full { asked: names.len(), queued: queue.len() });
        }
        queue.extend(names.iter().cloned());
        Ok(queue.len())
    }

    pub(crate) fn queue(&self) -> Vec<String> {
        self.live().queue.iter().cloned().collect()
    }

    /// Empties the queue; returns how many entries it had.
    pub(crate) fn clear_queue(&self) -> usize {
        let mut live = self.live();
        let n = live.queue.len();
        live.queue.clear();
        n
    }

    /// Queue emptied, default back to the startup one (`POST /__admin/reset`).
    pub fn reset(&self) {
        let mut live = self.live();
        live.queue.clear();
        live.default = self.startup_default.clone();
    }

    /// Header, else the next queued entry, else the default: the app's own (`own`) when it has
    /// any, else the mock's. Takes the queue entry now.
    ///
    /// # Errors
    /// [`Unknown`] when the header names no scenario.
    pub(crate) fn at_arrival(&self, header: Option<&str>, own: Option<&Own>) -> Result<Choice, Unknown> {
        if let Some(name) = header {
            return Ok(self.resolve(self.known(name.trim())?.clone(), Why::Header));
        }
        let (name, why, is_own) = match own.and_then(Own::next) {
            Some((n, why)) => (n, why, true),
            None => {
                let mut live = self.live();
                match live.queue.pop_front() {
                    Some(n) => (n, Why::Queue, false),
                    None => (live.default.clone(), Why::Default, false),
                }
            }
        };
        let scenario = self.catalog.get(&name).or_else(|| self.catalog.get(DEFAULT)).expect("success is built in");
        let mut choice = self.resolve(scenario.clone(), why);
        choice.own = is_own;
        Ok(choice)
    }

    /// The scenario an image marker names, with the marker's identity over the scenario's.
    ///
    /// # Errors
    /// [`Unknown`] when the marker names no scenario.
    pub(crate) fn by_marker(&self, name: &str, pin: Pin) -> Result<Choice, Unknown> {
        let mut c = self.resolve(self.known(name)?.clone(), Why::Marker);
        c.pin = Pin { name: pin.name.or(c.pin.name), idcard: pin.idcard.or(c.pin.idcard) };
        Ok(c)
    }

    fn known(&self, name: &str) -> Result<&Arc<Scenario>, Unknown> {
        self.catalog.get(name).ok_or_else(|| Unknown { name: name.to_string(), known: self.catalog.names().join(", ") })
    }

    fn resolve(&self, scenario: Arc<Scenario>, why: Why) -> Choice {
        let Outcome::Mix(entries) = &scenario.outcome else {
            return Choice { pin: scenario.pin.clone(), scenario, why, from_mix: None, gave_way: None, own: false };
        };
        let total: u64 = entries.iter().map(|w| u64::from(w.weight)).sum();
        let draw = self.draws.fetch_add(1, Ordering::Relaxed);
        let mut roll = mix(self.seed ^ fnv1a(&scenario.name) ^ mix(draw)) % total.max(1);
        let picked = entries
            .iter()
            .find(|w| {
                let hit = roll < u64::from(w.weight);
                roll = roll.saturating_sub(u64::from(w.weight));
                hit
            })
            .and_then(|w| self.catalog.get(&w.scenario))
            .or_else(|| self.catalog.get(DEFAULT))
            .expect("mix entries are checked at load");
        Choice {
            pin: picked.pin.clone(),
            scenario: picked.clone(),
            why,
            from_mix: Some(scenario.name.clone()),
            gave_way: None,
            own: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ScenarioState {
        ScenarioState::new(Catalog::builtin(), "success", 7)
    }

    #[test]
    fn header_beats_queue_and_queue_beats_default_then_falls_back() {
        let s = state();
        s.enqueue(&["blurry".into(), "expired".into()]).unwrap();
        s.set_default("photocopy").unwrap();
        assert_eq!(s.at_arrival(Some("minor"), None).unwrap().name(), "minor");
        let order: Vec<(String, Why)> =
            (0..3).map(|_| s.at_arrival(None, None).unwrap()).map(|c| (c.name().to_string(), c.why)).collect();
        assert_eq!(
            order,
            [("blurry".into(), Why::Queue), ("expired".into(), Why::Queue), ("photocopy".into(), Why::Default)]
        );
    }

    #[test]
    fn unknown_names_are_refused_and_the_queue_is_bounded() {
        let s = state();
        assert!(s.at_arrival(Some("nope"), None).unwrap_err().known.contains("blurry"));
        assert!(s.set_default("nope").is_err());
        assert!(s.enqueue(&["blurry".into(), "nope".into()]).is_err());
        assert!(s.queue().is_empty(), "nothing queued when one name is unknown");
        assert!(s.enqueue(&vec!["blurry".to_string(); MAX_QUEUE + 1]).is_err());
    }

    #[test]
    fn reset_clears_the_queue_and_restores_the_startup_default() {
        let s = ScenarioState::new(Catalog::builtin(), "blurry", 1);
        s.set_default("minor").unwrap();
        s.enqueue(&["expired".into()]).unwrap();
        s.reset();
        assert!(s.queue().is_empty());
        assert_eq!(s.default_name(), "blurry");
    }

    #[test]
    fn an_app_with_its_own_settings_takes_its_queue_then_its_default_and_never_the_mocks() {
        let s = state();
        s.enqueue(&["blurry".into()]).unwrap();
        let (plain, own) = (Own::new(None), Own::new(Some("server-busy".into())));
        s.enqueue_own(&own, &["expired".into()]).unwrap();
        let pick = |o: &Own| {
            let c = s.at_arrival(None, Some(o)).unwrap();
            (c.name().to_string(), c.why_text())
        };
        assert_eq!(pick(&own), ("expired".into(), "app's queue".into()));
        assert_eq!(pick(&own), ("server-busy".into(), "app's default".into()));
        assert_eq!(s.queue(), ["blurry"], "the mock's queue is left for the apps that follow it");
        assert_eq!(pick(&plain), ("blurry".into(), "queue".into()));
        assert_eq!(pick(&plain), ("success".into(), "default".into()));
        assert!(s.set_own_default(&own, Some("nope")).is_err());
        s.set_own_default(&own, None).unwrap();
        assert!(!own.is_set());
        own.reset();
        assert_eq!(own.default_name().as_deref(), Some("server-busy"), "reset restores the default it was made with");
    }

    #[test]
    fn a_mix_is_drawn_reproducibly_from_the_seed() {
        let draw = |seed| {
            let s = ScenarioState::new(Catalog::builtin(), "flaky", seed);
            (0..40).map(|_| s.at_arrival(None, None).unwrap().name().to_string()).collect::<Vec<_>>()
        };
        let a = draw(3);
        assert_eq!(a, draw(3));
        assert!(a.iter().any(|n| n == "server-busy") && a.iter().any(|n| n == "success"), "{a:?}");
    }
}
