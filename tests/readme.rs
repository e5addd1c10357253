//! The README runs as written: its `sh`/`bash` blocks, in order, against the built binary.
//!
//! Markers, on a block's first line (README.md "How the README is tested" explains them to readers):
//! - `# needs: WHAT` — skipped (the real service, a container engine, the network, a toolchain);
//! - `# in another terminal` — a mock the reader leaves running: started in the background (any
//!   previous one is stopped), and the next blocks run once it prints `listening on`;
//! - `# continues the block above` — runs in the same shell as the block above (its variables);
//! - anything else — a block of its own, in a fresh `bash -euo pipefail`.
//!
//! Blocks run in a temp folder (removed afterwards) that links `examples/` and `fixtures/`, with the
//! test's binary first on PATH and `127.0.0.1:8080` rewritten to a free port below the ephemeral range (also given as
//! `IDOCR_MOCK_PORT`, so a bare `idocr-mock` listens there). Every block runs in its own process
//! group, killed when it ends, so a block's background processes never outlive it.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SKIP: &str = "# needs:";
const BACKGROUND: &str = "# in another terminal";
const CONTINUED: &str = "# continues the block above";
/// Longest a block (or a chain of continued blocks) may run.
/// Generous: the machines are shared, and a block that hits it is reported with its output.
const BLOCK_DEADLINE: Duration = Duration::from_secs(90);
/// Longest a mock started "in another terminal" may take to print its first line.
const START_DEADLINE: Duration = Duration::from_secs(10);

#[derive(Debug)]
struct Block {
    /// README line of the block's first line of code.
    line: usize,
    code: String,
}

/// The shell blocks of a Markdown text, in order.
fn shell_blocks(markdown: &str) -> Vec<Block> {
    fenced(markdown, &["sh", "bash", "shell"])
}

/// The fenced blocks of a Markdown text whose language is one of `langs`, in order.
fn fenced(markdown: &str, langs: &[&str]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(bool, usize, String)> = None;
    for (i, text) in markdown.lines().enumerate() {
        let trimmed = text.trim_start();
        match &mut open {
            None if trimmed.starts_with("```") => {
                let lang = trimmed.trim_start_matches('`').trim();
                open = Some((langs.contains(&lang), i + 2, String::new())); // i + 1 is the fence
            }
            None => {}
            Some((shell, line, code)) => {
                if trimmed.starts_with("```") {
                    if *shell {
                        blocks.push(Block { line: *line, code: std::mem::take(code) });
                    }
                    open = None;
                } else {
                    // Blocks inside list items are indented; the indentation is not part of the code.
                    let indent = text.len() - trimmed.len();
                    let _ = writeln!(code, "{}", if indent <= 4 { trimmed } else { &text[4..] });
                }
            }
        }
    }
    blocks
}

/// What a run of a Markdown text found.
#[derive(Debug, Default)]
struct Report {
    ran: Vec<usize>,
    skipped: Vec<(usize, String)>,
    failures: Vec<String>,
}

/// Kills a process group when dropped: the blocks' background processes never outlive the test.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.0.id())]).stderr(Stdio::null()).status();
        let _ = self.0.wait();
    }
}

struct Runner {
    dir: tempfile::TempDir,
    port: u16,
    path: String,
    mock: Option<Group>,
    report: Report,
    runs: usize,
}

