//! The order store: every OCR call (success or recognition error) kept under (app, orderNo), a
//! front and a back call with the same number filling one record, for `getOcrResult` and
//! `GET /__admin/orders/{orderNo}`; a bank-card call fills the order's `bank` slot, for
//! `getBankCardOcrResult` (an ID card and a bank card may share an order number). Bounded by `--max-orders` and `--max-order-bytes` (oldest
//! order evicted first, evictions counted); written to `--data-dir` when one is given ([`disk`]).
//!
//! Imports: `clock`, `config`, `image`, `protocol`, `redact`, `reply`; never `State`.

pub mod disk;
mod fields;

pub(crate) use fields::CardFields;

use crate::clock::Millis;
use crate::config::{Config, DuplicateOrders};
use crate::image::Decoded;
use crate::protocol::catalog;
use crate::protocol::{Refusal, Side};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{hash_map, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// What one side's call produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SideRecord {
    /// The vendor code answered (`"0"` for a success): the catalog's text, not a copy, until read
    /// back from `--data-dir`.
    pub(crate) code: Cow<'static, str>,
    /// The card fields of the answer (`name` … `idcard`, `validDate` and `authority`, or
    /// `bankcardNo` … `bankcardValidDate`).
    pub(crate) fields: CardFields,
    pub(crate) warning: String,
    pub(crate) multi_warning: String,
    pub(crate) clarity: String,
    /// When the call was answered, on the mock's clock.
    pub(crate) time: Millis,
    /// `jpeg`, `png` or `bmp`.
    pub(crate) format: Cow<'static, str>,
    /// The image exactly as decoded from the upload.
    #[serde(with = "disk::base64_bytes")]
    pub(crate) image: Vec<u8>,
}

/// One order: the front and the back of one ID card, and a bank card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Order {
    pub(crate) app_id: String,
    pub(crate) order_no: String,
    pub(crate) front: Option<SideRecord>,
    pub(crate) back: Option<SideRecord>,
    /// The bank-card call (absent from files written before bank cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) bank: Option<SideRecord>,
}

impl Order {
    fn new(app_id: &str, order_no: &str) -> Self {
        Order { app_id: app_id.to_string(), order_no: order_no.to_string(), front: None, back: None, bank: None }
    }

    fn slot(&mut self, side: Side) -> &mut Option<SideRecord> {
        match side {
            Side::Front => &mut self.front,
            Side::Back => &mut self.back,
            Side::Bank => &mut self.bank,
        }
    }

    pub(crate) fn side(&self, side: Side) -> Option<&SideRecord> {
        match side {
            Side::Front => self.front.as_ref(),
            Side::Back => self.back.as_ref(),
            Side::Bank => self.bank.as_ref(),
        }
    }

    /// Whether a call of `document` filled any of its sides.
    pub(crate) fn has(&self, document: crate::protocol::Document) -> bool {
        self.sides().any(|(side, _)| side.document() == document)
    }

    /// The sides stored, with their side.
    pub(crate) fn sides(&self) -> impl Iterator<Item = (Side, &SideRecord)> {
        [Side::Front, Side::Back, Side::Bank].into_iter().filter_map(|s| self.side(s).map(|r| (s, r)))
    }

    /// Image bytes held, for the byte budget.
    pub(crate) fn bytes(&self) -> usize {
        self.sides().map(|(_, s)| s.image.len()).sum()
    }

    /// The time of the latest call.
    pub(crate) fn updated(&self) -> Millis {
        self.sides().map(|(_, s)| s.time).max().unwrap_or(0)
    }
}

type Key = (String, String);

/// The side is already stored and `--reject-duplicate-orders` is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SideTaken;

/// Sizes for the health page and the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub orders: usize,
    pub bytes: usize,
    pub evictions: u64,
    pub(crate) write_failures: u64,
    pub(crate) max_orders: usize,
    pub(crate) max_bytes: usize,
}

/// The bounded store.
#[derive(Debug)]
pub struct Orders {
    max_orders: usize,
    max_bytes: usize,
    data_dir: Option<PathBuf>,
    inner: Mutex<Inner>,
    /// Serialises file writes so an older snapshot never overwrites a newer one.
    disk: Mutex<()>,
    write_failures: AtomicU64,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<Key, Order>,
    /// Keys, oldest first.
    age: VecDeque<Key>,
    bytes: usize,
    evictions: u64,
    /// Evicted orders whose files are still to be deleted.
    doomed: Vec<Key>,
}

