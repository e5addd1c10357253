//! The journal's view of a request body and query: known OCR fields as sent (secrets masked),
//! `idcardStr` as its size, SHA-256 and format, unknown fields by name only, and a user id that is
//! an ID number masked.

use crate::image::{self, LineBreaks};
use crate::image::{Decoded, ImageProblem};
use crate::protocol::Loose;
use crate::redact::{self, clip, is_secret_name};
use serde::Serialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Body fields of the vendor requests whose values are kept as sent (bounded): the OCR requests'
/// and those of the face endpoints (PROTOCOL-FACE.md §4–§6), so neither is listed as unknown.
const PLAIN_FIELDS: &[&str] = &[
    "webankAppId",
    "appId",
    "version",
    "nonce",
    "sign",
    "orderNo",
    "cardType",
    "getNative",
    // face verification
    "userId",
    "getFile",
    "get_file",
    "liveInterType",
    "sourcePhotoType",
    "queryVersion",
    "h5faceId",
    "faceId",
    "url",
    "resultType",
    "redirectType",
    "from",
    "nonceStr",
    "wbappid",
    "app_id",
    "order_no",
];
/// Fields that name a person: kept as their first character and their length only.
const PERSONAL_FIELDS: &[&str] = &["name", "idNo"];
/// Fields that carry a picture: kept as its size, format and SHA-256.
const IMAGE_FIELDS: &[&str] = &["idcardStr", "bankcardStr", "sourcePhotoStr"];

/// The body of a request, safe to keep: known OCR fields as sent (secrets masked), `idcardStr` as
/// its size, SHA-256 of the decoded bytes and format, unknown fields by name only.
///
/// Built from a borrowed parse and written straight to JSON text: the journal holds one allocation
/// per body, and the request's strings (a 3 MB image among them) are never copied.
pub(crate) fn summarise_body(body: &[u8]) -> Box<RawValue> {
    match serde_json::from_slice::<BTreeMap<Cow<'_, str>, Loose<'_>>>(body) {
        Ok(map) => Summary::of(body.len(), map.iter().map(|(k, v)| (k.as_ref(), v))).to_raw(),
        Err(_) => Summary { bytes: body.len(), json: false, ..Summary::default() }.to_raw(),
    }
}

/// The same summary, built from what an endpoint already parsed and decoded (`fields` as read,
/// `image` the Base64 text of `image_field` and its decoded bytes): the body is not parsed again,
/// the image not decoded again (for a 3 MB upload each would cost as much as the request itself).
pub(crate) fn summarise_parsed<'a>(
    body_len: usize,
    fields: impl Iterator<Item = (&'a str, &'a Loose<'a>)>,
    image_field: &'static str,
    base64_chars: usize,
    image: &Decoded,
) -> Box<RawValue> {
    let mut summary = Summary::of(body_len, fields);
    summary.fields.insert(image_field, image_kept(base64_chars, Ok(image)));
    summary.to_raw()
}

/// The same summary of a body whose image was decoded as it arrived (`image::stream`): `rest` is
/// the body with the image's text replaced by one letter, `image` what the text decoded to (`None`
/// when it is no longer at hand: the image field is then left out).
pub(crate) fn summarise_split(
    body_len: usize,
    rest: &[u8],
    image_field: &'static str,
    base64_chars: usize,
    image: Option<Result<&Decoded, &ImageProblem>>,
) -> Box<RawValue> {
    match serde_json::from_slice::<BTreeMap<Cow<'_, str>, Loose<'_>>>(rest) {
        Ok(map) => {
            let mut summary = Summary::of(body_len, map.iter().map(|(k, v)| (k.as_ref(), v)));
            match image {
                Some(image) => summary.fields.insert(image_field, image_kept(base64_chars, image)),
                None => summary.fields.0.retain(|(k, _)| k != image_field),
            }
            summary.to_raw()
        }
        Err(_) => Summary { bytes: body_len, json: false, ..Summary::default() }.to_raw(),
    }
}

/// An image field as the journal keeps it: its size, and the SHA-256 and format of what it
/// decoded to, or why it did not decode to an image.
fn image_kept(base64_chars: usize, image: Result<&Decoded, &ImageProblem>) -> Kept<'static> {
    match image {
        Ok(d) => {
            Kept::Image { base64_chars, bytes: d.bytes.len(), sha256: sha256_hex(&d.bytes), format: d.format.as_str() }
        }
        Err(p) => Kept::BadImage { base64_chars, problem: redact::clipped(&p.to_string()) },
    }
}

#[derive(Default, Serialize)]
struct Summary<'a> {
    bytes: usize,
    json: bool,
    #[serde(skip_serializing_if = "KeptFields::is_empty")]
    fields: KeptFields<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unknown_fields: Vec<Cow<'a, str>>,
}

