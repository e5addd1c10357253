//! idocr-mock: a faithful, signed test double of WeBank's ID-card OCR service
//! (`POST /api/paas/idcardocrapp`) and its token flow, for CI pipelines, laptops without WeBank
//! credentials, and QA sessions that need the service to fail on purpose.
//!
//! The contract it follows is docs/protocol.md (endpoints, signatures, fields, error codes and the
//! evidence behind each); where the evidence is thin, the catalog says the mock is guessing.
//!
//! # Layout
//!
//! Layer by layer, from the bottom; a module imports only from the layers below it (and its own
//! layer's leaves listed before it). `python3 imports.py src` counts no cycle and no pair of
//! top-level modules that import each other.
//!
//! 1. Leaves, pure vocabulary and helpers:
//!    - `seed`: the seeded, platform-stable hashes every generated value comes from
//!    - [`clock`]: the mock's clock (Beijing time on the wire), movable through the admin API
//!    - [`identity`]: coherent synthetic identities (GB 11643, regions, validity by age)
//!    - [`bankcard`]: coherent synthetic bank cards (Luhn, test issuer prefixes, `MM/yyyy`)
//!    - `redact`: the one masking, cutting and escaping rule for every request value kept or logged
//!    - [`protocol`]: the vendor's words: [`protocol::Side`], [`protocol::Refusal`], the error
//!      catalog, the sign rule, the envelopes, the field checks every endpoint shares, the vendor
//!      paths, query parsing, the JSON depth guard (imports `clock`, `seed`, `redact`)
//!    - [`image`]: Base64 leniency, image sniffing, generated card pictures (PNG and JPEG), the
//!      `idocr-mock` marker
//!    - [`error`]: why startup failed, with the fix
//!    - `arrival`: how a request arrived (http, https with SNI, proxy with target)
//!    - [`client`]: a small HTTP/1 client, for the tests, `health` and the conformance suite
//! 2. What the server is told: [`config`] (apps, secrets, tickets, limits, switches; TOML + flags)
//! 3. Answers and stores, which own their data and locks and never see [`State`]:
//!    - [`reply`]: response bodies, the reason header, dropping a connection on purpose, the [`reply::Note`]
//!    - [`scenarios`]: the catalog of named outcomes, the selection (header, queue, marker), faults
//!    - `tokens`: access tokens, SIGN/NONCE tickets and their expiry
//!    - [`orders`]: the order store and `--data-dir`
//!    - [`faces`]: the face verifications (H5 and SDK), their outcomes and the face scenarios chosen in advance
//!    - `metrics`: Prometheus counters
//!    - [`journal`]: every vendor request as seen and answered, masked
//!    - [`apps`]: the apps (configured and made at run time), each with its own clock offset and
//!      scenario settings; the other stores key their per-app parts by its id
//! 4. [`state`]: the one cloneable handle that holds the stores; `body`: the one body reader
//! 5. The endpoints, each reading as a contract: [`vendor`] (`idcardocrapp` and `bankcardocrapp`
//!    on one pipeline, the token flow, `getOcrResult` and `getBankCardOcrResult`) and [`admin`]
//!    (the mock's own API under `/__admin/`, with the console: its page in `admin::ui`, its routes
//!    in `admin::console`)
//! 6. [`http`]: all the hyper glue: accept loop, route table, a request's end, panic guard,
//!    HTTPS port and proxy gate
//! 7. The binary's side: [`cli`] (flags and `IDOCR_MOCK_*` variables → [`Config`]), [`commands`]
//!    (`sign`, `codes`, `scenarios`, `image`), [`health`], [`conformance`] (the suite, which
//!    speaks only [`protocol`] and [`client`], plus the pictures of [`image`] and the default app
//!    of [`config`]), [`fuzzing`] (the fuzz targets' bodies)

pub mod admin;
pub mod apps;
pub(crate) mod arrival;
pub mod bankcard;
pub(crate) mod body;
pub mod cli;
pub mod client;
pub mod clock;
pub mod commands;
pub mod config;
pub mod conformance;
pub mod error;
pub mod faces;
pub mod fuzzing;
pub mod health;
pub mod http;
pub mod identity;
pub mod image;
pub mod journal;
pub(crate) mod metrics;
pub mod orders;
pub mod protocol;
pub(crate) mod redact;
pub mod reply;
pub mod scenarios;
pub(crate) mod seed;
pub mod state;
pub(crate) mod tokens;
pub mod vendor;

pub use config::Config;
pub use http::server::run;
pub use state::State;
