//! The words every vendor endpoint shares: the card [`Side`] a request is about, and the
//! [`Refusal`] a broken rule yields (the catalog entry plus the detail for the log).

use crate::protocol::catalog::{self, Code};

/// One side of the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// 人像面, `cardType` "0".
    Front,
    /// 国徽面, `cardType` "1".
    Back,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Front => "front",
            Side::Back => "back",
        }
    }
}

/// A rule the request broke: the catalog entry to answer with, and the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static Code,
    /// Appended to the msg (`不合法的请求:<detail>`) for 400101 only; always in the log.
    pub detail: String,
}

impl Refusal {
    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Refusal { code: &catalog::BAD_REQUEST, detail: detail.into() }
    }

    pub(crate) fn too_long(detail: impl Into<String>) -> Self {
        Refusal { code: &catalog::PARAM_TOO_LONG, detail: detail.into() }
    }

    /// The detail goes into the wire msg only where the service puts it there.
    pub fn wire_detail(&self) -> Option<&str> {
        (self.code.code == catalog::BAD_REQUEST.code).then_some(self.detail.as_str())
    }
}
