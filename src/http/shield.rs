//! What keeps one broken request from hurting the others: a panic inside a handler is a defect,
//! caught here, logged at error level as `defect: …`, answered with HTTP 500 and a JSON body, while
//! the process and every other connection go on; and the keep-alive cap that closes a connection
//! after `--max-requests-per-connection` requests (hyper 1.x has no such setting; its header read
//! timeout already closes idle keep-alive connections).

use crate::http::routes;
use crate::protocol::catalog;
use crate::reply::{self, Abort, Reply};
use crate::state::State;
use futures_util::FutureExt as _;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONNECTION};
use hyper::{Request, StatusCode};
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Answers one request of a connection that has already carried `served` requests before it.
pub async fn serve(state: State, req: Request<Incoming>, served: &AtomicUsize) -> Result<Reply, Abort> {
    let count = served.fetch_add(1, Ordering::Relaxed) + 1;
    let what = format!("{} {}", req.method(), req.uri().path());
    let mut outcome = shielded(&state, &what, routes::handle(state.clone(), req)).await;
    if let Ok(reply) = &mut outcome {
        cap_keep_alive(reply, count, state.config().max_requests_per_connection);
    }
    outcome
}

/// Runs `handler`; if it panics, logs the defect and answers HTTP 500 instead.
///
/// `what` names the request in the log (method and path: never a body, a sign or a query).
pub async fn shielded<F>(state: &State, what: &str, handler: F) -> Result<Reply, Abort>
where
    F: Future<Output = Result<Reply, Abort>>,
{
    // Unwind safety: the handler's captures die with it, and the shared state is only touched
    // through std locks held for a few instructions (a poisoned lock would be a second defect).
    match AssertUnwindSafe(handler).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(payload) => {
            tracing::error!("{}", defect_line(what, &panic_message(payload.as_ref())));
            Ok(defect_reply(state))
        }
    }
}

/// The log line of a caught panic: says it is a defect, which request, and the panic's text.
pub fn defect_line(what: &str, message: &str) -> String {
    format!("defect: the handler of {what} panicked: {message} (please report this with the log)")
}

/// The text a panic was raised with.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// HTTP 500 with the vendor's generic error body, and the connection closed: whatever the handler
/// had half-read of this connection cannot be trusted.
fn defect_reply(state: &State) -> Reply {
    let code = &catalog::NETWORK_999999;
    let reason = "defect: idocr-mock panicked while handling this request";
    reply::closing(reply::vendor_error(StatusCode::INTERNAL_SERVER_ERROR, code, code.msg, &state.stamp(), reason))
}

/// Asks hyper to close the connection after this reply once it has carried `max` requests.
pub fn cap_keep_alive(reply: &mut Reply, count: usize, max: usize) {
    if count >= max {
        reply.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    /// A tracing writer that keeps what was logged.
    fn ok_reply() -> Result<Reply, Abort> {
        Ok(reply::json(StatusCode::OK, "{}"))
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_panicking_handler_is_answered_with_500_json_and_the_task_goes_on() {
        let state = State::new(Config::default());

        let boom = async {
            if state.seed() == 0 {
                panic!("deliberate test panic");
            }
            ok_reply()
        };
        let reply = shielded(&state, "POST /api/paas/idcardocrapp", boom).await.expect("answered, not dropped");
        assert_eq!(reply.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(reply.headers()["connection"], "close");
        let body = match reply.into_body() {
            reply::MockBody::Full(Some(b)) => b,
            other => panic!("a whole body expected, got {other:?}"),
        };
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], "999999");

        assert_eq!(
            defect_line("POST /api/paas/idcardocrapp", "deliberate test panic"),
            "defect: the handler of POST /api/paas/idcardocrapp panicked: deliberate test panic (please report this with the log)"
        );

        // The same task goes on: the next request is served normally.
        let next = shielded(&state, "GET /", async { ok_reply() }).await.unwrap();
        assert_eq!(next.status(), StatusCode::OK);
    }

    /// A server whose `/boom` handler panics, behind the guard as `server::run` puts it.
    async fn panicky_server() -> std::net::SocketAddr {
        use hyper::server::conn::http1;
        use hyper::service::service_fn;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = State::new(Config::default());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = state.clone();
                let service = service_fn(move |req: Request<Incoming>| {
                    let state = state.clone();
                    async move {
                        let path = req.uri().path().to_string();
                        let handler = async {
                            assert_ne!(path, "/boom", "deliberate test panic");
                            ok_reply()
                        };
                        shielded(&state, &path, handler).await
                    }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                tokio::spawn(http1::Builder::new().serve_connection(io, service));
            }
        });
        addr
    }

    #[tokio::test]
    async fn a_panic_on_one_connection_leaves_the_others_and_the_server_serving() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = panicky_server().await;
        let mut before = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 1024];
        before.write_all(b"GET /fine HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        assert!(before.read(&mut buf).await.unwrap() > 0);

        let boom = crate::client::Call::get("/boom").send(addr).await.expect("answered, not dropped");
        assert_eq!(boom.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(boom.json().unwrap()["code"], "999999");

        before.write_all(b"GET /fine HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let n = before.read(&mut buf).await.unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
        let after = crate::client::Call::get("/fine").send(addr).await.unwrap();
        assert_eq!(after.status, StatusCode::OK);
    }

    #[test]
    fn panic_messages_are_read_from_str_and_string_payloads() {
        assert_eq!(panic_message(&"static"), "static");
        assert_eq!(panic_message(&String::from("owned")), "owned");
        assert_eq!(panic_message(&42_u8), "a panic without a message");
    }

    #[test]
    fn the_keep_alive_cap_closes_the_connection_on_the_last_allowed_request() {
        let mut r = reply::json(StatusCode::OK, "{}");
        cap_keep_alive(&mut r, 2, 3);
        assert!(r.headers().get("connection").is_none());
        cap_keep_alive(&mut r, 3, 3);
        assert_eq!(r.headers()["connection"], "close");
    }
}