impl<'a> Summary<'a> {
    /// The summary of a JSON body's `(name, value)` pairs: known fields kept, unknown ones named.
    fn of(bytes: usize, pairs: impl Iterator<Item = (&'a str, &'a Loose<'a>)>) -> Self {
        let mut summary = Summary { bytes, json: true, ..Summary::default() };
        for (k, v) in pairs {
            match kept(k, v) {
                Some(out) => summary.fields.insert(k, out),
                None => summary.unknown_fields.push(clip(k)),
            }
        }
        summary
    }

    /// The JSON text, written once (one allocation the journal keeps, not parsed again).
    fn to_raw(&self) -> Box<RawValue> {
        serde_json::value::to_raw_value(self).expect("a summary of strings serialises")
    }
}

/// Known fields by name, written as a JSON object sorted by name. A small sorted vector: a body has
/// about ten fields, and a map would allocate a node per field on every request.
#[derive(Default)]
struct KeptFields<'a>(Vec<(Cow<'a, str>, Kept<'a>)>);

impl<'a> KeptFields<'a> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds or replaces the field `name`.
    fn insert(&mut self, name: &'a str, value: Kept<'a>) {
        let name = clip(name);
        match self.0.binary_search_by(|(k, _)| k.as_ref().cmp(name.as_ref())) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (name, value)),
        }
    }
}

impl Serialize for KeptFields<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// A field's value as the journal keeps it.
#[derive(Serialize)]
#[serde(untagged)]
enum Kept<'a> {
    Text(Cow<'a, str>),
    Image {
        base64_chars: usize,
        bytes: usize,
        sha256: String,
        format: &'static str,
    },
    BadImage {
        base64_chars: usize,
        problem: String,
    },
    /// What came where a string was expected (`<number>`, `<object>`, …).
    Kind(String),
}

/// The kept form of a known field; `None` for a field the request should not have had.
fn kept<'a>(name: &str, v: &'a Loose<'a>) -> Option<Kept<'a>> {
    let text = match v {
        Loose::Str(s) => s,
        Loose::Null => return known(name).then(|| Kept::Kind("<null>".into())),
        Loose::Other(kind) => {
            return known(name)
                .then(|| Kept::Kind(format!("<{}>", kind.trim_start_matches("a ").trim_start_matches("an "))))
        }
    };
    Some(match name {
        _ if IMAGE_FIELDS.contains(&name) => image_summary(text),
        _ if PERSONAL_FIELDS.contains(&name) => Kept::Text(Cow::Owned(person(text))),
        _ if !known(name) => return None,
        _ => Kept::Text(redact::value(name, text)),
    })
}

fn known(name: &str) -> bool {
    PLAIN_FIELDS.contains(&name)
        || PERSONAL_FIELDS.contains(&name)
        || IMAGE_FIELDS.contains(&name)
        || is_secret_name(name)
}

/// `张*(3)`: enough to tell two people apart in a test, not enough to keep a real one.
fn person(text: &str) -> String {
    let first = text.chars().next().map_or(String::new(), |c| c.to_string());
    format!("{first}*({})", text.chars().count())
}

fn image_summary(b64: &str) -> Kept<'static> {
    image_kept(b64.len(), image::decode(b64, LineBreaks::Strip).as_ref())
}

/// Lower-case hex SHA-256, as `sha256sum` prints it.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let mut out = [0u8; 64];
    hex::encode_to_slice(Sha256::digest(bytes), &mut out).expect("64 hex digits for 32 bytes");
    String::from_utf8(out.to_vec()).expect("hex digits are ASCII")
}

/// Query pairs, percent-decoded, `+` as a space (form encoding).
pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    crate::protocol::query::parse(q, crate::protocol::query::Plus::Space)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_id_number_is_masked_whatever_the_case_of_its_check_letter() {
        for id in ["11010519491231002X", "11010519491231002x"] {
            let body = json!({"webankAppId": "A", "userId": id}).to_string();
            let text = summarise_body(body.as_bytes()).get().to_string();
            assert!(text.contains("110105********002"), "{text}");
            assert!(!text.contains("19491231"), "{text}");
        }
    }

    #[test]
    fn the_body_summary_keeps_no_image_secret_or_id_number() {
        let png = crate::image::picture::card_png(crate::protocol::Side::Front, None);
        let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &png);
        let body = json!({"webankAppId":"A","idcardStr":b64,"ticket":"supersecretticket","userId":"11010519491231002X","extra":"v"});
        let raw = summarise_body(body.to_string().as_bytes());
        let text = raw.get().to_string();
        let s: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(!text.contains(&b64[..40]) && !text.contains("supersecret") && !text.contains("19491231"), "{text}");
        assert_eq!(s["fields"]["idcardStr"]["sha256"], sha256_hex(&png));
        assert_eq!(s["fields"]["idcardStr"]["format"], "png");
        assert_eq!(s["unknown_fields"], json!(["extra"]));
        assert!(!text.contains("\"v\""));
    }

    #[test]
    fn a_face_request_names_no_documented_field_unknown_and_keeps_a_person_as_an_initial() {
        let jpeg = crate::image::face_photo(3);
        let photo = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &jpeg);
        let body = json!({"webankAppId":"A","orderNo":"o1","name":"张三丰","idNo":"110101199003070011",
            "userId":"u1","version":"1.0.0","sign":"S","liveInterType":"1","sourcePhotoStr":photo,
            "sourcePhotoType":"2","getFile":2,"nmae":"typo"});
        let text = summarise_body(body.to_string().as_bytes()).get().to_string();
        let s: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(s["unknown_fields"], json!(["nmae"]), "only the typo: {text}");
        assert_eq!(s["fields"]["name"], "张*(3)");
        assert_eq!(s["fields"]["idNo"], "1*(18)");
        assert_eq!(s["fields"]["sourcePhotoStr"]["format"], "jpeg");
        assert_eq!(s["fields"]["getFile"], "<number>");
        assert!(!text.contains("三丰") && !text.contains("19900307") && !text.contains(&photo[..40]), "{text}");
    }
}