impl Orders {
    /// An empty store, filled from `--data-dir` when one is given.
    pub(crate) fn new(config: &Config) -> Self {
        let orders = Orders {
            max_orders: config.max_orders,
            max_bytes: config.max_order_bytes,
            data_dir: config.data_dir.clone(),
            inner: Mutex::new(Inner::default()),
            disk: Mutex::new(()),
            write_failures: AtomicU64::new(0),
        };
        if let Some(dir) = &orders.data_dir {
            let loaded = disk::load(dir);
            let n = loaded.len();
            for order in loaded {
                orders.insert(order);
            }
            tracing::info!("--data-dir {}: {n} orders reloaded", dir.display());
        }
        orders
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a whole order (at startup), evicting as needed.
    fn insert(&self, order: Order) {
        let key = (order.app_id.clone(), order.order_no.clone());
        let mut inner = self.inner();
        inner.bytes += order.bytes();
        if let Some(old) = inner.map.insert(key.clone(), order) {
            inner.bytes -= old.bytes();
        } else {
            inner.age.push_back(key.clone());
        }
        self.evict(&mut inner, (&key.0, &key.1));
    }

    /// Stores one side of `(app, order_no)`, creating the order or filling it in (the unit tests'
    /// shorthand for [`Orders::put_checked`] with duplicates allowed).
    #[cfg(test)]
    pub(crate) fn put(&self, app: &str, order_no: &str, side: Side, rec: SideRecord) {
        let _ = self.put_checked(app, order_no, side, rec, DuplicateOrders::Allow);
    }

    /// Stores one side of `(app, order_no)`, refusing (with `Err`) when `duplicates` rejects them and the side is
    /// already stored: the check and the insert happen under one lock, so of two concurrent calls
    /// for one side only one is stored.
    pub(crate) fn put_checked(
        &self,
        app: &str,
        order_no: &str,
        side: Side,
        rec: SideRecord,
        duplicates: DuplicateOrders,
    ) -> Result<(), SideTaken> {
        let mut guard = self.inner();
        let inner: &mut Inner = &mut guard;
        let added = rec.image.len();
        // One hash of the key, whether the order is new or filled in.
        let removed = match inner.map.entry((app.to_string(), order_no.to_string())) {
            hash_map::Entry::Occupied(e) if duplicates == DuplicateOrders::Reject && e.get().side(side).is_some() => {
                return Err(SideTaken);
            }
            hash_map::Entry::Occupied(mut e) => e.get_mut().slot(side).replace(rec).map_or(0, |old| old.image.len()),
            hash_map::Entry::Vacant(e) => {
                inner.age.push_back(e.key().clone());
                let mut fresh = Order::new(app, order_no);
                *fresh.slot(side) = Some(rec);
                e.insert(fresh);
                0
            }
        };
        inner.bytes = inner.bytes + added - removed;
        self.evict(inner, (app, order_no));
        Ok(())
    }

    /// Puts one side back as its file has it (`None`: as if never stored), after the file could
    /// not be written: the store never shows what the disk does not have.
    /// Only when the side is still `tried`: a newer call's record is written by that call.
    fn revert(&self, app: &str, order_no: &str, side: Side, tried: Option<&SideRecord>, on_disk: Option<SideRecord>) {
        let mut inner = self.inner();
        let key = (app.to_string(), order_no.to_string());
        let Some(order) = inner.map.get_mut(&key).filter(|o| o.side(side) == tried) else { return };
        let (added, slot) = (on_disk.as_ref().map_or(0, |r| r.image.len()), order.slot(side));
        let removed = std::mem::replace(slot, on_disk).map_or(0, |r| r.image.len());
        let empty = order.sides().next().is_none();
        inner.bytes = inner.bytes + added - removed;
        if empty {
            inner.map.remove(&key);
            inner.age.retain(|k| k != &key);
        }
    }

    /// Evicts the oldest orders past either limit, never `keep` (the one just written).
    fn evict(&self, inner: &mut Inner, keep: (&str, &str)) {
        while inner.map.len() > self.max_orders || inner.bytes > self.max_bytes {
            let Some(pos) = inner.age.iter().position(|k| (k.0.as_str(), k.1.as_str()) != keep) else { break };
            let Some(key) = inner.age.remove(pos) else { break };
            if let Some(old) = inner.map.remove(&key) {
                inner.bytes -= old.bytes();
                inner.evictions += 1;
                // Only the --data-dir writer drains this list: without a data dir it would grow
                // with every eviction.
                if self.data_dir.is_some() {
                    inner.doomed.push(key);
                }
            }
        }
    }

    /// `false` with `--max-orders 0`: nothing is stored (getOcrResult answers 66660020).
    pub(crate) fn is_on(&self) -> bool {
        self.max_orders > 0
    }

    pub(crate) fn get(&self, app: &str, order_no: &str) -> Option<Order> {
        self.inner().map.get(&(app.to_string(), order_no.to_string())).cloned()
    }

    /// Every app's order with this number.
    pub(crate) fn find(&self, order_no: &str) -> Vec<Order> {
        let inner = self.inner();
        inner.age.iter().filter(|k| k.1 == order_no).filter_map(|k| inner.map.get(k).cloned()).collect()
    }

    /// `f` of every stored order, oldest stored first (under the lock: nothing is copied).
    pub(crate) fn each<T>(&self, f: impl FnMut(&Order) -> T) -> Vec<T> {
        let inner = self.inner();
        inner.age.iter().filter_map(|k| inner.map.get(k)).map(f).collect()
    }

    pub(crate) fn has_side(&self, app: &str, order_no: &str, side: Side) -> bool {
        self.inner().map.get(&(app.to_string(), order_no.to_string())).is_some_and(|o| o.side(side).is_some())
    }

    pub fn stats(&self) -> Stats {
        let inner = self.inner();
        Stats {
            orders: inner.map.len(),
            bytes: inner.bytes,
            evictions: inner.evictions,
            write_failures: self.write_failures.load(Ordering::Relaxed),
            max_orders: self.max_orders,
            max_bytes: self.max_bytes,
        }
    }

    /// How many orders `app` has stored.
    pub(crate) fn count_app(&self, app: &str) -> usize {
        self.inner().map.keys().filter(|k| k.0 == app).count()
    }

    /// Forgets `app`'s orders, and deletes their files from `--data-dir`; returns how many.
    ///
    /// # Errors
    /// As [`Orders::reset`], for that app's files.
    pub(crate) fn remove_app(&self, app: &str) -> Result<usize, Vec<String>> {
        let (n, keys): (usize, Vec<Key>) = {
            let mut guard = self.inner();
            let inner = &mut *guard;
            let mine: Vec<Key> = inner.map.keys().filter(|k| k.0 == app).cloned().collect();
            for k in &mine {
                if let Some(o) = inner.map.remove(k) {
                    inner.bytes -= o.bytes();
                }
            }
            inner.age.retain(|k| k.0 != app);
            let doomed: Vec<Key> = inner.doomed.iter().filter(|k| k.0 == app).cloned().collect();
            inner.doomed.retain(|k| k.0 != app);
            (mine.len(), mine.into_iter().chain(doomed).collect())
        };
        let Some(dir) = &self.data_dir else { return Ok(n) };
        let _guard = self.disk.lock().unwrap_or_else(|e| e.into_inner());
        let failed: Vec<String> =
            keys.iter().filter_map(|(a, order_no)| disk::remove(dir, a, order_no).err()).collect();
        if failed.is_empty() {
            Ok(n)
        } else {
            Err(failed)
        }
    }

    /// Forgets every order, and deletes their files from `--data-dir`.
    ///
    /// # Errors
    /// Each file that could not be deleted, with the OS error: those orders come back at the
    /// next start.
    pub(crate) fn reset(&self) -> Result<(), Vec<String>> {
        let keys: Vec<Key> = {
            let mut inner = self.inner();
            let old = std::mem::take(&mut *inner);
            old.map.into_keys().chain(old.doomed).collect()
        };
        self.write_failures.store(0, Ordering::Relaxed);
        let Some(dir) = &self.data_dir else { return Ok(()) };
        let _guard = self.disk.lock().unwrap_or_else(|e| e.into_inner());
        let failed: Vec<String> =
            keys.iter().filter_map(|(app, order_no)| disk::remove(dir, app, order_no).err()).collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed)
        }
    }
}

