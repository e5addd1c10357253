//! Generated card pictures: real PNG files shaped like an ID card or a bank card (never a real
//! card), optionally carrying an `idocr-mock` text chunk. The tests, the conformance suite and `idocr-mock image`
//! upload these instead of photographs.

use crate::protocol::Side;

/// Width and height in pixels, in the ratio of an ID card and of a bank card (both ISO/IEC 7810
/// ID-1, 85.6 × 54 mm).
pub(crate) const WIDTH: u32 = 428;
pub(crate) const HEIGHT: u32 = 270;
/// The keyword of the PNG text chunk that carries a marker.
pub(crate) const MARKER_KEYWORD: &str = "idocr-mock";

/// A PNG picture of one side of a synthetic card, with `marker` in an iTXt chunk when given.
pub fn card_png(side: Side, marker: Option<&str>) -> Vec<u8> {
    let pixels = draw(side);
    let mut out = Vec::with_capacity(pixels.len() / 4);
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        if let Some(m) = marker {
            encoder.add_itxt_chunk(MARKER_KEYWORD.to_string(), m.to_string()).expect("a short keyword is valid");
        }
        let mut writer = encoder.write_header().expect("writing to a Vec cannot fail");
        writer.write_image_data(&pixels).expect("the buffer has width × height pixels");
    }
    out
}

/// A PNG crop of the number band of a generated bank card (`bankcardNoPhoto`): 370 × 25 pixels.
pub(crate) fn number_strip_png() -> Vec<u8> {
    let (width, height) = (370u32, 25u32);
    let full = draw(Side::Bank);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 170..170 + height {
        let start = ((y * WIDTH + 30) * 3) as usize;
        pixels.extend_from_slice(&full[start..start + (width * 3) as usize]);
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("writing to a Vec cannot fail");
        writer.write_image_data(&pixels).expect("the buffer has width × height pixels");
    }
    out
}

/// The RGB pixels of a card picture of `side`, row by row.
pub(crate) fn draw(side: Side) -> Vec<u8> {
    let mut px = Vec::with_capacity((WIDTH * HEIGHT * 3) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let border = x < 6 || y < 6 || x >= WIDTH - 6 || y >= HEIGHT - 6;
            let rgb = match side {
                _ if border => [120, 140, 170],
                // The portrait box on the front.
                Side::Front if (300..400).contains(&x) && (40..170).contains(&y) => [200, 200, 205],
                // The emblem on the back.
                Side::Back if (x as i32 - 70).pow(2) + (y as i32 - 80).pow(2) < 45 * 45 => [200, 40, 40],
                // A bank card: the chip, and the band where the embossed number runs.
                Side::Bank if (40..100).contains(&x) && (90..135).contains(&y) => [212, 175, 55],
                Side::Bank if (30..400).contains(&x) && (170..195).contains(&y) => [70, 70, 90],
                Side::Bank => [(30 + x % 24) as u8, (70 + y % 18) as u8, 140],
                _ => [(225 + x % 20) as u8, (232 + y % 16) as u8, 240],
            };
            px.extend_from_slice(&rgb);
        }
    }
    px
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::{sniff, Format};

    #[test]
    fn generated_pictures_are_real_pngs_of_card_size() {
        let bytes = card_png(Side::Front, None);
        assert_eq!(sniff(&bytes), Some(Format::Png));
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
    }

    #[test]
    fn a_marker_travels_in_an_itxt_chunk() {
        let bytes = card_png(Side::Back, Some("scenario=blurry"));
        let reader = png::Decoder::new(std::io::Cursor::new(&bytes)).read_info().unwrap();
        let chunk = &reader.info().utf8_text[0];
        assert_eq!((chunk.keyword.as_str(), chunk.get_text().unwrap().as_str()), (MARKER_KEYWORD, "scenario=blurry"));
        assert_ne!(bytes, card_png(Side::Front, Some("scenario=blurry")));
        assert_ne!(card_png(Side::Bank, None), card_png(Side::Front, None));
        assert_eq!(sniff(&number_strip_png()), Some(Format::Png));
    }
}
