//! `GET /api/oauth2/access_token` and `GET /api/oauth2/api_ticket` (docs/protocol.md §4.1, §4.2),
//! read top to bottom as the checks happen: parameters → grant_type/type → version → app →
//! secret or token → issue. Refusals use the §4.3 codes of the catalog, HTTP 200, with the
//! reason in the log and the `X-Idocr-Mock-Reason` header (secrets and tokens masked).

use crate::apps::AppState;
use crate::clock;
use crate::config::ExpireIn;
use crate::protocol::catalog::{self, Code};
use crate::protocol::envelope::{Stamp, SuccessHead};
use crate::protocol::fields;
use crate::protocol::query::{self, Plus};
use crate::protocol::Refusal;
use crate::reply::{self, Handled, Note};
use crate::state::State;
use crate::tokens::{Issued, Kind, TokenProblem};
use crate::vendor::ocr;
use hyper::StatusCode;
use serde::Serialize;
use serde_json::Value;

/// The query's parameters (see [`query`]); `+` stays `+`: tokens never contain it, and a secret
/// sent unencoded may.
pub(crate) fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    query::parse(q.unwrap_or(""), Plus::Literal)
}

/// The first value of the first of `names` that is present.
fn param<'a>(params: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|n| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str()))
}

fn required<'a>(params: &'a [(String, String)], names: &[&str]) -> Result<&'a str, Refusal> {
    param(params, names).filter(|v| !v.is_empty()).ok_or_else(|| {
        refusal(&catalog::BAD_REQUEST, format!("Required String parameter '{}' is not present", names[0]))
    })
}

fn refusal(code: &'static Code, detail: String) -> Refusal {
    Refusal { code, detail }
}

/// `GET /api/oauth2/access_token`.
pub(crate) fn access_token(state: &State, query: Option<&str>) -> Handled {
    answer(state, query, issue_token, |issued, stamp| {
        ok(&TokenBody {
            head: SuccessHead::new(stamp),
            access_token: &issued.value,
            expire_in: expire_in(state, issued.seconds),
            expire_time: clock::compact(stamp.at + issued.seconds * 1000),
        })
    })
}

/// What an endpoint's checks end in: what was issued and the stamp of its answer, or the refusal.
type Issuance = Result<(Issued, Stamp), Refusal>;

/// One endpoint's checks and issuance, given the app the query named (if the mock knows it).
type Issue = fn(&State, Option<&AppState>, &[(String, String)]) -> Issuance;

/// What both endpoints do around their checks: read the query, note the app, and answer the
/// issued token or ticket with `render`, or the refusal in the vendor's envelope.
fn answer(
    state: &State,
    query: Option<&str>,
    issue: Issue,
    render: impl FnOnce(&Issued, &Stamp) -> reply::Reply,
) -> Handled {
    let params = parse_query(query);
    let named = param(&params, &["app_id", "appId"]);
    let mut note = Note { app_id: named.map(str::to_string), ..Note::default() };
    // The app is found once, here; an unknown one is refused where the checks reach the app.
    let app = named.and_then(|id| state.app(id));
    if let Some(app) = &app {
        app.note(&mut note);
    }
    match issue(state, app.as_deref(), &params) {
        Ok((issued, stamp)) => {
            note.code = Some(catalog::SUCCESS.code);
            Handled::reply(render(&issued, &stamp), note)
        }
        Err(r) => Handled::reply(ocr::refuse_for(state, app.as_deref(), &r, &mut note), note),
    }
}

fn issue_token(state: &State, found: Option<&AppState>, params: &[(String, String)]) -> Issuance {
    let app = required(params, &["app_id", "appId"])?;
    let secret = required(params, &["secret"])?;
    let grant = required(params, &["grant_type"])?;
    let version = required(params, &["version"])?;
    if grant != "client_credential" {
        return Err(refusal(&catalog::BAD_REQUEST, format!("grant_type must be client_credential, not {grant:?}")));
    }
    fields::check_version(version)?;
    let found = found.ok_or_else(|| state.unknown_app(app))?;
    match state.tokens().secret_matches(app, secret) {
        None => return Err(state.unknown_app(app)),
        Some(false) => {
            let detail = format!("wrong secret for app {app} (received {})", crate::redact::mask(secret));
            return Err(refusal(&catalog::NO_PERMISSION, detail));
        }
        Some(true) => {}
    }
    let stamp = state.stamp_for(Some(found));
    let issued = state.tokens().issue_token(app, stamp.at).ok_or_else(|| state.unknown_app(app))?;
    Ok((issued, stamp))
}