/// The refusal `--reject-duplicate-orders` gives a second call for the same order and side.
///
/// # Errors
/// [`catalog::DUPLICATE_ORDER`] when the switch is on and that side is already stored.
pub(crate) fn check_duplicate(
    orders: &Orders,
    policy: DuplicateOrders,
    app: &str,
    order_no: &str,
    side: Side,
) -> Result<(), Refusal> {
    if policy == DuplicateOrders::Reject && orders.has_side(app, order_no, side) {
        return Err(duplicate(order_no, side));
    }
    Ok(())
}

fn duplicate(order_no: &str, side: Side) -> Refusal {
    Refusal {
        code: &catalog::DUPLICATE_ORDER,
        detail: format!(
            "orderNo {order_no} already has a {} result and --reject-duplicate-orders is on (the code is a guess)",
            side.as_str()
        ),
    }
}

/// One side's answer as the store keeps it: built by the OCR pipeline from what it rendered, so
/// nothing is parsed back out of the response body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SideAnswer {
    pub(crate) code: &'static str,
    /// The card fields (`name` … `idcard`, `nativePlace`; `validDate` and `authority`; or the
    /// bank card's).
    pub(crate) fields: CardFields,
    pub(crate) warning: String,
    pub(crate) multi_warning: String,
    pub(crate) clarity: String,
}

