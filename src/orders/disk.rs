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

/// `Vec<u8>` as standard Base64, for the files.
pub mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// The file of one order. App ids that are not plain letters and digits are hex-encoded, so any
/// id makes a safe file name (order numbers are letters and digits by the time they are stored).
pub fn path_of(dir: &Path, app: &str, order_no: &str) -> PathBuf {
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
pub fn write(dir: &Path, order: &Order) -> io::Result<()> {
    let path = path_of(dir, &order.app_id, &order.order_no);
    let tmp = path.with_extension("json.tmp");
    let bytes = serde_json::to_vec(order).map_err(io::Error::other)?;
    {
        let mut f = File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, &path)?;
    // The rename is durable once the directory is synced; not every platform allows opening one.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Deletes the file of an evicted or reset order; a missing file is fine.
pub fn remove(dir: &Path, app: &str, order_no: &str) {
    let path = path_of(dir, app, order_no);
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!("cannot delete {}: {e}", path.display()),
    }
}

/// Every order in `dir`, oldest first; unreadable files are skipped with a warning naming them.
pub fn load(dir: &Path) -> Vec<Order> {
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
    let mut orders: Vec<Order> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .filter_map(|p| match read(&p) {
            Ok(o) => Some(o),
            Err(why) => {
                tracing::warn!(
                    "skipping {}: {why} (the file is left in place; delete it to silence this)",
                    p.display()
                );
                None
            }
        })
        .collect();
    orders.sort_by_key(|o| (o.updated(), o.order_no.clone()));
    orders
}

fn read(path: &Path) -> Result<Order, String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    let order: Order = serde_json::from_slice(&bytes).map_err(|e| format!("not an order file: {e}"))?;
    if path_of(path.parent().unwrap_or(Path::new(".")), &order.app_id, &order.order_no) != path {
        return Err(format!("it holds order {} of app {}, not the one its name says", order.order_no, order.app_id));
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
