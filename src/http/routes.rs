//! (method, path) → handler. Vendor paths are routed on the path alone, whatever the `Host`
//! (partners reach one state through five host names); `/__admin/` is the mock's own API.

use crate::admin;
use crate::arrival::Arrival;
use crate::body;
use crate::http::finish::Pending;
use crate::image::stream::Splitter;
use crate::protocol::paths::VENDOR_ROUTES;
use crate::protocol::{catalog, envelope, Code, Document};
use crate::redact;
use crate::reply::{self, Abort, Handled, Note, Reply};
use crate::state::State;
use crate::vendor::ocr;
use crate::{journal, orders};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW};
use hyper::{Method, Request, StatusCode};
use std::time::Instant;

/// Answers one request. `Err` drops the connection instead (a fault scenario asked for it).
pub async fn handle(state: State, req: Request<Incoming>) -> Result<Reply, Abort> {
    let started = Instant::now();
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    if path.starts_with(admin::PREFIX) {
        return admin::handle(&state, req).await;
    }
    let arrival = req.extensions().get::<Arrival>().cloned().unwrap_or_default();
    let seen =
        journal::Head::capture(state.journal(), state.clock(), &method, req.uri(), req.headers()).arrived(arrival);
    let mut chosen = None;
    let mut handled = match path.as_str() {
        "/api/paas/idcardocrapp" | "/api/paas/ocrapp" | "/api/paas/bankcardocrapp" if method == Method::POST => {
            let document = if path == "/api/paas/bankcardocrapp" { Document::BankCard } else { Document::IdCard };
            // A large body's image is decoded as the body arrives (image::stream).
            let cap = state.config().image_cap;
            let mut splitter = Splitter::new(document.image_field(), cap, body::declared(&req));
            match body::read_with(&state, body::Route::Vendor, req, |chunk| splitter.push(chunk)).await {
                Ok((head, _room)) => {
                    let (body, decoded) = splitter.finish();
                    let (handled, choice) = ocr::decide(&state, &head, &body, decoded, document);
                    chosen = choice;
                    handled
                }
                Err(refusal) => refused(&state, refusal),
            }
        }
        "/api/paas/idcardocrapp" | "/api/paas/ocrapp" | "/api/paas/bankcardocrapp" => method_not_allowed("POST"),
        "/api/oauth2/access_token" if method == Method::GET => {
            crate::vendor::oauth::access_token(&state, req.uri().query())
        }
        "/api/oauth2/api_ticket" if method == Method::GET => {
            crate::vendor::oauth::api_ticket(&state, req.uri().query())
        }
        "/api/oauth2/access_token" | "/api/oauth2/api_ticket" => method_not_allowed("GET"),
        "/api/server/getOcrResult" if method == Method::GET => {
            crate::vendor::ocr_result::handle(&state, &req.into_parts().0)
        }
        "/api/server/getOcrResult" => method_not_allowed("GET"),
        "/api/server/getBankCardOcrResult" if method == Method::GET => {
            crate::vendor::bank_result::handle(&state, &req.into_parts().0)
        }
        "/api/server/getBankCardOcrResult" => method_not_allowed("GET"),
        p if FACE_PATHS.contains(&p) => face(&state, &method, p, req).await,
        _ => not_found(&path),
    };
    if let (Some(side), Some(app), Some(order)) = (handled.note.stored, &handled.note.app_id, &handled.note.order_no) {
        if let Err(why) = orders::persist(state.orders(), app, order, side).await {
            handled = not_written(&state, handled.note, why);
        }
    }
    // From here a held fault may wait; if the client goes first, `pending` records it abandoned.
    let mut pending = Pending::new(&state, seen, method, path, started, handled.note);
    let outcome =
        crate::vendor::ocr::scenario::deliver(&state, chosen.as_ref(), handled.outcome, &mut pending.note).await;
    pending.finish(outcome)
}

/// The face-verification paths (PROTOCOL-FACE.md §1) and the mock's face page buttons.
const FACE_PATHS: &[&str] = &[
    "/api/server/h5/geth5faceid",
    "/api/web/login",
    "/api/pc/login",
    "/api/server/getfaceid",
    "/api/server/getAdvFaceId",
    "/api/v2/base/queryfacerecord",
    "/api/server/sync",
    "/api/v2/base/queryphotoinfo",
    crate::vendor::face::login::FINISH,
];

