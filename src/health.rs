//! `idocr-mock health`: asks a running mock's `GET /__admin/health` on the address the server
//! would use (the same `--port`/`--bind` and their variables), for images with no shell or curl.
//! Healthy is HTTP 200 with `"status":"ok"`; anything else is one line saying why.
//!
//! Imports: `client` only.

use crate::client::{BaseUrl, Call, CallError};
use clap::Args;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// `idocr-mock health`.
#[derive(Debug, Clone, Args)]
pub struct HealthArgs {
    /// Port the mock listens on (the server's --port and variable).
    #[arg(long, env = "IDOCR_MOCK_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address the mock listens on (the server's --bind and variable); 0.0.0.0 and :: are asked on
    /// loopback.
    #[arg(long, env = "IDOCR_MOCK_BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Base URL of the mock instead of --bind and --port, e.g. http://mock:8080.
    #[arg(long, env = "IDOCR_MOCK_HEALTH_URL", value_name = "URL")]
    pub url: Option<String>,
    /// Seconds to wait for the whole answer.
    #[arg(long, env = "IDOCR_MOCK_HEALTH_TIMEOUT", value_name = "SECS", default_value_t = 3.0)]
    pub timeout: f64,
}

impl HealthArgs {
    /// The base URL to ask.
    ///
    /// # Errors
    /// A message naming the bad --url or --bind.
    pub fn base(&self) -> Result<BaseUrl, String> {
        if let Some(url) = &self.url {
            return BaseUrl::parse(url).map_err(|e| format!("--url: {e}"));
        }
        let ip = match self.bind.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Ok(IpAddr::V6(ip)) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            Ok(ip) => ip,
            Err(_) if self.bind.eq_ignore_ascii_case("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Err(_) => return Err(format!("--bind {:?} is not an IP address (or localhost)", self.bind)),
        };
        Ok(BaseUrl {
            scheme: crate::client::Scheme::Http,
            host: ip.to_string(),
            port: self.port,
            prefix: String::new(),
        })
    }
}

/// `idocr-mock health`: one line either way, on stdout when healthy (exit 0), on stderr with the
/// reason otherwise (exit 1).
pub fn main(args: &HealthArgs) -> std::process::ExitCode {
    match run(args) {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("idocr-mock health: unhealthy: {why}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Asks once. `Ok` is the line for stdout (healthy), `Err` the reason (unhealthy).
///
/// # Errors
/// Why the mock is not healthy: nothing listening, no answer in time, an HTTP status, a body that
/// does not say `"status":"ok"`.
pub fn run(args: &HealthArgs) -> Result<String, String> {
    let base = args.base()?;
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| format!("--timeout {} is not a positive number of seconds", args.timeout))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let url = format!("{base}/__admin/health");
    let answer =
        runtime.block_on(Call::get("/__admin/health").timeout(timeout).send_to(&base)).map_err(|e| match e {
            CallError::Connect(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!("connection refused on {} (is the mock running, on this port?)", base.authority())
            }
            CallError::Connect(e) => format!("cannot connect to {}: {e}", base.authority()),
            CallError::Timeout(_) => format!("no answer from {url} within {}s", args.timeout),
            e => format!("{url}: {e}"),
        })?;
    let start = String::from_utf8_lossy(&answer.body[..answer.body.len().min(200)]).into_owned();
    if !answer.status.is_success() {
        return Err(format!("{url} answered HTTP {}: {start:?}", answer.status.as_u16()));
    }
    match answer.json() {
        Ok(body) if body["status"] == "ok" => {
            let version = body["version"].as_str().unwrap_or("?");
            Ok(format!("healthy: {url} (idocr-mock {version})"))
        }
        _ => Err(format!("{url} answered an unhealthy body: {start:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(bind: &str, url: Option<&str>) -> HealthArgs {
        HealthArgs { port: 9090, bind: bind.into(), url: url.map(Into::into), timeout: 1.0 }
    }

    #[test]
    fn all_interfaces_are_asked_on_loopback_and_url_wins() {
        assert_eq!(args("0.0.0.0", None).base().unwrap().to_string(), "http://127.0.0.1:9090");
        assert_eq!(args("::", None).base().unwrap().to_string(), "http://[::1]:9090");
        assert_eq!(args("localhost", None).base().unwrap().to_string(), "http://127.0.0.1:9090");
        assert_eq!(args("10.1.2.3", None).base().unwrap().to_string(), "http://10.1.2.3:9090");
        assert_eq!(args("x", Some("http://mock:8080")).base().unwrap().to_string(), "http://mock:8080");
        assert!(args("nohost", None).base().unwrap_err().contains("--bind"));
    }
}
