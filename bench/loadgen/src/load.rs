//! The closed loop: N keep-alive connections on one thread, each sending its next request as soon
//! as the previous answer is in, for a warm-up and then a measured window. Counts what comes back
//! (2xx with `"code":"0"`, other statuses, wrong codes, socket errors) and samples the target's CPU
//! and memory from /proc exactly at the window's edges.

use crate::http::{code_is_zero, Conn, Response};
use crate::ocr::{self, Builder};
use crate::procstat::{self, Sample};
use hdrhistogram::Histogram;
use std::cell::RefCell;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{sleep_until, timeout_at, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One signed OCR call per iteration, with the static ticket.
    Ocr,
    /// access_token → api_ticket → OCR signed with that ticket, on one connection.
    Flow,
}

pub struct Plan {
    pub addr: String,
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub image: Arc<Vec<u8>>,
    pub mode: Mode,
    pub target_pid: Option<u32>,
}

enum Outcome {
    Good,
    Non2xx,
    WrongCode,
}

struct Stats {
    hist: Histogram<u64>,
    good: u64,
    non2xx: u64,
    wrong_code: u64,
    sock_err: u64,
    first_problem: Option<String>,
}

impl Stats {
    fn problem(&mut self, what: String) {
        if self.first_problem.is_none() {
            self.first_problem = Some(what);
        }
    }
}

/// Runs the plan and returns the result as one JSON object.
pub async fn run(plan: Plan) -> serde_json::Value {
    let plan = Rc::new(plan);
    let stats = Rc::new(RefCell::new(Stats {
        hist: Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid bounds"),
        good: 0,
        non2xx: 0,
        wrong_code: 0,
        sock_err: 0,
        first_problem: None,
    }));
    let start = Instant::now() + plan.warmup;
    let end = start + plan.duration;
    let salt = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64);
    let local = tokio::task::LocalSet::new();
    for i in 0..plan.connections {
        let (plan, stats) = (plan.clone(), stats.clone());
        let salt = salt.wrapping_mul(1000).wrapping_add(i as u64);
        local.spawn_local(async move { connection(plan, stats, salt, start, end).await });
    }
    let pid = plan.target_pid;
    let counts = stats.clone();
    let edges = local.spawn_local(async move {
        // If this task is polled late, the CPU is still divided by the answers counted in between.
        let edge = || Edge {
            target: pid.map(procstat::sample).unwrap_or_default(),
            own_cpu_us: procstat::self_cpu_us(),
            good: counts.borrow().good,
            at: Instant::now(),
            cores: procstat::cores(),
        };
        sleep_until(start).await;
        let before = edge();
        sleep_until(end).await;
        (before, edge())
    });
    local.await;
    let (before, after) = edges.await.expect("the sampler does not panic");
    let stats = stats.borrow();
    report(&plan, &stats, before, after)
}

/// What is sampled at each edge of the measured window.
struct Edge {
    target: Sample,
    own_cpu_us: u64,
    good: u64,
    at: Instant,
    cores: Vec<(u64, u64)>,
}

fn report(plan: &Plan, s: &Stats, before: Edge, after: Edge) -> serde_json::Value {
    // Answers are counted when they complete inside [start, end): the window is exact.
    let secs = plan.duration.as_secs_f64();
    let between = after.good - before.good;
    let per_req = |us: u64| if between > 0 { us as f64 / between as f64 } else { 0.0 };
    let target_cpu = after.target.cpu_us.saturating_sub(before.target.cpu_us);
    let own_cpu = after.own_cpu_us - before.own_cpu_us;
    let sampled_secs = (after.at - before.at).as_secs_f64().max(1e-3);
    let q = |p: f64| s.hist.value_at_quantile(p) as f64 / 1000.0;
    serde_json::json!({
        "connections": plan.connections,
        "seconds": secs,
        "good": s.good,
        "rps": s.good as f64 / secs,
        "p50_ms": q(0.50),
        "p99_ms": q(0.99),
        "max_ms": s.hist.max() as f64 / 1000.0,
        "non2xx": s.non2xx,
        "wrong_code": s.wrong_code,
        "sock_err": s.sock_err,
        "errors": s.non2xx + s.wrong_code + s.sock_err,
        "first_problem": s.first_problem,
        "target_cpu_us_per_req": per_req(target_cpu),
        "target_cpu_pct": target_cpu as f64 / sampled_secs / 1e4,
        "target_rss_kb_end": after.target.rss_kb,
        "target_hwm_kb": after.target.hwm_kb,
        "loadgen_cpu_us_per_req": per_req(own_cpu),
        "loadgen_cpu_pct": own_cpu as f64 / sampled_secs / 1e4,
        "sampled_seconds": sampled_secs,
        // Everything that ran on each core (other processes too): the noise of the machine.
        "cores_busy_pct": procstat::cores_busy_pct(&before.cores, &after.cores),
    })
}

