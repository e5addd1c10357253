//! All the hyper glue: the accept loop with its connection cap, per-connection timeouts, graceful
//! shutdown, and the one socket trick a fault needs (a reset sends RST). No API knowledge here.

use crate::arrival::Arrival;
use crate::http::shield;
use crate::http::tls::serve::{Certs, Gate};
use crate::reply::Abort;
use crate::state::State;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long in-flight requests may take to finish after a shutdown signal.
pub const DRAIN_DEADLINE: Duration = Duration::from_secs(10);

/// Serves `listener` until `shutdown` completes, then drains in-flight requests.
///
/// The caller binds, so tests can bind `127.0.0.1:0` and know the port before serving.
pub async fn run(listener: TcpListener, state: State, shutdown: impl Future<Output = ()>) {
    let certs =
        Arc::new(Certs::new(crate::http::tls::serve::CertSource::LocalCa(crate::http::tls::default_ca_dir()), &[]));
    run_all(listener, None, certs, state, shutdown).await;
}

/// [`run`] with an optional HTTPS listener and the certificates of it and of the CONNECT proxy;
/// both ports share the connection cap, the timeouts, the state and the drain.
pub async fn run_all(
    listener: TcpListener,
    https: Option<TcpListener>,
    certs: Arc<Certs>,
    state: State,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(state.config().max_connections));
    let http = http_builder(&state);
    let (drain_tx, drain_rx) = tokio::sync::watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer, secure) = tokio::select! {
            (stream, peer) = accept(&listener) => (stream, peer, false),
            (stream, peer) = accept_maybe(https.as_ref()) => (stream, peer, true),
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let reset = Arc::new(AtomicBool::new(false));
        let io = ConnIo { stream, reset: reset.clone() };
        let drain = drain_rx.clone();
        let conn = Conn { state: state.clone(), reset, certs: certs.clone(), _slot: Arc::new(permit), peer, drain };
        if secure {
            tokio::spawn(crate::http::tls::serve::https(conn, io, http.clone(), graceful.watcher()));
            continue;
        }
        let mut drain = conn.drain.clone();
        let service = conn.service(Arrival::Http);
        // With upgrades, for CONNECT; hyper-util's graceful watcher takes no upgradeable
        // connection, so the drain signal is watched here (the slots tell when all are gone).
        let served = http.serve_connection(TokioIo::new(io), service).with_upgrades();
        tokio::spawn(async move {
            tokio::pin!(served);
            let ended = tokio::select! {
                ended = served.as_mut() => ended,
                _ = drain.changed() => {
                    served.as_mut().graceful_shutdown();
                    served.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    drop((listener, https));
    tracing::info!("shutting down: finishing in-flight requests (at most {}s)", DRAIN_DEADLINE.as_secs());
    let _ = drain_tx.send(());
    state.journal().feed().close();
    let all_slots = u32::try_from(state.config().max_connections).unwrap_or(u32::MAX);
    let closed = async move {
        graceful.shutdown().await;
        let _ = slots.acquire_many(all_slots).await;
    };
    tokio::select! {
        () = closed => tracing::info!("all connections closed"),
        () = tokio::time::sleep(DRAIN_DEADLINE) => tracing::warn!("drain deadline passed: remaining connections cut"),
    }
}

/// The HTTP/1 settings of every connection, plain or inside TLS.
fn http_builder(state: &State) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(state.config().header_timeout).keep_alive(true);
    http
}

/// What a connection's requests are served with; its slot of the connection cap is released when
/// the last clone (the connection's, and a CONNECT tunnel's) is gone.
#[derive(Clone)]
pub(crate) struct Conn {
    pub state: State,
    pub reset: Arc<AtomicBool>,
    pub certs: Arc<Certs>,
    pub _slot: Arc<OwnedSemaphorePermit>,
    pub peer: SocketAddr,
    /// Changes when the server starts draining.
    pub drain: tokio::sync::watch::Receiver<()>,
}

impl Conn {
    /// The service of one connection: every request marked with how it arrived, CONNECT and
    /// absolute-form requests checked by the proxy gate, the rest answered by [`shield::serve`].
    pub fn service(
        self,
        arrival: Arrival,
    ) -> impl hyper::service::Service<
        Request<Incoming>,
        Response = crate::reply::Reply,
        Error = Abort,
        Future = impl Future<Output = Result<crate::reply::Reply, Abort>> + Send,
    > + Clone
           + Send {
        let served = Arc::new(AtomicUsize::new(0));
        service_fn(move |mut req: Request<Incoming>| {
            let (conn, served, arrival) = (self.clone(), served.clone(), arrival.clone());
            async move {
                let arrival = match crate::http::tls::serve::proxy_gate(&conn, &mut req, arrival) {
                    Gate::Pass(arrival) => arrival,
                    Gate::Answer(reply) => return Ok(reply),
                };
                req.extensions_mut().insert(arrival);
                let outcome = shield::serve(conn.state.clone(), req, &served).await;
                if matches!(outcome, Err(Abort::Reset)) {
                    conn.reset.store(true, Ordering::Relaxed);
                }
                outcome
            }
        })
    }
}

/// Accepts on `listener` if there is one; never completes otherwise.
async fn accept_maybe(listener: Option<&TcpListener>) -> (TcpStream, SocketAddr) {
    match listener {
        Some(l) => accept(l).await,
        None => std::future::pending().await,
    }
}

/// Accepts one connection, backing off while the process is out of file descriptors.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    let mut backoff = Duration::from_millis(10);
    loop {
        match listener.accept().await {
            Ok(accepted) => return accepted,
            Err(e) => {
                tracing::warn!("accept failed: {e}; retrying in {backoff:?}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
            }
        }
    }
}

/// A connection's socket; when a `reset` scenario asked for it, closing it sends RST.
pub(crate) struct ConnIo {
    pub stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed) {
            // Zero linger: close() discards unsent data and sends RST without blocking.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
