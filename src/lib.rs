//! idocr-mock: a faithful, signed test double of WeBank's ID-card OCR service
//! (`POST /api/paas/idcardocrapp`) and its token flow, for CI pipelines, laptops without WeBank
//! credentials, and QA sessions that need the service to fail on purpose.
//!
//! The contract it follows is PROTOCOL.md (endpoints, signatures, fields, error codes and the
//! evidence behind each); where the evidence is thin, the catalog says the mock is guessing.
//!
//! # Layout
//!
//! - [`cli`]: flags and `IDOCR_MOCK_*` variables → [`config::Config`]
//! - [`config`]: apps, secrets, static tickets, limits and switches (TOML file + flags)
//! - [`error`]: why startup failed, with the fix
//! - [`server`]: accept loop, connection cap, timeouts, graceful shutdown (all the hyper glue)
//! - [`shield`]: a handler's panic caught and answered, the per-connection request cap
//! - [`routes`]: (method, path) → handler; vendor paths vs `/__admin/`
//! - [`admin`]: the mock's own API under `/__admin/`
//! - [`reply`]: response bodies, the reason header, dropping a connection on purpose
//! - [`state`]: the one cloneable handle shared by every connection
//! - [`clock`]: the mock's clock (Beijing time on the wire), movable through the admin API
//! - [`protocol`]: signatures, the error catalog and the envelopes
//! - [`ocr`]: the `idcardocrapp` pipeline: parse → validate → verify → recognise → respond
//! - [`identity`]: coherent synthetic identities (GB 11643, regions, validity by age)
//! - [`image`]: Base64 leniency and image sniffing
//! - [`picture`]: generated card pictures (PNG), with an optional marker
//! - [`client`]: a small HTTP/1 client, for the tests and the conformance suite
//! - [`commands`]: the `sign` and `codes` subcommands

pub mod admin;
pub mod cli;
pub mod client;
pub mod clock;
pub mod commands;
pub mod config;
pub mod error;
pub mod identity;
pub mod image;
pub mod ocr;
pub mod picture;
pub mod protocol;
pub mod reply;
pub mod routes;
pub mod server;
pub mod shield;
pub mod state;

pub use config::Config;
pub use server::run;
pub use state::State;
