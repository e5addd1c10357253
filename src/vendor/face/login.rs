//! `GET /api/web/login` and `GET /api/pc/login` (PROTOCOL-FACE.md §4.2–§4.5): the URL a partner
//! sends the user's browser to. The sign (FV-2) must match a live, unused NONCE ticket of that
//! `userId`, which the login consumes, so a reused or prefetched URL shows “签名不合法”. Then the
//! mock's face page: it completes at once with the face scenario chosen in advance (header at
//! geth5faceid, else the app's face queue and default, else the mock's: `faces::choose`), or shows one button per scenario
//! (`GET /__face/finish`). The end is the redirect to the partner's `url` with `code`, `orderNo`,
//! `h5faceId`, `signature`, `newSignature` (PC: `newSign`) and `liveRate` when liveness passed.

use super::{page, Params, Tickets};
use crate::clock::Millis;
use crate::config::FaceSign;
use crate::faces::{FaceOrder, Login, Refused};
use crate::protocol::face::{self, Rule};
use crate::protocol::face_codes;
use crate::protocol::sign::Field;
use crate::reply::{self, Handled, Note, Reply};
use crate::scenarios::face::FaceScenario;
use crate::state::State;
use hyper::http::request::Parts;
use hyper::StatusCode;

/// The mock's own path of the face page's buttons (not a vendor path).
pub(crate) const FINISH: &str = "/__face/finish";

/// The page text of a refused login (doc Q-H5-LOGIN).
pub(crate) const BAD_SIGN_TEXT: &str = "签名不合法";

/// A login that cannot go on: the page to show, and why (for the reason header and the journal).
struct Stop {
    text: &'static str,
    code: &'static str,
    why: String,
}

fn stop(text: &'static str, code: &'static str, why: impl Into<String>) -> Stop {
    Stop { text, code, why: why.into() }
}

fn bad_request(why: impl Into<String>) -> Stop {
    stop("不合法的请求", crate::protocol::catalog::BAD_REQUEST.code, why)
}

/// What the login URL carries.
struct Query {
    app_name: &'static str,
    app: String,
    version: String,
    nonce: String,
    order_no: String,
    id_name: &'static str,
    id: String,
    url: String,
    user_id: String,
    sign: String,
    result_type: String,
    redirect_type: String,
}

fn read(p: &Params) -> Result<Query, Stop> {
    let need = |n: &str| p.need(n).map_err(|r| bad_request(r.detail));
    let (app_name, app) = p.need_one(&["webankAppId", "appId"]).map_err(|r| bad_request(r.detail))?;
    let (id_name, id) = p.need_one(&["h5faceId", "faceId"]).map_err(|r| bad_request(r.detail))?;
    let text = |n: &str| p.text(n).unwrap_or_default();
    Ok(Query {
        app_name,
        app,
        version: need("version")?,
        nonce: need("nonce")?,
        order_no: need("orderNo")?,
        id_name,
        id,
        url: need("url")?,
        user_id: need("userId")?,
        sign: need("sign")?,
        result_type: text("resultType"),
        redirect_type: text("redirectType"),
    })
}

/// Answers one login URL; `pc` for `/api/pc/login`.
pub(crate) fn handle(state: &State, head: &Parts, pc: bool) -> Handled {
    let mut note = Note::default();
    let r = match enter(state, head, pc, &mut note) {
        Ok(r) => r,
        Err(s) => refused(&s, &mut note),
    };
    Handled::reply(r, note)
}

fn refused(s: &Stop, note: &mut Note) -> Reply {
    note.code = Some(s.code);
    note.reason = Some(crate::redact::reason(&s.why));
    let mut r = page::html(StatusCode::OK, page::error(s.text));
    reply::set_text_header(&mut r, reply::REASON_HEADER, &s.why);
    r
}

