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
    /// The scenario's warning flags, shared with it (not a copy per order).
    pub(crate) warning: Arc<str>,
    pub(crate) multi_warning: Arc<str>,
    pub(crate) clarity: String,
    /// When the call was answered, on the mock's clock.
    pub(crate) time: Millis,
    /// `jpeg`, `png` or `bmp`.
    pub(crate) format: Cow<'static, str>,
    /// The image exactly as decoded from the upload.
    #[serde(with = "disk::base64_bytes")]
    pub(crate) image: Vec<u8>,
}

/// An order's key, (app, orderNo), as one text written once when the order is made and then
/// shared, not copied, by the map, the age list and the order itself: a store at its cap makes
/// and evicts an order on every call, and one allocation is made and freed where six were.
#[derive(Clone)]
pub(crate) struct OrderKey {
    /// The app id, then the order number.
    text: Arc<str>,
    /// Where the order number starts.
    split: usize,
}

impl OrderKey {
    pub(crate) fn new(app: &str, order_no: &str) -> Self {
        // Joined on the stack, so the shared text is the only allocation (ids are short: an app
        // id and a 32-character order number fit; anything longer is joined on the heap).
        let mut buf = [0u8; 128];
        let n = app.len() + order_no.len();
        let text: Arc<str> = if n <= buf.len() {
            buf[..app.len()].copy_from_slice(app.as_bytes());
            buf[app.len()..n].copy_from_slice(order_no.as_bytes());
            Arc::from(std::str::from_utf8(&buf[..n]).expect("two texts joined are a text"))
        } else {
            Arc::from([app, order_no].concat())
        };
        OrderKey { text, split: app.len() }
    }

    pub(crate) fn app(&self) -> &str {
        &self.text[..self.split]
    }

    pub(crate) fn order_no(&self) -> &str {
        &self.text[self.split..]
    }
}

impl PartialEq for OrderKey {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.text, &other.text) || (self.split == other.split && self.text == other.text)
    }
}

impl Eq for OrderKey {}

impl std::hash::Hash for OrderKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.split.hash(h);
        self.text.hash(h);
    }
}

impl std::fmt::Debug for OrderKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("OrderKey").field(&self.app()).field(&self.order_no()).finish()
    }
}

/// One order: the front and the back of one ID card, and a bank card.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "OrderFile")]
pub(crate) struct Order {
    key: OrderKey,
    pub(crate) front: Option<SideRecord>,
    pub(crate) back: Option<SideRecord>,
    /// The bank-card call (absent from files written before bank cards).
    pub(crate) bank: Option<SideRecord>,
}

/// An order as its `--data-dir` file has it.
#[derive(Deserialize)]
struct OrderFile {
    app_id: String,
    order_no: String,
    front: Option<SideRecord>,
    back: Option<SideRecord>,
    #[serde(default)]
    bank: Option<SideRecord>,
}

impl From<OrderFile> for Order {
    fn from(f: OrderFile) -> Self {
        Order { key: OrderKey::new(&f.app_id, &f.order_no), front: f.front, back: f.back, bank: f.bank }
    }
}

impl Serialize for Order {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            app_id: &'a str,
            order_no: &'a str,
            front: &'a Option<SideRecord>,
            back: &'a Option<SideRecord>,
            #[serde(skip_serializing_if = "no_bank")]
            bank: &'a Option<SideRecord>,
        }
        fn no_bank(bank: &&Option<SideRecord>) -> bool {
            bank.is_none()
        }
        let (app_id, order_no) = (self.app_id(), self.order_no());
        View { app_id, order_no, front: &self.front, back: &self.back, bank: &self.bank }.serialize(s)
    }
}

impl Order {
    fn new(key: OrderKey) -> Self {
        Order { key, front: None, back: None, bank: None }
    }

    pub(crate) fn app_id(&self) -> &str {
        self.key.app()
    }

    pub(crate) fn order_no(&self) -> &str {
        self.key.order_no()
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
    /// Boxed: the table holds a key and a pointer per order (32 bytes, not ~550), so inserting,
    /// probing and evicting move and touch a slot, not a whole order.
    map: HashMap<OrderKey, Box<Order>>,
    /// Keys, oldest first.
    age: VecDeque<OrderKey>,
    bytes: usize,
    evictions: u64,
    /// Evicted orders whose files are still to be deleted.
    doomed: Vec<OrderKey>,
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
        let key = order.key.clone();
        let mut inner = self.inner();
        inner.bytes += order.bytes();
        if let Some(old) = inner.map.insert(key.clone(), Box::new(order)) {
            inner.bytes -= old.bytes();
        } else {
            inner.age.push_back(key.clone());
        }
        self.evict(&mut inner, &key);
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
        let key = OrderKey::new(app, order_no);
        let removed = match inner.map.entry(key.clone()) {
            hash_map::Entry::Occupied(e) if duplicates == DuplicateOrders::Reject && e.get().side(side).is_some() => {
                return Err(SideTaken);
            }
            hash_map::Entry::Occupied(mut e) => e.get_mut().slot(side).replace(rec).map_or(0, |old| old.image.len()),
            hash_map::Entry::Vacant(e) => {
                inner.age.push_back(key.clone());
                let mut fresh = Order::new(key.clone());
                *fresh.slot(side) = Some(rec);
                e.insert(Box::new(fresh));
                0
            }
        };
        inner.bytes = inner.bytes + added - removed;
        self.evict(inner, &key);
        Ok(())
    }

