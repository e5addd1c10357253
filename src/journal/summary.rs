//! The journal's view of a request body and query: known OCR fields as sent (secrets masked),
//! `idcardStr` as its size, SHA-256 and format, unknown fields by name only, and a user id that is
//! an ID number masked.

use crate::identity;
use crate::image::{self, LineBreaks};
use crate::protocol::sign::mask;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// Body fields of the OCR request whose values are kept as sent.
const PLAIN_FIELDS: &[&str] = &["webankAppId", "appId", "version", "nonce", "sign", "orderNo", "cardType", "getNative"];

/// `true` for a parameter name whose value must never be shown.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["secret", "ticket", "token", "password"].iter().any(|s| n.contains(s))
}

/// The body of a request, safe to keep: known OCR fields as sent (secrets masked), `idcardStr` as
/// its size, SHA-256 of the decoded bytes and format, unknown fields by name only.
pub fn summarise_body(body: &[u8]) -> Value {
    let Ok(map) = serde_json::from_slice::<Map<String, Value>>(body) else {
        return json!({"bytes": body.len(), "json": false});
    };
    let mut fields = Map::new();
    let mut unknown = Vec::new();
    for (k, v) in map {
        let kept = match (k.as_str(), &v) {
            ("idcardStr", Value::String(s)) => image_summary(s),
            (name, Value::String(s)) if is_secret_name(name) => Value::String(mask(s)),
            ("userId", Value::String(s)) if looks_like_id_number(s) => Value::String(mask_id(s)),
            (name, v) if PLAIN_FIELDS.contains(&name) || name == "userId" || name == "idcardStr" => scalar(v),
            _ => {
                unknown.push(k);
                continue;
            }
        };
        fields.insert(k, kept);
    }
    json!({"bytes": body.len(), "json": true, "fields": fields, "unknown_fields": unknown})
}

/// Strings and other scalars as sent; an array or object by its kind (it could be anything).
fn scalar(v: &Value) -> Value {
    match v {
        Value::Array(_) => Value::String("<array>".into()),
        Value::Object(_) => Value::String("<object>".into()),
        Value::String(s) if looks_like_id_number(s) => Value::String(mask_id(s)),
        other => other.clone(),
    }
}

fn image_summary(b64: &str) -> Value {
    match image::decode(b64, LineBreaks::Strip) {
        Ok(d) => {
            json!({"base64_chars": b64.len(), "bytes": d.bytes.len(), "sha256": sha256_hex(&d.bytes), "format": d.format.as_str()})
        }
        Err(p) => json!({"base64_chars": b64.len(), "problem": p.to_string()}),
    }
}

/// Lower-case hex SHA-256, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn looks_like_id_number(s: &str) -> bool {
    identity::is_valid_number(s) || identity::is_valid_number(&s.to_ascii_uppercase())
}

/// `110101********1234`: region and last four only.
fn mask_id(s: &str) -> String {
    let (head, tail) = (&s[..6], &s[s.len() - 4..]);
    format!("{head}{}{tail}", "*".repeat(s.len() - 10))
}

/// Query pairs, percent- and `+`-decoded.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if hex(i + 1).is_some() && hex(i + 2).is_some() => {
                out.push((hex(i + 1).unwrap_or(0) * 16 + hex(i + 2).unwrap_or(0)) as u8);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_body_summary_keeps_no_image_secret_or_id_number() {
        let png = crate::picture::card_png(crate::ocr::request::Side::Front, None);
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &png);
        let body = json!({"webankAppId":"A","idcardStr":b64,"ticket":"supersecretticket","userId":"11010519491231002X","extra":"v"});
        let s = summarise_body(body.to_string().as_bytes());
        let text = s.to_string();
        assert!(!text.contains(&b64[..40]) && !text.contains("supersecret") && !text.contains("19491231"), "{text}");
        assert_eq!(s["fields"]["idcardStr"]["sha256"], sha256_hex(&png));
        assert_eq!(s["fields"]["idcardStr"]["format"], "png");
        assert_eq!(s["unknown_fields"], json!(["extra"]));
        assert!(!text.contains("\"v\""));
    }

    #[test]
    fn queries_are_percent_decoded() {
        let pairs = parse_query("a=1%2B1&b=x+y&c");
        assert_eq!(pairs, [("a".into(), "1+1".into()), ("b".into(), "x y".into()), ("c".into(), String::new())]);
    }
}
