//! Where scenarios meet the OCR pipeline (`src/vendor/ocr/mod.rs`), in this order:
//! 1. [`arrive`], right after the body is read: header, else the next queued entry, else the
//!    default. Infrastructure (replacing faults, gateway and network codes) chosen this way answers
//!    here, before validation: it emulates what stands in front of the service.
//! 2. Validation runs; a refused request is refused whatever the scenario.
//! 3. [`after_decode`]: a marker in the image overrides the default (never a header or queue).
//! 4. [`replacement`]: an error code or a replacing fault answers instead of the recognition.
//! 5. [`deliver`]: latency, slow, truncated, dribbled or hung delivery, with no lock held.

use super::Upload;
use crate::apps::AppState;
use crate::image::marker;
use crate::protocol::catalog::{self, Code};
use crate::protocol::envelope;
use crate::protocol::{Document, Refusal};
use crate::reply::{self, Abort, Note, Reply};
use crate::scenarios::fault::{self, Delivery, Shape};
use crate::scenarios::select::Unknown;
use crate::scenarios::{Choice, Fault, Look, Outcome, Why, HEADER};
use crate::state::State;
use hyper::http::request::Parts;
use hyper::StatusCode;
use std::time::Duration;

/// Pause between two pieces of a dribbled body.
pub const DRIBBLE_PAUSE: Duration = Duration::from_millis(25);

/// An answer, or the connection dropped.
pub(crate) type Answer = Result<Reply, Abort>;

fn unknown(source: &str, u: &Unknown) -> Refusal {
    Refusal {
        code: &catalog::BAD_REQUEST,
        detail: format!(
            "{source} names unknown scenario {:?} (GET /__admin/scenarios lists them: {})",
            u.name, u.known
        ),
    }
}

/// The scenario of a request as it arrives. The queue entry is taken now.
///
/// # Errors
/// `400101` when the `X-Idocr-Scenario` header (or an image marker) names no scenario.
/// `app`'s own scenario settings come before the mock's; unknown apps follow the mock's.
pub(crate) fn arrive(
    state: &State,
    app: Option<&AppState>,
    head: &Parts,
    upload: &mut Upload<'_>,
) -> Result<Choice, Refusal> {
    let header = head.headers.get(HEADER).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let own = app.map(|a| &a.scenarios);
    let choice = state.scenarios().at_arrival(header.as_deref(), own).map_err(|u| unknown("X-Idocr-Scenario", &u))?;
    let document = upload.document();
    if choice.why == Why::Default && choice.scenario.is_infrastructure() {
        // The default would answer before validation; a marker in the image must still win. The
        // image is decoded once: validation uses this decode.
        if let Some(image) = upload.image() {
            if let Some(marked) = from_marker(state, &image.bytes)? {
                return fit(state, marked, document);
            }
        }
    }
    fit(state, choice, document)
}

/// `choice`, when it serves `document`'s requests. A scenario of the other card gives way to the
/// built-in `success` when it is the default (which serves both endpoints), and is refused when
/// the request asked for it (header, queue, marker): the partner asked for what cannot happen.
///
/// # Errors
/// `400101` naming the scenario, the card it is for, and the request's.
pub(crate) fn fit(state: &State, choice: Choice, document: Document) -> Result<Choice, Refusal> {
    let Some(meant) = choice.scenario.document.filter(|d| *d != document) else { return Ok(choice) };
    if choice.why == Why::Default {
        let success = state.scenarios().catalog().get(crate::scenarios::DEFAULT).expect("success is built in").clone();
        return Ok(Choice::in_place_of(&choice, success, meant));
    }
    let source = match choice.why {
        Why::Header => "X-Idocr-Scenario names",
        Why::Queue => "the next queued entry is",
        _ => "the image's idocr-mock marker names",
    };
    Err(Refusal {
        code: &catalog::BAD_REQUEST,
        detail: format!(
            "{source} scenario {:?}, which is for {}s; this {} request takes one for {}s or for both (idocr-mock scenarios --json lists each one's document)",
            choice.name(),
            meant.label(),
            document.endpoint(),
            document.label()
        ),
    })
}

fn from_marker(state: &State, image: &[u8]) -> Result<Option<Choice>, Refusal> {
    let bad = |detail: String| Refusal { code: &catalog::BAD_REQUEST, detail };
    let Some(found) = marker::find(image) else { return Ok(None) };
    let m = found.map_err(bad)?;
    let pin = crate::scenarios::catalog::pin(m.name, m.idcard)
        .map_err(|e| bad(format!("the image's idocr-mock marker: {e}")))?;
    state.scenarios().by_marker(&m.scenario, pin).map(Some).map_err(|u| unknown("the image's idocr-mock marker", &u))
}

/// After the image is decoded: its marker, if any, replaces a default choice.
///
/// # Errors
/// `400101` for a marker that is unreadable, names no scenario or pins an invalid number.
pub(crate) fn after_decode(state: &State, choice: Choice, image: &[u8], document: Document) -> Result<Choice, Refusal> {
    // A default that gave way is still the default: a marker wins over it.
    if choice.why != Why::Default {
        return Ok(choice);
    }
    match from_marker(state, image)? {
        Some(marked) => fit(state, marked, document),
        None => Ok(choice),
    }
}