/// One face call: GET for the login pages, the buttons and sync, POST with a JSON body otherwise.
async fn face(state: &State, method: &Method, path: &str, req: Request<Incoming>) -> Handled {
    use crate::protocol::face::Flow;
    use crate::vendor::face::{faceid, login, query, query::Which};
    let get = matches!(path, "/api/web/login" | "/api/pc/login" | "/api/server/sync" | login::FINISH);
    match (get, method == Method::GET, method == Method::POST) {
        (true, true, _) => {
            let head = req.into_parts().0;
            return match path {
                "/api/web/login" => login::handle(state, &head, false),
                "/api/pc/login" => login::handle(state, &head, true),
                "/api/server/sync" => query::handle(state, &head, &[], Which::Sync),
                _ => login::finish(state, &head),
            };
        }
        (true, false, _) => return method_not_allowed("GET"),
        (false, _, false) => return method_not_allowed("POST"),
        _ => {}
    }
    let (head, bytes) = match body::read(state, body::Route::Vendor, req).await {
        Ok(body::Read { head, bytes, room: _room }) => (head, bytes),
        Err(refusal) => return refused(state, refusal),
    };
    let mut handled = match path {
        "/api/server/h5/geth5faceid" => faceid::handle(state, &head, &bytes, Flow::H5),
        "/api/server/getfaceid" => faceid::handle(state, &head, &bytes, Flow::Sdk),
        "/api/server/getAdvFaceId" => faceid::handle(state, &head, &bytes, Flow::Adv),
        "/api/v2/base/queryfacerecord" => query::handle(state, &head, &bytes, Which::Record),
        _ => query::handle(state, &head, &bytes, Which::Photos),
    };
    if state.journal().is_on() {
        handled.note.body.get_or_insert_with(|| journal::keep_body(&bytes));
    }
    handled
}

/// The vendor's answer to a body the mock would not read: 413 with `400501`, 503 with `999999`,
/// or the connection dropped.
fn refused(state: &State, refusal: body::Refusal) -> Handled {
    let detail = refusal.to_string();
    match refusal {
        body::Refusal::TooLarge { .. } => {
            let msg = envelope::message(&catalog::TOO_LARGE, Some(&detail), false);
            refused_body(state, StatusCode::PAYLOAD_TOO_LARGE, &catalog::TOO_LARGE, &msg, detail)
        }
        body::Refusal::OverBudget { .. } => {
            let code = &catalog::NETWORK_999999;
            refused_body(state, StatusCode::SERVICE_UNAVAILABLE, code, code.msg, detail)
        }
        body::Refusal::Stalled(_) => dropped(detail),
    }
}

/// `999999`, as the service answers when its storage fails: the order could not be written to
/// `--data-dir`, so it is not acknowledged (the answer prepared for it is dropped).
fn not_written(state: &State, mut note: Note, why: String) -> Handled {
    let code = &catalog::NETWORK_999999;
    let r = reply::vendor_error(StatusCode::OK, code, code.msg, &state.stamp(), &why);
    (note.code, note.reason, note.stored) = (Some(code.code), Some(redact::reason(&why)), None);
    Handled::reply(r, note)
}

/// A body refused before it is read: the vendor envelope, and the connection closed, since the
/// unread body is still on it.
fn refused_body(state: &State, status: StatusCode, code: &'static Code, msg: &str, detail: String) -> Handled {
    let r = reply::closing(reply::vendor_error(status, code, msg, &state.stamp(), &detail));
    Handled::reply(r, Note { code: Some(code.code), reason: Some(detail), ..Note::default() })
}

fn dropped(reason: String) -> Handled {
    Handled { outcome: Err(Abort::Close), note: Note { reason: Some(reason), ..Note::default() } }
}

fn method_not_allowed(allow: &'static str) -> Handled {
    let body = serde_json::json!({"status": 405, "error": "Method Not Allowed", "allow": allow});
    let mut r = reply::json(StatusCode::METHOD_NOT_ALLOWED, body.to_string());
    r.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
    Handled::reply(r, Note { reason: Some(format!("method not allowed; use {allow}")), ..Note::default() })
}

fn not_found(path: &str) -> Handled {
    let routes: Vec<String> = VENDOR_ROUTES.iter().map(|(m, p, what)| format!("{m} {p} — {what}")).collect();
    let body = serde_json::json!({"status": 404, "error": "Not Found", "path": path, "routes": routes, "admin": admin::PREFIX});
    let r = reply::json(StatusCode::NOT_FOUND, body.to_string());
    Handled::reply(r, Note { reason: Some("no such route".into()), ..Note::default() })
}
