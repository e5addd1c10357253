//! The HTTP floor: the least work an HTTP/1.1 server on this machine does per request with the same
//! stack as idocr-mock (hyper 1.x, tokio's multi-thread runtime, mimalloc): read the request, collect
//! its body, write a fixed answer of the size of the mock's success body. No parsing, no signature,
//! no identity, no journal. bench/run.sh drives it as the target `http-floor` with the same loads as
//! the others, so the table can say which fraction of the HTTP floor the mock reaches on small calls.
//!
//! Usage: `http-floor --port PORT` (one worker thread with `TOKIO_WORKER_THREADS=1`, as the mock).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A success answer as idocr-mock writes it for the small load (573 bytes).
const ANSWER: &str = r#"{"code":"0","msg":"请求成功","bizSeqNo":"26112920001399067103510413990671","result":{"bizSeqNo":"26112920001399067103510413990671","transactionTime":"20261129035104","ocrId":"7ca8f189966d0f3bf03e421a282325bf","orderNo":"w85fc01a1000000000000","name":"罗泽丽","sex":"女","nation":"汉","birth":"19851126","address":"广东省深圳市罗湖区和平路765号","idcard":"440303198511263149","warning":"00000000","sign":"D9526A4B340D1E873CE28EC8C4ABBD70C44CFBBB","clarity":"86","multiWarning":"00000000","retry":"1","success":false},"transactionTime":"20261129035104"}"#;

async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    // Collect the body as the mock does (a 3 MB upload arrives in many frames).
    let body = req.into_body().collect().await.map(|b| b.to_bytes().len()).unwrap_or(0);
    std::hint::black_box(body);
    let mut res = Response::new(Full::new(Bytes::from_static(ANSWER.as_bytes())));
    res.headers_mut().insert("content-type", "application/json;charset=UTF-8".parse().expect("a header value"));
    Ok(res)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args
        .iter()
        .position(|a| a == "--port")
        .and_then(|i| args.get(i + 1))
        .and_then(|p| p.parse().ok())
        .expect("usage: http-floor --port PORT");
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), hyper::service::service_fn(answer))
                .await;
        });
    }
}
