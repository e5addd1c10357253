//! `loadgen`: the load generator and measuring tools of bench/run.sh. Every command prints one JSON
//! object on stdout.
//!
//! ```text
//! loadgen load    --addr 127.0.0.1:PORT --image FILE [--connections 16] [--warmup 2] [--seconds 10]
//!                 [--mode ocr|flow] [--pid TARGET_PID]
//! loadgen startup --addr 127.0.0.1:PORT --image FILE [--repeat 5] [--timeout 120] -- COMMAND ARGS...
//! loadgen wait    --addr 127.0.0.1:PORT --image FILE [--timeout 120]
//! loadgen mem     --pid PID
//! ```
//! `--image` is a file holding the Base64 text of the `idcardStr` to send.

mod flow;
mod http;
mod load;
mod ocr;
mod procstat;
mod startup;

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

struct Args {
    flags: HashMap<String, String>,
    command: Vec<String>,
}

impl Args {
    fn parse() -> (String, Args) {
        let mut it = std::env::args().skip(1);
        let sub = it.next().unwrap_or_default();
        let mut flags = HashMap::new();
        let mut command = Vec::new();
        while let Some(a) = it.next() {
            if a == "--" {
                command = it.by_ref().collect();
            } else if let Some(k) = a.strip_prefix("--") {
                flags.insert(k.to_owned(), it.next().unwrap_or_default());
            }
        }
        (sub, Args { flags, command })
    }

    fn get(&self, k: &str, default: &str) -> String {
        self.flags.get(k).cloned().unwrap_or_else(|| default.to_owned())
    }

    fn num(&self, k: &str, default: f64) -> f64 {
        self.flags.get(k).and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    fn image(&self) -> Arc<Vec<u8>> {
        let path = self.get("image", "");
        let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("--image {path}: {e}"));
        while bytes.last().is_some_and(u8::is_ascii_whitespace) {
            bytes.pop();
        }
        Arc::new(bytes)
    }
}

fn main() -> ExitCode {
    let (sub, args) = Args::parse();
    let addr = args.get("addr", "127.0.0.1:8080");
    let secs = |k: &str, d: f64| Duration::from_secs_f64(args.num(k, d));
    let out = match sub.as_str() {
        "load" => {
            let mode = if args.get("mode", "ocr") == "flow" { load::Mode::Flow } else { load::Mode::Ocr };
            let plan = load::Plan {
                addr: addr.clone(),
                connections: args.num("connections", 16.0) as usize,
                warmup: secs("warmup", 2.0),
                duration: secs("seconds", 10.0),
                image: args.image(),
                mode,
                target_pid: args.flags.get("pid").and_then(|p| p.parse().ok()),
            };
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            rt.block_on(async {
                if mode == load::Mode::Flow {
                    if let Err(why) = flow::probe(&addr).await {
                        return serde_json::json!({"skipped": why});
                    }
                }
                load::run(plan).await
            })
        }
        "startup" => startup::measure(
            &addr,
            &args.image(),
            &args.command,
            args.num("repeat", 5.0) as usize,
            secs("timeout", 120.0),
        ),
        "wait" => match startup::wait(&addr, &args.image(), secs("timeout", 120.0)) {
            Ok(d) => serde_json::json!({"ready_ms": d.as_secs_f64() * 1000.0}),
            Err(e) => {
                println!("{}", serde_json::json!({"error": e}));
                return ExitCode::FAILURE;
            }
        },
        "mem" => {
            let s = procstat::sample(args.num("pid", 0.0) as u32);
            serde_json::json!({"rss_kb": s.rss_kb, "hwm_kb": s.hwm_kb, "cpu_us": s.cpu_us})
        }
        _ => {
            eprintln!("usage: loadgen load|startup|wait|mem (see the top of bench/loadgen/src/main.rs)");
            return ExitCode::FAILURE;
        }
    };
    println!("{out}");
    ExitCode::SUCCESS
}
