//! The real binary as a child process: started with flags, its stderr in a file, stopped with
//! SIGTERM when dropped.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A running `idocr-mock` whose log goes to a file.
pub struct Process {
    pub addr: SocketAddr,
    pub child: Child,
    pub log: PathBuf,
}

/// A fresh path under the temp dir, unique to this process and `name`.
pub fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("idocr-mock-{name}-{}", std::process::id()))
}

/// The binary with `args`, its environment cleared of `IDOCR_MOCK_*`.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idocr-mock"));
    cmd.args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("IDOCR_MOCK_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

impl Process {
    /// Starts the binary on a free port with `args` and waits for its `listening on` line.
    pub fn start(name: &str, args: &[&str]) -> Self {
        let log = temp_path(&format!("{name}.log"));
        let mut child = command(&[&["--port", "0"], args].concat())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let addr = first.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{first:?}"));
        Process { addr: addr.parse().unwrap(), child, log }
    }

    /// Stops it with SIGTERM and returns its whole log.
    pub fn stop(mut self) -> String {
        self.terminate();
        std::fs::read_to_string(&self.log).unwrap()
    }

    fn terminate(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.terminate();
        let _ = std::fs::remove_file(&self.log);
    }
}
