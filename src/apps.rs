//! The apps the mock knows, each with the state that is its own: the configured ones (flags and
//! `--config`, kept for the process's life) and the ones made at run time (`POST /__admin/apps`),
//! bounded by `--max-apps` and an idle life. An [`AppState`] holds the app's own clock offset and
//! scenario settings; its tokens, orders, journal entries and counters live in those stores,
//! keyed by its id. A request finds its app once ([`Apps::get`]: one read lock, one hash lookup)
//! and works on that `Arc` from then on.
//!
//! Imports: `clock`, `config`, `faces` (the per-app face choices), `reply` (the note), `scenarios`
//! (the per-app settings type), `seed`;
//! never `State`.

use crate::clock::{Clock, Millis, OutOfRange};
use crate::config::App;
use crate::faces::Choices;
use crate::reply::Note;
use crate::scenarios::Own;
use crate::seed::mix;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The longest `ttl_seconds` an app made at run time may ask for: 30 days.
pub(crate) const MAX_TTL_SECONDS: u64 = 30 * 24 * 3600;

/// Where an app came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `--app-id`/`--secret` or `--config`: stays for the process's life.
    Configured,
    /// `POST /__admin/apps`: removed by `DELETE`, or after its idle life.
    RunTime,
}

/// One app and what is its own.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) app: App,
    /// The id, shared with the counters that are labelled with it.
    pub(crate) key: Arc<str>,
    pub(crate) origin: Origin,
    /// The app's own scenario default and queue; unset, the mock's (`PUT /__admin/scenario`).
    pub(crate) scenarios: Own,
    /// The app's own face default and queue (`/__admin/apps/{id}/face/…`); unset, the mock's.
    pub(crate) face: Choices,
    /// The mock's clock, which the app follows until its own is moved.
    default_clock: Arc<Clock>,
    clock: Clock,
    own_clock: AtomicBool,
    /// Idle life in ms, for apps made at run time.
    ttl: Option<Millis>,
    /// Last call naming the app, on the mock's clock.
    last_used: AtomicI64,
    pub(crate) created: Millis,
    serial: u64,
}

impl AppState {
    pub(crate) fn id(&self) -> &str {
        &self.app.id
    }

    /// Notes on a request's `note` that it named this app (the journal's `app_id`, the counters).
    pub(crate) fn note(&self, note: &mut Note) {
        note.app_id = Some(self.app.id.clone());
        note.app = Some(self.key.clone());
    }

    /// Now on this app's clock: its own once moved, else the mock's.
    pub(crate) fn now(&self) -> Millis {
        if self.own_clock.load(Ordering::Relaxed) {
            self.clock.now()
        } else {
            self.default_clock.now()
        }
    }

    /// The app's offset from real time, and whether it is its own (`false`: it follows the mock's).
    pub(crate) fn clock_offset(&self) -> (Millis, bool) {
        if self.own_clock.load(Ordering::Relaxed) {
            (self.clock.offset(), true)
        } else {
            (self.default_clock.offset(), false)
        }
    }

