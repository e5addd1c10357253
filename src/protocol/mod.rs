//! The wire protocol: signatures, the error catalog, and the envelopes every answer is written in
//! (docs/protocol.md §2–§3). Pure functions and data; no I/O.
//!
//! Imports: `clock`, `seed`, `redact` (a ticket masked in a sign diagnosis) only.

pub mod bank_codes;
pub mod catalog;
pub(crate) mod depth;
pub(crate) mod envelope;
pub mod face;
pub mod face_codes;
pub(crate) mod fields;
mod loose;
pub(crate) mod paths;
pub(crate) mod query;
pub mod sign;
mod vocab;

pub use catalog::Code;
pub use loose::Loose;
pub use vocab::{Document, Refusal, Side};
