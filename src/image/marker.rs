//! Image markers: a scenario name (and optionally a pinned name and number) carried inside the
//! uploaded image, so a test through a mobile app can pick the outcome without touching the
//! partner's backend. PNG: an iTXt chunk with keyword `idocr-mock`; JPEG: a COM segment starting
//! `idocr-mock:`. The text is JSON. Detection walks the chunk or segment list only (bounded; the
//! picture is never decoded).

use crate::image::picture::{self, MARKER_KEYWORD};
use crate::image::{sniff, Format};
use crate::protocol::Side;
use serde::{Deserialize, Serialize};

/// Most chunks or segments looked at before giving up.
const MAX_PARTS: usize = 10_000;
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_PREFIX: &[u8] = b"idocr-mock:";

/// What an image asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    pub scenario: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idcard: Option<String>,
}

impl Marker {
    pub(crate) fn to_text(&self) -> String {
        serde_json::to_string(self).expect("strings serialise")
    }
}

/// The marker of an image: `None` without one, `Some(Err)` for one that is not readable.
pub fn find(bytes: &[u8]) -> Option<Result<Marker, String>> {
    let text = match sniff(bytes)? {
        Format::Png => png_text(bytes)?,
        Format::Jpeg => jpeg_comment(bytes)?,
        Format::Bmp => return None,
    };
    Some(serde_json::from_slice(text).map_err(|e| format!("the image's idocr-mock marker is not valid: {e}")))
}

fn be32(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?) as usize)
}

fn split_nul(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = b.iter().position(|&c| c == 0)?;
    Some((&b[..i], &b[i + 1..]))
}

fn png_text(b: &[u8]) -> Option<&[u8]> {
    let mut at = PNG_SIGNATURE.len();
    for _ in 0..MAX_PARTS {
        let len = be32(b, at)?;
        let kind = b.get(at + 4..at + 8)?;
        let data = b.get(at + 8..(at + 8).checked_add(len)?)?;
        match kind {
            b"iTXt" => {
                if let Some(text) = itxt(data) {
                    return Some(text);
                }
            }
            b"tEXt" => match split_nul(data) {
                Some((keyword, text)) if keyword == MARKER_KEYWORD.as_bytes() => return Some(text),
                _ => {}
            },
            b"IEND" => return None,
            _ => {}
        }
        at = at.checked_add(12)?.checked_add(len)?;
    }
    None
}

/// iTXt: keyword, NUL, compression flag, method, language, NUL, translated keyword, NUL, text.
fn itxt(data: &[u8]) -> Option<&[u8]> {
    let (keyword, rest) = split_nul(data)?;
    if keyword != MARKER_KEYWORD.as_bytes() || *rest.first()? != 0 {
        return None;
    }
    let (_language, rest) = split_nul(rest.get(2..)?)?;
    let (_translated, text) = split_nul(rest)?;
    Some(text)
}

fn jpeg_comment(b: &[u8]) -> Option<&[u8]> {
    let mut at = 2;
    for _ in 0..MAX_PARTS {
        if *b.get(at)? != 0xFF {
            return None;
        }
        let kind = *b.get(at + 1)?;
        match kind {
            0xFF => at += 1,
            0xDA | 0xD9 => return None,
            0x01 | 0xD0..=0xD7 => at += 2,
            _ => {
                let len = usize::from(u16::from_be_bytes([*b.get(at + 2)?, *b.get(at + 3)?]));
                let data = b.get(at + 4..(at + 2 + len).max(at + 4))?;
                if kind == 0xFE {
                    if let Some(text) = data.strip_prefix(JPEG_PREFIX) {
                        return Some(text);
                    }
                }
                at += 2 + len.max(2);
            }
        }
    }
    None
}

/// `image` with `marker` added (PNG: after IHDR; JPEG: after the APPn segments).
///
/// # Errors
/// Why the image cannot be marked: not a PNG or JPEG, or a broken header.
pub fn tag(image: &[u8], marker: &Marker) -> Result<Vec<u8>, String> {
    let text = marker.to_text();
    match sniff(image) {
        Some(Format::Png) => tag_png(image, &text),
        Some(Format::Jpeg) => tag_jpeg(image, &text),
        _ => Err("only PNG and JPEG images can carry a marker".into()),
    }
}

