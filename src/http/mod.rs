//! All the hyper glue: the accept loop and its limits, the route table, a request's end (journal,
//! metrics, log), the panic guard and the keep-alive cap, and the HTTPS port and proxy gate.
//!
//! Imports: everything below it (`state`, `vendor`, `admin`, `journal`, `reply`, …); only the binary imports it.

pub mod finish;
pub mod routes;
pub mod server;
pub mod shield;
pub mod tls;