fn enter(state: &State, head: &Parts, pc: bool, note: &mut Note) -> Result<Reply, Stop> {
    let q = read(&Params::query(head.uri.query()))?;
    (note.order_no, note.app_id) = (Some(q.order_no.clone()), Some(q.app.clone()));
    let app = super::check_head(state, &q.version, &q.app, Some(&q.nonce)).map_err(|r| bad_request(r.detail))?;
    let url = face::partner_url(&q.url)
        .ok_or_else(|| bad_request("url must be an http(s) URL without spaces or markup (URL-encode it once)"))?;
    let app_field = Field { name: q.app_name, value: &q.app };
    let id_field = Field { name: q.id_name, value: &q.id };
    let f = face::login_fields(app_field, &q.user_id, &q.order_no, &q.version, id_field, &q.nonce);
    let mut tries = vec![(Rule::Login, &f[..], Tickets::Nonce(&q.user_id))];
    if state.config().face_sign == FaceSign::Lenient {
        tries.push((Rule::LoginWithSignTicket, &f[..], Tickets::Sign));
    }
    let (rule, ticket) = super::verify(state, &app, &q.sign, &tries).map_err(|r| {
        // C11, C13 and C14 sign the login with a SIGN ticket: say so when that is what happened.
        let with_sign = [(Rule::LoginWithSignTicket, &f[..], Tickets::Sign)];
        let hint = (state.config().face_sign != FaceSign::Lenient
            && super::verify(state, &app, &q.sign, &with_sign).is_ok())
        .then_some(
            "; this sign is right for a SIGN ticket, where the documented rule (FV-2) wants a NONCE \
             ticket of the userId: fix the client, or start the mock with --face-sign lenient",
        );
        stop(BAD_SIGN_TEXT, r.code.code, format!("{}{}", r.detail, hint.unwrap_or("")))
    })?;
    if rule == Rule::Login && state.config().sign_check == crate::config::SignCheck::Verify {
        state.tokens().consume(&q.app, &ticket, app.now()).map_err(|why| {
            stop(
                BAD_SIGN_TEXT,
                "400105",
                format!("rule tried: {}; the NONCE ticket cannot be used: {why}", rule.name()),
            )
        })?;
    }
    let order = known_order(state, &q)?;
    let login = Login {
        url,
        pc,
        skip_result_page: q.result_type == "1",
        replace: q.redirect_type == "1",
        session: face::new_id(face::Flow::Sdk, state.seed() ^ 0x5e55, state.next_seq()),
        at: app.now(),
    };
    let expired = app.now() - order.created > face::ID_LIFETIME;
    let order = state.faces().log_in(&order.id, login).map_err(|e| match e {
        Refused::LoggedIn | Refused::Completed => stop(
            BAD_SIGN_TEXT,
            "400105",
            format!(
                "{} {} was already used for a login: each id verifies once; get a new one from geth5faceid",
                q.id_name, q.id
            ),
        ),
        Refused::Unknown => stop(face_codes::TIMED_OUT.msg, face_codes::TIMED_OUT.code, "the id is no longer held"),
    })?;
    if expired {
        return Ok(timed_out(state, &order, note));
    }
    let chosen = crate::faces::choose(order.scenario.as_deref(), Some(&app.face), &state.faces().choices);
    match chosen.and_then(|(name, why)| crate::scenarios::face::find(&name).map(|s| (s, why))) {
        Some((s, why)) => {
            (note.scenario, note.scenario_why) = (Some(s.name.to_string()), Some(why.to_string().into()));
            Ok(finish_with(state, app.now(), &order, s, note))
        }
        None => {
            note.code = Some("page");
            let session = order.login.as_ref().map(|l| l.session.as_str()).unwrap_or("");
            Ok(page::html(StatusCode::OK, page::buttons(&order.id, session, FINISH)))
        }
    }
}

/// The verification the URL names, if it belongs to this app, order and user.
fn known_order(state: &State, q: &Query) -> Result<FaceOrder, Stop> {
    let order = state.faces().get(&q.id).filter(|o| o.app == q.app);
    let Some(order) = order else {
        let why = format!("{} {} is unknown to app {} (66660018 无此 ID 的用户身份信息)", q.id_name, q.id, q.app);
        return Err(stop(face_codes::TIMED_OUT.msg, face_codes::TIMED_OUT.code, why));
    };
    if order.order_no != q.order_no || order.user_id != q.user_id {
        let why = format!(
            "orderNo/userId differ from those sent to geth5faceid for {} ({}, {})",
            q.id, order.order_no, order.user_id
        );
        return Err(stop(BAD_SIGN_TEXT, "400105", why));
    }
    Ok(order)
}

