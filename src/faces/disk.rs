//! `--data-dir/faces/`: one JSON file per verification (`face-<id>.json`), written to a temp file
//! and renamed, so a crash leaves the old file or the new one. A file that cannot be read back is
//! skipped with a warning naming it.

use super::FaceOrder;
use std::fs;
use std::path::{Path, PathBuf};

fn path_of(dir: &Path, id: &str) -> PathBuf {
    // Ids are minted by the mock (letters and digits); anything else is hex-encoded.
    let safe = if id.bytes().all(|b| b.is_ascii_alphanumeric()) { id.to_string() } else { hex::encode(id) };
    dir.join(format!("face-{safe}.json"))
}

/// Writes `order`; a failure is logged (the answer has left already, as for a journal line).
pub(crate) fn write(dir: &Path, order: &FaceOrder) {
    let path = path_of(dir, &order.id);
    let tmp = path.with_extension("json.tmp");
    let done = fs::create_dir_all(dir)
        .and_then(|()| fs::write(&tmp, serde_json::to_vec(order).map_err(std::io::Error::other)?))
        .and_then(|()| fs::rename(&tmp, &path));
    if let Err(e) = done {
        let _ = fs::remove_file(&tmp);
        tracing::warn!("--data-dir: cannot write {}: {e}", path.display());
    }
}

pub(crate) fn remove(dir: &Path, id: &str) {
    let path = path_of(dir, id);
    if let Err(e) = fs::remove_file(&path) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!("--data-dir: cannot remove {}: {e}", path.display());
        }
    }
}

/// Every readable record of `dir`.
pub(crate) fn load(dir: &Path) -> Vec<FaceOrder> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !(name.starts_with("face-") && name.ends_with(".json")) {
            continue;
        }
        match fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(order) => out.push(order),
            Err(e) => tracing::warn!("--data-dir: skipping {}: {e}", path.display()),
        }
    }
    out
}
