//! The OCR pipeline of both card kinds: `POST /api/paas/idcardocrapp` (and its old name
//! `/api/paas/ocrapp`) and `POST /api/paas/bankcardocrapp`, read top to bottom as the service checks
//! a request: content type → JSON → required fields → version → app → nonce, orderNo, userId →
//! sign → cardType (ID cards) → image → recognition. The first failure answers, HTTP 200, in the
//! vendor's envelope; why is in the log and the `X-Idocr-Mock-Reason` header. What differs by
//! [`Document`] is the image field, the unsigned fields, and the success body ([`bankcard`]).

pub(crate) mod bankcard;
pub(crate) mod request;
pub(crate) mod response;
pub mod scenario;

use crate::apps::AppState;
use crate::config::SignCheck;
use crate::identity;
use crate::image::stream::Received;
use crate::image::{self, Decoded, ImageProblem, LineBreaks};
use crate::protocol::catalog;
use crate::protocol::envelope;
use crate::protocol::sign::{self, Verdict};
use crate::reply::{self, BodyKept, Handled, Note};
use crate::scenarios::Choice;
use crate::seed::{fnv1a, mix};
use crate::state::State;
use bytes::Bytes;
use hyper::http::request::Parts;
use hyper::StatusCode;
use request::{Document, Fields, Loose, Refusal, Side};
use response::{Recognition, Success};
use scenario::Answer;
use std::borrow::Cow;
use std::sync::Arc;

/// Handles one recognition request of `document` whose body has been read; a scenario may delay,
/// reshape or replace the answer (see `scenarios::apply` for where each kind applies).
pub async fn handle(state: &State, head: &Parts, body: &Bytes, document: Document) -> Handled {
    let (received, decoded) = Received::of(body.clone(), document.image_field(), state.config().image_cap);
    let (mut handled, chosen) = decide(state, head, &received, decoded, document);
    handled.outcome = scenario::deliver(state, chosen.as_ref(), handled.outcome, &mut handled.note).await;
    handled
}

/// [`handle`] up to the answer, without its delivery: the answer and the scenario that says how
/// it travels (the caller delivers it with `scenario::deliver`, its note kept aside). `decoded`
/// is the image the body reader decoded as the body arrived, if it split the body.
pub(crate) fn decide(
    state: &State,
    head: &Parts,
    body: &Received,
    decoded: Option<Vec<u8>>,
    document: Document,
) -> (Handled, Option<Choice>) {
    let mut note = Note::default();
    let mut upload = Upload::new(body, decoded, document, state.config().line_breaks);
    // The app is found once, here: its scenario settings apply from the first stage, its clock
    // to every time written; an unknown one is refused (400104) where the checks reach the app.
    let app = upload.app_id().and_then(|id| state.app(id));
    if let Some(app) = &app {
        app.note(&mut note);
    }
    let (outcome, choice) = match recognise(state, app.as_ref(), head, &mut upload, &mut note) {
        Ok((answer, choice)) => (answer, Some(choice)),
        Err(refusal) => {
            // A refused request is refused whatever the scenario: none applied, none claimed.
            note.scenario = None;
            note.scenario_why = Some("none applied: refused before the scenario stage".into());
            (Ok(refuse_for(state, app.as_deref(), &refusal, &mut note)), None)
        }
    };
    // The pipeline summarises what it parsed and decoded; a body refused before that, here.
    if state.journal().is_on() && note.body.is_none() {
        note.body = Some(upload.summary());
    }
    (Handled { outcome, note }, choice)
}

/// The request body, parsed at most once and its image decoded at most once, by whichever stage
/// needs them first: the scenario stage may read an image's marker before validation (when the
/// default scenario is infrastructure), and validation then uses the same parse and decode. A large
/// body's image was decoded as it arrived ([`request::parse_upload`]: one pass over 3 MB).
pub(crate) struct Upload<'a> {
    body: &'a Received,
    /// The image decoded as the body arrived, until the parse takes it.
    decoded: Option<Vec<u8>>,
    document: Document,
    breaks: LineBreaks,
    fields: Option<Result<Fields<'a>, Refusal>>,
    image: Option<Result<Decoded, ImageProblem>>,
}

