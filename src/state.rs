//! The one cloneable handle every connection shares: configuration, clock and counters, and the
//! stores later modules add. Locks are std locks held for a few instructions, never across an
//! `.await` (as in mini-redis `db.rs`).

use crate::clock::Clock;
use crate::config::{App, Config};
use crate::protocol::envelope::Stamp;
use crate::protocol::sign::{Candidate, TicketState};
use crate::scenarios::ScenarioState;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Shared server state; cloning is a reference-count increment.
#[derive(Clone)]
pub struct State {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    clock: Clock,
    seq: AtomicU64,
    scenarios: ScenarioState,
}

impl State {
    pub fn new(config: Config) -> Self {
        let scenarios = ScenarioState::new(config.scenarios.clone(), &config.scenario, config.seed);
        State { inner: Arc::new(Inner { config, clock: Clock::new(), seq: AtomicU64::new(0), scenarios }) }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
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

    pub fn app(&self, id: &str) -> Option<&App> {
        self.inner.config.app(id)
    }

    /// Every SIGN ticket `app` has or had, for verification and for diagnosis.
    pub fn sign_candidates<'a>(&'a self, app: &'a App) -> Vec<Candidate<'a>> {
        app.sign_tickets.iter().map(|t| Candidate { value: t, state: TicketState::Live }).collect()
    }
}
