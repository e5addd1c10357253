//! A 5×7 bitmap font for the few capital letters the generated pictures stamp on themselves
//! ("SYNTHETIC"), so that a face photo can never be mistaken for a real person's.

/// The rows of a glyph, top to bottom; bit 4 is the leftmost column.
fn glyph(c: char) -> Option<[u8; 7]> {
    Some(match c {
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'N' => [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'Y' => [0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04],
        _ => return None,
    })
}

/// Width in pixels of `text` drawn at `scale` (6 columns a letter, the last one a gap).
pub(crate) fn text_width(text: &str, scale: usize) -> usize {
    text.chars().count() * 6 * scale
}

/// Draws `text` into the RGB buffer `px` (`width` pixels a row) with its top-left corner at
/// (`x0`, `y0`); letters without a glyph leave a blank, pixels outside the buffer are skipped.
pub(crate) fn stamp(px: &mut [u8], width: usize, (x0, y0): (usize, usize), text: &str, scale: usize, rgb: [u8; 3]) {
    let height = px.len() / 3 / width.max(1);
    for (i, c) in text.chars().enumerate() {
        let Some(rows) = glyph(c) else { continue };
        for (row, bits) in rows.iter().enumerate() {
            for col in 0..5 {
                if bits & (0x10 >> col) == 0 {
                    continue;
                }
                for dy in 0..scale {
                    for dx in 0..scale {
                        let (x, y) = (x0 + (i * 6 + col) * scale + dx, y0 + row * scale + dy);
                        if x < width && y < height {
                            px[(y * width + x) * 3..][..3].copy_from_slice(&rgb);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_of_the_synthetic_mark_has_a_glyph() {
        assert!("SYNTHETIC".chars().all(|c| glyph(c).is_some()));
        assert_eq!(text_width("SYNTHETIC", 2), 108);
    }

    #[test]
    fn stamping_sets_pixels_in_the_colour_and_never_writes_outside_the_buffer() {
        let mut px = vec![0u8; 20 * 10 * 3];
        stamp(&mut px, 20, (15, 5), "T", 1, [9, 9, 9]);
        // The top bar of the T starts at the left edge of its box.
        assert_eq!(&px[(5 * 20 + 15) * 3..][..3], &[9, 9, 9]);
        assert!(px.chunks(3).filter(|p| p == &[9, 9, 9]).count() < 11);
    }
}
