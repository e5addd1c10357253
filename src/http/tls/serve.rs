//! The TLS side of the hyper glue: the HTTPS port's handshake (under the header timeout, inside
//! the connection cap), plain HTTP sent to it, and the proxy gate of the HTTP port (CONNECT
//! tunnels and absolute-form requests for the hosts the mock serves; 403 for any other host, and
//! never an outbound connection).

use super::{Ca, Tls};
use crate::arrival::Arrival;
use crate::error::StartupError;
use crate::http::server::{Conn, ConnIo};
use crate::journal;
use crate::redact::bounded;
use crate::reply::{self, End, MockBody, Note, Reply};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::Watcher;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The scenario whose handshake is refused.
pub const HANDSHAKE_FAILURE: &str = "tls-handshake-failure";
/// The scenario served with an expired leaf.
pub const CERT_EXPIRED: &str = "cert-expired";

/// Where the certificates come from.
#[derive(Debug, Clone)]
pub enum CertSource {
    /// The mock's own CA in this directory (`--ca-dir`), made on first use.
    LocalCa(PathBuf),
    /// `--tls-cert FILE --tls-key FILE`.
    Own { cert: PathBuf, key: PathBuf },
}

/// The certificates, made on first use: at startup with `--https-port`, else at the first CONNECT
/// (a mock that is never used as a proxy writes no CA).
#[derive(Debug)]
pub struct Certs {
    source: CertSource,
    extra: Vec<String>,
    made: OnceLock<Result<Tls, String>>,
}

impl Certs {
    /// `extra`: the `--tls-name` names.
    pub fn new(source: CertSource, extra: &[String]) -> Certs {
        Certs { source, extra: extra.to_vec(), made: OnceLock::new() }
    }

    /// The TLS configurations, made now if not yet.
    ///
    /// # Errors
    /// Why the CA or the user's files could not be used (the message names the file).
    pub fn get(&self) -> Result<&Tls, String> {
        self.made.get_or_init(|| self.make().map_err(|e| e.to_string())).as_ref().map_err(Clone::clone)
    }

    fn make(&self) -> Result<Tls, StartupError> {
        let names = super::served_names(&self.extra);
        let proxy_hosts: Vec<String> =
            names.iter().filter(|n| !super::LOCAL_NAMES.contains(&n.as_str())).cloned().collect();
        let (leaf, expired) = match &self.source {
            CertSource::LocalCa(dir) => {
                let ca = Ca::load_or_create(dir)?;
                tracing::info!(
                    "TLS: local CA {} (idocr-mock ca --ca-dir {} prints it)",
                    dir.join(super::CA_CERT_FILE).display(),
                    dir.display()
                );
                (ca.leaf(&names, false)?, ca.leaf(&names, true)?)
            }
            // The user's own certificate: the cert-expired scenario serves it too.
            CertSource::Own { cert, key } => (super::load_own(cert, key)?, super::load_own(cert, key)?),
        };
        Ok(Tls::new(leaf, expired, proxy_hosts))
    }
}

/// The configuration a handshake gets: chosen by the default scenario (`--scenario` or
/// `PUT /__admin/scenario`), since no request exists yet to carry a header or a marker.
fn config_for(conn: &Conn, tls: &Tls) -> Arc<ServerConfig> {
    match conn.state.scenarios().default_name().as_str() {
        HANDSHAKE_FAILURE => tls.refuse.clone(),
        CERT_EXPIRED => tls.expired.clone(),
        _ => tls.normal.clone(),
    }
}

/// Serves one connection of the HTTPS port: plain HTTP gets a 400 in plain text, anything else a
/// TLS handshake within `--header-timeout`, then the same service as the HTTP port.
pub(crate) async fn https(conn: Conn, io: ConnIo, http: http1::Builder, watcher: Watcher) {
    let peer = conn.peer;
    let timeout = conn.state.config().header_timeout;
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(timeout, io.stream.peek(&mut first)).await;
    if !matches!(peeked, Ok(Ok(1))) {
        tracing::warn!(%peer, "HTTPS port: the client sent nothing within {}s (--header-timeout) or closed", timeout.as_secs());
        return;
    }
    if first[0].is_ascii_uppercase() {
        plain_http_refused(io, peer).await;
        return;
    }
    let tls = match conn.certs.get() {
        Ok(tls) => tls,
        Err(e) => return tracing::error!(%peer, "HTTPS port: no certificate: {e}"),
    };
    let Some(stream) = handshake(&conn, tls, io, "HTTPS port").await else { return };
    let sni = stream.get_ref().1.server_name().map(bounded);
    let service = conn.service(Arrival::Https { sni });
    if let Err(e) = watcher.watch(http.serve_connection(TokioIo::new(stream), service)).await {
        tracing::debug!(%peer, "connection ended: {e}");
    }
}

/// The TLS handshake under `--header-timeout`; a failure is logged and the connection dropped.
async fn handshake<S>(conn: &Conn, tls: &Tls, io: S, port: &str) -> Option<tokio_rustls::server::TlsStream<S>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (peer, timeout) = (conn.peer, conn.state.config().header_timeout);
    let config = config_for(conn, tls);
    let refusing = Arc::ptr_eq(&config, &tls.refuse);
    match tokio::time::timeout(timeout, TlsAcceptor::from(config).accept(io)).await {
        Ok(Ok(stream)) => Some(stream),
        Ok(Err(_)) if refusing => {
            tracing::warn!(%peer, "{port}: TLS handshake refused on purpose (scenario {HANDSHAKE_FAILURE})");
            None
        }
        Ok(Err(e)) => {
            tracing::warn!(%peer, "{port}: TLS handshake failed: {}", bounded(&e.to_string()));
            None
        }
        Err(_) => {
            tracing::warn!(%peer, "{port}: TLS handshake not finished within {}s (--header-timeout)", timeout.as_secs());
            None
        }
    }
}

