//! The face-verification endpoints of PROTOCOL-FACE.md §1: [`faceid`] (geth5faceid, getfaceid,
//! getAdvFaceId), [`login`] (the H5 login URL, the mock's face page and the redirect back),
//! [`query`] (queryfacerecord, sync, queryphotoinfo). This file holds what they share: reading
//! the parameters of a JSON body or a query, the sign check that names the rule it tried, the
//! outcome of a face scenario, and the placeholder photo and video.

pub(crate) mod faceid;
pub(crate) mod login;
mod page;
pub(crate) mod query;

use crate::apps::AppState;
use crate::config::{FaceSign, SignCheck};
use crate::faces::FaceOrder;
use crate::protocol::face::{self, Rule};
use crate::protocol::sign::{self, Candidate, Field, Verdict};
use crate::protocol::{catalog, Refusal};
use crate::state::State;
use crate::tokens::Kind;
use serde_json::Value;
use std::sync::Arc;

/// The parameters of one request, from a JSON object or a query string, as text: strings as
/// they are, numbers and booleans written out (C20 sends `getFile` as a number); arrays, objects
/// and nulls are kept as their kind, refused when the field is read.
pub(crate) struct Params {
    pairs: Vec<(String, Result<String, &'static str>)>,
}

impl Params {
    /// A JSON object body.
    ///
    /// # Errors
    /// `400101`: not JSON, too deep, or not an object.
    pub(crate) fn json(body: &[u8]) -> Result<Self, Refusal> {
        if crate::protocol::depth::json_too_deep(body, 64).is_some() {
            return Err(Refusal::bad_request("JSON nested too deep"));
        }
        let map: serde_json::Map<String, Value> = serde_json::from_slice(body)
            .map_err(|e| Refusal::bad_request(format!("JSON parse error: {}", crate::redact::clip(&e.to_string()))))?;
        let text = |v: Value| match v {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Null => Err("null"),
            Value::Array(_) => Err("an array"),
            Value::Object(_) => Err("an object"),
        };
        Ok(Params { pairs: map.into_iter().map(|(k, v)| (k, text(v))).collect() })
    }

    /// A query string (`+` is a space).
    pub(crate) fn query(query: Option<&str>) -> Self {
        let pairs = crate::protocol::query::parse(query.unwrap_or(""), crate::protocol::query::Plus::Space);
        Params { pairs: pairs.into_iter().map(|(k, v)| (k, Ok(v))).collect() }
    }

    /// The value of `name`, if sent (the last one wins, as Jackson keeps it).
    ///
    /// # Errors
    /// `400101` when it is not a string or a number.
    pub(crate) fn get(&self, name: &str) -> Result<Option<&str>, Refusal> {
        match self.pairs.iter().rev().find(|(k, _)| k == name) {
            None => Ok(None),
            Some((_, Ok(v))) => Ok(Some(v)),
            Some((_, Err(kind))) => {
                Err(Refusal::bad_request(format!("Parameter '{name}' must be a string, not {kind}")))
            }
        }
    }

    /// The value of `name`, which must be sent and not empty.
    ///
    /// # Errors
    /// `400101` `Missing parameter '<name>'`.
    pub(crate) fn need(&self, name: &str) -> Result<String, Refusal> {
        match self.get(name)? {
            Some(v) if !v.is_empty() => Ok(v.to_string()),
            _ => Err(Refusal::bad_request(format!("Missing parameter '{name}'"))),
        }
    }

