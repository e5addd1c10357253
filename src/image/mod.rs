//! The uploaded image: Base64 leniency as real clients need it (76-column wrapping, a
//! `data:…;base64,` prefix) and the format sniffed from the first decoded bytes (docs/protocol.md §5).
//!
//! Also the generated face photo and video of the face-verification results ([`face_photo`],
//! [`face_video`]; `face`, `video`, `glyphs` import nothing of the crate).
//!
//! Imports: `protocol` (`Side`) only.

pub(crate) mod face;
pub(crate) mod glyphs;
pub mod marker;
pub mod picture;
pub(crate) mod stream;
pub(crate) mod video;

pub(crate) use face::face_photo;
pub(crate) use video::face_video;

use base64::Engine as _;

/// What a strict client would be refused for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineBreaks {
    /// Strip CR and LF before decoding (old Java encoders wrap at 76 columns).
    #[default]
    Strip,
    /// `--strict-base64`: CR or LF makes the Base64 invalid.
    Reject,
}

/// A format the service accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Bmp,
}

impl Format {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Bmp => "bmp",
        }
    }
}

/// Why an `idcardStr` was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageProblem {
    /// Not Base64, or nothing after decoding (66661005).
    NotBase64(String),
    /// Decoded bytes that are no JPG, PNG or BMP (66661010).
    NotAnImage(&'static str),
}

impl std::fmt::Display for ImageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageProblem::NotBase64(why) => write!(f, "idcardStr is not valid Base64: {why}"),
            ImageProblem::NotAnImage(what) => write!(f, "idcardStr decodes to {what}, not a JPG, PNG or BMP image"),
        }
    }
}

/// A decoded, recognised image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub bytes: Vec<u8>,
    pub format: Format,
}

/// Removes a `data:<type>;base64,` prefix.
pub(crate) fn strip_data_url(s: &str) -> &str {
    let (prefix, _) = split_data_url(s.as_bytes());
    &s[prefix.len()..]
}

/// `s` split after its `data:<type>;base64,` prefix (an empty prefix when it has none).
fn split_data_url(s: &[u8]) -> (&[u8], &[u8]) {
    if let Some(rest) = s.strip_prefix(b"data:") {
        if let Some(i) = memchr::memmem::find(rest, b";base64,") {
            return s.split_at("data:".len() + i + ";base64,".len());
        }
    }
    (&[], s)
}

/// Decodes `idcard_str` and recognises its format.
///
/// Decoding is WHATWG "forgiving Base64" (standard alphabet, padding optional, ASCII white space
/// skipped), SIMD-accelerated: a 3 MB image is most of a request's cost, and `base64-simd` decodes
/// it about four times faster than the scalar `base64` engine.
///
/// # Errors
/// [`ImageProblem::NotBase64`] for bad Base64 or an empty result, [`ImageProblem::NotAnImage`]
/// for bytes of another kind.
pub fn decode(idcard_str: &str, breaks: LineBreaks) -> Result<Decoded, ImageProblem> {
    // Canonical Base64 (what nearly every client sends) decodes in one pass; only on failure is the
    // forgiving decoder's white-space scan paid for.
    if let Some(done) = decode_canonical(idcard_str.as_bytes()) {
        return done;
    }
    let b64 = strip_data_url(idcard_str);
    if breaks == LineBreaks::Reject && b64.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(ImageProblem::NotBase64("it contains line breaks (--strict-base64)".into()));
    }
    let bytes = base64_simd::forgiving_decode_to_vec(b64.as_bytes())
        .map_err(|_| ImageProblem::NotBase64("a character outside the Base64 alphabet, or a bad length".into()))?;
    recognise(bytes)
}

