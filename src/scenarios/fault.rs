//! Transport faults: answers that no JSON client expects (a reset, a closed connection, a proxy's
//! HTML page, half a body, a body a few bytes at a time, a hang). The decision is taken before any
//! waiting; [`deliver`] does the waiting with no lock held, so other requests never notice.

use crate::reply::{self, Abort, MockBody, Reply};
use bytes::Bytes;
use hyper::header::{HeaderValue, CONTENT_TYPE, SERVER};
use hyper::StatusCode;
use serde::Deserialize;
use std::time::Duration;

/// One transport fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Fault {
    /// The usual answer, after `--slow-ms`.
    #[serde(rename = "slow")]
    Slow,
    /// No answer: the connection is held until the client gives up or `--hang-ms` pass.
    #[serde(rename = "hang")]
    Hang,
    /// TCP reset, nothing sent.
    #[serde(rename = "reset")]
    Reset,
    /// Connection closed in order, nothing sent.
    #[serde(rename = "empty-reply")]
    EmptyReply,
    /// HTTP 200 with the first half of the usual body.
    #[serde(rename = "truncated-json")]
    TruncatedJson,
    #[serde(rename = "http-500")]
    Http500,
    /// A proxy's HTML page, as nginx sends it when the service behind it is down.
    #[serde(rename = "http-502")]
    Http502,
    #[serde(rename = "http-503")]
    Http503,
    /// The usual body, a few bytes at a time.
    #[serde(rename = "dribble")]
    Dribble,
}

impl Fault {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Fault::Slow => "slow",
            Fault::Hang => "hang",
            Fault::Reset => "reset",
            Fault::EmptyReply => "empty-reply",
            Fault::TruncatedJson => "truncated-json",
            Fault::Http500 => "http-500",
            Fault::Http502 => "http-502",
            Fault::Http503 => "http-503",
            Fault::Dribble => "dribble",
        }
    }

    /// `true` when the fault replaces the answer; `false` when it only changes how the usual
    /// answer travels (slow, truncated, dribbled).
    pub(crate) fn replaces_answer(self) -> bool {
        !matches!(self, Fault::Slow | Fault::TruncatedJson | Fault::Dribble)
    }

    /// The answer a replacing fault gives instead of the service's (`Hang` waits in [`deliver`]).
    pub(crate) fn answer(self) -> Result<Reply, Abort> {
        match self {
            Fault::Reset => Err(Abort::Reset),
            Fault::EmptyReply | Fault::Hang => Err(Abort::Close),
            Fault::Http500 => Ok(html(StatusCode::INTERNAL_SERVER_ERROR, "500 Internal Server Error")),
            Fault::Http502 => Ok(html(StatusCode::BAD_GATEWAY, "502 Bad Gateway")),
            Fault::Http503 => Ok(html(StatusCode::SERVICE_UNAVAILABLE, "503 Service Temporarily Unavailable")),
            Fault::Slow | Fault::TruncatedJson | Fault::Dribble => Err(Abort::Close),
        }
    }
}

/// nginx's error page, byte for byte in shape.
fn html(status: StatusCode, title: &str) -> Reply {
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut r = reply::json(status, body);
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    r.headers_mut().insert(SERVER, HeaderValue::from_static("nginx"));
    r
}

/// How an answer leaves, decided before any waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Delivery {
    /// Waited before anything is sent.
    pub(crate) delay: Duration,
    pub(crate) shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Shape {
    #[default]
    Whole,
    /// The first half of the body, as a complete HTTP response.
    Truncated,
    /// The body in small pieces, `pause` apart.
    Dribbled { pause: Duration },
    /// Nothing, ever: the wait is the delay, then the connection is closed.
    Hang,
}

/// Bytes per piece of a dribbled body.
pub const DRIBBLE_BYTES: usize = 16;

/// Waits, then sends `answer` in the decided shape. No lock is held here. `hold` (a slot of
/// `--max-held`) is kept while the fault holds the connection: the wait, and a dribbled body.
pub(crate) async fn deliver<H: Send + 'static>(
    answer: Result<Reply, Abort>,
    delivery: Delivery,
    hold: H,
) -> Result<Reply, Abort> {
    if !delivery.delay.is_zero() {
        tokio::time::sleep(delivery.delay).await;
    }
    let reply = match (delivery.shape, answer) {
        (Shape::Hang, _) => return Err(Abort::Close),
        (_, Err(abort)) => return Err(abort),
        (Shape::Whole, Ok(r)) => return Ok(r),
        (_, Ok(r)) => r,
    };
    let (mut parts, body) = reply.into_parts();
    let bytes = match body {
        MockBody::Full(b) => b.unwrap_or_default(),
        other => return Ok(Reply::from_parts(parts, other)),
    };
    parts.headers.remove(hyper::header::CONTENT_LENGTH);
    let body = match delivery.shape {
        Shape::Truncated => MockBody::Full(Some(bytes.slice(..bytes.len() / 2))),
        Shape::Dribbled { pause } => dribble(bytes, pause, hold),
        Shape::Whole | Shape::Hang => MockBody::Full(Some(bytes)),
    };
    Ok(Reply::from_parts(parts, body))
}

/// A body fed by a task that sends [`DRIBBLE_BYTES`] at a time; it stops when the client goes.
fn dribble<H: Send + 'static>(bytes: Bytes, pause: Duration, hold: H) -> MockBody {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        let _hold = hold;
        let mut at = 0;
        while at < bytes.len() {
            let end = (at + DRIBBLE_BYTES).min(bytes.len());
            if tx.send(bytes.slice(at..end)).await.is_err() {
                return;
            }
            at = end;
            tokio::time::sleep(pause).await;
        }
    });
    MockBody::Chunks(rx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_dribbled_body_arrives_whole_in_pieces() {
        let body = Bytes::from(vec![b'x'; 100]);
        let shape = Shape::Dribbled { pause: Duration::ZERO };
        let r = deliver(Ok(reply::json(StatusCode::OK, body.clone())), Delivery { delay: Duration::ZERO, shape }, ());
        let got = r.await.unwrap().into_body().collect().await.unwrap().to_bytes();
        assert_eq!(got, body);
    }

    #[tokio::test]
    async fn a_truncated_body_is_the_first_half() {
        let d = Delivery { delay: Duration::ZERO, shape: Shape::Truncated };
        let r = deliver(Ok(reply::json(StatusCode::OK, "{\"code\":\"0\"}")), d, ()).await.unwrap();
        assert_eq!(r.into_body().collect().await.unwrap().to_bytes(), "{\"code");
    }

    #[test]
    fn the_502_page_is_nginx_html() {
        let r = Fault::Http502.answer().unwrap();
        assert_eq!(r.status(), 502);
        assert_eq!(r.headers()[CONTENT_TYPE], "text/html");
        assert!(matches!(Fault::Reset.answer(), Err(Abort::Reset)));
    }
}
