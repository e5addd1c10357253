//! The mock's own work per small OCR call, without sockets or HTTP: the pipeline (`vendor::ocr::handle`),
//! the journal capture and record, and the order store, called in a loop on the pre-signed bodies
//! of `bench/.data/wrk_small.txt` (made by `bench/gen_data.py`). What bench/run.sh measures over
//! loopback is this plus the HTTP work (the `http-floor` target) plus the cost of waking the client.
//!
//! ```text
//! inproc [SECONDS] [APPS]   # default 3 s and 1 app; prints one JSON object: CPU µs per call, default and lean
//! ```
//! With `APPS` above 1, that many apps are configured (`APPS - 1` others before `TIDAMOCK`, the
//! one the bodies are signed for), as a shared mock with many teams' apps would be.
//! Pin it to one core (`taskset -c 1`) and take the lowest of a few runs on a shared machine.

use bytes::Bytes;
use idocr_mock::protocol::Document;
use idocr_mock::reply::End;
use idocr_mock::vendor::ocr;
use idocr_mock::{journal, Config, State};
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Calls per second of CPU with `config`, for `seconds` of wall time.
fn measure(config: Config, bodies: &[Bytes], seconds: f64) -> (usize, f64) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let state = State::new(config);
    let (cpu0, start) = (thread_cpu(), Instant::now());
    let mut calls = 0usize;
    while start.elapsed().as_secs_f64() < seconds {
        for body in bodies.iter().cycle().skip(calls % bodies.len()).take(1000) {
            let req = hyper::Request::post("/api/paas/idcardocrapp")
                .header("host", "127.0.0.1:18080")
                .header("content-type", "application/json")
                .header("content-length", body.len())
                .body(())
                .expect("a request");
            let (parts, ()) = req.into_parts();
            let seen = journal::Head::capture(state.journal(), state.clock(), &parts.method, &parts.uri, &parts.headers);
            let mut handled = runtime.block_on(ocr::handle(&state, &parts, body, Document::IdCard));
            journal::record(state.journal(), state.metrics(), seen, &mut handled.note, End::Answered(200));
            assert!(handled.note.code == Some("0"), "a call failed: {:?}", handled.note);
            calls += 1;
        }
    }
    (calls, (thread_cpu() - cpu0).as_secs_f64() * 1e6 / calls as f64)
}

fn main() {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../.data/wrk_small.txt");
    let text = std::fs::read_to_string(data).unwrap_or_else(|e| panic!("{data}: {e} (run bench/gen_data.py first)"));
    let bodies: Vec<Bytes> = text.lines().take(100_000).map(|l| Bytes::from(l.to_owned())).collect();
    let apps: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
    let mut base = Config::default();
    let others = (1..apps).map(|i| idocr_mock::config::App {
        id: format!("TIDB{i:04}"),
        secret: format!("secret-{i}"),
        sign_tickets: vec![format!("ticket-{i}")],
    });
    base.apps = others.chain(base.apps).collect();
    let lean = Config { journal_limit: 0, max_orders: 0, ..base.clone() };
    let (n_default, us_default) = measure(base, &bodies, seconds);
    let (n_lean, us_lean) = measure(lean, &bodies, seconds);
    println!(
        "{{\"apps\":{apps},\"default_cpu_us_per_call\":{us_default:.2},\"default_calls\":{n_default},\
         \"lean_cpu_us_per_call\":{us_lean:.2},\"lean_calls\":{n_lean}}}"
    );
}
