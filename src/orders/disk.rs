//! `--data-dir`: one JSON file per order (`order-<app>-<orderNo>.json`, the images in Base64),
//! written atomically (temp file, fsync, rename, fsync of the directory) so a crash leaves the old
//! file or the new one, never half of one. A file that cannot be read back is skipped with a
//! warning naming it; startup never fails because of one.

use super::Order;
use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

const PREFIX: &str = "order-";
const SUFFIX: &str = ".json";
/// A file being written: renamed over the order file once complete, deleted if the write fails.
const TMP_EXTENSION: &str = "json.tmp";
/// The advisory lock that keeps a second process off the directory.
pub(crate) const LOCK_FILE: &str = ".idocr-mock.lock";

/// `Vec<u8>` as standard Base64, for the files.
pub(crate) mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// The file of one order. App ids that are not plain letters and digits are hex-encoded, so any
/// id makes a safe file name (order numbers are letters and digits by the time they are stored).
pub(crate) fn path_of(dir: &Path, app: &str, order_no: &str) -> PathBuf {
    let safe = |s: &str| {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            s.to_string()
        } else {
            format!("x{}", s.bytes().map(|b| format!("{b:02x}")).collect::<String>())
        }
    };
    dir.join(format!("{PREFIX}{}-{}{SUFFIX}", safe(app), safe(order_no)))
}

/// Writes `order` atomically.
///
/// # Errors
/// The I/O error of the step that failed; the previous file, if any, is left as it was.
pub(crate) fn write(dir: &Path, order: &Order) -> io::Result<()> {
    let path = path_of(dir, order.app_id(), order.order_no());
    let tmp = path.with_extension(TMP_EXTENSION);
    let bytes = serde_json::to_vec(order).map_err(io::Error::other)?;
    let written = File::create(&tmp).and_then(|mut f| {
        f.write_all(&bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, &path)) {
        // A full disk must not stay full of our half-written files.
        let _ = fs::remove_file(&tmp);
        return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
    }
    // The rename is durable once the directory is synced; not every platform allows opening one.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The side records of the order file, as last written (`None` when there is none to read).
pub(crate) fn read_back(dir: &Path, app: &str, order_no: &str) -> Option<Order> {
    read(&path_of(dir, app, order_no)).ok()
}

/// Deletes the file of an evicted or reset order; a missing file is fine.
///
/// # Errors
/// The file and the OS error when it exists and could not be deleted (also logged).
pub(crate) fn remove(dir: &Path, app: &str, order_no: &str) -> Result<(), String> {
    let path = path_of(dir, app, order_no);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => {
            tracing::warn!("cannot delete {}: {e}", path.display());
            Err(format!("{}: {e}", path.display()))
        }
    }
}

/// Takes the advisory lock of `dir` ([`LOCK_FILE`], holding this process's id) for as long as
/// the returned file is open: two processes on one directory would delete each other's orders.
///
/// # Errors
/// The directory and the id of the process holding it, or why the lock file could not be made.
pub fn lock(dir: &Path) -> Result<File, String> {
    let path = dir.join(LOCK_FILE);
    let file = fs::create_dir_all(dir)
        .and_then(|()| fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path))
        .map_err(|e| format!("--data-dir {}: cannot create the lock file {}: {e}", dir.display(), path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let holder = fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            let holder = if holder.is_empty() { "another process".to_string() } else { format!("process {holder}") };
            return Err(format!(
                "--data-dir {} is in use by {holder} (lock file {}); stop it or give this one another --data-dir",
                dir.display(),
                path.display()
            ));
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(format!("--data-dir {}: cannot lock {}: {e}", dir.display(), path.display()))
        }
    }
    let mut f = &file;
    let _ = file.set_len(0).and_then(|()| write!(f, "{}", std::process::id())).and_then(|()| f.flush());
    Ok(file)
}

/// Every order in `dir`, oldest first; unreadable files are skipped with a warning naming them.
pub(crate) fn load(dir: &Path) -> Vec<Order> {
    if let Err(e) = fs::create_dir_all(dir) {
        tracing::warn!("--data-dir {}: cannot create it ({e})", dir.display());
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!("--data-dir {}: cannot list it ({e}); starting with no orders", dir.display());
            return Vec::new();
        }
    };
    let mut orders = Vec::new();
    for path in entries.filter_map(Result::ok).map(|e| e.path()) {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if name.starts_with(PREFIX) && name.ends_with(&format!(".{TMP_EXTENSION}")) {
            // Left by a write that a crash or a full disk interrupted; its order file is intact.
            match fs::remove_file(&path) {
                Ok(()) => tracing::info!("removed {}, left by an interrupted write", path.display()),
                Err(e) => tracing::warn!("cannot remove {}, left by an interrupted write: {e}", path.display()),
            }
            continue;
        }
        if !(name.starts_with(PREFIX) && name.ends_with(SUFFIX)) {
            continue;
        }
        // Only regular files: opening a FIFO would block startup forever.
        if !fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            tracing::warn!("skipping {}: not a regular file", path.display());
            continue;
        }
        match read(&path) {
            Ok(o) => orders.push(o),
            Err(why) => {
                tracing::warn!(
                    "skipping {}: {why} (the file is left in place; delete it to silence this)",
                    path.display()
                )
            }
        }
    }
    orders.sort_by_key(|o| (o.updated(), o.order_no().to_string()));
    orders
}

fn read(path: &Path) -> Result<Order, String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    let order: Order = serde_json::from_slice(&bytes).map_err(|e| format!("not an order file: {e}"))?;
    if path_of(path.parent().unwrap_or(Path::new(".")), order.app_id(), order.order_no()) != path {
        let (order_no, app) = (order.order_no(), order.app_id());
        return Err(format!("it holds order {order_no} of app {app}, not the one its name says"));
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_app_ids_make_safe_file_names() {
        let p = path_of(Path::new("/d"), "../etc", "o1");
        assert_eq!(p, Path::new("/d/order-x2e2e2f657463-o1.json"));
        assert_eq!(path_of(Path::new("/d"), "TIDAMOCK", "o1"), Path::new("/d/order-TIDAMOCK-o1.json"));
    }
}