impl Runner {
    fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("idocr-mock-readme-").tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for linked in ["examples", "fixtures"] {
            std::os::unix::fs::symlink(repo.join(linked), dir.path().join(linked)).unwrap();
        }
        let bin = PathBuf::from(env!("CARGO_BIN_EXE_idocr-mock"));
        let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
        let port = quiet_port();
        Runner { dir, port, path, mock: None, report: Report::default(), runs: 0 }
    }

    fn localise(&self, code: &str) -> String {
        let port = self.port.to_string();
        code.replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"))
            .replace("localhost:8080", &format!("localhost:{port}"))
            .replace("--port 8080", &format!("--port {port}"))
    }

    /// `bash` on `script` in its own process group, with the README's environment.
    fn bash(&mut self, script: &str, stdout: &Path, stderr: &Path) -> Group {
        self.runs += 1;
        let file = self.dir.path().join(format!(".block-{}.sh", self.runs));
        std::fs::write(&file, script).unwrap();
        let mut bash = Command::new("bash");
        // A reader's shell has none of the mock's variables set, whatever the CI job exports.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("IDOCR_MOCK_") {
                bash.env_remove(name);
            }
        }
        let child = bash
            .args(["-euo", "pipefail"])
            .arg(&file)
            .current_dir(self.dir.path())
            .env("PATH", &self.path)
            .env("IDOCR_MOCK_PORT", self.port.to_string())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(stdout).unwrap())
            .stderr(std::fs::File::create(stderr).unwrap())
            .process_group(0)
            .spawn()
            .unwrap();
        Group(child)
    }

    /// Runs a chain of blocks (one, and those that continue it) as one script.
    fn run_chain(&mut self, chain: &[&Block]) {
        let Some(first) = chain.first() else { return };
        // Script line -> README line, for the line that failed.
        let mut script = String::from("trap 'echo \"@@failed at script line $LINENO\" >&2' ERR\n");
        let mut lines = vec![0, 0];
        for block in chain {
            for (i, line) in self.localise(&block.code).lines().enumerate() {
                script.push_str(line);
                script.push('\n');
                lines.push(block.line + i);
            }
            self.report.ran.push(block.line);
        }
        let (out, err) = (self.dir.path().join(".out"), self.dir.path().join(".err"));
        let mut group = self.bash(&script, &out, &err);
        let deadline = Instant::now() + BLOCK_DEADLINE;
        let status = loop {
            if let Some(status) = group.0.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        drop(group);
        if status.is_some_and(|s| s.success()) {
            return;
        }
        let stderr = std::fs::read_to_string(&err).unwrap_or_default();
        let at = stderr
            .lines()
            .filter_map(|l| l.strip_prefix("@@failed at script line "))
            .next_back()
            .and_then(|n| lines.get(n.trim().parse::<usize>().ok()?).copied())
            .filter(|&l| l > 0);
        let what = match (status, at) {
            (None, _) => format!("did not finish within {} s", BLOCK_DEADLINE.as_secs()),
            (Some(s), Some(l)) => format!("failed ({s}) at README.md:{l}"),
            (Some(s), None) => format!("failed ({s})"),
        };
        let stdout = std::fs::read_to_string(&out).unwrap_or_default();
        self.report.failures.push(format!(
            "the block at README.md:{} {what}\n--- stdout (last lines)\n{}\n--- stderr (last lines)\n{}",
            first.line,
            tail(&stdout),
            tail(&stderr)
        ));
    }

    /// Starts a block "in another terminal" and waits for its `listening on` line.
    fn start_background(&mut self, block: &Block) {
        self.mock = None;
        self.report.ran.push(block.line);
        let (out, err) = (self.dir.path().join(".mock.out"), self.dir.path().join(".mock.err"));
        let code = self.localise(&block.code);
        let mut group = self.bash(&code, &out, &err);
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            let listening = std::fs::File::open(&out)
                .map(|f| BufReader::new(f).lines().map_while(Result::ok).any(|l| l.starts_with("listening on ")))
                .unwrap_or(false);
            if listening {
                self.mock = Some(group);
                return;
            }
            let exited = group.0.try_wait().unwrap();
            if exited.is_some() || Instant::now() > deadline {
                let why =
                    exited.map_or("did not print `listening on` in time".to_string(), |s| format!("exited ({s})"));
                let stderr = std::fs::read_to_string(&err).unwrap_or_default();
                self.report.failures.push(format!(
                    "the mock started by the block at README.md:{} {why}\n--- stderr\n{}",
                    block.line,
                    tail(&stderr)
                ));
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A free port below the kernel's ephemeral range (32768 and up on Linux), so that no other test's
/// `bind(0)` listener or outgoing connection can take it between the README's mocks: each block "in
/// another terminal" stops the previous mock and binds the same port again.
fn quiet_port() -> u16 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let start = u64::from(std::process::id()) ^ u64::from(nanos);
    (0..4000u64)
        .map(|i| 20000 + ((start.wrapping_mul(7919) + i * 2654435761) % 12000) as u16)
        .find(|&p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok())
        .expect("a free port between 20000 and 32000")
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("@@failed")).collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Runs every shell block of `markdown` in order, as described at the top of this file.
fn run_markdown(markdown: &str) -> Report {
    let blocks = shell_blocks(markdown);
    let mut runner = Runner::new();
    let mut chain: Vec<&Block> = Vec::new();
    for block in &blocks {
        let head = block.code.lines().next().unwrap_or_default().trim();
        if head.starts_with(CONTINUED) {
            if chain.is_empty() {
                runner.report.failures.push(format!(
                    "the block at README.md:{} says it continues the block above, which is not a block that runs",
                    block.line
                ));
            }
            chain.push(block);
            continue;
        }
        runner.run_chain(&chain);
        chain.clear();
        if let Some(why) = head.strip_prefix(SKIP) {
            runner.report.skipped.push((block.line, why.trim().to_string()));
        } else if head.starts_with(BACKGROUND) {
            runner.start_background(block);
        } else {
            chain.push(block);
        }
    }
    runner.run_chain(&chain);
    runner.mock = None;
    std::mem::take(&mut runner.report)
}

#[test]
fn every_shell_block_of_the_readme_runs_as_written_in_order() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let report = run_markdown(&readme);
    let skipped: Vec<String> = report.skipped.iter().map(|(l, why)| format!("README.md:{l} ({why})")).collect();
    eprintln!("README: {} blocks ran; skipped: {}", report.ran.len(), skipped.join(", "));
    assert!(report.ran.len() >= 15, "only {} README blocks ran: did the markers change?", report.ran.len());
    assert!(
        report.failures.is_empty(),
        "{} README block(s) failed:\n\n{}",
        report.failures.len(),
        report.failures.join("\n\n")
    );
}

#[test]
fn the_readme_runner_names_the_line_of_a_failing_block_and_its_output() {
    let doc = "# t\n\n```sh\n# in another terminal\nidocr-mock\n```\n\n```sh\nA=1\n```\n\n```sh\n# continues the block above\n\
               curl -sf http://127.0.0.1:8080/__admin/health >/dev/null\necho \"seen $A\"\nfalse\necho never\n```\n\n\
               ```sh\n# needs: real service\nexit 1\n```\n\n```bash\nsleep 0 &\necho alone; exit 3\n```\n";
    let report = run_markdown(doc);
    assert_eq!(report.ran, [4, 9, 13, 26]);
    assert_eq!(report.skipped, [(21, "real service".to_string())]);
    assert_eq!(report.failures.len(), 2, "{:#?}", report.failures);
    assert!(
        report.failures[0].starts_with("the block at README.md:9 failed (exit status: 1) at README.md:16"),
        "{}",
        report.failures[0]
    );
    assert!(report.failures[0].contains("seen 1") && !report.failures[0].contains("never"), "{}", report.failures[0]);
    assert!(
        report.failures[1].starts_with("the block at README.md:26 failed (exit status: 3)"),
        "{}",
        report.failures[1]
    );
}

#[test]
fn the_readmes_yaml_recipes_parse_when_python_has_yaml() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let blocks = fenced(&readme, &["yaml", "yml"]);
    assert!(blocks.len() >= 3, "the CI recipes are YAML blocks");
    let has_yaml = Command::new("python3").args(["-c", "import yaml"]).stderr(Stdio::null()).status();
    if !has_yaml.is_ok_and(|s| s.success()) {
        eprintln!("skipped: python3 with the yaml module is not installed");
        return;
    }
    for block in blocks {
        let out = Command::new("python3")
            .args(["-c", "import sys, yaml; list(yaml.safe_load_all(sys.stdin))"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(block.code.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        assert!(
            out.status.success(),
            "the YAML block at README.md:{} does not parse:\n{}",
            block.line,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
