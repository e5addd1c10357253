//! The one cloneable handle every connection shares: configuration, clock and counters, and the
//! stores later modules add. Locks are std locks held for a few instructions, never across an
//! `.await` (as in mini-redis `db.rs`).
//!
//!
//! A vendor handler finds its app once, early, with [`State::known_app`] (an `Arc` of the app's
//! [`AppState`]) and then reads the app's time (`app.now()`, [`State::stamp_for`]) and tickets
//! ([`State::sign_candidates`]) through it; the stores key their per-app parts by its id.
//!
//! Imports: `config`, `clock`, `protocol` and the stores it holds (`apps`, `tokens`, `journal`, `orders`, `faces`, `metrics`, `scenarios`).

use crate::apps::{AppState, Apps, NewApp, Refused};
use crate::clock::Clock;
use crate::config::Config;
use crate::faces::Faces;
use crate::journal::Journal;
use crate::metrics::Metrics;
use crate::orders::Orders;
use crate::protocol::envelope::Stamp;
use crate::protocol::sign::{Candidate, TicketState};
use crate::protocol::{fields, Refusal};
use crate::scenarios::ScenarioState;
use crate::tokens::{Caps, Kind, TokenStore};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Shared server state; cloning is a reference-count increment.
#[derive(Clone)]
pub struct State {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    clock: Arc<Clock>,
    apps: Apps,
    seq: AtomicU64,
    tokens: TokenStore,
    journal: Journal,
    orders: Arc<Orders>,
    faces: Faces,
    metrics: Metrics,
    scenarios: ScenarioState,
    /// `--body-budget`, in KiB.
    bodies: Arc<Semaphore>,
    /// `--max-held`: slots for held faults.
    held: Arc<Semaphore>,
    /// Whether the last held fault found no slot (the log says so once per episode).
    held_full: AtomicBool,
}

impl State {
    pub fn new(config: Config) -> Self {
        let tokens = TokenStore::new(&config, Caps::default());
        let (journal, orders) =
            (Journal::new(config.journal_limit, config.journal_max_bytes), Arc::new(Orders::new(&config)));
        let faces = Faces::new(config.max_orders, config.data_dir.clone());
        let metrics = Metrics::default();
        let scenarios = ScenarioState::new(config.scenarios.clone(), &config.scenario, config.seed);
        let (clock, seq) = (Arc::new(Clock::new()), AtomicU64::new(0));
        let apps = Apps::new(&config.apps, clock.clone(), config.max_apps, config.app_idle_seconds, config.seed);
        let bodies = Arc::new(Semaphore::new(kib(config.body_budget) as usize));
        let (held, held_full) = (Arc::new(Semaphore::new(config.max_held())), AtomicBool::new(false));
        let inner = Inner {
            config,
            clock,
            apps,
            seq,
            tokens,
            journal,
            orders,
            faces,
            metrics,
            scenarios,
            bodies,
            held,
            held_full,
        };
        State { inner: Arc::new(inner) }
    }

    /// A slot of `--max-held` for a held fault, given back when dropped.
    ///
    /// # Errors
    /// No slot is free; `true` when it is the first refusal since a slot was last taken.
    pub fn hold(&self) -> Result<OwnedSemaphorePermit, bool> {
        match self.inner.held.clone().try_acquire_owned() {
            Ok(slot) => {
                self.inner.held_full.store(false, Ordering::Relaxed);
                Ok(slot)
            }
            Err(_) => Err(!self.inner.held_full.swap(true, Ordering::Relaxed)),
        }
    }