async fn connection(plan: Rc<Plan>, stats: Rc<RefCell<Stats>>, salt: u64, start: Instant, end: Instant) {
    let mut builder = Builder::new(&plan.addr, plan.image.clone(), salt);
    let mut joined = Vec::new();
    let mut conn: Option<Conn> = None;
    while Instant::now() < end {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match timeout_at(end, Conn::connect(&plan.addr)).await {
                Ok(Ok(c)) => conn.insert(c),
                Ok(Err(e)) => {
                    note_sock_err(&stats, start, format!("connect: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
                Err(_) => break,
            },
        };
        let sent = Instant::now();
        let result = match plan.mode {
            Mode::Ocr => timeout_at(end, ocr_once(c, &mut builder, &mut joined, ocr::STATIC_TICKET)).await,
            Mode::Flow => timeout_at(end, flow_once(c, &mut builder, &mut joined)).await,
        };
        let Ok(result) = result else { break }; // the window closed mid-request: not counted
        let done = Instant::now();
        match result {
            Ok((outcome, close)) => {
                if close {
                    conn = None;
                }
                if done >= start {
                    record(&stats, outcome, (done - sent).as_micros() as u64);
                }
            }
            Err(e) => {
                conn = None;
                note_sock_err(&stats, start, e.to_string());
            }
        }
    }
}

fn note_sock_err(stats: &RefCell<Stats>, start: Instant, what: String) {
    if Instant::now() >= start {
        let mut s = stats.borrow_mut();
        s.sock_err += 1;
        s.problem(what);
    }
}

fn record(stats: &RefCell<Stats>, outcome: (Outcome, String), us: u64) {
    let mut s = stats.borrow_mut();
    let _ = s.hist.record(us.max(1));
    match outcome.0 {
        Outcome::Good => s.good += 1,
        Outcome::Non2xx => {
            s.non2xx += 1;
            s.problem(outcome.1);
        }
        Outcome::WrongCode => {
            s.wrong_code += 1;
            s.problem(outcome.1);
        }
    }
}

fn judge(step: &str, r: &Response) -> (Outcome, String) {
    let snippet = || format!("{step}: HTTP {} {}", r.status, String::from_utf8_lossy(&r.body[..r.body.len().min(300)]));
    if !(200..300).contains(&r.status) {
        (Outcome::Non2xx, snippet())
    } else if !code_is_zero(&r.body) {
        (Outcome::WrongCode, snippet())
    } else {
        (Outcome::Good, String::new())
    }
}

/// Small requests go out as one buffer (one write); large ones as slices of the shared image.
async fn ocr_once(
    c: &mut Conn,
    b: &mut Builder,
    joined: &mut Vec<u8>,
    ticket: &str,
) -> io::Result<((Outcome, String), bool)> {
    b.next(ticket);
    let r = if b.parts().iter().map(|p| p.len()).sum::<usize>() <= 64 * 1024 {
        b.joined(joined);
        c.exchange(&[joined]).await?
    } else {
        c.exchange(&b.parts()).await?
    };
    Ok((judge("ocr", &r), r.close))
}

async fn flow_once(c: &mut Conn, b: &mut Builder, joined: &mut Vec<u8>) -> io::Result<((Outcome, String), bool)> {
    let r = c.exchange(&[&ocr::get(b.host(), &crate::flow::token_path())]).await?;
    let Some(token) = crate::flow::field(&r, &["access_token"]) else {
        return Ok((judge("access_token", &r).not_good(), r.close));
    };
    reconnect_if_closed(c, &r, b.host()).await?;
    let r = c.exchange(&[&ocr::get(b.host(), &crate::flow::ticket_path(&token))]).await?;
    let Some(ticket) = crate::flow::field(&r, &["tickets", "0", "value"]) else {
        return Ok((judge("api_ticket", &r).not_good(), r.close));
    };
    reconnect_if_closed(c, &r, b.host()).await?;
    ocr_once(c, b, joined, &ticket).await
}

/// A server that closes after each answer (mountebank's default) gets a new connection.
async fn reconnect_if_closed(c: &mut Conn, r: &Response, addr: &str) -> io::Result<()> {
    if r.close {
        *c = Conn::connect(addr).await?;
    }
    Ok(())
}

trait NotGood {
    fn not_good(self) -> Self;
}

impl NotGood for (Outcome, String) {
    /// A step whose answer lacked the expected field is never good, even with code 0.
    fn not_good(self) -> Self {
        match self.0 {
            Outcome::Good => (Outcome::WrongCode, "code 0 but the expected field is missing".into()),
            _ => self,
        }
    }
}
