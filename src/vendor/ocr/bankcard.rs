//! The bank card's success of the OCR pipeline (docs/protocol.md §13.1): a coherent synthetic card
//! ([`crate::bankcard`]), rendered in the doc example's shape, stored in the order's bank slot for
//! `getBankCardOcrResult`. Every value of `result` is a string but `success`, `false`.

use super::request::{Fields, Refusal, Side};
use super::scenario;
use crate::apps::AppState;
use crate::bankcard::{self, Card, Validity};
use crate::image::Decoded;
use crate::protocol::bank_codes::{warning_fields, WARN_EXPIRED, WARN_INVALID_DATE};
use crate::protocol::catalog::{self, Code};
use crate::protocol::envelope::{self, Stamp};
use crate::reply::{self, Note};
use crate::scenarios::Choice;
use crate::seed::{fnv1a, mix};
use crate::state::State;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hyper::StatusCode;
use serde::Serialize;
use std::sync::OnceLock;

/// The `result` of a recognised bank card, in the doc example's order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BankResult<'a> {
    biz_seq_no: &'a str,
    transaction_time: &'a str,
    order_no: &'a str,
    bankcard_no: &'a str,
    bankcard_valid_date: &'a str,
    warning_code: &'a str,
    bankcard_no_photo: &'a str,
    multi_warning_code: &'a str,
    clarity: String,
    success: bool,
}

/// Base64 of the generated crop of the card number (`bankcardNoPhoto`), made once.
pub(crate) fn number_photo() -> &'static str {
    static PHOTO: OnceLock<String> = OnceLock::new();
    PHOTO.get_or_init(|| STANDARD.encode(crate::image::picture::number_strip_png()))
}

/// The validity a card's warnings call for: past for 66661009, none for -9110.
fn validity(warnings: &[&'static Code]) -> Validity {
    if warnings.iter().any(|w| w.code == WARN_INVALID_DATE.code) {
        Validity::Unreadable
    } else if warnings.iter().any(|w| w.code == WARN_EXPIRED.code) {
        Validity::Past
    } else {
        Validity::Future
    }
}

/// The success answer, shaped by the scenario's look (bank warnings, clarity), and the order's
/// bank slot filled.
///
/// # Errors
/// A repeated bank-card call for the order under `--reject-duplicate-orders`.
pub(crate) fn succeed(
    state: &State,
    app: &AppState,
    f: &Fields<'_>,
    choice: &Choice,
    note: &mut Note,
    image: Decoded,
) -> Result<reply::Reply, Refusal> {
    let look = scenario::look(choice);
    let stamp = state.stamp_for(Some(app));
    let key = format!("{}/{}", f.app_id, f.order_no);
    let card = bankcard::generate(state.seed(), &key, validity(&look.bank_warnings), crate::clock::date(stamp.at));
    let clarity = look.clarity.unwrap_or(60 + (mix(state.seed() ^ fnv1a(&key)) % 31) as u8).to_string();
    let (warning, multi) = warning_fields(&look.bank_warnings);
    note.code = Some(catalog::SUCCESS.code);
    let body = render(&stamp, &f.order_no, &card, &warning, &multi, &clarity);
    let answer = crate::orders::SideAnswer {
        code: catalog::SUCCESS.code,
        fields: card_fields(&card),
        warning: warning.into(),
        multi_warning: multi.into(),
        clarity,
    };
    note.stored = crate::orders::record(
        state.orders(),
        stamp.at,
        state.config().duplicate_orders,
        &f.app_id,
        &f.order_no,
        Side::Bank,
        answer,
        image,
    )?;
    Ok(reply::json(StatusCode::OK, body))
}

/// The card as the order keeps it: what getBankCardOcrResult answers, and the issuer the number
/// stands for (for the admin API and the console only: the vendor's answers do not carry it).
pub(crate) fn card_fields(card: &Card) -> crate::orders::CardFields {
    crate::orders::CardFields::new([
        ("bankcardNo", card.number.as_str()),
        ("bankcardValidDate", &card.valid),
        ("bankName", card.issuer.bank),
        ("cardType", card.issuer.kind),
    ])
}

fn render(stamp: &Stamp, order_no: &str, card: &Card, warning: &str, multi: &str, clarity: &str) -> Vec<u8> {
    let result = BankResult {
        biz_seq_no: &stamp.biz_seq_no,
        transaction_time: &stamp.transaction_time,
        order_no,
        bankcard_no: &card.number,
        bankcard_valid_date: &card.valid,
        warning_code: warning,
        bankcard_no_photo: number_photo(),
        multi_warning_code: multi,
        clarity: clarity.to_string(),
        success: false,
    };
    serde_json::to_vec(&envelope::Success::new(stamp, result)).expect("serialising strings cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::bank_codes;

    #[test]
    fn the_warnings_decide_the_validity() {
        assert_eq!(validity(&[]), Validity::Future);
        assert_eq!(validity(&[&bank_codes::WARN_BORDER, &WARN_EXPIRED]), Validity::Past);
        assert_eq!(validity(&[&WARN_INVALID_DATE]), Validity::Unreadable);
    }
}