    /// Moves this app's clock (from where it shows now); from then on it no longer follows the mock's.
    ///
    /// # Errors
    /// [`OutOfRange`]: the clock is unchanged.
    pub(crate) fn advance_clock(&self, ms: Millis) -> Result<(), OutOfRange> {
        if !self.own_clock.load(Ordering::Relaxed) {
            self.clock.set(self.default_clock.now())?;
        }
        self.clock.advance(ms)?;
        self.own_clock.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Sets this app's clock to `at`.
    ///
    /// # Errors
    /// [`OutOfRange`]: the clock is unchanged.
    pub(crate) fn set_clock(&self, at: Millis) -> Result<(), OutOfRange> {
        self.clock.set(at)?;
        self.own_clock.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// The app follows the mock's clock again.
    pub(crate) fn reset_clock(&self) {
        self.own_clock.store(false, Ordering::Relaxed);
        self.clock.reset();
    }

    /// Notes a call naming the app, for its idle life.
    pub(crate) fn touch(&self) {
        if self.ttl.is_some() {
            self.last_used.store(self.default_clock.now(), Ordering::Relaxed);
        }
    }

    /// Seconds of idle life, for apps made at run time.
    pub(crate) fn ttl_seconds(&self) -> Option<i64> {
        self.ttl.map(|t| t / 1000)
    }

    /// When the app goes if nothing names it before, on the mock's clock.
    pub(crate) fn expires_at(&self) -> Option<Millis> {
        self.ttl.map(|t| self.last_used.load(Ordering::Relaxed) + t)
    }

    fn expired(&self, now: Millis) -> bool {
        self.expires_at().is_some_and(|end| now >= end)
    }
}

/// What `POST /__admin/apps` asks for, checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewApp {
    pub(crate) id: Option<String>,
    pub(crate) secret: Option<String>,
    pub(crate) sign_tickets: Option<Vec<String>>,
    /// The app's own default scenario, checked against the catalog by the caller.
    pub(crate) scenario: Option<String>,
    /// The app's own face default, checked against the face scenarios by the caller.
    pub(crate) face_scenario: Option<String>,
    pub(crate) ttl_seconds: Option<u64>,
}

/// Why an app was not made or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// `--max-apps` apps made at run time already exist (HTTP 429).
    Full { max: usize },
    /// The id is taken (HTTP 409).
    Taken(String),
    /// The app comes from the flags or the config file (HTTP 409 on `DELETE`).
    Configured(String),
    /// No such app (HTTP 404).
    Unknown(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Full { max } => write!(
                f,
                "{max} apps made at run time already exist (--max-apps {max}); DELETE /__admin/apps/{{id}} the ones your jobs no longer use, give new ones a ttl_seconds, or raise --max-apps"
            ),
            Refused::Taken(id) => write!(f, "app {id} already exists; choose another id or leave id out to get a generated one"),
            Refused::Configured(id) => write!(f, "app {id} comes from the flags or the config file and stays for the process's life; only apps made with POST /__admin/apps can be deleted"),
            Refused::Unknown(id) => write!(f, "unknown app {id:?}"),
        }
    }
}

/// Every app the mock knows.
#[derive(Debug)]
pub(crate) struct Apps {
    map: RwLock<HashMap<String, Arc<AppState>>>,
    default_clock: Arc<Clock>,
    max_runtime: usize,
    idle: Millis,
    seed: u64,
    serial: AtomicU64,
}

