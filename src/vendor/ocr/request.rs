//! Reading an `idcardocrapp` or `bankcardocrapp` body and checking its fields one rule at a time,
//! in the order the service checks them (docs/protocol.md §5, §13.1): the two share every rule but
//! the image's field name and the ID card's `cardType`/`getNative`. Pure: the sign check, which
//! needs the app's tickets, is done by the caller between [`check_fields`] and [`check_decoded`].

use crate::image::stream::Received;
use crate::image::{Decoded, ImageProblem};
use crate::protocol::catalog;
pub(crate) use crate::protocol::{Document, Loose, Refusal, Side};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// The body as sent; unknown fields (`tiket`, `usreId`, …) are ignored and never kept.
#[derive(Debug, Deserialize)]
struct Raw<'a> {
    #[serde(borrow, rename = "webankAppId")]
    webank_app_id: Option<Loose<'a>>,
    #[serde(borrow, rename = "appId")]
    app_id: Option<Loose<'a>>,
    #[serde(borrow)]
    version: Option<Loose<'a>>,
    #[serde(borrow)]
    nonce: Option<Loose<'a>>,
    #[serde(borrow)]
    sign: Option<Loose<'a>>,
    #[serde(borrow, rename = "orderNo")]
    order_no: Option<Loose<'a>>,
    #[serde(borrow, rename = "userId")]
    user_id: Option<Loose<'a>>,
    #[serde(borrow, rename = "cardType")]
    card_type: Option<Loose<'a>>,
    #[serde(borrow, rename = "idcardStr")]
    idcard_str: Option<Loose<'a>>,
    #[serde(borrow, rename = "bankcardStr")]
    bankcard_str: Option<Loose<'a>>,
    #[serde(borrow, rename = "getNative")]
    get_native: Option<Loose<'a>>,
    /// Every other field: never used, never echoed; kept for the journal's summary, which lists
    /// their names (and masks what looks like a secret).
    #[serde(flatten, borrow, deserialize_with = "unique_keys")]
    rest: BTreeMap<Cow<'a, str>, Loose<'a>>,
}

/// The unknown fields, refusing a name sent twice as serde refuses a known one sent twice (the
/// README promises `400101` for any duplicate key).
fn unique_keys<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<Cow<'de, str>, Loose<'de>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = BTreeMap<Cow<'de, str>, Loose<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut rest = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<Cow<'de, str>, Loose<'de>>()? {
                if rest.contains_key(&k) {
                    return Err(serde::de::Error::custom(format_args!("duplicate field `{k}`")));
                }
                rest.insert(k, v);
            }
            Ok(rest)
        }
    }
    d.deserialize_map(V)
}

/// The fields of a well-formed request, borrowed from the body where JSON allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fields<'a> {
    /// `webankAppId`, or `appId` when only that was sent.
    pub(crate) app_id: Cow<'a, str>,
    /// Which of the two names carried the app id.
    pub(crate) app_id_name: &'static str,
    pub(crate) version: Cow<'a, str>,
    pub(crate) nonce: Cow<'a, str>,
    pub(crate) sign: Cow<'a, str>,
    pub(crate) order_no: Cow<'a, str>,
    pub(crate) user_id: Option<Cow<'a, str>>,
    /// `cardType` (ID cards only).
    pub(crate) card_type: Option<Cow<'a, str>>,
    /// The card the endpoint reads.
    pub(crate) document: Document,
    /// The image's Base64: `idcardStr`, or `bankcardStr` for a bank card.
    pub(crate) image: ImageText<'a>,
    /// `getNative` "1" (ID cards only).
    pub(crate) get_native: bool,
    /// Fields the service does not read (`tiket`, `usreId`, …), for the journal only.
    pub(crate) rest: BTreeMap<Cow<'a, str>, Loose<'a>>,
}

/// Content types a JSON body may come with; absent is tolerated.
pub(crate) fn check_content_type(content_type: Option<&str>) -> Result<(), Refusal> {
    let Some(ct) = content_type else { return Ok(()) };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence == "application/json" || essence == "text/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(Refusal::bad_request(format!("Content type '{ct}' not supported")))
    }
}

