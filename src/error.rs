//! Why the server could not start. Each message names the file or address and says how to fix it.
//!
//! Imports: nothing of the crate.

use std::path::PathBuf;

#[derive(Debug)]
pub enum StartupError {
    ConfigRead { path: PathBuf, source: std::io::Error },
    ConfigParse { path: PathBuf, line: usize, column: usize, message: String },
    ConfigInvalid { path: PathBuf, why: String },
    Bind { addr: String, source: std::io::Error },
    Usage(String),
}

impl std::fmt::Display for StartupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartupError::ConfigRead { path, source } => {
                write!(f, "cannot read config file {}: {source} (check the path given to --config / IDOCR_MOCK_CONFIG)", path.display())
            }
            StartupError::ConfigParse { path, line, column, message } => write!(
                f,
                "config file {}, line {line}, column {column}: {} (each app is an [[app]] table with id, secret and optional sign_tickets = [\"…\"])",
                path.display(),
                message.trim_end()
            ),
            StartupError::ConfigInvalid { path, why } => write!(f, "config file {}: {why}", path.display()),
            StartupError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source} ({})", bind_hint(source)),
            StartupError::Usage(why) => write!(f, "{why}"),
        }
    }
}

/// What to change after a failed bind: the port when it is taken, the address when it is not this
/// machine's.
fn bind_hint(source: &std::io::Error) -> &'static str {
    match source.kind() {
        std::io::ErrorKind::AddrInUse => "the port is taken: choose another --port, or --port 0 for any free port",
        std::io::ErrorKind::AddrNotAvailable => {
            "the --bind address is not one of this machine's: use 127.0.0.1 (this machine only), \
             0.0.0.0 (every interface) or the address of one of its interfaces"
        }
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges: choose a --port above 1023, or --port 0 for any free port"
        }
        _ => "check --bind and --port; --port 0 picks any free port",
    }
}

impl std::error::Error for StartupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartupError::ConfigRead { source, .. } | StartupError::Bind { source, .. } => Some(source),
            _ => None,
        }
    }
}