impl Apps {
    /// The configured `apps`; at most `max_runtime` more made at run time, each removed after
    /// `idle_seconds` without a call unless it asks for its own life.
    pub(crate) fn new(
        apps: &[App],
        default_clock: Arc<Clock>,
        max_runtime: usize,
        idle_seconds: u64,
        seed: u64,
    ) -> Self {
        let store = Apps {
            map: RwLock::new(HashMap::new()),
            default_clock,
            max_runtime,
            idle: secs_to_ms(idle_seconds),
            seed,
            serial: AtomicU64::new(0),
        };
        for app in apps {
            let state = store.state(app.clone(), Origin::Configured, (None, None), None);
            store.write().entry(app.id.clone()).or_insert(state);
        }
        store
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<AppState>>> {
        self.map.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<AppState>>> {
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }

    fn state(
        &self,
        app: App,
        origin: Origin,
        defaults: (Option<String>, Option<String>),
        ttl: Option<Millis>,
    ) -> Arc<AppState> {
        let (scenario, face) = defaults;
        let now = self.default_clock.now();
        Arc::new(AppState {
            key: app.id.as_str().into(),
            app,
            origin,
            scenarios: Own::new(scenario),
            face: Choices::with_default(face),
            default_clock: self.default_clock.clone(),
            clock: Clock::new(),
            own_clock: AtomicBool::new(false),
            ttl,
            last_used: AtomicI64::new(now),
            created: now,
            serial: self.serial.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The app `id`, if the mock knows it and its idle life has not run out (an expired one is
    /// left for [`Apps::sweep`]). Marks it used.
    pub(crate) fn get(&self, id: &str) -> Option<Arc<AppState>> {
        let app = self.read().get(id).cloned()?;
        if app.expired(self.default_clock.now()) {
            return None;
        }
        app.touch();
        Some(app)
    }

    /// Every app, configured first (in config order), then by creation.
    pub(crate) fn list(&self) -> Vec<Arc<AppState>> {
        let mut all: Vec<Arc<AppState>> = self.read().values().cloned().collect();
        all.sort_by_key(|a| a.serial);
        all
    }

    /// How many apps were made at run time, and the most there may be.
    pub(crate) fn runtime_count(&self) -> (usize, usize) {
        (self.read().values().filter(|a| a.origin == Origin::RunTime).count(), self.max_runtime)
    }

    /// Removes the apps made at run time whose idle life has run out; returns them, so the
    /// caller can empty what they owned in the other stores.
    pub(crate) fn sweep(&self) -> Vec<Arc<AppState>> {
        let now = self.default_clock.now();
        if !self.read().values().any(|a| a.expired(now)) {
            return Vec::new();
        }
        let mut map = self.write();
        let gone: Vec<String> = map.values().filter(|a| a.expired(now)).map(|a| a.app.id.clone()).collect();
        gone.iter().filter_map(|id| map.remove(id)).collect()
    }

    /// Makes an app; the id, secret and ticket are generated when not given.
    ///
    /// # Errors
    /// [`Refused::Taken`] or [`Refused::Full`]; nothing is made then.
    pub(crate) fn create(&self, new: NewApp) -> Result<Arc<AppState>, Refused> {
        let mut map = self.write();
        if let Some(id) = new.id.as_ref().filter(|id| map.contains_key(*id)) {
            return Err(Refused::Taken(id.clone()));
        }
        if map.values().filter(|a| a.origin == Origin::RunTime).count() >= self.max_runtime {
            return Err(Refused::Full { max: self.max_runtime });
        }
        let n = self.serial.load(Ordering::Relaxed);
        let id = new.id.unwrap_or_else(|| self.fresh_id(&map, n));
        let secret = new.secret.unwrap_or_else(|| derive(self.seed ^ 0x5ec2e7, n, 32));
        let tickets = new.sign_tickets.unwrap_or_else(|| vec![derive(self.seed ^ 0x71c4e7, n, 64)]);
        let ttl = secs_to_ms(new.ttl_seconds.unwrap_or(self.idle as u64 / 1000));
        let app = App { id: id.clone(), secret, sign_tickets: tickets };
        let state = self.state(app, Origin::RunTime, (new.scenario, new.face_scenario), Some(ttl));
        map.insert(id, state.clone());
        Ok(state)
    }

    /// Removes an app made at run time.
    ///
    /// # Errors
    /// [`Refused::Unknown`], or [`Refused::Configured`] for an app from the flags or config file.
    pub(crate) fn remove(&self, id: &str) -> Result<Arc<AppState>, Refused> {
        let mut map = self.write();
        match map.get(id).map(|a| a.origin) {
            None => Err(Refused::Unknown(id.to_string())),
            Some(Origin::Configured) => Err(Refused::Configured(id.to_string())),
            Some(Origin::RunTime) => Ok(map.remove(id).expect("just found")),
        }
    }

    /// A generated id in the shape of the vendor's test apps (`TIDA` and four capitals or
    /// digits, as `TIDA0001`), not yet taken.
    fn fresh_id(&self, map: &HashMap<String, Arc<AppState>>, n: u64) -> String {
        (0..)
            .map(|attempt| format!("TIDA{}", derive_upper(self.seed, mix(n) ^ attempt)))
            .find(|id| !map.contains_key(id))
            .expect("1.6 million ids, at most --max-apps taken")
    }
}

fn secs_to_ms(s: u64) -> Millis {
    Millis::try_from(s.min(MAX_TTL_SECONDS * 100)).unwrap_or(0) * 1000
}

const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `len` letters and digits from the seed and `n`.
fn derive(seed: u64, n: u64, len: usize) -> String {
    let base = mix(seed ^ mix(n));
    (0..len as u64).map(|i| ALNUM[(mix(base ^ i.wrapping_mul(0x9E37_79B9)) % 62) as usize] as char).collect()
}

/// Four capitals or digits.
fn derive_upper(seed: u64, n: u64) -> String {
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let base = mix(seed ^ 0x1da ^ mix(n));
    (0..4u64).map(|i| UPPER[(mix(base ^ i) % UPPER.len() as u64) as usize] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apps(max: usize) -> (Apps, Arc<Clock>) {
        let clock = Arc::new(Clock::new());
        (Apps::new(&[App::default_app()], clock.clone(), max, 60, 7), clock)
    }

    #[test]
    fn a_generated_app_has_a_vendor_shaped_id_a_secret_and_a_sign_ticket() {
        let (apps, _) = apps(10);
        let a = apps.create(NewApp::default()).unwrap();
        assert!(a.id().starts_with("TIDA") && a.id().len() == 8, "{}", a.id());
        assert!(a.id()[4..].bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_eq!((a.app.secret.len(), a.app.sign_tickets[0].len()), (32, 64));
        assert!(apps.get(a.id()).is_some());
        assert_ne!(apps.create(NewApp::default()).unwrap().id(), a.id());
    }

    #[test]
    fn past_max_apps_a_new_app_is_refused_and_a_taken_id_too() {
        let (apps, _) = apps(1);
        let named = NewApp { id: Some("JOB1".into()), ..NewApp::default() };
        apps.create(named.clone()).unwrap();
        assert_eq!(apps.create(named).unwrap_err(), Refused::Taken("JOB1".into()));
        assert_eq!(apps.create(NewApp::default()).unwrap_err(), Refused::Full { max: 1 });
        assert_eq!(apps.remove("TIDAMOCK").unwrap_err(), Refused::Configured("TIDAMOCK".into()));
        apps.remove("JOB1").unwrap();
        assert!(apps.create(NewApp::default()).is_ok(), "deleting made room");
    }

    #[test]
    fn an_idle_app_made_at_run_time_goes_when_the_mocks_clock_passes_its_life() {
        let (apps, clock) = apps(10);
        let short = apps.create(NewApp { ttl_seconds: Some(10), ..NewApp::default() }).unwrap();
        let long = apps.create(NewApp::default()).unwrap();
        clock.advance(9_000).unwrap();
        assert!(apps.get(short.id()).is_some(), "a call renews its life");
        clock.advance(9_000).unwrap();
        assert!(apps.get(short.id()).is_some());
        clock.advance(11_000).unwrap();
        assert!(apps.get(short.id()).is_none());
        let gone: Vec<String> = apps.sweep().iter().map(|a| a.id().to_string()).collect();
        assert_eq!(gone, [short.id()]);
        assert!(apps.get(long.id()).is_some() && apps.get("TIDAMOCK").is_some(), "configured apps stay");
    }

    #[test]
    fn an_apps_clock_follows_the_mocks_until_moved_and_then_only_its_own() {
        let (apps, clock) = apps(10);
        let a = apps.create(NewApp::default()).unwrap();
        clock.advance(1_000_000).unwrap();
        assert!(!a.clock_offset().1);
        assert!((a.now() - clock.now()).abs() < 100);
        a.advance_clock(7_200_000).unwrap();
        assert!((a.now() - clock.now() - 7_200_000).abs() < 100);
        clock.reset();
        assert!((a.clock_offset().0 - 8_200_000).abs() < 100, "the mock's reset leaves the app's own clock");
        assert!(a.advance_clock(i64::MAX).is_err());
        a.reset_clock();
        assert_eq!(a.clock_offset(), (0, false));
    }
}
