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
//! - [`tls`]: the local CA, leaf certificates, the HTTPS port and the CONNECT proxy gate
//! - [`arrival`]: how a request arrived (http, https with SNI, proxy with target)
//! - [`finish`]: a vendor request's end (answered, aborted, abandoned): journal, metrics, log
//! - [`shield`]: a handler's panic caught and answered, the per-connection request cap
//! - [`routes`]: (method, path) → handler; vendor paths vs `/__admin/`
//! - [`admin`]: the mock's own API under `/__admin/`
//! - [`admin_ui`]: the console's files (`/__admin/ui`), compiled into the binary
//! - [`console`]: the console's routes: its page, `/__admin/codes`, `/__admin/events`, listings
//! - [`body`]: the one reader of request bodies, with its limits and timeout
//! - [`reply`]: response bodies, the reason header, dropping a connection on purpose
//! - [`state`]: the one cloneable handle shared by every connection
//! - [`clock`]: the mock's clock (Beijing time on the wire), movable through the admin API
//! - [`protocol`]: signatures, the error catalog and the envelopes
//! - [`redact`]: the one masking and length rule for every request value kept or logged
//! - [`ocr`]: the `idcardocrapp` pipeline: parse → validate → verify → recognise → respond
//! - [`identity`]: coherent synthetic identities (GB 11643, regions, validity by age)
//! - [`image`]: Base64 leniency and image sniffing
//! - [`picture`]: generated card pictures (PNG), with an optional marker
//! - [`scenarios`]: named outcomes on demand (catalog, selection, faults, image markers)
//! - [`client`]: a small HTTP/1 client, for the tests and the conformance suite
//! - [`tokens`]: access tokens, SIGN/NONCE tickets and their expiry; the clock and secret admin routes
//! - [`journal`]: every vendor request as seen and answered, masked, for `/__admin/requests`
//! - [`orders`]: the order store, `--data-dir`, and `GET /api/server/getOcrResult`
//! - [`inspect`]: the admin routes of the journal, the orders, reset, metrics and the admin token
//! - [`metrics`]: Prometheus counters for `/__admin/metrics`
//! - [`commands`]: the `sign`, `codes`, `scenarios` and `image` subcommands
//! - [`health`]: `idocr-mock health`, the self-probe for container health checks
//! - [`conformance`]: the suite that measures how faithful a target is (`idocr-mock conformance`)

pub mod admin;
pub mod admin_ui;
pub mod arrival;
pub mod body;
pub mod cli;
pub mod client;
pub mod clock;
pub mod commands;
pub mod config;
pub mod conformance;
pub mod console;
pub mod error;
pub mod finish;
pub mod fuzzing;
pub mod health;
pub mod identity;
pub mod image;
pub mod inspect;
pub mod journal;
pub mod metrics;
pub mod ocr;
pub mod orders;
pub mod picture;
pub mod protocol;
pub mod redact;
pub mod reply;
pub mod routes;
pub mod scenarios;
pub mod server;
pub mod shield;
pub mod state;
pub mod tls;
pub mod tokens;

pub use config::Config;
pub use server::run;
pub use state::State;
