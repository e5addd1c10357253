//! The generated face: a drawn, cartoon-like head and shoulders on a plain background, varied by a
//! seed (skin, hair, background and shirt tones, face shape, hair length) and stamped "SYNTHETIC".
//! It stands in for the photo that queryfacerecord and sync return (PROTOCOL-FACE.md §6): never a
//! real face. [`face_photo`] is the JPEG; [`draw`] the RGB pixels the video reuses.

use crate::image::glyphs;

/// Width and height of the photo in pixels (portrait 3:4, as a phone's front camera gives).
pub(crate) const PHOTO_WIDTH: usize = 480;
pub(crate) const PHOTO_HEIGHT: usize = 640;
/// JPEG quality: the flat cartoon compresses to a few tens of KB.
const QUALITY: u8 = 80;

const SKIN: [[u8; 3]; 6] =
    [[241, 204, 176], [224, 179, 145], [198, 145, 108], [160, 110, 78], [118, 80, 56], [250, 220, 196]];
const HAIR: [[u8; 3]; 6] = [[30, 26, 24], [70, 45, 30], [120, 80, 40], [200, 170, 110], [150, 150, 155], [140, 50, 40]];
const BACKDROP: [[u8; 3]; 6] =
    [[205, 222, 240], [226, 226, 226], [214, 236, 214], [240, 226, 206], [222, 214, 240], [236, 240, 244]];
const SHIRT: [[u8; 3]; 6] =
    [[40, 70, 130], [150, 40, 50], [50, 110, 80], [90, 90, 100], [200, 150, 40], [110, 60, 140]];

/// What a seed decides about the person drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Look {
    skin: [u8; 3],
    hair: [u8; 3],
    backdrop: [u8; 3],
    shirt: [u8; 3],
    /// Half-width and half-height of the head, in units of the picture's height.
    head: (f32, f32),
    long_hair: bool,
}

impl Look {
    /// The look of the person of `seed` (SplitMix64 draws: the leaf imports nothing of the crate).
    pub(crate) fn of(seed: u64) -> Look {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut pick = |n: usize| (next() % n as u64) as usize;
        let (skin, hair, backdrop, shirt) = (SKIN[pick(6)], HAIR[pick(6)], BACKDROP[pick(6)], SHIRT[pick(6)]);
        let head = (0.16 + pick(5) as f32 * 0.012, 0.22 + pick(4) as f32 * 0.012);
        Look { skin, hair, backdrop, shirt, head, long_hair: pick(2) == 1 }
    }
}

/// The JPEG portrait of the person of `seed`: `PHOTO_WIDTH` × `PHOTO_HEIGHT`, eyes open,
/// the same bytes for the same seed.
pub(crate) fn face_photo(seed: u64) -> Vec<u8> {
    let pixels = draw(&Look::of(seed), PHOTO_WIDTH, PHOTO_HEIGHT, 1.0);
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, QUALITY)
        .encode(&pixels, PHOTO_WIDTH as u16, PHOTO_HEIGHT as u16, jpeg_encoder::ColorType::Rgb)
        .expect("encoding a picture of the right size into a Vec cannot fail");
    out
}

/// The RGB pixels, row by row, of `look` drawn `width` × `height`, eyes `open` from 0 (shut) to 1.
pub(crate) fn draw(look: &Look, width: usize, height: usize, open: f32) -> Vec<u8> {
    let mut px = Vec::with_capacity(width * height * 3);
    let h = height as f32;
    for y in 0..height {
        for x in 0..width {
            // Coordinates in units of the height, x centred: the drawing keeps its shape at any size.
            let p = ((x as f32 - width as f32 / 2.0) / h, y as f32 / h);
            px.extend_from_slice(&colour_at(look, p, open));
        }
    }
    let scale = (height / 160).max(1);
    let text_x = width.saturating_sub(glyphs::text_width("SYNTHETIC", scale)) / 2;
    glyphs::stamp(&mut px, width, (text_x, height - 10 * scale), "SYNTHETIC", scale, [255, 255, 255]);
    px
}

/// Inside the ellipse of centre `c` and half-axes `r`?
fn inside((x, y): (f32, f32), c: (f32, f32), r: (f32, f32)) -> bool {
    let (dx, dy) = ((x - c.0) / r.0, (y - c.1) / r.1);
    dx * dx + dy * dy <= 1.0
}

fn shade(rgb: [u8; 3], factor: f32) -> [u8; 3] {
    rgb.map(|c| (c as f32 * factor).clamp(0.0, 255.0) as u8)
}

