//! Startup to first successful answer: spawn the target, then poll with a fresh connection every
//! 250 µs, each poll one signed OCR call with `Connection: close`, until one is answered 2xx with
//! `"code":"0"`. Blocking std code: nothing else runs, so the timing is as tight as the poll.

use crate::http::code_is_zero;
use crate::ocr::{Builder, STATIC_TICKET};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One poll: `Ok(())` on a good answer, `Err(why)` otherwise.
pub fn poll_once(addr: &str, image: &Arc<Vec<u8>>, salt: u64) -> Result<(), String> {
    let mut b = Builder::new(addr, image.clone(), salt);
    b.next(STATIC_TICKET);
    let mut req = Vec::new();
    b.joined(&mut req);
    let head_end = req.windows(4).position(|w| w == b"\r\n\r\n").expect("a request has a head");
    req.splice(head_end..head_end, b"\r\nConnection: close".iter().copied());
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    s.set_nodelay(true).ok();
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    s.write_all(&req).map_err(|e| format!("write: {e}"))?;
    // Read one whole response, without relying on the server honouring `Connection: close`.
    let mut out = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = s.read(&mut chunk).map_err(|e| format!("read: {e}"))?;
        out.extend_from_slice(&chunk[..n]);
        if let Some(verdict) = judge_complete(&out, n == 0) {
            return verdict;
        }
    }
}

/// `Some(verdict)` once `out` holds a whole response (or the server closed), `None` to read more.
fn judge_complete(out: &[u8], eof: bool) -> Option<Result<(), String>> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut r = httparse::Response::new(&mut headers);
    let head = match r.parse(out) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if !eof => return None,
        _ => return Some(Err(format!("incomplete response ({} bytes)", out.len()))),
    };
    let value = |name: &str| {
        r.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).to_string())
    };
    let body = &out[head..];
    let complete =
        match (value("content-length").and_then(|v| v.trim().parse::<usize>().ok()), value("transfer-encoding")) {
            (Some(len), _) => body.len() >= len,
            (None, Some(te)) if te.contains("chunked") => body.ends_with(b"0\r\n\r\n"),
            _ => eof,
        };
    if !complete && !eof {
        return None;
    }
    let status = r.code.unwrap_or(0);
    Some(if (200..300).contains(&status) && code_is_zero(body) {
        Ok(())
    } else {
        Err(format!("HTTP {status} {}", String::from_utf8_lossy(&body[..body.len().min(200)])))
    })
}

/// Polls until a good answer or `timeout`; returns the time it took.
pub fn wait(addr: &str, image: &Arc<Vec<u8>>, timeout: Duration) -> Result<Duration, String> {
    let t0 = Instant::now();
    let mut last = String::new();
    let mut n = 0u64;
    while t0.elapsed() < timeout {
        n += 1;
        match poll_once(addr, image, n) {
            Ok(()) => return Ok(t0.elapsed()),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_micros(250));
    }
    Err(format!("no good answer within {timeout:?}; last: {last}"))
}

fn stop(child: &mut Child) {
    let pgid = child.id() as i32;
    // SAFETY: kill(2) on the process group we created for this child.
    unsafe { libc::kill(-pgid, libc::SIGTERM) };
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(5) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
    let _ = child.wait();
}

/// Starts `cmd` `repeat` times; the time from spawn to the first good answer, each time.
pub fn measure(
    addr: &str,
    image: &Arc<Vec<u8>>,
    cmd: &[String],
    repeat: usize,
    timeout: Duration,
) -> serde_json::Value {
    let mut times = Vec::new();
    let mut problem = None;
    for _ in 0..repeat {
        // The port must be free before the next start, or we would time the old process.
        let freed = Instant::now();
        while TcpStream::connect(addr).is_ok() && freed.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let t0 = Instant::now();
        let spawned = Command::new(&cmd[0])
            .args(&cmd[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => return serde_json::json!({"error": format!("cannot start {}: {e}", cmd[0])}),
        };
        match wait(addr, image, timeout) {
            Ok(_) => times.push(t0.elapsed().as_secs_f64() * 1000.0),
            Err(e) => problem = Some(e),
        }
        stop(&mut child);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    serde_json::json!({
        "startup_ms": times,
        "median_ms": sorted.get(sorted.len() / 2),
        "min_ms": sorted.first(),
        "max_ms": sorted.last(),
        "error": problem,
    })
}
