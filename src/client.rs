//! A small HTTP/1 client over hyper, for the integration tests and the conformance suite: one
//! connection per request, the whole body read, nothing hidden (status, headers and raw bytes).
//! A [`BaseUrl`] names any target (scheme, host, port, path prefix); `https` is verified against
//! the webpki roots plus any [`trust_ca_file`] (rustls with the `ring` backend).
//!
//! Imports: nothing of the crate.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::Duration;

/// A whole response.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON.
    ///
    /// # Errors
    /// A message with the body's start when it is not JSON.
    pub fn json(&self) -> Result<serde_json::Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| {
            format!("body is not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body[..self.body.len().min(200)]))
        })
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What went wrong on the way.
#[derive(Debug)]
pub enum CallError {
    Connect(std::io::Error),
    Http(hyper::Error),
    Timeout(Duration),
    BadRequest(String),
    /// A TLS failure (handshake, certificate).
    Tls(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Connect(e) => write!(f, "cannot connect: {e}"),
            CallError::Http(e) => write!(f, "HTTP error: {e}"),
            CallError::Timeout(d) => write!(f, "no answer within {d:?}"),
            CallError::BadRequest(w) => write!(f, "cannot build the request: {w}"),
            CallError::Tls(w) => write!(f, "TLS: {w}"),
        }
    }
}

impl std::error::Error for CallError {}

/// One request to build and send.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    /// Path and query, e.g. `/api/oauth2/access_token?app_id=…`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub timeout: Duration,
}

impl Call {
    pub fn get(target: impl Into<String>) -> Self {
        Call {
            method: Method::GET,
            target: target.into(),
            headers: Vec::new(),
            body: Bytes::new(),
            timeout: Duration::from_secs(30),
        }
    }

    /// A POST of a JSON body with the service's content type.
    pub fn post_json(target: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Call { method: Method::POST, body: body.into(), ..Call::get(target) }
            .header("content-type", "application/json;charset=UTF-8")
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Sends the call to `addr` on a new connection.
    ///
    /// # Errors
    /// [`CallError`] when the connection fails, the exchange breaks or the timeout passes.
    pub async fn send(&self, addr: SocketAddr) -> Result<Answer, CallError> {
        let exchange = async {
            let stream = tokio::net::TcpStream::connect(addr).await.map_err(CallError::Connect)?;
            self.exchange(stream, &addr.to_string(), &self.target).await
        };
        tokio::time::timeout(self.timeout, exchange).await.map_err(|_| CallError::Timeout(self.timeout))?
    }

    /// Sends the call to `base` (its path prefix put before the call's target) on a new connection.
    ///
    /// # Errors
    /// [`CallError`] when the connection or the TLS handshake fails, the exchange breaks or the
    /// timeout passes.
    pub async fn send_to(&self, base: &BaseUrl) -> Result<Answer, CallError> {
        let exchange = async {
            let stream = connect(&base.host, base.port).await.map_err(CallError::Connect)?;
            let target = format!("{}{}", base.prefix, self.target);
            match base.scheme {
                Scheme::Http => self.exchange(stream, &base.authority(), &target).await,
                Scheme::Https => {
                    let tls = tls::connect(stream, &base.host).await?;
                    self.exchange(tls, &base.authority(), &target).await
                }
            }
        };
        tokio::time::timeout(self.timeout, exchange).await.map_err(|_| CallError::Timeout(self.timeout))?
    }

    async fn exchange<S>(&self, stream: S, host: &str, target: &str) -> Result<Answer, CallError>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
    {
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(CallError::Http)?;
        tokio::spawn(conn);
        let mut req = Request::builder().method(self.method.clone()).uri(target);
        let headers = req.headers_mut().expect("builder is fresh");
        headers.insert(HOST, HeaderValue::from_str(host).map_err(|e| CallError::BadRequest(e.to_string()))?);
        for (k, v) in &self.headers {
            let name = HeaderName::from_bytes(k.as_bytes()).map_err(|e| CallError::BadRequest(e.to_string()))?;
            let value = HeaderValue::from_str(v).map_err(|e| CallError::BadRequest(e.to_string()))?;
            headers.insert(name, value);
        }
        if self.method == Method::POST && !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let req = req.body(Full::new(self.body.clone())).map_err(|e| CallError::BadRequest(e.to_string()))?;
        let resp = sender.send_request(req).await.map_err(CallError::Http)?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.map_err(CallError::Http)?.to_bytes();
        Ok(Answer { status: parts.status, headers: parts.headers, body })
    }
}

/// Connects to `host`, resolving IP literals and `localhost` without the system resolver: a
/// static glibc binary in a `FROM scratch` image has no `/etc/hosts` to find `localhost` in
/// (other names go to the resolver, which reads `/etc/resolv.conf` there).
async fn connect(host: &str, port: u16) -> std::io::Result<tokio::net::TcpStream> {
    let literal: Vec<SocketAddr> = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) if host.eq_ignore_ascii_case("localhost") => {
            vec![SocketAddr::from(([127, 0, 0, 1], port)), SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port))]
        }
        Err(_) => return tokio::net::TcpStream::connect((host, port)).await,
    };
    tokio::net::TcpStream::connect(literal.as_slice()).await
}