fn colour_at(look: &Look, p: (f32, f32), open: f32) -> [u8; 3] {
    let (rx, ry) = look.head;
    let head_c = (0.0, 0.42);
    if let Some(rgb) = features(look, (p.0.abs(), p.1), open) {
        return rgb;
    }
    if inside(p, head_c, (rx, ry)) {
        let fringe = p.1 < head_c.1 - ry * 0.55 && !inside(p, (0.0, head_c.1 + 0.02), (rx * 0.9, ry * 0.9));
        return if fringe { look.hair } else { look.skin };
    }
    let hair_bottom = if look.long_hair { 0.62 } else { head_c.1 };
    if inside(p, (0.0, head_c.1 - 0.015), (rx + 0.025, ry + 0.03)) && p.1 < hair_bottom
        || look.long_hair && p.0.abs() < rx + 0.025 && (head_c.1..hair_bottom).contains(&p.1)
    {
        return look.hair;
    }
    if inside((p.0.abs(), p.1), (rx, head_c.1 + 0.01), (0.025, 0.04)) {
        return shade(look.skin, 0.92);
    }
    if p.0.abs() < 0.065 && (0.55..0.78).contains(&p.1) {
        return shade(look.skin, 0.85);
    }
    if inside(p, (0.0, 1.02), (0.40, 0.30)) {
        return look.shirt;
    }
    // A plain backdrop, a little lighter towards the top.
    shade(look.backdrop, 1.04 - p.1 * 0.08)
}

/// Eyes, brows, nose and mouth, drawn over the head; `p.0` is mirrored (the face is symmetric).
fn features(look: &Look, p: (f32, f32), open: f32) -> Option<[u8; 3]> {
    let eye = (0.065, 0.405);
    let lid = 0.022 * open.clamp(0.0, 1.0);
    if open < 0.15 {
        if (p.0 - eye.0).abs() < 0.035 && (p.1 - eye.1).abs() < 0.004 {
            return Some(shade(look.skin, 0.55));
        }
    } else if inside(p, eye, (0.035, lid)) {
        let pupil = inside(p, eye, (0.013, 0.013));
        return Some(if pupil { [35, 30, 30] } else { [250, 250, 250] });
    }
    if (p.0 - eye.0).abs() < 0.035 && (p.1 - (eye.1 - 0.042)).abs() < 0.006 {
        return Some(shade(look.hair, 0.9));
    }
    if inside(p, (0.0, 0.475), (0.014, 0.03)) {
        return Some(shade(look.skin, 0.88));
    }
    if inside(p, (0.0, 0.545), (0.055, 0.016)) && !inside(p, (0.0, 0.535), (0.06, 0.014)) {
        return Some([190, 70, 80]);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(jpeg: &[u8]) -> (jpeg_decoder::ImageInfo, Vec<u8>) {
        let mut decoder = jpeg_decoder::Decoder::new(jpeg);
        let pixels = decoder.decode().expect("a valid JPEG");
        (decoder.info().unwrap(), pixels)
    }

    #[test]
    fn the_photo_is_a_jpeg_that_decodes_to_a_480_by_640_colour_picture() {
        let (info, pixels) = decode(&face_photo(7));
        assert_eq!((info.width, info.height), (480, 640));
        assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
        assert_eq!(pixels.len(), 480 * 640 * 3);
    }

    #[test]
    fn the_photo_is_the_same_for_a_seed_and_different_across_seeds() {
        assert_eq!(face_photo(42), face_photo(42));
        let photos: Vec<_> = (0..8).map(face_photo).collect();
        for (i, a) in photos.iter().enumerate() {
            assert!(photos[i + 1..].iter().all(|b| a != b), "seed {i} repeats another seed's photo");
        }
    }

    #[test]
    fn the_photo_stays_a_few_tens_of_kilobytes() {
        for seed in 0..16 {
            let len = face_photo(seed).len();
            assert!((5_000..60_000).contains(&len), "seed {seed}: {len} bytes");
        }
    }

    #[test]
    fn the_drawing_has_a_backdrop_at_the_corner_skin_at_the_cheek_and_the_mark_at_the_bottom() {
        let look = Look::of(3);
        let px = draw(&look, PHOTO_WIDTH, PHOTO_HEIGHT, 1.0);
        let at = |x: usize, y: usize| <[u8; 3]>::try_from(&px[(y * PHOTO_WIDTH + x) * 3..][..3]).unwrap();
        assert_eq!(at(240 - 70, 300), look.skin);
        assert_ne!(at(0, 0), look.skin);
        let band = (PHOTO_HEIGHT - 40..PHOTO_HEIGHT).flat_map(|y| (0..PHOTO_WIDTH).map(move |x| (x, y)));
        assert!(band.filter(|&(x, y)| at(x, y) == [255, 255, 255]).count() > 200, "no SYNTHETIC mark");
    }

    #[test]
    fn shut_eyes_change_the_drawing_only_around_the_eyes() {
        let look = Look::of(5);
        let (open, shut) = (draw(&look, 96, 128, 1.0), draw(&look, 96, 128, 0.0));
        let changed: Vec<usize> = (0..96 * 128).filter(|i| open[i * 3..][..3] != shut[i * 3..][..3]).collect();
        assert!(!changed.is_empty());
        assert!(changed.iter().all(|i| (45..60).contains(&(i / 96))), "a change away from the eyes");
    }
}