    /// Puts one side back as its file has it (`None`: as if never stored), after the file could
    /// not be written: the store never shows what the disk does not have.
    /// Only when the side is still `tried`: a newer call's record is written by that call.
    fn revert(&self, app: &str, order_no: &str, side: Side, tried: Option<&SideRecord>, on_disk: Option<SideRecord>) {
        let mut inner = self.inner();
        let key = OrderKey::new(app, order_no);
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
    fn evict(&self, inner: &mut Inner, keep: &OrderKey) {
        while inner.map.len() > self.max_orders || inner.bytes > self.max_bytes {
            let Some(pos) = inner.age.iter().position(|k| k != keep) else { break };
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
        self.inner().map.get(&OrderKey::new(app, order_no)).map(|o| Order::clone(o))
    }

    /// Every app's order with this number.
    pub(crate) fn find(&self, order_no: &str) -> Vec<Order> {
        let inner = self.inner();
        inner
            .age
            .iter()
            .filter(|k| k.order_no() == order_no)
            .filter_map(|k| inner.map.get(k).map(|o| Order::clone(o)))
            .collect()
    }

    /// `f` of every stored order, oldest stored first (under the lock: nothing is copied).
    pub(crate) fn each<T>(&self, f: impl FnMut(&Order) -> T) -> Vec<T> {
        let inner = self.inner();
        inner.age.iter().filter_map(|k| inner.map.get(k)).map(|o| &**o).map(f).collect()
    }

    pub(crate) fn has_side(&self, app: &str, order_no: &str, side: Side) -> bool {
        self.inner().map.get(&OrderKey::new(app, order_no)).is_some_and(|o| o.side(side).is_some())
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
        self.inner().map.keys().filter(|k| k.app() == app).count()
    }

    /// Forgets `app`'s orders, and deletes their files from `--data-dir`; returns how many.
    ///
    /// # Errors
    /// As [`Orders::reset`], for that app's files.
    pub(crate) fn remove_app(&self, app: &str) -> Result<usize, Vec<String>> {
        let (n, keys): (usize, Vec<OrderKey>) = {
            let mut guard = self.inner();
            let inner = &mut *guard;
            let mine: Vec<OrderKey> = inner.map.keys().filter(|k| k.app() == app).cloned().collect();
            for k in &mine {
                if let Some(o) = inner.map.remove(k) {
                    inner.bytes -= o.bytes();
                }
            }
            inner.age.retain(|k| k.app() != app);
            let doomed: Vec<OrderKey> = inner.doomed.iter().filter(|k| k.app() == app).cloned().collect();
            inner.doomed.retain(|k| k.app() != app);
            (mine.len(), mine.into_iter().chain(doomed).collect())
        };
        let Some(dir) = &self.data_dir else { return Ok(n) };
        let _guard = self.disk.lock().unwrap_or_else(|e| e.into_inner());
        let failed: Vec<String> = keys.iter().filter_map(|k| disk::remove(dir, k.app(), k.order_no()).err()).collect();
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
        let keys: Vec<OrderKey> = {
            let mut inner = self.inner();
            let old = std::mem::take(&mut *inner);
            old.map.into_keys().chain(old.doomed).collect()
        };
        self.write_failures.store(0, Ordering::Relaxed);
        let Some(dir) = &self.data_dir else { return Ok(()) };
        let _guard = self.disk.lock().unwrap_or_else(|e| e.into_inner());
        let failed: Vec<String> = keys.iter().filter_map(|k| disk::remove(dir, k.app(), k.order_no()).err()).collect();
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
    pub(crate) warning: Arc<str>,
    pub(crate) multi_warning: Arc<str>,
    pub(crate) clarity: String,
}

/// The empty warning of a recognition error, made once: an `Arc<str>`, even empty, is a block,
/// and an error record kept two per order where the `String`s it replaced kept none.
fn no_warning() -> Arc<str> {
    static EMPTY: std::sync::OnceLock<Arc<str>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| "".into()).clone()
}

impl SideAnswer {
    /// A recognition error: its code and no fields.
    pub(crate) fn error(code: &'static str) -> Self {
        SideAnswer {
            code,
            fields: CardFields::empty(),
            warning: no_warning(),
            multi_warning: no_warning(),
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
            (std::mem::take(&mut inner.doomed), inner.map.get(&OrderKey::new(app, order_no)).map(|o| Order::clone(o)))
        };
        for k in doomed {
            let _ = disk::remove(dir, k.app(), k.order_no());
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
