//! The vendor endpoints, one module each, reading as the vendor contract: parse → check → act →
//! render: [`ocr`] (`idcardocrapp` and `bankcardocrapp`, one pipeline over the document kind),
//! [`oauth`] (`access_token`, `api_ticket`), [`ocr_result`] (`getOcrResult`, and the lookup both
//! result endpoints share), [`bank_result`] (`getBankCardOcrResult`), [`face`] (the H5 and App SDK
//! face verification: geth5faceid, the login page and redirect, getfaceid, getAdvFaceId,
//! queryfacerecord, sync, queryphotoinfo; its store is `faces`).
//!
//! Imports: `state`, the stores, `protocol`, `reply`, `image`, `identity`, `redact`, `config`;
//! never `http` or `admin`.
//!
//! Adding an endpoint (as face verification and bank-card OCR were) is:
//! 1. one new module here, a `pub fn handle(state: &State, …) -> Handled`
//!    that parses, checks with `protocol::fields` (version, nonce), finds its app once with
//!    `let app = state.known_app(id)?;` (an `Arc<AppState>`; unknown is `400104`) and notes it
//!    (`app.note(&mut note)`), verifies the sign over its signed-field set with
//!    `state.sign_candidates(&app)`, acts on its store keyed by `app.id()` with times from
//!    `app.now()`, and renders with `protocol::envelope` stamped by `state.stamp_for(Some(&app))`
//!    (the app's own clock); its scenario choice passes `Some(&app.scenarios)`;
//! 2. its store, a leaf module that owns its data and locks (never `State`), held by `state.rs`;
//! 3. in `protocol/`: its error codes in `catalog.rs` and its signed-field set;
//! 4. one row in the route table, `protocol::paths::VENDOR_ROUTES`, and its dispatch arm in
//!    `http/routes.rs`.

pub(crate) mod bank_result;
pub(crate) mod face;
pub(crate) mod oauth;
pub mod ocr;
pub(crate) mod ocr_result;