/// [`decode`] of text that is canonical Base64 (standard alphabet, padded, no white space) after an
/// optional `data:` prefix of printable ASCII without a quote or a backslash; `None` for any other text, which
/// [`decode`] then reads leniently.
///
/// Text this accepts is printable ASCII with no quote or backslash (a valid JSON string's contents exactly
/// as sent), whatever the `--strict-base64` setting (canonical Base64 has no line breaks to
/// refuse). The body reader takes such text out of a large body as it arrives by the same rule
/// ([`stream::Splitter`]).
pub(crate) fn decode_canonical(text: &[u8]) -> Option<Result<Decoded, ImageProblem>> {
    let (prefix, b64) = split_data_url(text);
    if !prefix.iter().all(|&b| (0x20..0x7f).contains(&b) && b != b'\\' && b != b'"') {
        return None;
    }
    let bytes = base64_simd::STANDARD.decode_to_vec(b64).ok()?;
    Some(recognise(bytes))
}

/// Decoded bytes as a [`Decoded`] image, or why they are not one.
pub(crate) fn recognise(bytes: Vec<u8>) -> Result<Decoded, ImageProblem> {
    if bytes.is_empty() {
        return Err(ImageProblem::NotBase64("it decodes to nothing".into()));
    }
    let format = sniff(&bytes).ok_or_else(|| ImageProblem::NotAnImage(describe(&bytes)))?;
    Ok(Decoded { bytes, format })
}

/// The image format of `bytes`, from their magic number.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.len() >= 14 && bytes.starts_with(b"BM") {
        Some(Format::Bmp)
    } else {
        None
    }
}

fn describe(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF") {
        "a PDF"
    } else if bytes.starts_with(b"GIF8") {
        "a GIF"
    } else if bytes.starts_with(b"RIFF") {
        "a RIFF (WebP?) file"
    } else if std::str::from_utf8(bytes).is_ok() {
        "text"
    } else {
        "unrecognised bytes"
    }
}

/// Base64 (standard, padded) of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn png_jpeg_and_bmp_are_recognised_by_magic_number() {
        assert_eq!(sniff(PNG), Some(Format::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(Format::Jpeg));
        assert_eq!(sniff(b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0"), Some(Format::Bmp));
        assert_eq!(sniff(b"GIF89a"), None);
    }

    #[test]
    fn wrapped_base64_and_data_urls_are_tolerated_by_default() {
        let b64 = encode(PNG);
        let wrapped = format!("{}\r\n{}", &b64[..8], &b64[8..]);
        assert_eq!(decode(&wrapped, LineBreaks::Strip).unwrap().bytes, PNG);
        assert_eq!(decode(&format!("data:image/png;base64,{b64}"), LineBreaks::Strip).unwrap().format, Format::Png);
        assert!(matches!(decode(&wrapped, LineBreaks::Reject), Err(ImageProblem::NotBase64(_))));
    }

    #[test]
    fn missing_padding_is_tolerated() {
        let b64 = encode(PNG);
        assert_eq!(decode(b64.trim_end_matches('='), LineBreaks::Strip).unwrap().bytes, PNG);
    }

    #[test]
    fn bad_base64_empty_input_and_text_are_told_apart() {
        assert!(matches!(decode("***", LineBreaks::Strip), Err(ImageProblem::NotBase64(_))));
        assert!(matches!(decode("", LineBreaks::Strip), Err(ImageProblem::NotBase64(_))));
        assert_eq!(decode(&encode(b"hello, world"), LineBreaks::Strip), Err(ImageProblem::NotAnImage("text")));
    }

    #[test]
    fn only_canonical_base64_is_decoded_without_the_lenient_pass() {
        let b64 = encode(PNG);
        assert_eq!(decode_canonical(b64.as_bytes()).unwrap().unwrap().bytes, PNG);
        assert!(decode_canonical(format!("data:image/png;base64,{b64}").as_bytes()).unwrap().is_ok());
        // Whatever a JSON string could not hold raw, or the lenient decoder alone accepts, is left to it.
        for text in [
            format!("{}\n{}", &b64[..8], &b64[8..]),
            b64.trim_end_matches('=').into(),
            format!("data:a\\b;base64,{b64}"),
            format!("data:a\tb;base64,{b64}"),
            format!("{b64}\""),
        ] {
            assert!(decode_canonical(text.as_bytes()).is_none(), "{text:?}");
        }
        assert_eq!(decode_canonical(b"").unwrap(), Err(ImageProblem::NotBase64("it decodes to nothing".into())));
    }
}
