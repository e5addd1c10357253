//! CPU time and memory of a process and all its descendants, from /proc (a peer may be a wrapper
//! that forks the real server: WireMock's npm launcher, for example).

use std::fs;

/// A snapshot of a process tree.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// utime + stime of every live process in the tree, in microseconds.
    pub cpu_us: u64,
    /// Sum of VmRSS, in KiB.
    pub rss_kb: u64,
    /// Sum of VmHWM (each process's peak resident set), in KiB.
    pub hwm_kb: u64,
}

fn ticks_per_second() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as u64
    } else {
        100
    }
}

/// (pid, ppid, utime + stime in ticks) of one process.
fn stat(pid: u32) -> Option<(u32, u32, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((pid, ppid, utime + stime))
}

/// `root` and every process below it.
fn tree(root: u32) -> Vec<(u32, u64)> {
    let all: Vec<(u32, u32, u64)> = fs::read_dir("/proc")
        .map(|d| d.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()).filter_map(stat).collect())
        .unwrap_or_default();
    let mut members: Vec<u32> = vec![root];
    let mut i = 0;
    while i < members.len() {
        let parent = members[i];
        members.extend(all.iter().filter(|(_, ppid, _)| *ppid == parent).map(|(pid, _, _)| *pid));
        i += 1;
    }
    all.into_iter().filter(|(pid, _, _)| members.contains(pid)).map(|(pid, _, cpu)| (pid, cpu)).collect()
}

fn status_kb(pid: u32, key: &str) -> u64 {
    let text = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines().find_map(|l| l.strip_prefix(key)?.trim().strip_suffix("kB")?.trim().parse().ok()).unwrap_or(0)
}

/// Samples the tree rooted at `root` (empty sample if it is gone).
pub fn sample(root: u32) -> Sample {
    let per_tick = 1_000_000 / ticks_per_second();
    let mut s = Sample::default();
    for (pid, ticks) in tree(root) {
        s.cpu_us += ticks * per_tick;
        s.rss_kb += status_kb(pid, "VmRSS:");
        s.hwm_kb += status_kb(pid, "VmHWM:");
    }
    s
}

/// CPU time used by this process so far, in microseconds (exact, from getrusage).
pub fn self_cpu_us() -> u64 {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let us = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    us(u.ru_utime) + us(u.ru_stime)
}

/// Per core: (all ticks, idle + iowait ticks) from /proc/stat, to tell how busy each core was
/// with anything at all (other processes on the machine included).
pub fn cores() -> Vec<(u64, u64)> {
    let text = fs::read_to_string("/proc/stat").unwrap_or_default();
    text.lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .map(|l| {
            let v: Vec<u64> = l.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
            (v.iter().take(8).sum(), v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0))
        })
        .collect()
}

/// Busy percentage of each core between two [`cores`] samples.
pub fn cores_busy_pct(before: &[(u64, u64)], after: &[(u64, u64)]) -> Vec<f64> {
    before
        .iter()
        .zip(after)
        .map(|(b, a)| {
            let total = a.0.saturating_sub(b.0).max(1) as f64;
            100.0 * (1.0 - a.1.saturating_sub(b.1) as f64 / total)
        })
        .collect()
}