fn text<'a>(name: &str, v: Option<Loose<'a>>, required: bool) -> Result<Option<Cow<'a, str>>, Refusal> {
    match v {
        Some(Loose::Str(s)) if !(required && s.is_empty()) => Ok(Some(s)),
        Some(Loose::Other(kind)) => {
            Err(Refusal::bad_request(format!("Parameter '{name}' must be a string, not {kind}")))
        }
        _ if required => Err(Refusal::bad_request(format!("Missing parameter '{name}'"))),
        _ => Ok(None),
    }
}

fn need<'a>(name: &str, v: Option<Loose<'a>>) -> Result<Cow<'a, str>, Refusal> {
    Ok(text(name, v, true)?.expect("required fields are present"))
}

/// Parses the body of a `document` call and checks that every required field is present and a
/// string.
///
/// # Errors
/// `400101` for a body that is not a JSON object, a missing field, or a field of another type.
pub(crate) fn parse(body: &[u8], document: Document) -> Result<Fields<'_>, Refusal> {
    let max = crate::protocol::depth::MAX_JSON_DEPTH;
    let too_deep = |depth| Refusal::bad_request(format!("JSON parse error: nesting depth ({depth}) exceeds {max}"));
    // serde_json first (its own depth limit keeps the stack safe), then the nesting guard, which
    // can then jump over the image instead of searching 3 MB for the end of the string again. A
    // body too deep is refused as too deep whichever of the two notices.
    let raw: Raw<'_> = match serde_json::from_slice(body) {
        Ok(raw) => raw,
        Err(e) => match crate::protocol::depth::json_too_deep(body, max) {
            Some(depth) => return Err(too_deep(depth)),
            // serde_json's limit refuses a nesting of exactly MAX_JSON_DEPTH; the guard has just
            // seen that the body is no deeper, so it is parsed again without that limit.
            None if e.to_string().starts_with("recursion limit exceeded") => {
                parse_unbounded(body).map_err(|e| Refusal::bad_request(format!("JSON parse error: {e}")))?
            }
            None => return Err(Refusal::bad_request(format!("JSON parse error: {e}"))),
        },
    };
    let (image, other) = match document {
        Document::IdCard => (raw.idcard_str, raw.bankcard_str),
        Document::BankCard => (raw.bankcard_str, raw.idcard_str),
    };
    if let Some(depth) = crate::protocol::depth::json_too_deep_except(body, max, borrowed_span(body, &image)) {
        return Err(too_deep(depth));
    }
    let mut rest = raw.rest;
    // The other card's image field is not read: the journal lists it among the unknown fields.
    if let Some(v) = other {
        let name = if document == Document::IdCard { "bankcardStr" } else { "idcardStr" };
        rest.insert(Cow::Borrowed(name), v);
    }
    let id_card = document == Document::IdCard;
    let (app_id_name, app_id) = match (raw.webank_app_id, raw.app_id) {
        (Some(w), _) => ("webankAppId", w),
        (None, Some(a)) => ("appId", a),
        (None, None) => return Err(Refusal::bad_request("Missing parameter 'webankAppId'")),
    };
    Ok(Fields {
        app_id: need(app_id_name, Some(app_id))?,
        app_id_name,
        version: need("version", raw.version)?,
        nonce: need("nonce", raw.nonce)?,
        sign: need("sign", raw.sign)?,
        order_no: need("orderNo", raw.order_no)?,
        image: ImageText::Sent(need(document.image_field(), image)?),
        document,
        user_id: text("userId", raw.user_id, false)?,
        card_type: if id_card { text("cardType", raw.card_type, false)? } else { None },
        get_native: id_card && text("getNative", raw.get_native, false)?.is_some_and(|g| g == "1"),
        rest,
    })
}

/// The image field's text: as sent, or, when the body reader decoded it as the body arrived
/// ([`parse_upload`]), only its length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ImageText<'a> {
    Sent(Cow<'a, str>),
    Decoded { chars: usize },
}