    /// The first of `names` that was sent and is not empty, with the name it came under.
    ///
    /// # Errors
    /// `400101` naming the first of `names`.
    pub(crate) fn need_one(&self, names: &[&'static str]) -> Result<(&'static str, String), Refusal> {
        for n in names {
            if let Some(v) = self.get(n)?.filter(|v| !v.is_empty()) {
                return Ok((n, v.to_string()));
            }
        }
        Err(Refusal::bad_request(format!("Missing parameter '{}'", names[0])))
    }

    /// `name`, or `""` when not sent.
    ///
    /// # Errors
    /// `400101` when it is not a string or a number.
    pub(crate) fn text(&self, name: &str) -> Result<String, Refusal> {
        Ok(self.get(name)?.unwrap_or("").to_string())
    }
}

/// The common checks of a face call, in the OCR endpoint's order: version → app → nonce.
///
/// # Errors
/// `400502`, `400104`, `400101`.
pub(crate) fn check_head(
    state: &State,
    version: &str,
    app: &str,
    nonce: Option<&str>,
) -> Result<Arc<AppState>, Refusal> {
    crate::protocol::fields::check_version(version)?;
    let app = state.known_app(app)?;
    if let Some(n) = nonce {
        crate::protocol::fields::check_nonce(n)?;
    }
    Ok(app)
}

/// `orderNo`: too long is `66660000` (bank-card list, guess here), other characters `400101`.
///
/// # Errors
/// As above.
pub(crate) fn check_order_no(name: &str, order_no: &str) -> Result<(), Refusal> {
    if order_no.len() > 32 {
        return Err(Refusal::too_long(format!("{name} is longer than 32 characters ({})", order_no.len())));
    }
    if !face::order_no_ok(order_no) {
        return Err(Refusal::bad_request(format!("{name} must be letters, digits, '_' or '-'")));
    }
    Ok(())
}

/// Which tickets a rule is checked against.
#[derive(Clone, Copy)]
pub(crate) enum Tickets<'u> {
    Sign,
    /// The live NONCE tickets bound to this `userId`.
    Nonce(&'u str),
}

/// The candidates of `tickets` for `app`.
pub(crate) fn candidates<'a>(state: &'a State, app: &'a AppState, tickets: Tickets<'_>) -> Vec<Candidate<'a>> {
    match tickets {
        Tickets::Sign => state.sign_candidates(app),
        Tickets::Nonce(user) => state.tokens().candidates(app.id(), Kind::Nonce, Some(user), app.now()),
    }
}

/// Checks `received` against each `(rule, values, tickets)` in turn; the first that matches wins.
/// Returns the rule and the ticket that matched.
///
/// # Errors
/// `400105`, the detail naming every rule tried and the first one's diagnosis (for the reason
/// header and the journal).
pub(crate) fn verify(
    state: &State,
    app: &AppState,
    received: &str,
    tries: &[(Rule, &[Field<'_>], Tickets<'_>)],
) -> Result<(Rule, String), Refusal> {
    if state.config().sign_check == SignCheck::Off {
        return Ok((tries[0].0, String::new()));
    }
    let mut first = None;
    for (rule, fields, tickets) in tries {
        let cands = candidates(state, app, *tickets);
        match sign::verify(fields, &[], received, &cands, state.config().sign_case) {
            Verdict::Valid { ticket } => return Ok((*rule, cands[ticket].value.to_string())),
            Verdict::Refused(d) => {
                let text = if matches!(tickets, Tickets::Nonce(_)) { d.for_nonce() } else { d.to_string() };
                first.get_or_insert(text);
            }
        }
    }
    let names: Vec<&str> = tries.iter().map(|(r, _, _)| r.name()).collect();
    let detail = format!("rule tried: {}; {}", names.join(" | "), first.unwrap_or_default());
    Err(Refusal { code: &catalog::AUTH_FAILED, detail })
}

/// Whether getfaceid/getAdvFaceId also take the variants real clients send.
pub(crate) fn lenient_faceid(state: &State) -> bool {
    state.config().face_sign != FaceSign::Strict
}

/// The ticket the service signs a result with (see [`face::result_ticket`]).
pub(crate) fn result_ticket(state: &State, app_id: &str) -> Option<String> {
    state.app(app_id).and_then(|app| face::result_ticket(&state.sign_candidates(&app)))
}

/// Now on the clock of app `app_id` (its own once moved, else the mock's); the mock's for an
/// app that is gone.
pub(crate) fn now_of(state: &State, app_id: &str) -> crate::clock::Millis {
    state.app(app_id).map_or_else(|| state.clock().now(), |a| a.now())
}

/// The seed of an order's generated photo and video.
fn media_seed(state: &State, order: &FaceOrder) -> u64 {
    face::media_seed(state.seed(), &order.id)
}

/// The verified person's photo: a generated JPEG portrait, never a real face.
fn photo(seed: u64) -> Vec<u8> {
    crate::image::face_photo(seed)
}

/// The liveness video: a generated two-second MP4 of that portrait blinking.
fn video(seed: u64) -> Vec<u8> {
    crate::image::face_video(seed)
}

/// `host[:port]` from a `Host` header or `--face-domain`: letters, digits, `.`, `-`, `:`, `[`, `]`.
fn domain_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

/// `optimalDomain`: `--face-domain`, else the `Host` the partner reached the mock at.
pub(crate) fn optimal_domain(state: &State, head: &hyper::http::request::Parts) -> String {
    if let Some(d) = &state.config().face_domain {
        return d.clone();
    }
    let host = head
        .headers
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or(head.uri.authority().map(|a| a.as_str()));
    host.filter(|h| domain_ok(h)).unwrap_or("127.0.0.1").to_string()
}
