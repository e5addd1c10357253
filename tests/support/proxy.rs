//! A tampering proxy for the conformance tests: forwards every request to a mock, letting a test
//! rewrite the JSON request body on the way in and the JSON answer on the way out, so a target
//! can be broken in ways the mock has no switch for. Independent of the mock's internals.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use idocr_mock::client::Call;
use serde_json::Value;
use std::convert::Infallible;
use std::net::SocketAddr;

/// Rewrites a JSON body of a request to (or an answer from) `path`.
pub type Rewrite = fn(path: &str, body: &mut Value);

/// How the proxy breaks the target.
#[derive(Clone, Copy)]
pub struct Tamper {
    pub request: Rewrite,
    pub response: Rewrite,
    /// Answer `/__admin/*` with 404, as any target but the mock does.
    pub hide_admin: bool,
}

impl Default for Tamper {
    fn default() -> Self {
        Tamper { request: |_, _| {}, response: |_, _| {}, hide_admin: false }
    }
}

/// A proxy serving on a free port until dropped.
pub struct Proxy {
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr, tamper: Tamper) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            loop {
                let (stream, _) = tokio::select! {
                    accepted = listener.accept() => accepted.unwrap(),
                    _ = &mut stopped => break,
                };
                let service = hyper::service::service_fn(move |req| forward(req, upstream, tamper));
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        Proxy { addr, _stop: stop }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

async fn forward(
    req: Request<Incoming>,
    upstream: SocketAddr,
    tamper: Tamper,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let target = req.uri().path_and_query().map_or("/".to_string(), |p| p.to_string());
    let method = req.method().clone();
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut body = req.into_body().collect().await.unwrap().to_bytes();
    if tamper.hide_admin && path.starts_with("/__admin/") {
        return Ok(reply(404, Bytes::from_static(b"not found"), None));
    }
    if let Ok(mut v) = serde_json::from_slice::<Value>(&body) {
        (tamper.request)(&path, &mut v);
        body = v.to_string().into();
    }
    let mut call = Call { method, target, headers: Vec::new(), body, timeout: std::time::Duration::from_secs(30) };
    if let Some(ct) = content_type {
        call = call.header("content-type", &ct);
    }
    let answer = call.send(upstream).await.unwrap();
    let mut out = answer.body.clone();
    if let Ok(mut v) = serde_json::from_slice::<Value>(&out) {
        (tamper.response)(&path, &mut v);
        out = v.to_string().into();
    }
    let mut r = reply(answer.status.as_u16(), out, answer.header("content-type"));
    // `location`: the face login's redirect to the partner.
    for name in ["allow", "location"] {
        if let Some(value) = answer.header(name) {
            r.headers_mut().insert(name, value.parse().unwrap());
        }
    }
    Ok(r)
}

fn reply(status: u16, body: Bytes, content_type: Option<&str>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    if let Some(ct) = content_type {
        r.headers_mut().insert("content-type", ct.parse().unwrap());
    }
    r
}