impl ImageText<'_> {
    /// The text's length in bytes (as sent, a `data:` prefix included).
    pub(crate) fn len(&self) -> usize {
        match self {
            ImageText::Sent(s) => s.len(),
            ImageText::Decoded { chars } => *chars,
        }
    }

    /// The text, unless it was decoded as it arrived.
    pub(crate) fn sent(&self) -> Option<&str> {
        match self {
            ImageText::Sent(s) => Some(s),
            ImageText::Decoded { .. } => None,
        }
    }
}

/// [`parse`] of a body as it arrived, with its image `decoded` as it arrived when the body was split
/// ([`Splitter`](crate::image::stream::Splitter)): then the image, recognised, for the caller to use
/// instead of decoding it again (`None` when the body was parsed whole).
///
/// The split's rest (the body, its image replaced by one letter) is parsed instead of the body,
/// and the result kept only when the parse reads the letter as the image field, at the place it was
/// put: the split then took out the body's top-level image and nothing else. Any other body (an
/// escaped slash, a wrapped or unpadded image, a body that does not parse, over `--image-cap`) is
/// parsed whole, so answers and error messages do not depend on how the body was read.
pub(crate) fn parse_upload(
    received: &Received,
    decoded: Option<Vec<u8>>,
    document: Document,
) -> (Result<Fields<'_>, Refusal>, Option<Result<Decoded, ImageProblem>>) {
    let whole = match (received.split(), decoded) {
        (Some(split), Some(bytes)) => {
            if let Ok(mut f) = parse(&split.rest, document) {
                let letter = split.rest[split.at..].as_ptr();
                if matches!(&f.image, ImageText::Sent(Cow::Borrowed(a)) if *a == "A" && a.as_ptr() == letter) {
                    f.image = ImageText::Decoded { chars: split.text_len };
                    return (Ok(f), Some(crate::image::recognise(bytes)));
                }
            }
            received.rebuilt(&bytes)
        }
        // A split comes with its image (Splitter::finish); an empty body is refused as one.
        _ => received.whole().unwrap_or_default(),
    };
    (parse(whole, document), None)
}

/// `body` parsed without serde_json's recursion limit: only for a body the nesting guard has
/// found no deeper than [`crate::protocol::depth::MAX_JSON_DEPTH`], so the stack stays bounded.
fn parse_unbounded(body: &[u8]) -> Result<Raw<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    de.disable_recursion_limit();
    let raw = Raw::deserialize(&mut de)?;
    de.end()?;
    Ok(raw)
}