impl<'a> Upload<'a> {
    fn new(body: &'a Received, decoded: Option<Vec<u8>>, document: Document, breaks: LineBreaks) -> Self {
        Upload { body, decoded, document, breaks, fields: None, image: None }
    }

    /// The card the endpoint reads.
    pub(crate) fn document(&self) -> Document {
        self.document
    }

    /// The body parsed (now, or earlier).
    fn parsed(&mut self) -> &mut Result<Fields<'a>, Refusal> {
        if self.fields.is_none() {
            let (fields, image) = request::parse_upload(self.body, self.decoded.take(), self.document);
            self.fields = Some(fields);
            if image.is_some() {
                self.image = image;
            }
        }
        self.fields.as_mut().expect("parsed just now")
    }

    /// The decoded image, if the body parses and its image decodes (no cap, no order of checks:
    /// for reading a marker only).
    pub(crate) fn image(&mut self) -> Option<&Decoded> {
        let breaks = self.breaks;
        self.parsed();
        let f = self.fields.as_ref()?.as_ref().ok()?;
        if self.image.is_none() {
            self.image = Some(image::decode(f.image.sent()?, breaks));
        }
        self.image.as_ref()?.as_ref().ok()
    }

    /// The app id the body names, if it parses (the parse is kept for validation).
    fn app_id(&mut self) -> Option<&str> {
        self.parsed().as_ref().ok().map(|f| &*f.app_id)
    }

    /// What the journal keeps of the body, for a request refused before its image was summarised,
    /// or small enough to be kept as it came.
    fn summary(&mut self) -> BodyKept {
        // A whole body is kept or summarised from its bytes: no parse (the pipeline has taken
        // its parse by now, and parsing again cost a small call an eighth of its instructions).
        // A split one is parsed, for the image it decoded (or rebuilt whole by the parse).
        if self.body.whole().is_none() {
            self.parsed();
        }
        let field = self.document.image_field();
        match (self.body.whole(), self.body.split()) {
            (Some(whole), _) => crate::journal::keep_body(whole),
            // Split, and the split used: the rest of the body, and the image it decoded to.
            (None, Some(split)) => {
                let image = self.image.as_ref().map(Result::as_ref);
                let text = crate::journal::summarise_split(self.body.len(), &split.rest, field, split.text_len, image);
                BodyKept::Summary(text)
            }
            (None, None) => crate::journal::keep_body(&[]),
        }
    }

    /// The parsed fields, taken for validation.
    fn take_fields(&mut self) -> Result<Fields<'a>, Refusal> {
        self.parsed();
        self.fields.take().expect("parsed just now")
    }

    /// The image of `f` as [`request::check_decoded`] checks it: decoded earlier, or now.
    fn take_image(&mut self, f: &Fields<'_>, cap: usize) -> Result<Decoded, Refusal> {
        let (earlier, breaks) = (self.image.take(), self.breaks);
        let mut problem = None;
        let checked = request::check_decoded(f, cap, || {
            let image = match (earlier, f.image.sent()) {
                (Some(decoded), _) => decoded,
                (None, Some(text)) => image::decode(text, breaks),
                // An image decoded as it arrived is handed over with the parse and taken once.
                (None, None) => Err(ImageProblem::NotBase64("decoded as it arrived and already used (a bug)".into())),
            };
            problem = image.as_ref().err().cloned();
            image
        });
        // Kept for the journal's summary of the refused request.
        self.image = problem.map(Err);
        checked
    }
}

