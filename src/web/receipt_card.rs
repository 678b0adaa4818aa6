//! The receipt as a picture a phone can keep in its photos: the case number and the receipt code
//! drawn on the server in a built-in pixel font (no font files, the same on every machine).

use image::{ImageFormat, Rgb, RgbImage};
use std::io::Cursor;

/// 5×7 glyphs, one row of five bits each, for every character a case number or receipt code
/// holds (digits, Crockford base-32 letters, `R`, `W`, the dash).
fn glyph(c: char) -> Option<[u8; 7]> {
    Some(match c {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        _ => return None,
    })
}

const WIDTH: u32 = 960;
const HEIGHT: u32 = 440;
const MARGIN: u32 = 60;
const WHITE: Rgb<u8> = Rgb([255, 255, 255]);
const INK: Rgb<u8> = Rgb([31, 41, 51]);
const RED: Rgb<u8> = Rgb([180, 35, 24]);
const LINE: Rgb<u8> = Rgb([217, 222, 228]);

/// Draws `text` with its top left corner at (`x`, `y`), each font pixel `scale` pixels square.
fn draw_text(img: &mut RgbImage, text: &str, x: u32, y: u32, scale: u32, colour: Rgb<u8>) {
    for (i, c) in text.chars().enumerate() {
        let Some(rows) = glyph(c) else { continue };
        let left = x + i as u32 * 6 * scale;
        for (row, bits) in rows.iter().enumerate() {
            for col in 0..5u32 {
                if bits & (0x10 >> col) == 0 {
                    continue;
                }
                for dy in 0..scale {
                    for dx in 0..scale {
                        let (px, py) = (left + col * scale + dx, y + row as u32 * scale + dy);
                        if px < img.width() && py < img.height() {
                            img.put_pixel(px, py, colour);
                        }
                    }
                }
            }
        }
    }
}

fn fill(img: &mut RgbImage, (x, y, w, h): (u32, u32, u32, u32), colour: Rgb<u8>) {
    for py in y..(y + h).min(img.height()) {
        for px in x..(x + w).min(img.width()) {
            img.put_pixel(px, py, colour);
        }
    }
}

/// The receipt code in two lines of whole groups (three, then the rest), so that no group is cut.
fn code_lines(code: &str) -> (String, String) {
    let groups: Vec<&str> = code.split('-').collect();
    let split = groups.len().min(3);
    (groups[..split].join("-"), groups[split..].join("-"))
}

/// The card as a PNG: the case number above, the receipt code large below it.
pub fn card_png(case_number: &str, receipt_code: &str) -> Result<Vec<u8>, image::ImageError> {
    let mut img = RgbImage::from_pixel(WIDTH, HEIGHT, WHITE);
    fill(&mut img, (0, 0, WIDTH, 16), RED);
    draw_text(&mut img, case_number, MARGIN, 64, 7, INK);
    fill(&mut img, (MARGIN, 150, WIDTH - 2 * MARGIN, 3), LINE);
    let (first, second) = code_lines(receipt_code);
    draw_text(&mut img, &first, MARGIN, 190, 10, RED);
    draw_text(&mut img, &second, MARGIN, 300, 10, RED);
    fill(&mut img, (0, HEIGHT - 8, WIDTH, 8), RED);
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_of_a_case_number_or_receipt_code_has_a_glyph() {
        for c in "0123456789ABCDEFGHJKMNPQRSTVWXYZ-".chars() {
            assert!(glyph(c).is_some(), "{c}");
        }
    }

    #[test]
    fn glyphs_that_people_confuse_are_drawn_apart() {
        let all = "0123456789ABCDEFGHJKMNPQRSTVWXYZ-";
        for (i, a) in all.chars().enumerate() {
            for b in all.chars().skip(i + 1) {
                assert_ne!(glyph(a), glyph(b), "{a} and {b} look the same");
            }
        }
    }

    #[test]
    fn the_code_is_split_between_groups() {
        let (a, b) = code_lines("7WZK-FJPB-NAJ0-CS61-QF34");
        assert_eq!(a, "7WZK-FJPB-NAJ0");
        assert_eq!(b, "CS61-QF34");
    }

    #[test]
    fn the_card_is_a_png_of_its_size_with_the_code_drawn_in_red() {
        let png = card_png("RW-2026-000123", "7WZK-FJPB-NAJ0-CS61-QF34").expect("png");
        let img = image::load_from_memory_with_format(&png, ImageFormat::Png)
            .expect("decodes")
            .to_rgb8();
        assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT));
        // The first column of the code's first glyph ('7': top row full) is red.
        assert_eq!(*img.get_pixel(MARGIN + 1, 191), RED);
        // The case number's 'R' starts at its top left.
        assert_eq!(*img.get_pixel(MARGIN + 1, 65), INK);
        // Between the two lines, nothing is drawn.
        assert_eq!(*img.get_pixel(MARGIN + 1, 280), WHITE);
    }
}
