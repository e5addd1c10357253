//! The one cloneable handle every connection shares: configuration, clock and counters, and the
//! stores later modules add. Locks are std locks held for a few instructions, never across an
//! `.await` (as in mini-redis `db.rs`).
//!
//! Imports: `config`, `clock`, `protocol` and the stores it holds (`tokens`, `journal`, `orders`, `faces`, `metrics`, `scenarios`).

use crate::clock::Clock;
use crate::config::{App, Config};
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
    clock: Clock,
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
        let (clock, seq) = (Clock::new(), AtomicU64::new(0));
        let bodies = Arc::new(Semaphore::new(kib(config.body_budget) as usize));
        let (held, held_full) = (Arc::new(Semaphore::new(config.max_held())), AtomicBool::new(false));
        let inner =
            Inner { config, clock, seq, tokens, journal, orders, faces, metrics, scenarios, bodies, held, held_full };
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

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
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

    /// The `transactionTime` and `bizSeqNo` of a new response.
    pub fn stamp(&self) -> Stamp {
        Stamp::new(self.inner.clock.now(), self.seed(), self.next_seq())
    }

    /// The app `id`, or the refusal every endpoint gives an unknown one.
    ///
    /// # Errors
    /// `400104`, naming the configured apps.
    pub fn known_app(&self, id: &str) -> Result<&App, Refusal> {
        self.app(id).ok_or_else(|| self.unknown_app(id))
    }

    /// The refusal of an unknown app id, naming the configured ones.
    pub fn unknown_app(&self, id: &str) -> Refusal {
        fields::unknown_app(id, self.inner.config.apps.iter().map(|a| a.id.as_str()))
    }

    pub fn app(&self, id: &str) -> Option<&App> {
        self.inner.config.app(id)
    }

    /// Access tokens, tickets and the apps' current secrets.
    pub fn tokens(&self) -> &TokenStore {
        &self.inner.tokens
    }

    /// Every SIGN ticket `app` has or had, for verification and for diagnosis: the static ones
    /// (live forever), then every issued one, live or dead with the reason.
    pub fn sign_candidates<'a>(&'a self, app: &'a App) -> Vec<Candidate<'a>> {
        let fixed = app.sign_tickets.iter().map(|t| Candidate { value: t.into(), state: TicketState::Live });
        fixed.chain(self.inner.tokens.candidates(&app.id, Kind::Sign, None, self.clock().now())).collect()
    }
}

/// Bytes in whole KiB, rounded up, as semaphore permits (a permit request is a `u32`).
fn kib(bytes: usize) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}
