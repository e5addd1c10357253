//! The wire protocol: signatures, the error catalog, and the envelopes every answer is written in
//! (docs/protocol.md §2–§3). Pure functions and data; no I/O.
//!
//! Imports: `clock`, `seed`, `redact` (a ticket masked in a sign diagnosis) only.

pub mod catalog;
pub mod depth;
pub mod envelope;
pub mod fields;
mod loose;
pub mod paths;
pub mod query;
pub mod sign;
mod vocab;

pub use catalog::Code;
pub use loose::Loose;
pub use vocab::{Refusal, Side};