impl SideAnswer {
    /// A recognition error: its code and no fields.
    pub(crate) fn error(code: &'static str) -> Self {
        SideAnswer {
            code,
            fields: CardFields::empty(),
            warning: String::new(),
            multi_warning: String::new(),
            clarity: String::new(),
        }
    }
}

/// Stores what an OCR call answered and the image it uploaded. Returns the side stored, for
/// [`crate::reply::Note::stored`].
///
/// # Errors
/// [`catalog::DUPLICATE_ORDER`] when `--reject-duplicate-orders` is on and the side is already
/// stored (checked again under the store's lock: a concurrent call may have stored it since
/// [`check_duplicate`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn record(
    orders: &Orders,
    now: Millis,
    policy: DuplicateOrders,
    app: &str,
    order_no: &str,
    side: Side,
    answer: SideAnswer,
    image: Decoded,
) -> Result<Option<Side>, Refusal> {
    if !orders.is_on() {
        return Ok(None);
    }
    let rec = SideRecord {
        code: Cow::Borrowed(answer.code),
        fields: answer.fields,
        warning: answer.warning,
        multi_warning: answer.multi_warning,
        clarity: answer.clarity,
        time: now,
        format: Cow::Borrowed(image.format.as_str()),
        image: image.bytes,
    };
    match orders.put_checked(app, order_no, side, rec, policy) {
        Ok(()) => Ok(Some(side)),
        Err(SideTaken) => Err(duplicate(order_no, side)),
    }
}

/// Writes the order to `--data-dir` (if any) before its answer is sent; the file work runs on the
/// blocking pool, no lock is held across the `.await`.
///
/// # Errors
/// Why the file could not be written (the file and the OS error); the side is then put back as
/// the file has it, so getOcrResult never answers what a restart would lose.
pub(crate) async fn persist(orders: &Arc<Orders>, app: &str, order_no: &str, side: Side) -> Result<(), String> {
    if orders.data_dir.is_none() {
        return Ok(());
    }
    let (orders, app, order_no) = (orders.clone(), app.to_string(), order_no.to_string());
    let done = tokio::task::spawn_blocking(move || orders.write(&app, &order_no, side)).await;
    done.unwrap_or_else(|e| Err(format!("writing the order to --data-dir panicked: {e}")))
}

impl Orders {
    /// The blocking half of [`persist`]: deletes evicted files, then writes the current record.
    fn write(&self, app: &str, order_no: &str, side: Side) -> Result<(), String> {
        let Some(dir) = &self.data_dir else { return Ok(()) };
        let _guard = self.disk.lock().unwrap_or_else(|e| e.into_inner());
        let (doomed, current) = {
            let mut inner = self.inner();
            (std::mem::take(&mut inner.doomed), inner.map.get(&(app.to_string(), order_no.to_string())).cloned())
        };
        for (a, o) in doomed {
            let _ = disk::remove(dir, &a, &o);
        }
        let Some(order) = current else { return Ok(()) };
        disk::write(dir, &order).map_err(|e| {
            self.write_failures.fetch_add(1, Ordering::Relaxed);
            let on_disk = disk::read_back(dir, app, order_no).and_then(|mut o| o.slot(side).take());
            self.revert(app, order_no, side, order.side(side), on_disk);
            let why = format!("cannot write order {order_no} to --data-dir: {e}");
            tracing::error!("{}", crate::redact::escaped_to(&why, crate::redact::MAX_REASON_CHARS));
            why
        })
    }
}

#[cfg(test)]
mod tests;