/// Where the text of `field` lies in `body`, when serde_json borrowed it (no escapes in it).
fn borrowed_span(body: &[u8], field: &Option<Loose<'_>>) -> Option<std::ops::Range<usize>> {
    let Some(Loose::Str(Cow::Borrowed(text))) = field else { return None };
    let start = (text.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    (start + text.len() <= body.len()).then(|| start..start + text.len())
}

fn alphanumeric(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `version`, checked before the app is looked up.
pub(crate) fn check_version(f: &Fields<'_>) -> Result<(), Refusal> {
    crate::protocol::fields::check_version(&f.version)
}

/// `nonce`, `orderNo` and `userId`, after the app is known and before the sign.
pub(crate) fn check_fields(f: &Fields<'_>) -> Result<(), Refusal> {
    crate::protocol::fields::check_nonce(&f.nonce)?;
    if !alphanumeric(&f.order_no) {
        return Err(Refusal::bad_request("orderNo must contain only letters and digits"));
    }
    if f.order_no.len() > 32 {
        return Err(Refusal::too_long(format!("orderNo is {} characters; at most 32", f.order_no.len())));
    }
    if let Some(user_id) = &f.user_id {
        if !user_id.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') {
            return Err(Refusal::bad_request("userId must not contain special characters"));
        }
        if user_id.chars().count() > 32 {
            return Err(Refusal::too_long(format!("userId is {} characters; at most 32", user_id.chars().count())));
        }
    }
    Ok(())
}

/// `cardType`: "0" front, "1" back, absent = the scenario's side (front by default); a bank card
/// has one side, [`Side::Bank`].
pub(crate) fn check_side(f: &Fields<'_>) -> Result<Option<Side>, Refusal> {
    if f.document == Document::BankCard {
        return Ok(Some(Side::Bank));
    }
    match f.card_type.as_deref() {
        None | Some("") => Ok(None),
        Some("0") => Ok(Some(Side::Front)),
        Some("1") => Ok(Some(Side::Back)),
        Some(other) => {
            Err(Refusal::bad_request(format!("cardType must be \"0\" (front) or \"1\" (back), not {other:?}")))
        }
    }
}

/// `idcardStr` (`bankcardStr`): at most `cap` bytes, valid Base64, a JPG/PNG/BMP image, with the
/// decoding done by `decode` (which may hand over an image decoded earlier): the cap is checked
/// first, so an over-long image is never decoded here.
pub(crate) fn check_decoded(
    f: &Fields<'_>,
    cap: usize,
    decode: impl FnOnce() -> Result<Decoded, ImageProblem>,
) -> Result<Decoded, Refusal> {
    if f.image.len() > cap {
        return Err(Refusal::too_long(format!(
            "{} is {} bytes; the cap is {cap} (--image-cap)",
            f.document.image_field(),
            f.image.len()
        )));
    }
    decode().map_err(|p| {
        let code = match p {
            ImageProblem::NotBase64(_) => &catalog::DECODE_FAILED,
            ImageProblem::NotAnImage(_) => &catalog::BAD_FORMAT,
        };
        Refusal { code, detail: p.to_string() }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::stream::Splitter;
    use crate::image::{self, LineBreaks};
    use bytes::Bytes;
    use serde_json::json;

    fn body(v: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    fn good() -> serde_json::Value {
        json!({"webankAppId":"TIDAMOCK","version":"1.0.0","nonce":"a".repeat(32),"sign":"S","orderNo":"order1","idcardStr":"x"})
    }

    fn with(key: &str, value: serde_json::Value) -> Vec<u8> {
        let mut v = good();
        v[key] = value;
        body(v)
    }

    fn refusal_of(bytes: &[u8]) -> Refusal {
        let f = match parse(bytes, Document::IdCard) {
            Ok(f) => f,
            Err(r) => return r,
        };
        check_version(&f).and_then(|_| check_fields(&f)).and_then(|_| check_side(&f).map(|_| ())).unwrap_err()
    }

    #[test]
    fn a_well_formed_body_borrows_its_strings() {
        let b = body(good());
        let f = parse(&b, Document::IdCard).unwrap();
        assert!(matches!(f.image, ImageText::Sent(Cow::Borrowed(_))));
        assert_eq!((f.app_id.as_ref(), f.app_id_name), ("TIDAMOCK", "webankAppId"));
    }

    #[test]
    fn escaped_slashes_from_php_encoders_are_unescaped() {
        let b = br#"{"appId":"TIDAMOCK","version":"1.0.0","nonce":"n","sign":"s","orderNo":"o","idcardStr":"ab\/cd"}"#;
        let f = parse(b, Document::IdCard).unwrap();
        assert_eq!(f.image.sent(), Some("ab/cd"));
        assert_eq!(f.app_id_name, "appId");
    }

    #[test]
    fn webank_app_id_wins_over_app_id() {
        let b = with("appId", json!("OTHER"));
        assert_eq!(parse(&b, Document::IdCard).unwrap().app_id, "TIDAMOCK");
    }

    #[test]
    fn validation_table() {
        let cases: Vec<(Vec<u8>, &str, &str)> = vec![
            (b"webankAppId=TIDAMOCK&version=1.0.0".to_vec(), "400101", "JSON parse error"),
            (b"{\"version\":".to_vec(), "400101", "JSON parse error"),
            (b"[1,2]".to_vec(), "400101", "JSON parse error"),
            (with("nonce", json!(null)), "400101", "Missing parameter 'nonce'"),
            (with("orderNo", json!(12345)), "400101", "'orderNo' must be a string, not a number"),
            (with("sign", json!({"a":1})), "400101", "'sign' must be a string, not an object"),
            (with("version", json!("2.0.0")), "400502", "only version"),
            (with("nonce", json!("short")), "400101", "got 5 characters"),
            (with("nonce", json!("!".repeat(32))), "400101", "32 letters or digits"),
            (with("orderNo", json!("a".repeat(33))), "66660000", "at most 32"),
            (with("orderNo", json!("order-1")), "400101", "only letters and digits"),
            (with("userId", json!("u".repeat(33))), "66660000", "userId"),
            (with("userId", json!("u<script>")), "400101", "special characters"),
            (with("cardType", json!("2")), "400101", "cardType"),
            (with("cardType", json!(0)), "400101", "'cardType' must be a string"),
            (br#"{"version":"1.0.0"}"#.to_vec(), "400101", "Missing parameter 'webankAppId'"),
        ];
        for (bytes, code, detail) in cases {
            let r = refusal_of(&bytes);
            assert_eq!(r.code.code, code, "{} -> {r:?}", String::from_utf8_lossy(&bytes));
            assert!(r.detail.contains(detail), "{r:?} lacks {detail:?}");
        }
    }

    #[test]
    fn duplicate_keys_and_deep_nesting_are_bad_requests_not_panics() {
        let dup = br#"{"nonce":"a","nonce":"b"}"#;
        assert_eq!(parse(dup, Document::IdCard).unwrap_err().code.code, "400101");
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse(deep.as_bytes(), Document::BankCard).unwrap_err().code.code, "400101");
    }

    #[test]
    fn the_image_is_capped_before_it_is_decoded() {
        let mut v = good();
        v["idcardStr"] = json!("*".repeat(11));
        let b = body(v);
        let f = parse(&b, Document::IdCard).unwrap();
        assert_eq!(
            check_decoded(&f, 10, || image::decode(f.image.sent().unwrap(), LineBreaks::Strip)).unwrap_err().code.code,
            "66660000"
        );
        assert_eq!(
            check_decoded(&f, 11, || image::decode(f.image.sent().unwrap(), LineBreaks::Strip)).unwrap_err().code.code,
            "66661005"
        );
    }

    #[test]
    fn a_bank_card_body_carries_its_image_in_bankcard_str_and_ignores_card_type() {
        let mut v = good();
        v.as_object_mut().unwrap().remove("idcardStr");
        v["bankcardStr"] = json!("x");
        v["cardType"] = json!("7");
        let b = body(v);
        let f = parse(&b, Document::BankCard).unwrap();
        assert_eq!((f.image.sent(), f.card_type, f.document), (Some("x"), None, Document::BankCard));
        let r = parse(&b, Document::IdCard).unwrap_err();
        assert_eq!(r.detail, "Missing parameter 'idcardStr'");
        let r = parse(&body(good()), Document::BankCard).unwrap_err();
        assert_eq!(r.detail, "Missing parameter 'bankcardStr'");
    }

    /// `template` with the Base64 of a ~72 KB PNG-headed image in place of each `{}`, and that Base64.
    fn large(template: &str) -> (Vec<u8>, String) {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend((0..72_000u32).map(|i| (i * 7 % 251) as u8));
        let b64 = image::encode(&bytes);
        (template.replace("{}", &b64).into_bytes(), b64)
    }

    const FIELDS: &str =
        r#""webankAppId":"TIDAMOCK","version":"1.0.0","nonce":"n","sign":"s","orderNo":"o1","tiket":7"#;

    /// `body` as the server receives it: in chunks of `size` bytes, split as they arrive.
    fn arrived(body: &[u8], size: usize, document: Document, cap: usize) -> (Received, Option<Vec<u8>>) {
        let mut s = Splitter::new(document.image_field(), cap, Some(body.len() as u64));
        body.chunks(size).for_each(|c| s.push(Bytes::copy_from_slice(c)));
        s.finish()
    }

    /// The chunk sizes a body is tried in: one byte, a few odd sizes, hyper's usual reads, whole.
    const SIZES: [usize; 6] = [1, 3, 1000, 8192, 65_536, usize::MAX];

    #[test]
    fn a_large_body_reads_as_the_whole_parse_reads_it_with_its_image_decoded_as_it_arrives() {
        let bodies = [
            format!("{{{FIELDS},\"idcardStr\":\"{{}}\"}}"),
            format!("{{\"idcardStr\" :\r\n \"{{}}\" , {FIELDS}}}"),
            format!("{{{FIELDS},\"idcardStr\":\"data:image/png;base64,{{}}\",\"userId\":\"u_1\"}}"),
        ];
        for template in bodies {
            let (body, _) = large(&template);
            let whole = parse(&body, Document::IdCard).unwrap();
            let expected = image::decode(whole.image.sent().unwrap(), LineBreaks::Strip).unwrap();
            for size in SIZES {
                let (received, decoded) = arrived(&body, size, Document::IdCard, usize::MAX);
                let (fields, image) = parse_upload(&received, decoded, Document::IdCard);
                let mut fields = fields.unwrap();
                assert_eq!(fields.image, ImageText::Decoded { chars: whole.image.len() }, "{template}");
                fields.image = whole.image.clone();
                assert_eq!(fields, whole, "{template} in chunks of {size}");
                assert_eq!(image.expect("decoded as it arrived").unwrap(), expected, "{template}");
            }
        }
    }

    #[test]
    fn a_large_body_the_split_cannot_vouch_for_is_parsed_whole() {
        let cases = [
            // an escaped slash (PHP), a wrapped image, no padding: valid, read by the whole parse
            (format!("{{{FIELDS},\"idcardStr\":\"{{}}\\/\"}}"), true),
            (format!("{{{FIELDS},\"idcardStr\":\"AAAA\\r\\n{{}}\"}}"), true),
            // the first "idcardStr" nested, the top-level one after it
            (format!("{{\"x\":{{\"idcardStr\":\"{{}}\"}},{FIELDS},\"idcardStr\":\"{{}}\"}}"), true),
            // two images, a raw line break, no closing brace: refused as the whole parse refuses them
            (format!("{{{FIELDS},\"idcardStr\":\"{{}}\",\"idcardStr\":\"{{}}\"}}"), false),
            (format!("{{{FIELDS},\"idcardStr\":\"{{}}\n\"}}"), false),
            (format!("{{{FIELDS},\"idcardStr\":\"{{}}\""), false),
        ];
        for (template, ok) in cases {
            let (body, _) = large(&template);
            for size in SIZES {
                let (received, decoded) = arrived(&body, size, Document::IdCard, usize::MAX);
                let (fields, image) = parse_upload(&received, decoded, Document::IdCard);
                assert!(image.is_none(), "{template}");
                assert_eq!(fields, parse(&body, Document::IdCard), "{template} in chunks of {size}");
                assert_eq!(fields.is_ok(), ok, "{template}");
            }
        }
    }

    #[test]
    fn a_large_image_over_the_cap_is_not_decoded_as_it_arrives() {
        let (body, b64) = large(&format!("{{{FIELDS},\"bankcardStr\":\"{{}}\"}}"));
        let (received, decoded) = arrived(&body, 8192, Document::BankCard, b64.len() - 1);
        let (fields, image) = parse_upload(&received, decoded, Document::BankCard);
        assert!(image.is_none());
        assert_eq!(fields.unwrap().image.sent(), Some(b64.as_str()));
        let (received, decoded) = arrived(&body, 8192, Document::BankCard, b64.len());
        assert!(parse_upload(&received, decoded, Document::BankCard).1.is_some());
    }

    #[test]
    fn content_types_other_than_json_are_refused() {
        assert!(check_content_type(None).is_ok());
        assert!(check_content_type(Some("application/json; charset=UTF-8")).is_ok());
        let r = check_content_type(Some("application/x-www-form-urlencoded")).unwrap_err();
        assert_eq!(r.detail, "Content type 'application/x-www-form-urlencoded' not supported");
    }
}