/// Extra trust anchors for `https` targets (the mock's CA), set once per process.
static EXTRA_ROOTS: std::sync::OnceLock<Vec<tokio_rustls::rustls::pki_types::CertificateDer<'static>>> =
    std::sync::OnceLock::new();

/// Trusts the certificates of the PEM file `path` for every later `https` call of this process.
///
/// # Errors
/// A message naming the file when it cannot be read or holds no certificate.
pub fn trust_ca_file(path: &std::path::Path) -> Result<(), String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read --ca-file {}: {e}", path.display()))?;
    use tokio_rustls::rustls::pki_types::{pem::PemObject as _, CertificateDer};
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("--ca-file {}: not PEM: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("--ca-file {}: no CERTIFICATE block in the file", path.display()));
    }
    let _ = EXTRA_ROOTS.set(certs);
    Ok(())
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// Where a target lives: `http://127.0.0.1:8080`, `https://kyc1.qcloud.com`, `http://gw:80/ocr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    pub scheme: Scheme,
    pub host: String,
    pub port: u16,
    /// Put before every path, without a trailing slash (empty for none).
    pub prefix: String,
}

impl BaseUrl {
    /// Parses `scheme://host[:port][/prefix]`.
    ///
    /// # Errors
    /// A message naming what is wrong and the expected form.
    pub fn parse(url: &str) -> Result<Self, String> {
        let form = "expected http://HOST[:PORT][/PREFIX] or https://…";
        let (scheme, rest) = match url.split_once("://") {
            Some(("http", rest)) => (Scheme::Http, rest),
            Some(("https", rest)) => (Scheme::Https, rest),
            _ => return Err(format!("{url:?} has no http:// or https:// scheme; {form}")),
        };
        let (authority, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let default_port = if scheme == Scheme::Http { 80 } else { 443 };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
                (h, p.parse::<u16>().map_err(|_| format!("{url:?} has a bad port {p:?}; {form}"))?)
            }
            _ => (authority, default_port),
        };
        if host.is_empty() || prefix.contains(['?', '#']) {
            return Err(format!("{url:?} is not a base URL; {form}"));
        }
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        Ok(BaseUrl { scheme, host, port, prefix: prefix.trim_end_matches('/').to_string() })
    }

    /// The `Host` header value.
    pub fn authority(&self) -> String {
        let default = matches!((self.scheme, self.port), (Scheme::Http, 80) | (Scheme::Https, 443));
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        if default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.scheme == Scheme::Http { "http" } else { "https" };
        write!(f, "{scheme}://{}{}", self.authority(), self.prefix)
    }
}

mod tls {
    use super::{CallError, EXTRA_ROOTS};
    use std::sync::Arc;
    use tokio_rustls::rustls::{self, pki_types::ServerName};

    /// A TLS session over `stream`, verified against the webpki roots and [`super::trust_ca_file`].
    pub async fn connect(
        stream: tokio::net::TcpStream,
        host: &str,
    ) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, CallError> {
        let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        for cert in EXTRA_ROOTS.get().into_iter().flatten() {
            roots.add(cert.clone()).map_err(|e| CallError::Tls(format!("--ca-file: {e}")))?;
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| CallError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from(host.to_string()).map_err(|e| CallError::Tls(format!("{host:?}: {e}")))?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        connector.connect(name, stream).await.map_err(|e| CallError::Tls(format!("handshake with {host}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_carry_scheme_host_port_and_prefix() {
        let b = BaseUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!((b.scheme, b.host.as_str(), b.port, b.prefix.as_str()), (Scheme::Http, "127.0.0.1", 8080, ""));
        let b = BaseUrl::parse("https://kyc1.qcloud.com/").unwrap();
        assert_eq!(
            (b.scheme, b.port, b.prefix.as_str(), b.authority()),
            (Scheme::Https, 443, "", "kyc1.qcloud.com".into())
        );
        let b = BaseUrl::parse("http://gw/ocr/").unwrap();
        assert_eq!((b.port, b.prefix.as_str(), b.to_string()), (80, "/ocr", "http://gw/ocr".into()));
        assert!(BaseUrl::parse("127.0.0.1:8080").unwrap_err().contains("scheme"));
        assert!(BaseUrl::parse("http://h:x").unwrap_err().contains("bad port"));
    }
}
