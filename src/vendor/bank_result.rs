//! `GET /api/server/getBankCardOcrResult` (docs/protocol.md §13.2): the stored bank-card result of
//! an order, and with `get_file=1` the uploaded image. The query, its checks, the sign and the
//! lookup are getOcrResult's ([`super::ocr_result::lookup`]); only the result differs. A stored
//! recognition error (a `bank-blurry` call, say) is answered with its own code (guess).

use super::ocr_result::{lookup, Query};
use crate::orders::{Order, SideRecord};
use crate::protocol::envelope::{self, Stamp, Success};
use crate::protocol::{catalog, Document, Side};
use crate::reply::{self, Handled, Note};
use crate::state::State;
use crate::vendor::ocr;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hyper::http::request::Parts;
use hyper::StatusCode;
use serde::Serialize;

/// The `result` of the doc example, in its order; the files with `get_file=1`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BankCardResult<'a> {
    biz_seq_no: &'a str,
    transaction_time: &'a str,
    order_no: &'a str,
    bank_card_no: String,
    bank_card_valid_date: String,
    warn_code: &'a str,
    multi_warn_code: &'a str,
    operate_time: String,
    clarity: &'a str,
    success: bool,
    #[serde(flatten)]
    files: Option<Files>,
}

/// With `get_file=1`: the number crop (generated), the card crop (the upload: the mock crops
/// nothing) and the original upload, Base64 of the bytes received.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Files {
    bankcard_crop_photo: String,
    bankcard_no_photo: String,
    origin_bankcard_photo: String,
}

/// Answers one `getBankCardOcrResult` call.
pub(crate) fn handle(state: &State, head: &Parts) -> Handled {
    let mut note = Note::default();
    let answer = lookup(state, head, Document::BankCard, &mut note).map(|found| {
        let rec = found.order.side(Side::Bank).expect("the lookup found a bank-card result");
        let stamp = state.stamp_for(Some(&found.app));
        if rec.code == catalog::SUCCESS.code {
            note.code = Some(catalog::SUCCESS.code);
            reply::json(StatusCode::OK, render(&stamp, &found.order, rec, &found.query))
        } else {
            stored_error(state, &stamp, rec, &mut note)
        }
    });
    match answer {
        Ok(reply) => Handled::reply(reply, note),
        Err(refusal) => {
            // Refused after the app was found (sign, order): the answer is stamped on its clock.
            let app = note.app.as_deref().and_then(|id| state.app(id));
            Handled::reply(ocr::refuse_for(state, app.as_deref(), &refusal, &mut note), note)
        }
    }
}

/// The recognition error the stored call answered, answered again.
fn stored_error(state: &State, stamp: &Stamp, rec: &SideRecord, note: &mut Note) -> reply::Reply {
    let code = catalog::find(&rec.code).unwrap_or(&catalog::FAILED);
    let msg = envelope::message(code, None, state.config().legacy_texts());
    let why = format!(
        "the stored bankcardocrapp call of this order answered {} (its code is answered again: a guess)",
        code.code
    );
    note.code = Some(code.code);
    note.reason = Some(why.clone());
    reply::vendor_error(StatusCode::OK, code, &msg, stamp, &why)
}

fn render(stamp: &Stamp, order: &Order, rec: &SideRecord, q: &Query) -> Vec<u8> {
    let field = |k: &str| rec.fields.get(k).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let result = BankCardResult {
        biz_seq_no: &stamp.biz_seq_no,
        transaction_time: &stamp.transaction_time,
        order_no: order.order_no(),
        bank_card_no: field("bankcardNo"),
        bank_card_valid_date: field("bankcardValidDate"),
        warn_code: &rec.warning,
        multi_warn_code: &rec.multi_warning,
        operate_time: crate::clock::dashed(rec.time),
        clarity: &rec.clarity,
        success: false,
        files: q.get_file.then(|| {
            let upload = STANDARD.encode(&rec.image);
            Files {
                bankcard_crop_photo: upload.clone(),
                bankcard_no_photo: ocr::bankcard::number_photo().to_string(),
                origin_bankcard_photo: upload,
            }
        }),
    };
    serde_json::to_vec(&Success::new(stamp, result)).expect("serialising strings cannot fail")
}
