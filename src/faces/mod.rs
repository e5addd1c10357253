//! The face-verification store: one record per `h5faceId`/`faceId` (who is verified, the login
//! that opened it, the outcome), found again by `(app, orderNo)` for queryfacerecord, sync and
//! queryphotoinfo; and the mock's face scenarios chosen in advance ([`Choices`]: a default and a
//! queue; each app holds its own, which comes first for it). Bounded
//! (`--max-orders` records, oldest evicted first), written to `--data-dir/faces/` like the OCR
//! orders. Lifetimes (5 min for an id, 3 days for a result) are checked by the caller with the
//! mock's clock; this store never sees `State`.
//!
//! Imports: `clock`, `protocol` (the face vocabulary), `scenarios::face` (what an outcome holds).

mod choices;
mod disk;

pub(crate) use choices::{choose, Choices, MAX_QUEUE};

use crate::clock::Millis;
use crate::protocol::face::Flow;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// One face verification, from geth5faceid/getfaceid/getAdvFaceId to its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FaceOrder {
    pub(crate) id: String,
    pub(crate) flow: Flow,
    pub(crate) app: String,
    pub(crate) order_no: String,
    pub(crate) user_id: String,
    /// As sent (bounded by the field checks); answered by sync.
    pub(crate) name: String,
    pub(crate) id_no: String,
    pub(crate) created: Millis,
    /// The face scenario chosen when the id was issued (`X-Idocr-Scenario`), if any.
    pub(crate) scenario: Option<String>,
    pub(crate) login: Option<Login>,
    pub(crate) outcome: Option<Outcome>,
}

/// The H5 login that opened a verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Login {
    /// The partner's `url`, decoded once.
    pub(crate) url: String,
    /// `/api/pc/login`: the redirect names the sign `newSign`.
    pub(crate) pc: bool,
    /// `resultType=1`: straight to the partner, no result page.
    pub(crate) skip_result_page: bool,
    /// `redirectType=1`: `location.replace`.
    pub(crate) replace: bool,
    /// Proves a button press belongs to this login (the page's links carry it).
    pub(crate) session: String,
    pub(crate) at: Millis,
}

/// How a verification ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Outcome {
    pub(crate) scenario: String,
    pub(crate) code: String,
    pub(crate) live_rate: Option<String>,
    pub(crate) similarity: Option<String>,
    pub(crate) occurred: Millis,
    /// `false`: the queries answer 66660011 (the flow left no result).
    pub(crate) record: bool,
    pub(crate) files: bool,
    /// The photo and video are there from this time on.
    pub(crate) files_at: Millis,
}

impl Outcome {
    /// The outcome `s` gives a verification completed at `now`.
    pub(crate) fn of(s: &crate::scenarios::face::FaceScenario, now: Millis) -> Self {
        Outcome {
            scenario: s.name.to_string(),
            code: s.code.code.to_string(),
            live_rate: s.live_rate.map(str::to_string),
            similarity: s.similarity.map(str::to_string),
            occurred: now,
            record: s.record,
            files: s.files,
            files_at: if s.files_late { now + crate::protocol::face::FILES_DELAY } else { now },
        }
    }
}

/// Why a login or a completion cannot proceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    Unknown,
    /// The id already had its one login (a reused or prefetched URL).
    LoggedIn,
    /// The id already has an outcome.
    Completed,
}

/// The bounded store.
#[derive(Debug)]
pub struct Faces {
    /// The mock's face default and queue, which an app without its own follows.
    pub choices: Choices,
    max: usize,
    dir: Option<PathBuf>,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    by_id: HashMap<String, FaceOrder>,
    /// `(app, orderNo)` → the newest id of that order.
    by_order: HashMap<(String, String), String>,
    /// Ids, oldest first.
    age: VecDeque<String>,
}

