//! Counters for `GET /__admin/metrics`, in the Prometheus text format: requests by path, vendor
//! code and HTTP status, a latency histogram, and the sizes of the journal and the order store.
//! Label values are bounded: unknown paths count as `other`, unknown codes as `other`; the `app`
//! label of `idocr_mock_app_requests_total` names only apps the mock knows (at most the configured
//! ones plus `--max-apps`), and a deleted app's series go with it.
//!
//! Imports: `protocol` only; never `State`.

use crate::protocol::catalog;
use crate::protocol::paths::vendor_path;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// The status label of a request whose connection was dropped on purpose (`aborted`); above every
/// HTTP status, so it sorts after them as the text did.
const ABORTED: u16 = u16::MAX;
/// The status label of a request whose client went away before its answer was sent
/// (`abandoned`); sorts just before `aborted`.
pub(crate) const ABANDONED: u16 = u16::MAX - 1;

/// (path, code, status) → count.
type Series = BTreeMap<(&'static str, &'static str, u16), u64>;

#[derive(Debug, Default)]
struct Counts {
    all: Series,
    /// The same, per known app.
    by_app: HashMap<Arc<str>, Series>,
}

/// Request counters and the latency histogram.
#[derive(Debug, Default)]
pub struct Metrics {
    /// (path, code, status) → count; every label is static text or a number, so counting a
    /// request allocates nothing. An aborted request counts under [`ABORTED`].
    requests: Mutex<Counts>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    /// Counts one vendor request; `app` when it named an app the mock knows.
    pub(crate) fn observe(
        &self,
        path: &str,
        app: Option<&Arc<str>>,
        code: &str,
        status: Option<u16>,
        latency: Duration,
    ) {
        let path = vendor_path(path).unwrap_or("other");
        let code = match code {
            "" => "",
            code => catalog::find(code).map_or("other", |c| c.code),
        };
        let status = status.unwrap_or(ABORTED);
        {
            let mut counts = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            *counts.all.entry((path, code, status)).or_default() += 1;
            if let Some(app) = app {
                let series = match counts.by_app.get_mut(app) {
                    Some(s) => s,
                    None => counts.by_app.entry(app.clone()).or_default(),
                };
                *series.entry((path, code, status)).or_default() += 1;
            }
        }
        let secs = latency.as_secs_f64();
        for (bucket, le) in self.buckets.iter().zip(BUCKETS) {
            if secs <= le {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(latency.as_micros() as u64, Ordering::Relaxed);
    }

    /// Forgets `app`'s series.
    pub(crate) fn remove_app(&self, app: &str) {
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).by_app.remove(app);
    }

    /// Back to zero.
    pub(crate) fn reset(&self) {
        *self.requests.lock().unwrap_or_else(|e| e.into_inner()) = Counts::default();
        for b in self.buckets.iter().chain([&self.count, &self.sum_micros]) {
            b.store(0, Ordering::Relaxed);
        }
    }
}

/// The request counters and the latency histogram, in the Prometheus text format, into `out`
/// (the sizes of the stores are added by the admin page that shows them).
pub(crate) fn render(m: &Metrics, out: &mut String) {
    header(
        out,
        "idocr_mock_requests_total",
        "counter",
        "Requests to vendor paths, by path, vendor code and HTTP status (aborted: dropped by the mock; abandoned: the client went away first).",
    );
    let counts = m.requests.lock().unwrap_or_else(|e| e.into_inner());
    series(out, "idocr_mock_requests_total", "", &counts.all);
    let mut apps: Vec<(&Arc<str>, &Series)> = counts.by_app.iter().collect();
    apps.sort_by_key(|(app, _)| *app);
    header(out, APP_SERIES, "counter", APP_HELP);
    for (app, s) in apps {
        series(out, APP_SERIES, &format!("app=\"{}\",", label(app)), s);
    }
    drop(counts);
    let name = "idocr_mock_request_duration_seconds";
    header(out, name, "histogram", "Time from request headers to answer, vendor paths only.");
    for (bucket, le) in m.buckets.iter().zip(BUCKETS) {
        let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {}", bucket.load(Ordering::Relaxed));
    }
    let count = m.count.load(Ordering::Relaxed);
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
    let _ = writeln!(out, "{name}_sum {}", m.sum_micros.load(Ordering::Relaxed) as f64 / 1e6);
    let _ = writeln!(out, "{name}_count {count}");
}

const APP_SERIES: &str = "idocr_mock_app_requests_total";
const APP_HELP: &str = "Requests to vendor paths that named a known app, by app, path, vendor code and HTTP status.";

/// `app`'s request counters alone, labelled with it (`GET /__admin/apps/{id}/metrics`).
pub(crate) fn render_app(m: &Metrics, app: &str, out: &mut String) {
    header(out, APP_SERIES, "counter", APP_HELP);
    let counts = m.requests.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = counts.by_app.get(app) {
        series(out, APP_SERIES, &format!("app=\"{}\",", label(app)), s);
    }
}

fn series(out: &mut String, name: &str, app: &str, s: &Series) {
    for ((path, code, status), n) in s {
        let status = match *status {
            ABORTED => "aborted".to_string(),
            ABANDONED => "abandoned".to_string(),
            other => other.to_string(),
        };
        let _ = writeln!(out, "{name}{{{app}path=\"{path}\",code=\"{code}\",status=\"{status}\"}} {n}");
    }
}

/// A label value as the text format escapes it.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

pub(crate) fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_under_bounded_labels_and_an_abort_sorts_after_the_statuses() {
        let m = Metrics::default();
        let ms = Duration::from_millis(1);
        let job: Arc<str> = "JOB1".into();
        m.observe("/api/paas/idcardocrapp", Some(&job), "0", Some(200), ms);
        m.observe("/api/paas/idcardocrapp", None, "0", Some(200), ms);
        m.observe("/api/paas/idcardocrapp", None, "0", None, ms);
        m.observe("/etc/passwd", None, "not-a-code", Some(404), ms);
        let mut page = String::new();
        render(&m, &mut page);
        let lines: Vec<&str> = page.lines().filter(|l| l.starts_with("idocr_mock_requests_total{")).collect();
        assert_eq!(
            lines,
            [
                r#"idocr_mock_requests_total{path="/api/paas/idcardocrapp",code="0",status="200"} 2"#,
                r#"idocr_mock_requests_total{path="/api/paas/idcardocrapp",code="0",status="aborted"} 1"#,
                r#"idocr_mock_requests_total{path="other",code="other",status="404"} 1"#,
            ]
        );
        let mut one = String::new();
        render_app(&m, "JOB1", &mut one);
        assert!(one.ends_with("idocr_mock_app_requests_total{app=\"JOB1\",path=\"/api/paas/idcardocrapp\",code=\"0\",status=\"200\"} 1\n"), "{one}");
        m.remove_app("JOB1");
        assert_eq!(label("a\"b"), "a\\\"b");
    }
}