/// An id older than 5 minutes: `resultType=1` goes back with `66660018` (guess), else the page says so.
fn timed_out(state: &State, order: &FaceOrder, note: &mut Note) -> Reply {
    let why = "the id is older than 5 minutes (h5faceId 有效期为5分钟)";
    note.code = Some(face_codes::TIMED_OUT.code);
    note.reason = Some(why.into());
    let login = order.login.as_ref().expect("just logged in");
    if login.skip_result_page {
        let to = redirect(state, order, face_codes::TIMED_OUT.code, None, false);
        let mut r = page::redirect(&to);
        reply::set_text_header(&mut r, reply::REASON_HEADER, why);
        return r;
    }
    let mut r = page::html(StatusCode::OK, page::error(face_codes::TIMED_OUT.msg));
    reply::set_text_header(&mut r, reply::REASON_HEADER, why);
    r
}

/// Completes `order` with `s` and answers the redirect (or the result page leading to it).
fn finish_with(state: &State, now: Millis, order: &FaceOrder, s: &FaceScenario, note: &mut Note) -> Reply {
    let order = match state.faces().complete(&order.id, crate::faces::Outcome::of(s, now)) {
        Ok(o) => o,
        Err(_) => return refused(&stop(BAD_SIGN_TEXT, "400105", "this verification has ended already"), note),
    };
    note.code = Some(s.code.code);
    let to = redirect(state, &order, s.code.code, s.live_rate, s.unsigned);
    let login = order.login.as_ref().expect("completed after its login");
    if login.skip_result_page {
        page::redirect(&to)
    } else {
        page::html(StatusCode::OK, page::result(s.page_text, s.code.code == "0", &to, login.replace))
    }
}

/// The partner's `url` with the outcome (§4.4).
fn redirect(state: &State, order: &FaceOrder, code: &str, live_rate: Option<&str>, unsigned: bool) -> String {
    let login = order.login.as_ref().expect("a redirect follows a login");
    let mut params: Vec<(&str, String)> =
        vec![("code", code.to_string()), ("orderNo", order.order_no.clone()), ("h5faceId", order.id.clone())];
    if let Some(ticket) = super::result_ticket(state, &order.app).filter(|_| !unsigned) {
        params.push(("signature", face::old_result_sign(&order.app, &order.order_no, &ticket)));
        let name = if login.pc { "newSign" } else { "newSignature" };
        params.push((name, face::result_sign(&order.app, &order.order_no, code, &ticket)));
    }
    if let Some(l) = live_rate {
        params.push(("liveRate", l.to_string()));
    }
    let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    face::redirect_url(&login.url, &refs)
}

/// `GET /__face/finish?id=…&session=…&scenario=…`: a button of the face page was pressed.
pub(crate) fn finish(state: &State, head: &Parts) -> Handled {
    let mut note = Note::default();
    let p = Params::query(head.uri.query());
    let get = |n: &str| p.text(n).unwrap_or_default();
    let (id, session, name) = (get("id"), get("session"), get("scenario"));
    let order = state.faces().get(&id);
    let r = match (order, crate::scenarios::face::find(&name)) {
        (Some(o), Some(s)) if o.login.as_ref().is_some_and(|l| l.session == session && !session.is_empty()) => {
            (note.order_no, note.app_id, note.scenario) =
                (Some(o.order_no.clone()), Some(o.app.clone()), Some(s.name.into()));
            finish_with(state, super::now_of(state, &o.app), &o, s, &mut note)
        }
        (_, None) => {
            refused(&bad_request(format!("{:?} is not a face scenario", crate::redact::clip(&name))), &mut note)
        }
        _ => refused(&stop(BAD_SIGN_TEXT, "400105", "no login of this id with this session"), &mut note),
    };
    Handled::reply(r, note)
}