impl Faces {
    /// An empty store of at most `max` records, filled from `dir/faces/` when given.
    pub(crate) fn new(max: usize, data_dir: Option<PathBuf>) -> Self {
        let dir = data_dir.map(|d| d.join("faces"));
        let faces = Faces { choices: Choices::default(), max, dir, inner: Mutex::new(Inner::default()) };
        if let Some(dir) = &faces.dir {
            let loaded = disk::load(dir);
            tracing::info!("--data-dir {}: {} face verifications reloaded", dir.display(), loaded.len());
            let mut loaded = loaded;
            loaded.sort_by_key(|f| f.created);
            for f in loaded {
                faces.insert(f, false);
            }
        }
        faces
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a new verification; the order's older ids stay reachable by id only.
    pub(crate) fn create(&self, order: FaceOrder) {
        self.insert(order, true);
    }

    fn insert(&self, order: FaceOrder, write: bool) {
        if self.max == 0 {
            return;
        }
        let snapshot = write.then(|| order.clone());
        let mut evicted = Vec::new();
        {
            let mut inner = self.inner();
            inner.by_order.insert((order.app.clone(), order.order_no.clone()), order.id.clone());
            inner.age.push_back(order.id.clone());
            inner.by_id.insert(order.id.clone(), order);
            while inner.by_id.len() > self.max {
                let Some(old) = inner.age.pop_front() else { break };
                if let Some(gone) = inner.by_id.remove(&old) {
                    let key = (gone.app.clone(), gone.order_no.clone());
                    if inner.by_order.get(&key) == Some(&gone.id) {
                        inner.by_order.remove(&key);
                    }
                    evicted.push(gone.id);
                }
            }
        }
        if let Some(dir) = &self.dir {
            snapshot.iter().for_each(|o| disk::write(dir, o));
            evicted.iter().for_each(|id| disk::remove(dir, id));
        }
    }

    /// The verification with this id.
    pub(crate) fn get(&self, id: &str) -> Option<FaceOrder> {
        self.inner().by_id.get(id).cloned()
    }

    /// The newest verification of `(app, order_no)`.
    pub(crate) fn find(&self, app: &str, order_no: &str) -> Option<FaceOrder> {
        let inner = self.inner();
        let id = inner.by_order.get(&(app.to_string(), order_no.to_string()))?;
        inner.by_id.get(id).cloned()
    }

    /// Records the one login of `id`.
    ///
    /// # Errors
    /// Unknown id, or the id had its login already.
    pub(crate) fn log_in(&self, id: &str, login: Login) -> Result<FaceOrder, Refused> {
        self.change(id, |f| {
            if f.login.is_some() {
                return Err(Refused::LoggedIn);
            }
            f.login = Some(login);
            Ok(())
        })
    }

    /// Records the outcome of `id`.
    ///
    /// # Errors
    /// Unknown id, or the id has an outcome already.
    pub(crate) fn complete(&self, id: &str, outcome: Outcome) -> Result<FaceOrder, Refused> {
        self.change(id, |f| {
            if f.outcome.is_some() {
                return Err(Refused::Completed);
            }
            f.outcome = Some(outcome);
            Ok(())
        })
    }

    fn change(&self, id: &str, f: impl FnOnce(&mut FaceOrder) -> Result<(), Refused>) -> Result<FaceOrder, Refused> {
        let changed = {
            let mut inner = self.inner();
            let order = inner.by_id.get_mut(id).ok_or(Refused::Unknown)?;
            f(order)?;
            order.clone()
        };
        if let Some(dir) = &self.dir {
            disk::write(dir, &changed);
        }
        Ok(changed)
    }

    /// Records held.
    pub(crate) fn len(&self) -> usize {
        self.inner().by_id.len()
    }

    /// No record held (for the unit tests).
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records held for `app`.
    pub(crate) fn count_app(&self, app: &str) -> usize {
        self.inner().by_id.values().filter(|f| f.app == app).count()
    }

    /// Forgets every record of `app` (files too); how many there were.
    pub(crate) fn remove_app(&self, app: &str) -> usize {
        let ids: Vec<String> = {
            let mut inner = self.inner();
            let ids: Vec<String> = inner.by_id.values().filter(|f| f.app == app).map(|f| f.id.clone()).collect();
            for id in &ids {
                inner.by_id.remove(id);
            }
            inner.by_order.retain(|(a, _), _| a != app);
            inner.age.retain(|id| !ids.contains(id));
            ids
        };
        if let Some(dir) = &self.dir {
            ids.iter().for_each(|id| disk::remove(dir, id));
        }
        ids.len()
    }

    /// Forgets every record, the default and the queue (files too).
    pub(crate) fn reset(&self) {
        let ids: Vec<String> = {
            let mut inner = self.inner();
            let ids = inner.by_id.keys().cloned().collect();
            *inner = Inner::default();
            ids
        };
        self.choices.reset();
        if let Some(dir) = &self.dir {
            ids.iter().for_each(|id| disk::remove(dir, id));
        }
    }
}

#[cfg(test)]
mod tests;
