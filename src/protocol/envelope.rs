//! The envelopes of docs/protocol.md §2, the per-response stamp (`transactionTime` + `bizSeqNo`) and
//! the ids the service mints (`ocrId`).

use super::catalog::{self, Code, Shape};
use crate::clock::{self, Millis};
use crate::seed::mix;
use serde::Serialize;

/// The success envelope of the recognition answers: `code` `0`, its `msg`, the stamp's
/// `bizSeqNo`, the `result`, the stamp's `transactionTime` (in this order, as seen).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Success<'a, R> {
    code: &'static str,
    msg: &'static str,
    biz_seq_no: &'a str,
    result: R,
    transaction_time: &'a str,
}

impl<'a, R> Success<'a, R> {
    /// The success envelope around `result`, with the stamp's `bizSeqNo` and time.
    pub fn new(stamp: &'a Stamp, result: R) -> Self {
        Success {
            code: catalog::SUCCESS.code,
            msg: catalog::SUCCESS.msg,
            biz_seq_no: &stamp.biz_seq_no,
            transaction_time: &stamp.transaction_time,
            result,
        }
    }
}

/// The flat success head of OAuth answers (seen): no `result`, a boolean `success`; the
/// token or ticket fields follow it (`#[serde(flatten)]`).
#[derive(Serialize)]
pub struct SuccessHead<'a> {
    code: &'static str,
    msg: &'static str,
    #[serde(rename = "bizSeqNo")]
    biz_seq_no: &'a str,
    #[serde(rename = "transactionTime")]
    transaction_time: &'a str,
    success: bool,
}

impl<'a> SuccessHead<'a> {
    /// The success head, with the stamp's `bizSeqNo` and time.
    pub fn new(stamp: &'a Stamp) -> Self {
        SuccessHead {
            code: catalog::SUCCESS.code,
            msg: catalog::SUCCESS.msg,
            biz_seq_no: &stamp.biz_seq_no,
            transaction_time: &stamp.transaction_time,
            success: true,
        }
    }
}

/// The time and sequence number of one response; their date and time agree (seen, 7 samples).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stamp {
    #[serde(rename = "transactionTime")]
    pub transaction_time: String,
    #[serde(rename = "bizSeqNo")]
    pub biz_seq_no: String,
    #[serde(skip)]
    pub at: Millis,
}

impl Stamp {
    /// The stamp of response number `seq` at `at`: `bizSeqNo` = `yyMMdd` + `2000` + 8 digits +
    /// `HHmmss` + 8 digits, unique for every `seq` below 10^8 within a second.
    pub fn new(at: Millis, seed: u64, seq: u64) -> Self {
        let transaction_time = clock::compact(at);
        let noise = mix(seed ^ seq) % 100_000_000;
        // 48271 is coprime with 10^8, so this is a bijection of seq mod 10^8.
        let unique = (seq.wrapping_mul(48_271).wrapping_add(mix(seed) % 100_000_000)) % 100_000_000;
        let biz_seq_no = format!("{}2000{noise:08}{}{unique:08}", &transaction_time[2..8], &transaction_time[8..14]);
        Stamp { transaction_time, biz_seq_no, at }
    }
}

/// `ocrId`: 32 lowercase hex characters.
pub fn ocr_id(seed: u64, seq: u64) -> String {
    format!("{:016x}{:016x}", mix(seed ^ seq.rotate_left(32)), mix(seq ^ seed.rotate_left(7) ^ 0x0c0d))
}

/// The `msg` sent for `code`, with `detail` appended the way the gateway does (`不合法的请求:<detail>`).
pub fn message(code: &Code, detail: Option<&str>, legacy: bool) -> String {
    match detail {
        Some(d) => format!("{}:{d}", code.msg(legacy)),
        None => code.msg(legacy).to_string(),
    }
}

#[derive(Serialize)]
struct GatewayError<'a> {
    code: &'a str,
    msg: &'a str,
    #[serde(rename = "transactionTime")]
    transaction_time: &'a str,
    success: bool,
}

#[derive(Serialize)]
struct BusinessError<'a> {
    code: &'a str,
    msg: &'a str,
    #[serde(rename = "bizSeqNo")]
    biz_seq_no: &'a str,
    #[serde(rename = "transactionTime")]
    transaction_time: &'a str,
}

/// The error body for `code`, in the envelope its shape calls for.
pub fn error_body(code: &Code, msg: &str, stamp: &Stamp) -> Vec<u8> {
    let body = match code.shape {
        Shape::Gateway => serde_json::to_vec(&GatewayError {
            code: code.code,
            msg,
            transaction_time: &stamp.transaction_time,
            success: false,
        }),
        Shape::Business => serde_json::to_vec(&BusinessError {
            code: code.code,
            msg,
            biz_seq_no: &stamp.biz_seq_no,
            transaction_time: &stamp.transaction_time,
        }),
    };
    body.expect("serialising plain strings cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::catalog;

    fn at() -> Millis {
        clock::parse_rfc3339("2021-06-21T17:26:52+08:00").unwrap()
    }

    #[test]
    fn biz_seq_no_carries_the_transaction_time() {
        let s = Stamp::new(at(), 42, 7);
        assert_eq!(s.transaction_time, "20210621172652");
        assert_eq!(s.biz_seq_no.len(), 32);
        assert!(s.biz_seq_no.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(&s.biz_seq_no[..10], "2106212000");
        assert_eq!(&s.biz_seq_no[18..24], "172652");
    }

    #[test]
    fn biz_seq_nos_are_unique_per_response() {
        let mut seen = std::collections::HashSet::new();
        for seq in 0..10_000 {
            assert!(seen.insert(Stamp::new(at(), 42, seq).biz_seq_no));
        }
    }

    #[test]
    fn ocr_ids_are_32_lowercase_hex() {
        let id = ocr_id(1, 2);
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }

    #[test]
    fn gateway_errors_have_no_biz_seq_no_and_a_false_success() {
        let body = error_body(&catalog::BAD_REQUEST, "不合法的请求:x", &Stamp::new(at(), 1, 1));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code":"400101","msg":"不合法的请求:x","transactionTime":"20210621172652","success":false})
        );
    }

    #[test]
    fn business_errors_carry_biz_seq_no_and_no_result() {
        let body = error_body(&catalog::BLURRY, catalog::BLURRY.msg, &Stamp::new(at(), 1, 1));
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], "66661001");
        assert!(v["bizSeqNo"].is_string() && v.get("result").is_none() && v.get("success").is_none());
    }
}