/// The answer to plain HTTP on the HTTPS port.
async fn plain_http_refused(mut io: ConnIo, peer: std::net::SocketAddr) {
    tracing::warn!(%peer, "HTTPS port: plain HTTP received; answered 400 (use https://, or the HTTP port)");
    let body = "400 Bad Request: this is idocr-mock's HTTPS port and the request was plain HTTP. Use https:// here, or http:// on the HTTP port (--port).\n";
    let head = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = io.write_all(head.as_bytes()).await;
    let _ = io.write_all(body.as_bytes()).await;
    let _ = io.shutdown().await;
}

/// What the proxy gate decided.
pub(crate) enum Gate {
    /// Serve the request, marked with how it arrived.
    Pass(Arrival),
    /// Answer this instead (200 to a CONNECT whose tunnel is being served, or a refusal).
    Answer(Reply),
}

/// Checks a request of the HTTP port against the proxy rules: a CONNECT to a served host is
/// answered 200 and its tunnel served as HTTPS; an absolute-form request to a served host goes on
/// marked `proxy`; any other host gets 403 (journaled). Other requests go on as they came.
pub(crate) fn proxy_gate(conn: &Conn, req: &mut Request<Incoming>, arrival: Arrival) -> Gate {
    let is_connect = req.method() == Method::CONNECT;
    let Some(authority) = req.uri().authority().cloned() else {
        return if is_connect { Gate::Answer(refuse(conn, req, "-")) } else { Gate::Pass(arrival) };
    };
    let target = bounded(authority.as_str());
    if arrival != Arrival::Http {
        // Inside a tunnel: the request line may carry the full URL; the host was checked already.
        return if is_connect { Gate::Answer(refuse(conn, req, &target)) } else { Gate::Pass(arrival) };
    }
    let tls = match conn.certs.get() {
        Ok(tls) => tls,
        Err(e) => {
            tracing::error!("proxy: no certificate: {e}");
            return Gate::Answer(plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("idocr-mock has no certificate for the proxy: {e}\n"),
            ));
        }
    };
    if !tls.serves(authority.host()) {
        return Gate::Answer(refuse(conn, req, &target));
    }
    if !is_connect {
        return Gate::Pass(Arrival::Proxy { target, tls: false });
    }
    tracing::info!(peer = %conn.peer, "CONNECT {target} 200: tunnel opened, served by the mock as HTTPS");
    let upgrade = hyper::upgrade::on(req);
    let (conn, tls) = (conn.clone(), tls.clone());
    tokio::spawn(async move {
        let timeout = conn.state.config().header_timeout;
        let upgraded = match tokio::time::timeout(timeout, upgrade).await {
            Ok(Ok(u)) => u,
            _ => return tracing::warn!(peer = %conn.peer, "CONNECT {target}: the tunnel did not open"),
        };
        let Some(stream) = handshake(&conn, &tls, TokioIo::new(upgraded), "proxy tunnel").await else { return };
        let http = tunnel_builder(&conn);
        let mut drain = conn.drain.clone();
        let service = conn.clone().service(Arrival::Proxy { target, tls: true });
        let served = http.serve_connection(TokioIo::new(stream), service);
        tokio::pin!(served);
        let ended = tokio::select! {
            ended = served.as_mut() => ended,
            _ = drain.changed() => {
                served.as_mut().graceful_shutdown();
                served.await
            }
        };
        if let Err(e) = ended {
            tracing::debug!(peer = %conn.peer, "tunnel ended: {e}");
        }
    });
    Gate::Answer(Response::new(MockBody::Full(None)))
}

fn tunnel_builder(conn: &Conn) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(conn.state.config().header_timeout)
        .keep_alive(true);
    http
}

/// 403 for a host the mock does not serve, journaled and logged.
fn refuse(conn: &Conn, req: &Request<Incoming>, target: &str) -> Reply {
    let hosts = conn.certs.get().map(|t| t.proxy_hosts.join(", ")).unwrap_or_else(|_| super::VENDOR_HOSTS.join(", "));
    let reason = format!(
        "idocr-mock is not a general proxy: it never forwards and never connects out. It serves only {hosts} (add more with --tls-name). Refused: {} {target}",
        req.method()
    );
    tracing::warn!(peer = %conn.peer, "{} {target} 403 via=proxy: not a served host", req.method());
    let seen = journal::Head::capture(conn.state.journal(), conn.state.clock(), req.method(), req.uri(), req.headers())
        .arrived(Arrival::Proxy { target: target.to_string(), tls: req.method() == Method::CONNECT });
    let r = plain(StatusCode::FORBIDDEN, format!("403 Forbidden: {reason}\n"));
    let mut note = Note { reason: Some(reason), ..Note::default() };
    journal::record(
        conn.state.journal(),
        conn.state.metrics(),
        seen,
        &mut note,
        End::Answered(StatusCode::FORBIDDEN.as_u16()),
    );
    reply::closing(r)
}

fn plain(status: StatusCode, body: String) -> Reply {
    let mut r = Response::new(MockBody::Full(Some(body.into())));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}
