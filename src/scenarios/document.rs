//! Which card a scenario is for (docs/protocol.md §13.4): the `document` of a scenario file, or
//! what its outcome implies, and the bank-card warnings a success may carry. A request of the other
//! card refuses a scenario it asked for; a default of the other card gives way to `success`
//! (`vendor::ocr::scenario::fit`).

use super::{Outcome, Profile};
use crate::protocol::bank_codes;
use crate::protocol::catalog::Code;
use crate::protocol::Document;

/// The codes of a file's `warnings`, each a bank-card warning of the catalog.
///
/// # Errors
/// The first code that is not one, with the ones that are.
pub(super) fn bank_warnings(codes: &[String]) -> Result<Vec<&'static Code>, String> {
    codes
        .iter()
        .map(|w| {
            bank_codes::WARNINGS.iter().find(|c| c.code == w).ok_or_else(|| {
                let known: Vec<&str> = bank_codes::WARNINGS.iter().map(|c| c.code).collect();
                format!("warnings: {w:?} is not a bank-card warning code; use {}", known.join(", "))
            })
        })
        .collect()
}

/// The card a scenario is for: as the file says, else derived from what it does. A recognition
/// error, an ID card's warnings, profile, side or pinned identity are the ID card's; a bank-card
/// error or warning the bank card's; the rest (faults, gateway and network codes, a clean success
/// or a bare clarity, mixes) serves both.
pub(super) fn document(said: Option<&str>, outcome: &Outcome, id_details: bool) -> Result<Option<Document>, String> {
    let derived = match outcome {
        Outcome::Error(c) if c.code.starts_with("-9") => Some(Document::BankCard),
        Outcome::Error(c) if c.code.starts_with('4') || c.code.starts_with("9999") => None,
        Outcome::Error(_) => Some(Document::IdCard),
        Outcome::Success(l) if !l.bank_warnings.is_empty() => Some(Document::BankCard),
        Outcome::Success(l) if &*l.warning != "00000000" || l.profile != Profile::Typical => Some(Document::IdCard),
        _ if id_details => Some(Document::IdCard),
        _ => None,
    };
    let said = match said {
        None => return Ok(derived),
        Some("any") => None,
        Some("idcard") => Some(Document::IdCard),
        Some("bankcard") => Some(Document::BankCard),
        Some(other) => return Err(format!("document must be \"idcard\", \"bankcard\" or \"any\", not {other:?}")),
    };
    // A code can serve both cards (66660000 参数过长): the file's word wins there. What a success
    // looks like, a side or a pinned identity belongs to one card only.
    let looks = matches!(outcome, Outcome::Success(_)) || id_details;
    match (said, derived) {
        (said, Some(d)) if looks && said != Some(d) => Err(format!(
            "document {:?} contradicts what the scenario does, which is for {}s",
            said.map_or("any", Document::as_str),
            d.label()
        )),
        _ => Ok(said),
    }
}
