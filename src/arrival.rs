//! How a request reached the mock: plain `http`, `https` on the HTTPS port (with the SNI name the
//! client sent), or `proxy` (through a CONNECT tunnel or an absolute-form request, with the
//! target). Carried in the request's extensions from the accept loop to the journal and the log.
//!
//! Imports: `redact` only.

use serde::Serialize;

/// How a request arrived; the names are client-controlled and already bounded and escaped
/// ([`crate::redact::bounded`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(tag = "via", rename_all = "lowercase")]
pub enum Arrival {
    #[default]
    Http,
    Https {
        /// The SNI name of the ClientHello, if it had one.
        sni: Option<String>,
    },
    Proxy {
        /// The CONNECT target (`host:port`) or the absolute URI's authority.
        target: String,
        /// `true` inside a CONNECT tunnel (TLS), `false` for an absolute-form plain request.
        tls: bool,
    },
}

impl std::fmt::Display for Arrival {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arrival::Http => write!(f, "via=http"),
            Arrival::Https { sni: Some(n) } => write!(f, "via=https sni={n}"),
            Arrival::Https { sni: None } => write!(f, "via=https sni=-"),
            Arrival::Proxy { target, tls: true } => write!(f, "via=proxy connect={target}"),
            Arrival::Proxy { target, tls: false } => write!(f, "via=proxy absolute={target}"),
        }
    }
}
