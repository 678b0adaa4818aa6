//! Blacking out personal data on a display copy: a new derived image (and its thumbnail); the
//! original and the unredacted display copy stay as they are.

use super::inspect::{
    DISPLAY_JPEG_QUALITY, THUMB_JPEG_QUALITY, display_png, encode_jpeg, flatten_on_white,
    thumbnail_size,
};
use super::{ImageKind, Rejection};
use image::{DynamicImage, ImageReader, Rgba};
use serde::{Deserialize, Serialize};
use std::io::Cursor;

/// At most this many rectangles in one redaction (more means something else is wrong).
pub const MAX_RECTS: usize = 100;

/// A rectangle in the display copy's pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RectError {
    #[error("line {line} is not four whole numbers x, y, width, height")]
    Malformed { line: usize },
    #[error("line {line} lies outside the image")]
    Outside { line: usize },
    #[error("no rectangle given")]
    Empty,
    #[error("too many rectangles")]
    TooMany,
}

impl Rect {
    /// One rectangle a line, `x,y,w,h` (commas or spaces), in pixels of an image of `width`×`height`.
    /// Rectangles reaching past the edge are cut to it; one wholly outside is refused.
    pub fn parse_lines(text: &str, width: u32, height: u32) -> Result<Vec<Rect>, RectError> {
        let mut rects = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let nums: Vec<u32> = line
                .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
                .filter(|p| !p.is_empty())
                .map(|p| p.parse::<u32>())
                .collect::<Result<_, _>>()
                .map_err(|_| RectError::Malformed { line: i + 1 })?;
            let [x, y, w, h] = nums[..] else {
                return Err(RectError::Malformed { line: i + 1 });
            };
            if w == 0 || h == 0 {
                return Err(RectError::Malformed { line: i + 1 });
            }
            if x >= width || y >= height {
                return Err(RectError::Outside { line: i + 1 });
            }
            rects.push(Rect {
                x,
                y,
                w: w.min(width - x),
                h: h.min(height - y),
            });
            if rects.len() > MAX_RECTS {
                return Err(RectError::TooMany);
            }
        }
        if rects.is_empty() {
            Err(RectError::Empty)
        } else {
            Ok(rects)
        }
    }
}

pub struct Redacted {
    pub display: Vec<u8>,
    pub thumbnail: Vec<u8>,
    pub thumbnail_width: u32,
    pub thumbnail_height: u32,
}

/// Paints the rectangles opaque black on the display copy and makes its thumbnail.
pub fn redact(display: &[u8], kind: ImageKind, rects: &[Rect]) -> Result<Redacted, Rejection> {
    let format = match kind {
        ImageKind::Png => image::ImageFormat::Png,
        ImageKind::Jpeg => image::ImageFormat::Jpeg,
        ImageKind::Webp => image::ImageFormat::WebP,
    };
    let img = ImageReader::with_format(Cursor::new(display), format)
        .decode()
        .map_err(|e| Rejection::Broken {
            detail: format!("display copy does not decode: {e}"),
        })?;
    let mut rgba = img.to_rgba8();
    for r in rects {
        for y in r.y..r.y.saturating_add(r.h).min(rgba.height()) {
            for x in r.x..r.x.saturating_add(r.w).min(rgba.width()) {
                rgba.put_pixel(x, y, Rgba([0, 0, 0, 255]));
            }
        }
    }
    let img = DynamicImage::ImageRgba8(rgba);
    let display = match kind {
        ImageKind::Jpeg => encode_jpeg(&img.to_rgb8(), DISPLAY_JPEG_QUALITY)?,
        ImageKind::Png | ImageKind::Webp => display_png(&img)?,
    };
    let (tw, th) = thumbnail_size(img.width(), img.height());
    let small = img.thumbnail_exact(tw, th);
    let thumbnail = encode_jpeg(&flatten_on_white(&small), THUMB_JPEG_QUALITY)?;
    Ok(Redacted {
        display,
        thumbnail,
        thumbnail_width: tw,
        thumbnail_height: th,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_parse_and_are_cut_to_the_image() {
        let r = Rect::parse_lines("10,20,30,40\n\n 0 0 500 5 ", 100, 100).expect("valid");
        assert_eq!(
            r,
            vec![
                Rect {
                    x: 10,
                    y: 20,
                    w: 30,
                    h: 40
                },
                Rect {
                    x: 0,
                    y: 0,
                    w: 100,
                    h: 5
                }
            ]
        );
        assert_eq!(
            Rect::parse_lines("1,2,3", 100, 100),
            Err(RectError::Malformed { line: 1 })
        );
        assert_eq!(
            Rect::parse_lines("1,2,0,3", 100, 100),
            Err(RectError::Malformed { line: 1 })
        );
        assert_eq!(
            Rect::parse_lines("0,0,1,1\n100,0,1,1", 100, 100),
            Err(RectError::Outside { line: 2 })
        );
        assert_eq!(Rect::parse_lines(" \n", 100, 100), Err(RectError::Empty));
    }

    #[test]
    fn redaction_blacks_out_only_the_rectangles() {
        let img = image::RgbImage::from_pixel(40, 30, image::Rgb([250, 250, 250]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode");
        let out = redact(
            &png,
            ImageKind::Png,
            &[Rect {
                x: 5,
                y: 5,
                w: 10,
                h: 10,
            }],
        )
        .expect("redacts");
        let back = image::load_from_memory(&out.display)
            .expect("decodes")
            .to_rgb8();
        assert_eq!(back.get_pixel(7, 7), &image::Rgb([0, 0, 0]));
        assert_eq!(back.get_pixel(20, 20), &image::Rgb([250, 250, 250]));
        assert_eq!((out.thumbnail_width, out.thumbnail_height), (40, 30));
    }
}
