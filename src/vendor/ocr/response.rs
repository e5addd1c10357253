//! The success bodies of docs/protocol.md §5: the front (人像面) and back (国徽面) results, every value a
//! string but `success`, which is the boolean `false`.

use super::request::Side;
use crate::identity::Identity;
use crate::protocol::envelope::{self, Stamp};
use serde::Serialize;

/// What recognition "saw": the warnings and clarity of the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recognition {
    /// 8 flags of `0`/`1` (docs/protocol.md §8).
    pub(crate) warning: std::sync::Arc<str>,
    pub(crate) multi_warning: std::sync::Arc<str>,
    /// 0–100, higher is clearer.
    pub(crate) clarity: u8,
}

/// Everything a success body is made from.
pub(crate) struct Success<'a> {
    pub(crate) stamp: &'a Stamp,
    pub(crate) ocr_id: &'a str,
    pub(crate) order_no: &'a str,
    pub(crate) side: Side,
    pub(crate) person: &'a Identity,
    pub(crate) recognition: &'a Recognition,
    /// `result.sign` (guess: SHA-1 of app id and orderNo with the SIGN ticket).
    pub(crate) sign: &'a str,
    pub(crate) native: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Front<'a> {
    biz_seq_no: &'a str,
    transaction_time: &'a str,
    ocr_id: &'a str,
    order_no: &'a str,
    name: &'a str,
    sex: &'a str,
    nation: &'a str,
    birth: String,
    address: &'a str,
    idcard: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    native_place: Option<&'a str>,
    warning: &'a str,
    sign: &'a str,
    clarity: String,
    multi_warning: &'a str,
    retry: &'static str,
    success: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Back<'a> {
    biz_seq_no: &'a str,
    transaction_time: &'a str,
    ocr_id: &'a str,
    order_no: &'a str,
    valid_date: String,
    authority: &'a str,
    warning: &'a str,
    sign: &'a str,
    clarity: String,
    multi_warning: &'a str,
    retry: &'static str,
    success: bool,
}

/// The card fields of one side, as `getOcrResult` returns them (`nativePlace` always kept, so
/// `get_native=1` there works whatever the OCR call asked for).
pub(crate) fn card_fields(person: &Identity, side: Side) -> crate::orders::CardFields {
    match side {
        Side::Front => crate::orders::CardFields::new([
            ("name", person.name.as_str()),
            ("sex", person.sex.as_str()),
            ("nation", person.nation),
            ("birth", &person.birth_string()),
            ("address", &person.address),
            ("idcard", &person.idcard),
            ("nativePlace", &person.native_place),
        ]),
        Side::Back => crate::orders::CardFields::new([
            ("validDate", person.valid_date().as_str()),
            ("authority", &person.authority),
        ]),
        // A bank card is rendered and stored by `vendor::ocr::bankcard`, never here.
        Side::Bank => crate::orders::CardFields::empty(),
    }
}

/// The JSON body of a successful recognition.
pub(crate) fn render(s: &Success<'_>) -> Vec<u8> {
    let (biz, tt) = (s.stamp.biz_seq_no.as_str(), s.stamp.transaction_time.as_str());
    let r = s.recognition;
    // A front answer is ~600 bytes: one allocation instead of a growing buffer.
    let mut out = Vec::with_capacity(768);
    let written = match s.side {
        // A bank card is rendered by `vendor::ocr::bankcard`; `Bank` never reaches here.
        Side::Front | Side::Bank => serde_json::to_writer(
            &mut out,
            &envelope::Success::new(
                s.stamp,
                Front {
                    biz_seq_no: biz,
                    transaction_time: tt,
                    ocr_id: s.ocr_id,
                    order_no: s.order_no,
                    name: &s.person.name,
                    sex: s.person.sex.as_str(),
                    nation: s.person.nation,
                    birth: s.person.birth_string(),
                    address: &s.person.address,
                    idcard: &s.person.idcard,
                    native_place: s.native.then_some(s.person.native_place.as_str()),
                    warning: &r.warning,
                    sign: s.sign,
                    clarity: r.clarity.to_string(),
                    multi_warning: &r.multi_warning,
                    retry: "1",
                    success: false,
                },
            ),
        ),
        Side::Back => serde_json::to_writer(
            &mut out,
            &envelope::Success::new(
                s.stamp,
                Back {
                    biz_seq_no: biz,
                    transaction_time: tt,
                    ocr_id: s.ocr_id,
                    order_no: s.order_no,
                    valid_date: s.person.valid_date(),
                    authority: &s.person.authority,
                    warning: &r.warning,
                    sign: s.sign,
                    clarity: r.clarity.to_string(),
                    multi_warning: &r.multi_warning,
                    retry: "1",
                    success: false,
                },
            ),
        ),
    };
    written.expect("serialising strings cannot fail");
    out
}