/// Notes the choice for the log and the journal.
pub(crate) fn note(choice: &Choice, note: &mut Note) {
    note.scenario = Some(choice.name().to_string());
    note.scenario_why = Some(choice.why_text());
}

/// Infrastructure that answers before validation: `Some` when `choice` is such and was not
/// chosen by a marker (a marker is only read once the image is decoded).
pub(crate) fn before_validation(
    state: &State,
    app: Option<&AppState>,
    choice: &Choice,
    note: &mut Note,
) -> Option<Answer> {
    if choice.why != Why::Marker && choice.scenario.is_infrastructure() {
        replacement(state, app, choice, note)
    } else {
        None
    }
}

/// The answer that replaces the recognition: an error code (stamped on `app`'s clock), or a
/// replacing fault.
pub(crate) fn replacement(state: &State, app: Option<&AppState>, choice: &Choice, note: &mut Note) -> Option<Answer> {
    match &choice.scenario.outcome {
        Outcome::Error(code) => Some(Ok(error_reply(state, app, code, choice, note))),
        Outcome::Fault(f) if f.replaces_answer() => {
            note.reason = Some(format!("scenario {} ({}): fault {}", choice.name(), choice.why_text(), f.as_str()));
            Some(f.answer())
        }
        _ => None,
    }
}

fn error_reply(state: &State, app: Option<&AppState>, code: &'static Code, choice: &Choice, note: &mut Note) -> Reply {
    let msg = envelope::message(code, None, state.config().legacy_texts());
    let why = format!("scenario {} ({})", choice.name(), choice.why_text());
    let r = reply::vendor_error(StatusCode::OK, code, &msg, &state.stamp_for(app), &why);
    note.code = Some(code.code);
    note.reason = Some(why);
    r
}

/// How a success looks under `choice` (delivery faults answer the usual clean success).
pub(crate) fn look(choice: &Choice) -> Look {
    match &choice.scenario.outcome {
        Outcome::Success(look) => look.clone(),
        _ => Look::clean(),
    }
}

fn delivery(state: &State, choice: &Choice) -> Delivery {
    let mut d = Delivery { delay: choice.scenario.latency, shape: Shape::Whole };
    match choice.scenario.outcome {
        Outcome::Fault(Fault::Slow) => d.delay += state.config().slow_delay,
        Outcome::Fault(Fault::Hang) => d = Delivery { delay: state.config().hang_for, shape: Shape::Hang },
        Outcome::Fault(Fault::TruncatedJson) => d.shape = Shape::Truncated,
        Outcome::Fault(Fault::Dribble) => d.shape = Shape::Dribbled { pause: DRIBBLE_PAUSE },
        _ => {}
    }
    d
}

/// Names the scenario in the response header, then waits and sends as the scenario says. A held
/// fault (`hang`, `slow`, `dribble`) takes a slot of `--max-held`; with none left it is answered at
/// once with HTTP 503 and `999999`, so held connections never take the slots everyone else needs.
pub(crate) async fn deliver(state: &State, choice: Option<&Choice>, answer: Answer, note: &mut Note) -> Answer {
    let Some(choice) = choice else { return answer };
    let answer = answer.map(|mut r| {
        reply::set_text_header(&mut r, HEADER, choice.name());
        r
    });
    let delivery = delivery(state, choice);
    let hold = match choice.scenario.outcome {
        Outcome::Fault(f @ (Fault::Hang | Fault::Slow | Fault::Dribble)) => match state.hold() {
            Ok(slot) => Some(slot),
            Err(first) => return Ok(held_refused(state, choice, f, first, note)),
        },
        _ => None,
    };
    if delivery.shape == Shape::Hang {
        // The request is journaled and logged when it ends, also when the client gives up first.
        tracing::info!(
            "scenario hang ({}): holding the connection, no answer, until the client gives up or {} ms pass",
            choice.why_text(),
            delivery.delay.as_millis()
        );
    }
    fault::deliver(answer, delivery, hold).await
}

/// HTTP 503 with `999999` for a held fault past `--max-held`; the first one since a slot was
/// last free says so in the log.
fn held_refused(state: &State, choice: &Choice, fault: Fault, first: bool, note: &mut Note) -> Reply {
    let max = state.config().max_held();
    let why = format!(
        "scenario {} ({}): {max} held faults already in progress (--max-held {max}); {} answered at once with 503 instead",
        choice.name(),
        choice.why_text(),
        fault.as_str()
    );
    if first {
        tracing::warn!("--max-held reached: {max} held faults (hang, slow, dribble) in progress; more are answered at once with HTTP 503 and code 999999 until one ends");
    }
    let code = &catalog::NETWORK_999999;
    // Closed after the answer: a client that asked for a held fault gets its slot back at once.
    let mut r =
        reply::closing(reply::vendor_error(StatusCode::SERVICE_UNAVAILABLE, code, code.msg, &state.stamp(), &why));
    reply::set_text_header(&mut r, HEADER, choice.name());
    note.code = Some(code.code);
    note.reason = Some(why);
    r
}
