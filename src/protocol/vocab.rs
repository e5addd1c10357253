//! The words every vendor endpoint shares: the [`Document`] an OCR request is about, the card
//! [`Side`] it shows, and the [`Refusal`] a broken rule yields (the catalog entry plus the detail
//! for the log).

use crate::protocol::catalog::{self, Code};

/// The kind of card an OCR endpoint reads: the two kinds of the one OCR pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Document {
    /// `POST /api/paas/idcardocrapp`: one side of an ID card, `idcardStr`.
    IdCard,
    /// `POST /api/paas/bankcardocrapp`: the front of a bank card, `bankcardStr`.
    BankCard,
}

impl Document {
    /// As scenario files and listings write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Document::IdCard => "idcard",
            Document::BankCard => "bankcard",
        }
    }

    /// In words, for refusals and logs.
    pub fn label(self) -> &'static str {
        match self {
            Document::IdCard => "ID-card",
            Document::BankCard => "bank-card",
        }
    }

    /// The OCR endpoint's name, for the log and the sign rule's name.
    pub fn endpoint(self) -> &'static str {
        match self {
            Document::IdCard => "idcardocrapp",
            Document::BankCard => "bankcardocrapp",
        }
    }

    /// The body field that carries the image.
    pub fn image_field(self) -> &'static str {
        match self {
            Document::IdCard => "idcardStr",
            Document::BankCard => "bankcardStr",
        }
    }
}

/// One side of a card: the slot of an order its result fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// ID card 人像面, `cardType` "0".
    Front,
    /// ID card 国徽面, `cardType` "1".
    Back,
    /// The front of a bank card (`bankcardStr`, 银行卡正面).
    Bank,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Front => "front",
            Side::Back => "back",
            Side::Bank => "bankcard",
        }
    }

    /// The card this side belongs to.
    pub fn document(self) -> Document {
        match self {
            Side::Front | Side::Back => Document::IdCard,
            Side::Bank => Document::BankCard,
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