/// `GET /api/oauth2/api_ticket`.
pub(crate) fn api_ticket(state: &State, query: Option<&str>) -> Handled {
    answer(state, query, issue_ticket, |issued, stamp| {
        ok(&TicketBody {
            head: SuccessHead::new(stamp),
            tickets: [TicketItem {
                value: &issued.value,
                expire_in: expire_in(state, issued.seconds),
                expire_time: clock::compact(stamp.at + issued.seconds * 1000),
            }],
        })
    })
}

fn issue_ticket(state: &State, found: Option<&AppState>, params: &[(String, String)]) -> Issuance {
    let app = required(params, &["app_id", "appId"])?;
    let token = required(params, &["access_token"])?;
    let kind = required(params, &["type"])?;
    let version = required(params, &["version"])?;
    let kind = Kind::parse(kind).ok_or_else(|| {
        refusal(&catalog::BAD_REQUEST, format!("type must be SIGN or NONCE (upper case), not {kind:?}"))
    })?;
    let user_id = match kind {
        Kind::Nonce => Some(check_user_id(required(params, &["user_id", "userId"])?)?),
        Kind::Sign => None,
    };
    fields::check_version(version)?;
    let found = found.ok_or_else(|| state.unknown_app(app))?;
    let stamp = state.stamp_for(Some(found));
    match state.tokens().issue_ticket(app, token, kind, user_id, stamp.at) {
        Ok(issued) => Ok((issued, stamp)),
        Err(TokenProblem::UnknownApp) => Err(state.unknown_app(app)),
        Err(TokenProblem::Token(why)) => Err(refusal(&catalog::TOKEN_EXPIRED, why)),
    }
}

fn check_user_id(user_id: &str) -> Result<&str, Refusal> {
    if !user_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(refusal(&catalog::BAD_REQUEST, "user_id must not contain special characters".into()));
    }
    if user_id.chars().count() > 30 {
        let n = user_id.chars().count();
        return Err(refusal(&catalog::BAD_REQUEST, format!("user_id is {n} characters; at most 30")));
    }
    Ok(user_id)
}

fn expire_in(state: &State, seconds: i64) -> Value {
    match state.config().expire_in {
        ExpireIn::Number => Value::from(seconds),
        ExpireIn::String => Value::from(seconds.to_string()),
    }
}

#[derive(Serialize)]
struct TokenBody<'a> {
    #[serde(flatten)]
    head: SuccessHead<'a>,
    access_token: &'a str,
    expire_in: Value,
    expire_time: String,
}

#[derive(Serialize)]
struct TicketBody<'a> {
    #[serde(flatten)]
    head: SuccessHead<'a>,
    tickets: [TicketItem<'a>; 1],
}

#[derive(Serialize)]
struct TicketItem<'a> {
    value: &'a str,
    expire_in: Value,
    expire_time: String,
}

fn ok(body: &impl Serialize) -> reply::Reply {
    reply::json(StatusCode::OK, serde_json::to_vec(body).expect("plain strings and numbers serialise"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_parser_is_lenient_about_encoding_order_and_extras() {
        let p = parse_query(Some("secret=a%2Bb+c&appId=TIDA&x&grant_type=client_credential&bad=%zz%E4"));
        assert_eq!(param(&p, &["app_id", "appId"]), Some("TIDA"));
        assert_eq!(param(&p, &["secret"]), Some("a+b+c"));
        assert_eq!(param(&p, &["x"]), Some(""));
        assert_eq!(param(&p, &["bad"]), Some("%zz%E4"), "undecodable values stay raw");
        assert!(parse_query(None).is_empty());
    }

    #[test]
    fn user_ids_are_at_most_30_plain_characters() {
        assert!(check_user_id("user_01-a").is_ok());
        assert!(check_user_id(&"u".repeat(31)).is_err());
        assert!(check_user_id("u<script>").is_err());
    }
}