    /// Reserves room for a request body of `bytes` in `--body-budget`, or `None` when the bodies
    /// already being read leave too little. The room is given back when the permit is dropped.
    pub fn reserve_body(&self, bytes: usize) -> Option<OwnedSemaphorePermit> {
        self.inner.bodies.clone().try_acquire_many_owned(kib(bytes)).ok()
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The mock's clock: the default every app follows until its own is moved.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Every app the mock knows, configured and made at run time.
    pub(crate) fn apps(&self) -> &Apps {
        &self.inner.apps
    }

    pub fn journal(&self) -> &Journal {
        &self.inner.journal
    }

    pub fn orders(&self) -> &Arc<Orders> {
        &self.inner.orders
    }

    /// The face verifications and the face scenarios chosen in advance.
    pub fn faces(&self) -> &Faces {
        &self.inner.faces
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The scenario catalog, the default and the queue.
    pub fn scenarios(&self) -> &ScenarioState {
        &self.inner.scenarios
    }

    pub fn seed(&self) -> u64 {
        self.inner.config.seed
    }

    /// A number no other response of this process has.
    pub fn next_seq(&self) -> u64 {
        self.inner.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// The `transactionTime` and `bizSeqNo` of a new response, on the mock's clock.
    pub fn stamp(&self) -> Stamp {
        Stamp::new(self.inner.clock.now(), self.seed(), self.next_seq())
    }

    /// [`State::stamp`] on `app`'s clock (the mock's when `None`).
    pub(crate) fn stamp_for(&self, app: Option<&AppState>) -> Stamp {
        let at = app.map_or_else(|| self.inner.clock.now(), AppState::now);
        Stamp::new(at, self.seed(), self.next_seq())
    }

    /// The app `id` with its own state, or the refusal every endpoint gives an unknown one.
    ///
    /// # Errors
    /// `400104`, naming the known apps.
    pub(crate) fn known_app(&self, id: &str) -> Result<Arc<AppState>, Refusal> {
        self.app(id).ok_or_else(|| self.unknown_app(id))
    }

    /// The refusal of an unknown app id, naming (the first 20 of) the known ones.
    pub fn unknown_app(&self, id: &str) -> Refusal {
        let known = self.inner.apps.list();
        fields::unknown_app(id, known.iter().take(20).map(|a| a.id()))
    }

    /// The app `id`, if the mock knows it.
    pub(crate) fn app(&self, id: &str) -> Option<Arc<AppState>> {
        self.inner.apps.get(id)
    }

    /// Access tokens, tickets and the apps' current secrets.
    pub(crate) fn tokens(&self) -> &TokenStore {
        &self.inner.tokens
    }

    /// Every SIGN ticket `app` has or had, for verification and for diagnosis: the static ones
    /// (live forever), then every issued one, live or dead with the reason, on the app's clock.
    pub(crate) fn sign_candidates<'a>(&'a self, app: &'a AppState) -> Vec<Candidate<'a>> {
        let fixed = app.app.sign_tickets.iter().map(|t| Candidate { value: t.into(), state: TicketState::Live });
        fixed.chain(self.inner.tokens.candidates(app.id(), Kind::Sign, None, app.now())).collect()
    }

    /// Makes an app at run time (after removing the idle ones) and starts its token flow.
    ///
    /// # Errors
    /// [`Refused`]: the id is taken or `--max-apps` is reached.
    pub(crate) fn create_app(&self, new: NewApp) -> Result<Arc<AppState>, Refused> {
        self.sweep_apps();
        let app = self.inner.apps.create(new)?;
        self.inner.tokens.add_app(app.id(), &app.app.secret);
        Ok(app)
    }

    /// Removes an app made at run time and everything it owns.
    ///
    /// # Errors
    /// [`Refused`]: unknown, or from the flags or config file.
    pub(crate) fn delete_app(&self, id: &str) -> Result<Cleared, Refused> {
        let app = self.inner.apps.remove(id)?;
        Ok(self.clear_app(&app, true))
    }

    /// Removes the apps made at run time whose idle life ran out, with what they owned.
    pub fn sweep_apps(&self) {
        for app in self.inner.apps.sweep() {
            tracing::info!(
                "app {} removed after {} s without a call (its idle life)",
                app.id(),
                app.ttl_seconds().unwrap_or(0)
            );
            self.clear_app(&app, true);
        }
    }

    /// Empties what `app` owns in every store, and its own settings; with `remove`, its token
    /// flow and counters go too (the app is gone).
    pub(crate) fn clear_app(&self, app: &AppState, remove: bool) -> Cleared {
        let (tokens, tickets) = self.inner.tokens.clear_app(app.id(), remove);
        let requests = self.inner.journal.remove_app(app.id());
        let orders = self.inner.orders.remove_app(app.id());
        let faces = self.inner.faces.remove_app(app.id());
        self.inner.metrics.remove_app(app.id());
        app.scenarios.reset();
        app.face.reset();
        app.reset_clock();
        Cleared { tokens, tickets, requests, orders, faces }
    }
}

/// What an app's reset or removal emptied.
#[derive(Debug)]
pub struct Cleared {
    pub tokens: usize,
    pub tickets: usize,
    pub requests: usize,
    /// The orders, or the files in `--data-dir` that could not be deleted.
    pub orders: Result<usize, Vec<String>>,
    /// Face verifications (H5 and SDK).
    pub faces: usize,
}

/// Bytes in whole KiB, rounded up, as semaphore permits (a permit request is a `u32`).
fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}
