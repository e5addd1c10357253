//! The vendor endpoints, one module each, reading as the vendor contract: parse → check → act →
//! render: [`ocr`] (`idcardocrapp`), [`oauth`] (`access_token`, `api_ticket`), [`ocr_result`]
//! (`getOcrResult`).
//!
//! Imports: `state`, the stores, `protocol`, `reply`, `image`, `identity`, `redact`, `config`;
//! never `http` or `admin`.
//!
//! Adding an endpoint (face verification, bank-card OCR) is:
//! 1. one new module here (`vendor/face.rs`), a `pub fn handle(state: &State, …) -> Handled`
//!    that parses, checks with `protocol::fields` (version, app, nonce), verifies the sign over its
//!    signed-field set, acts on its store and renders with `protocol::envelope`;
//! 2. its store, a leaf module that owns its data and locks (never `State`), held by `state.rs`;
//! 3. in `protocol/`: its error codes in `catalog.rs` and its signed-field set;
//! 4. one row in the route table, `protocol::paths::VENDOR_ROUTES`, and its dispatch arm in
//!    `http/routes.rs`.

pub mod face;
pub(crate) mod oauth;
pub mod ocr;
pub(crate) mod ocr_result;
