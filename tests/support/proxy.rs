//! A tampering proxy for the conformance tests: forwards every request to a mock, letting a test
//! rewrite the JSON request body on the way in and the JSON answer on the way out, so a target
//! can be broken in ways the mock has no switch for. Independent of the mock's internals.
//!
//! It can also play the parts other branches build (the token flow, PROTOCOL.md §4, and
//! getOcrResult, §6) as a faithful fake, so the oauth and orders cases are tested before merge.

use super::{sign, APP, TICKET};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use idocr_mock::client::Call;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Rewrites a JSON body of a request to (or an answer from) `path`.
pub type Rewrite = fn(path: &str, body: &mut Value);

/// The SIGN ticket the fake token flow hands out; a mock that should accept it lists it as static.
pub const FAKE_SIGN_TICKET: &str = "FakeSignTicket0000000000000000000000000000000000000000000000000001";
const FAKE_TOKEN: &str = "fakeAccessToken_0000000000000000000000000000000000000000000000000000000000000000000000001";

/// How the proxy breaks (or fakes) the target.
#[derive(Clone, Copy)]
pub struct Tamper {
    pub request: Rewrite,
    pub response: Rewrite,
    /// Answer `/api/oauth2/*` and `/api/server/getOcrResult` here, per PROTOCOL.md §4 and §6.
    pub fake_vendor: bool,
    /// Answer `/__admin/*` with 404, as any target but the mock does.
    pub hide_admin: bool,
}

impl Default for Tamper {
    fn default() -> Self {
        Tamper { request: |_, _| {}, response: |_, _| {}, fake_vendor: false, hide_admin: false }
    }
}

/// A proxy serving on a free port until dropped.
pub struct Proxy {
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// The fake's memory: OCR results by order number, front and back.
type Orders = Arc<Mutex<HashMap<String, (Option<Value>, Option<Value>)>>>;

impl Proxy {
    pub async fn start(upstream: SocketAddr, tamper: Tamper) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let orders = Orders::default();
        tokio::spawn(async move {
            loop {
                let (stream, _) = tokio::select! {
                    accepted = listener.accept() => accepted.unwrap(),
                    _ = &mut stopped => break,
                };
                let orders = orders.clone();
                let service = hyper::service::service_fn(move |req| forward(req, upstream, tamper, orders.clone()));
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
    orders: Orders,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let target = req.uri().path_and_query().map_or("/".to_string(), |p| p.to_string());
    let method = req.method().clone();
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut body = req.into_body().collect().await.unwrap().to_bytes();
    if tamper.hide_admin && path.starts_with("/__admin/") {
        return Ok(reply(404, Bytes::from_static(b"not found"), None));
    }
    if tamper.fake_vendor {
        if let Some(mut v) = fake_vendor(&path, &query, &orders) {
            (tamper.response)(&path, &mut v);
            return Ok(reply(200, v.to_string().into(), Some("application/json;charset=UTF-8")));
        }
    }
    let request_json = serde_json::from_slice::<Value>(&body).ok();
    if let Some(mut v) = request_json.clone() {
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
        remember(&orders, request_json.as_ref(), &v);
        (tamper.response)(&path, &mut v);
        out = v.to_string().into();
    }
    let mut r = reply(answer.status.as_u16(), out, answer.header("content-type"));
    if let Some(allow) = answer.header("allow") {
        r.headers_mut().insert("allow", allow.parse().unwrap());
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

/// Keeps an OCR success under its order number, for the fake getOcrResult.
fn remember(orders: &Orders, request: Option<&Value>, answer: &Value) {
    let (Some(req), Some(result)) = (request, answer.get("result")) else { return };
    let Some(order) = req["orderNo"].as_str() else { return };
    let mut orders = orders.lock().unwrap();
    let entry = orders.entry(order.to_string()).or_default();
    if req["cardType"] == "1" {
        entry.1 = Some(result.clone());
    } else {
        entry.0 = Some(result.clone());
    }
}

fn params(query: &str) -> HashMap<&str, &str> {
    query.split('&').filter_map(|kv| kv.split_once('=')).collect()
}

const TT: &str = "20260115100000";
const BIZ: &str = "26011520000000000110000000000001";

fn gateway(code: &str, msg: &str) -> Value {
    json!({"code": code, "msg": msg, "transactionTime": TT, "success": false})
}

fn business(code: &str, msg: &str) -> Value {
    json!({"code": code, "msg": msg, "bizSeqNo": BIZ, "transactionTime": TT})
}

/// The token flow and getOcrResult as PROTOCOL.md §4 and §6 describe them.
fn fake_vendor(path: &str, query: &str, orders: &Orders) -> Option<Value> {
    let p = params(query);
    let ok = |extra: Value| {
        let mut v = json!({"code": "0", "msg": "请求成功", "bizSeqNo": BIZ, "transactionTime": TT, "success": true});
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        v
    };
    Some(match path {
        "/api/oauth2/access_token" if p.is_empty() => gateway("400101", "不合法的请求:Missing parameter 'app_id'"),
        "/api/oauth2/access_token" if p.get("secret") != Some(&"idocr-mock-secret") => {
            gateway("400104", "无权限访问此请求")
        }
        "/api/oauth2/access_token" => {
            ok(json!({"access_token": FAKE_TOKEN, "expire_in": 7200, "expire_time": "20260115120000"}))
        }
        "/api/oauth2/api_ticket" if p.get("access_token") != Some(&FAKE_TOKEN) => business("15", "access_token 已失效"),
        "/api/oauth2/api_ticket" => {
            let (value, life, end) = match p.get("type") {
                Some(&"NONCE") => {
                    ("FakeNonceTicket000000000000000000000000000000000000000000000000001", 120, "20260115100200")
                }
                _ => (FAKE_SIGN_TICKET, 3600, "20260115110000"),
            };
            ok(json!({"tickets": [{"value": value, "expire_in": life, "expire_time": end}]}))
        }
        "/api/server/getOcrResult" => get_ocr_result(&p, orders),
        _ => return None,
    })
}

fn get_ocr_result(p: &HashMap<&str, &str>, orders: &Orders) -> Value {
    let order = p.get("order_no").copied().unwrap_or_default();
    let values =
        [p.get("app_id").copied().unwrap_or_default(), order, p.get("nonce").copied().unwrap_or_default(), "1.0.0"];
    if p.get("sign").copied() != Some(sign(&values, TICKET).as_str()) || values[0] != APP {
        return gateway("400105", "身份验证不通过");
    }
    let Some((Some(front), Some(back))) = orders.lock().unwrap().get(order).cloned() else {
        return business("66660020", "OCR 结果查询不到");
    };
    let mut result = json!({"frontCode": "0", "backCode": "0", "orderNo": order, "operateTime": "2026-01-15 10:00:00",
        "bizSeqNo": BIZ, "transactionTime": TT, "success": false});
    let r = result.as_object_mut().unwrap();
    for k in ["name", "sex", "nation", "birth", "address", "idcard"] {
        r.insert(k.into(), front[k].clone());
    }
    for k in ["validDate", "authority"] {
        r.insert(k.into(), back[k].clone());
    }
    for (side, v) in [("front", &front), ("back", &back)] {
        r.insert(format!("{side}WarnCode"), v["warning"].clone());
        r.insert(format!("{side}MultiWarning"), v["multiWarning"].clone());
        r.insert(format!("{side}Clarity"), v["clarity"].clone());
    }
    json!({"code": "0", "msg": "请求成功", "bizSeqNo": BIZ, "result": result, "transactionTime": TT})
}