fn tag_png(image: &[u8], text: &str) -> Result<Vec<u8>, String> {
    let ihdr_len = be32(image, 8).filter(|_| image.get(12..16) == Some(b"IHDR")).ok_or("the PNG has no IHDR chunk")?;
    let insert_at = 8 + 12 + ihdr_len;
    if image.len() < insert_at {
        return Err("the PNG is cut short".into());
    }
    let mut data = Vec::with_capacity(text.len() + 16);
    data.extend_from_slice(MARKER_KEYWORD.as_bytes());
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(text.as_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(b"iTXt");
    crc.update(&data);
    let mut out = Vec::with_capacity(image.len() + data.len() + 12);
    out.extend_from_slice(&image[..insert_at]);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(b"iTXt");
    out.extend_from_slice(&data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out.extend_from_slice(&image[insert_at..]);
    Ok(out)
}

fn tag_jpeg(image: &[u8], text: &str) -> Result<Vec<u8>, String> {
    let payload = [JPEG_PREFIX, text.as_bytes()].concat();
    let len = u16::try_from(payload.len() + 2).map_err(|_| "the marker is too long for a JPEG comment")?;
    let mut at = 2;
    while image.get(at) == Some(&0xFF) && image.get(at + 1).is_some_and(|k| (0xE0..=0xEF).contains(k)) {
        let seg = image.get(at + 2..at + 4).ok_or("the JPEG is cut short")?;
        at += 2 + usize::from(u16::from_be_bytes([seg[0], seg[1]]));
    }
    if at > image.len() {
        return Err("the JPEG is cut short".into());
    }
    let mut out = Vec::with_capacity(image.len() + payload.len() + 4);
    out.extend_from_slice(&image[..at]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&image[at..]);
    Ok(out)
}

/// A generated JPEG card picture of `side`, with `marker` when given.
pub fn card_jpeg(side: Side, marker: Option<&Marker>) -> Vec<u8> {
    let pixels = picture::draw(side);
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder
        .encode(&pixels, picture::WIDTH as u16, picture::HEIGHT as u16, jpeg_encoder::ColorType::Rgb)
        .expect("encoding a picture of the right size into a Vec cannot fail");
    match marker {
        Some(m) => tag_jpeg(&out, &m.to_text()).expect("our own JPEG is well formed"),
        None => out,
    }
}

/// A generated PNG card picture of `side`, with `marker` when given.
pub fn card_png(side: Side, marker: Option<&Marker>) -> Vec<u8> {
    picture::card_png(side, marker.map(Marker::to_text).as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker() -> Marker {
        Marker { scenario: "blurry".into(), name: Some("测试员".into()), idcard: Some("11010519491231002X".into()) }
    }

    #[test]
    fn generated_pngs_and_jpegs_carry_their_marker() {
        for side in [Side::Front, Side::Back] {
            assert_eq!(find(&card_png(side, Some(&marker()))), Some(Ok(marker())));
            let jpeg = card_jpeg(side, Some(&marker()));
            assert_eq!(sniff(&jpeg), Some(Format::Jpeg));
            assert_eq!(find(&jpeg), Some(Ok(marker())));
        }
        assert_eq!(find(&card_png(Side::Front, None)), None);
        assert_eq!(find(&card_jpeg(Side::Front, None)), None);
    }

    #[test]
    fn tagging_an_existing_image_adds_a_readable_marker_and_keeps_it_valid() {
        let png = tag(&card_png(Side::Front, None), &marker()).unwrap();
        assert_eq!(find(&png), Some(Ok(marker())));
        let reader = png::Decoder::new(std::io::Cursor::new(&png)).read_info().unwrap();
        assert_eq!(reader.info().width, picture::WIDTH);
        let jpeg = tag(&card_jpeg(Side::Back, None), &marker()).unwrap();
        assert_eq!(find(&jpeg), Some(Ok(marker())));
        assert!(tag(b"BM\0\0\0\0\0\0\0\0\0\0\0\0", &marker()).is_err());
    }

    #[test]
    fn truncated_or_hostile_images_end_the_walk_without_panicking() {
        let png = card_png(Side::Front, Some(&marker()));
        for cut in [9, 20, 40, 60] {
            let _ = find(&png[..cut]);
        }
        let mut huge = PNG_SIGNATURE.to_vec();
        huge.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, b'i', b'T', b'X', b't']);
        assert_eq!(find(&huge), None);
        assert_eq!(find(&[0xFF, 0xD8, 0xFF, 0xFE, 0, 0]), None);
        assert_eq!(find(&[0xFF, 0xD8, 0xFF, 0xFE, 0, 1, 0xFF]), None);
    }
}
