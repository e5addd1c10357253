//! A small HTTP/1 client over hyper, for the integration tests and the conformance suite: one
//! connection per request, the whole body read, nothing hidden (status, headers and raw bytes).

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
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Connect(e) => write!(f, "cannot connect: {e}"),
            CallError::Http(e) => write!(f, "HTTP error: {e}"),
            CallError::Timeout(d) => write!(f, "no answer within {d:?}"),
            CallError::BadRequest(w) => write!(f, "cannot build the request: {w}"),
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
        tokio::time::timeout(self.timeout, self.exchange(addr)).await.map_err(|_| CallError::Timeout(self.timeout))?
    }

    async fn exchange(&self, addr: SocketAddr) -> Result<Answer, CallError> {
        let stream = tokio::net::TcpStream::connect(addr).await.map_err(CallError::Connect)?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(CallError::Http)?;
        tokio::spawn(conn);
        let mut req = Request::builder().method(self.method.clone()).uri(&self.target);
        let headers = req.headers_mut().expect("builder is fresh");
        headers.insert(HOST, HeaderValue::from_str(&addr.to_string()).expect("an address is a valid host"));
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