/// Validation, the scenario stage and the recognition: the answer, and the scenario that shapes
/// its delivery.
fn recognise(
    state: &State,
    app: Option<&Arc<AppState>>,
    head: &Parts,
    upload: &mut Upload<'_>,
    note: &mut Note,
) -> Result<(Answer, Choice), Refusal> {
    let (body_len, document) = (upload.body.len(), upload.document);
    let app = app.cloned();
    let arrived = scenario::arrive(state, app.as_deref(), head, upload)?;
    scenario::note(&arrived, note);
    if let Some(answer) = scenario::before_validation(state, app.as_deref(), &arrived, note) {
        return Ok((answer, arrived));
    }
    let content_type = head.headers.get(hyper::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    request::check_content_type(content_type)?;
    let f = upload.take_fields()?;
    note.order_no = Some(f.order_no.to_string());
    note.app_id = Some(f.app_id.to_string());
    if let Some(q) = query_order_no(head).filter(|q| q != &f.order_no) {
        tracing::info!(order_no = %crate::redact::escaped(&f.order_no), query_order_no = %crate::redact::escaped(&q), "?orderNo= in the URL differs from the body's orderNo (the body's is used)");
    }
    request::check_version(&f)?;
    let app = app.ok_or_else(|| state.unknown_app(&f.app_id))?;
    request::check_fields(&f)?;
    let ticket = verify_sign(state, &app, &f)?;
    let card_side = request::check_side(&f)?;
    let image = upload.take_image(&f, state.config().image_cap)?;
    // A small body is kept as it came, by `decide` once the answer is known.
    if state.journal().is_on() && !upload.body.whole().is_some_and(crate::journal::keeps_whole) {
        note.body = Some(BodyKept::Summary(summarise(&f, &image, body_len)));
    }
    let choice = scenario::after_decode(state, arrived, &image.bytes, document)?;
    scenario::note(&choice, note);
    let side = card_side.or(choice.scenario.side).unwrap_or(Side::Front);
    crate::orders::check_duplicate(state.orders(), state.config().duplicate_orders, &f.app_id, &f.order_no, side)?;
    if let Some(answer) = scenario::replacement(state, Some(&app), &choice, note) {
        // A recognition error is a result of the order too: getOcrResult shows its code.
        if let (Some(code), Ok(_)) = (note.code, &answer) {
            if code.starts_with("6666") || code.starts_with("-90") || code == catalog::CRYPTO_FAILED.code {
                let answer = crate::orders::SideAnswer::error(code);
                note.stored = crate::orders::record(
                    state.orders(),
                    app.now(),
                    state.config().duplicate_orders,
                    &f.app_id,
                    &f.order_no,
                    side,
                    answer,
                    image,
                )?;
            }
        }
        return Ok((answer, choice));
    }
    let reply = match document {
        Document::IdCard => succeed(state, &app, &f, &ticket, side, &choice, note, image)?,
        Document::BankCard => bankcard::succeed(state, &app, &f, &choice, note, image)?,
    };
    Ok((Ok(reply), choice))
}

/// The success answer, shaped by the scenario's look (warnings, clarity, kind of person, pin).
///
/// # Errors
/// A duplicate side under `--reject-duplicate-orders`, found as the result is stored.
#[allow(clippy::too_many_arguments)]
fn succeed(
    state: &State,
    app: &AppState,
    f: &Fields<'_>,
    ticket: &str,
    side: Side,
    choice: &Choice,
    note: &mut Note,
    image: Decoded,
) -> Result<reply::Reply, Refusal> {
    let look = scenario::look(choice);
    let stamp = state.stamp_for(Some(app));
    let key = format!("{}/{}", f.app_id, f.order_no);
    let today = crate::clock::date(stamp.at);
    let person = identity::generate(state.seed(), &key, look.profile, today, &choice.pin);
    let clarity = look.clarity.unwrap_or(60 + (mix(state.seed() ^ fnv1a(&key)) % 31) as u8);
    let recognition = Recognition { warning: look.warning.clone(), multi_warning: look.warning, clarity };
    let ocr_id = envelope::ocr_id(state.seed(), state.next_seq());
    let result_sign = sign::sign(&[&f.app_id, &f.order_no], ticket);
    note.code = Some(catalog::SUCCESS.code);
    let body = response::render(&Success {
        stamp: &stamp,
        ocr_id: &ocr_id,
        order_no: &f.order_no,
        side,
        person: &person,
        recognition: &recognition,
        sign: &result_sign,
        native: f.get_native,
    });
    let answer = crate::orders::SideAnswer {
        code: catalog::SUCCESS.code,
        fields: response::card_fields(&person, side),
        warning: recognition.warning,
        multi_warning: recognition.multi_warning,
        clarity: recognition.clarity.to_string(),
    };
    note.stored = crate::orders::record(
        state.orders(),
        stamp.at,
        state.config().duplicate_orders,
        &f.app_id,
        &f.order_no,
        side,
        answer,
        image,
    )?;
    Ok(reply::json(StatusCode::OK, body))
}

/// Checks the sign against every live SIGN ticket of the app; returns the ticket that matched.
fn verify_sign(state: &State, app: &AppState, f: &Fields<'_>) -> Result<String, Refusal> {
    let candidates = state.sign_candidates(app);
    if state.config().sign_check == SignCheck::Off {
        return Ok(candidates.first().map(|c| c.value.to_string()).unwrap_or_default());
    }
    // FV-5 (bankcardocrapp) is TV-1 (idcardocrapp): one value set for both cards.
    let signed = sign::signed::ocr(f.app_id_name, &f.app_id, &f.order_no, &f.nonce, &f.version);
    let unsigned = sign::signed::ocr_unsigned(f.user_id.as_deref().unwrap_or(""), f.card_type.as_deref().unwrap_or(""));
    match sign::verify(&signed, &unsigned, &f.sign, &candidates, state.config().sign_case) {
        Verdict::Valid { ticket } => Ok(candidates[ticket].value.to_string()),
        Verdict::Refused(diagnosis) => {
            let rule = rule_tried(f.document.endpoint(), &signed);
            Err(Refusal { code: &catalog::AUTH_FAILED, detail: format!("{diagnosis}; {rule}") })
        }
    }
}

/// The sign rule a refusal names: the endpoint and its signed fields, under the names the request
/// used.
pub(crate) fn rule_tried(endpoint: &str, signed: &[sign::Field<'_>]) -> String {
    let names: Vec<&str> = signed.iter().map(|f| f.name).collect();
    format!("rule tried: {endpoint}, SHA-1 of the sorted values of {} and a SIGN ticket of the app", names.join(", "))
}

/// The vendor answer to a refused request; the detail goes to the log and the reason header.
pub(crate) fn refuse(state: &State, refusal: &Refusal, note: &mut Note) -> reply::Reply {
    refuse_for(state, None, refusal, note)
}

/// [`refuse`], stamped on `app`'s clock when the request named an app the mock knows.
pub(crate) fn refuse_for(state: &State, app: Option<&AppState>, refusal: &Refusal, note: &mut Note) -> reply::Reply {
    let msg = envelope::message(refusal.code, refusal.wire_detail(), state.config().legacy_texts());
    let r = reply::vendor_error(StatusCode::OK, refusal.code, &msg, &state.stamp_for(app), &refusal.detail);
    note.code = Some(refusal.code.code);
    note.reason = Some(crate::redact::reason(&refusal.detail));
    r
}

fn query_order_no(head: &Parts) -> Option<String> {
    let pairs = crate::protocol::query::parse(head.uri.query()?, crate::protocol::query::Plus::Space);
    pairs.into_iter().find_map(|(k, v)| (k == "orderNo").then_some(v))
}

/// The journal's summary of the body, from the fields already parsed and the image already decoded.
fn summarise(f: &Fields<'_>, image: &Decoded, body_len: usize) -> Box<serde_json::value::RawValue> {
    let text = |s| Loose::Str(Cow::Borrowed(s));
    let mut known = vec![
        (f.app_id_name, text(&f.app_id)),
        ("version", text(&f.version)),
        ("nonce", text(&f.nonce)),
        ("sign", text(&f.sign)),
        ("orderNo", text(&f.order_no)),
    ];
    known.extend(f.user_id.as_deref().map(|u| ("userId", text(u))));
    known.extend(f.card_type.as_deref().map(|c| ("cardType", text(c))));
    known.extend(f.get_native.then(|| ("getNative", text("1"))));
    let fields = known.iter().map(|(k, v)| (*k, v)).chain(f.rest.iter().map(|(k, v)| (k.as_ref(), v)));
    crate::journal::summarise_parsed(body_len, fields, f.document.image_field(), f.image.len(), image)
}
