//! The one-shot subcommands (`sign`, `codes`, `scenarios`, `image`) and the startup log, one file
//! each: text for humans, built by pure functions so tests can read it.
//!
//! Imports: `cli` (their arguments), `config`, `error`, `protocol`, `scenarios`, `image`, `redact`.

mod codes;
mod image;
mod scenarios;
mod sign;
mod startup;

pub use codes::codes;
pub use image::image;
pub use scenarios::scenarios;
pub use sign::sign;
pub use startup::log_startup;
