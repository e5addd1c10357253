//! The mock's own work per small OCR call, without sockets or HTTP: the pipeline (`vendor::ocr::handle`),
//! the journal capture and record, and the order store, called in a loop on the pre-signed bodies
//! of `bench/.data/wrk_small.txt` (made by `bench/gen_data.py`). What bench/run.sh measures over
//! loopback is this plus the HTTP work (the `http-floor` target) plus the cost of waking the client.
//!
//! ```text
//! inproc [SECONDS] [APPS]   # default 3 s and 1 app; one JSON object: CPU µs and heap blocks per call, default and lean
//! ```
//! With `APPS` above 1, that many apps are configured (`APPS - 1` others before `TIDAMOCK`, the
//! one the bodies are signed for), as a shared mock with many teams' apps would be.
//! Pin it to one core (`taskset -c 1`) and take the lowest of a few runs on a shared machine.
//!
//! Instructions per call, which the machine's noise does not move (`INPROC_LEAN=1` for lean):
//! ```text
//! INPROC_CALLS=20000 valgrind --tool=callgrind --toggle-collect='*counted*' bench/inproc/target/release/inproc
//! ```
//! counts exactly 20,000 calls made after 11,000 that fill the journal and the order store.

use bytes::Bytes;
use idocr_mock::protocol::Document;
use idocr_mock::reply::End;
use idocr_mock::vendor::ocr;
use idocr_mock::{journal, Config, State};
use std::time::{Duration, Instant};

#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: Counting<mimalloc::MiMalloc> = Counting(mimalloc::MiMalloc);
#[cfg(feature = "system-alloc")]
#[global_allocator]
static GLOBAL: Counting<std::alloc::System> = Counting(std::alloc::System);

/// mimalloc (as the mock), counting the allocations (one relaxed add each): heap blocks per call
/// are printed with the CPU time, since every block is memory a later call touches cold.
struct Counting<A>(A);

static ALLOCS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every call is passed on unchanged to the allocator, which upholds GlobalAlloc's contract.
unsafe impl<A: std::alloc::GlobalAlloc> std::alloc::GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.0.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { self.0.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.0.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

fn allocs() -> usize {
    ALLOCS.load(std::sync::atomic::Ordering::Relaxed)
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Calls, CPU µs per call and heap blocks (allocations and reallocations) per call with
/// `config`, for `seconds` of wall time.
fn measure(config: Config, bodies: &[Bytes], seconds: f64) -> (usize, f64, f64) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let state = State::new(config);
    let (cpu0, start, allocs0) = (thread_cpu(), Instant::now(), allocs());
    let mut done = 0usize;
    while start.elapsed().as_secs_f64() < seconds {
        done = calls(&state, &runtime, bodies, done, 1000);
    }
    let per_call = |x: f64| x / done as f64;
    (done, per_call((thread_cpu() - cpu0).as_secs_f64() * 1e6), per_call((allocs() - allocs0) as f64))
}

/// `WARMUP` calls (enough to fill the journal and the order store, so that every measured call
/// also evicts), then `n` calls in [`counted`], the function a profiler is pointed at:
/// `valgrind --tool=callgrind --toggle-collect=*counted*` counts the instructions of exactly `n` calls.
fn fixed(config: Config, bodies: &[Bytes], n: usize) {
    let warmup = std::env::var("INPROC_WARMUP").ok().and_then(|w| w.parse().ok()).unwrap_or(11_000);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let state = State::new(config);
    let done = calls(&state, &runtime, bodies, 0, warmup);
    counted(&state, &runtime, bodies, done, n);
}

#[inline(never)]
fn counted(state: &State, runtime: &tokio::runtime::Runtime, bodies: &[Bytes], from: usize, n: usize) -> usize {
    // Its own copy of the loop (`calls` is inlined), so that no other caller shares its symbol.
    calls(state, runtime, bodies, from, std::hint::black_box(n))
}

/// `n` calls on the bodies after the first `from`; returns `from + n`.
#[inline(always)]
fn calls(state: &State, runtime: &tokio::runtime::Runtime, bodies: &[Bytes], from: usize, n: usize) -> usize {
    for body in bodies.iter().cycle().skip(from % bodies.len()).take(n) {
        let req = hyper::Request::post("/api/paas/idcardocrapp")
            .header("host", "127.0.0.1:18080")
            .header("content-type", "application/json")
            .header("content-length", body.len())
            .body(())
            .expect("a request");
        let (parts, ()) = req.into_parts();
        let seen = journal::Head::capture(state.journal(), state.clock(), &parts.method, &parts.uri, &parts.headers);
        let mut handled = runtime.block_on(ocr::handle(state, &parts, body, Document::IdCard));
        journal::record(state.journal(), state.metrics(), seen, &mut handled.note, End::Answered(200));
        assert!(handled.note.code == Some("0"), "a call failed: {:?}", handled.note);
    }
    from + n
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
    if let Some(n) = std::env::var("INPROC_CALLS").ok().and_then(|n| n.parse().ok()) {
        // For a profiler: one configuration (INPROC_LEAN=1 for lean), a fixed number of calls.
        let lean_only = std::env::var("INPROC_LEAN").is_ok_and(|v| v == "1");
        fixed(if lean_only { lean } else { base }, &bodies, n);
        return;
    }
    let (n_default, us_default, blocks_default) = measure(base, &bodies, seconds);
    let (n_lean, us_lean, blocks_lean) = measure(lean, &bodies, seconds);
    println!(
        "{{\"apps\":{apps},\"default_cpu_us_per_call\":{us_default:.2},\"default_calls\":{n_default},\
         \"default_heap_blocks_per_call\":{blocks_default:.1},\"lean_cpu_us_per_call\":{us_lean:.2},\
         \"lean_calls\":{n_lean},\"lean_heap_blocks_per_call\":{blocks_lean:.1}}}"
    );
}
