//! Screenshot-like images for the demo cases: drawn once into a small pool, then taken in through
//! the same intake as real uploads (checks, display copy, thumbnail, perceptual hash) and shared
//! by many evidence rows: the store is content-addressed, so each is kept once.

use crate::evidence::EvidenceLimits;
use crate::evidence::EvidenceStore;
use crate::evidence::intake::{Intake, StoredEvidence, Upload, take_in_with_copies};
use image::{Rgb, RgbImage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Cursor;
use std::path::Path;

/// Phone-screen proportions, at half the resolution of today's phones (quick to check).
pub const WIDTH: u32 = 540;
pub const HEIGHT: u32 = 960;

/// The side of one drawn character.
const GLYPH: u32 = 14;
/// The height of the drawn status bar (time, signal, battery).
pub const STATUS_BAR: u32 = 36;

type Colour = [u8; 3];

struct Canvas(RgbImage);

impl Canvas {
    fn new(background: Colour) -> Self {
        Self(RgbImage::from_pixel(WIDTH, HEIGHT, Rgb(background)))
    }

    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, colour: Colour) {
        let (x1, y1) = ((x + w).min(WIDTH), (y + h).min(HEIGHT));
        for yy in y.min(HEIGHT)..y1 {
            for xx in x.min(WIDTH)..x1 {
                self.0.put_pixel(xx, yy, Rgb(colour));
            }
        }
    }

    fn circle(&mut self, cx: u32, cy: u32, r: u32, colour: Colour) {
        let r2 = i64::from(r) * i64::from(r);
        for yy in cy.saturating_sub(r)..(cy + r).min(HEIGHT) {
            for xx in cx.saturating_sub(r)..(cx + r).min(WIDTH) {
                let (dx, dy) = (i64::from(xx) - i64::from(cx), i64::from(yy) - i64::from(cy));
                if dx * dx + dy * dy <= r2 {
                    self.0.put_pixel(xx, yy, Rgb(colour));
                }
            }
        }
    }

    /// Lines of CJK-ish "text": square glyphs of a few strokes each, lines of varied length.
    fn text(
        &mut self,
        rng: &mut StdRng,
        x: u32,
        y: u32,
        width: u32,
        lines: u32,
        colour: Colour,
    ) -> u32 {
        let mut yy = y;
        for i in 0..lines {
            let w = if i + 1 == lines {
                rng.random_range(width / 4..width)
            } else {
                rng.random_range(width * 3 / 4..=width)
            };
            let mut xx = x;
            while xx + GLYPH <= x + w {
                self.glyph(rng, xx, yy, colour);
                xx += GLYPH + 2;
            }
            yy += 24;
        }
        yy
    }

    /// One character-like glyph: a few horizontal and vertical strokes in a GLYPH² box.
    fn glyph(&mut self, rng: &mut StdRng, x: u32, y: u32, colour: Colour) {
        for _ in 0..rng.random_range(3..6) {
            let at = rng.random_range(0..GLYPH - 1);
            let from = rng.random_range(0..GLYPH / 2);
            let len = rng.random_range(GLYPH / 3..=GLYPH - from);
            if rng.random_bool(0.5) {
                self.rect(x + from, y + at, len, 2, colour);
            } else {
                self.rect(x + at, y + from, 2, len, colour);
            }
        }
    }
}

const APP_COLOURS: &[Colour] = &[
    [255, 80, 0],   // orange (Taobao-like)
    [228, 57, 60],  // red (PDD-like)
    [225, 37, 27],  // JD-like
    [22, 24, 35],   // Douyin-like
    [255, 195, 0],  // Meituan-like
    [255, 36, 66],  // Xiaohongshu-like
    [7, 193, 96],   // WeChat green
    [50, 120, 230], // blue
];

/// What stays the same across screenshots of one app screen: which screen, its colours and its
/// fixed geometry. The content (messages, reviews, the card's text, the timeline) varies.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// 0 chat, 1 review list, 2 photo of a 好评返现 card, 3 order page.
    screen: u8,
    accent: Colour,
    dark_bar: bool,
    table: Colour,
    card: Colour,
    /// The card's place in the photo: x, y, height.
    card_at: (u32, u32, u32),
}

impl Layout {
    /// The `screen`-th kind of screen (modulo 4), its colours and geometry drawn from `seed`.
    pub fn new(screen: u64, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x4c41_594f_5554);
        let cards: [Colour; 4] = [
            [214, 36, 42],
            [250, 230, 210],
            [255, 120, 160],
            [250, 200, 60],
        ];
        Layout {
            screen: (screen % 4) as u8,
            accent: APP_COLOURS[rng.random_range(0..APP_COLOURS.len())],
            dark_bar: rng.random_bool(0.3),
            table: [
                rng.random_range(150..200),
                rng.random_range(110..150),
                rng.random_range(70..100),
            ],
            card: cards[rng.random_range(0..cards.len())],
            card_at: (
                rng.random_range(30..90),
                rng.random_range(120..300),
                rng.random_range(420..560),
            ),
        }
    }
}

/// A phone screenshot of `layout` with the content drawn from `content` (other content, same
/// screen: the hard negatives of near-duplicate search). 540×960, with a STATUS_BAR-high status
/// bar at the top (except the card photo, taken with the camera).
pub fn draw_screen(layout: &Layout, content: u64) -> RgbImage {
    let mut rng = StdRng::seed_from_u64(content);
    let background = match layout.screen {
        0 => [237, 237, 237],
        1 => [255, 255, 255],
        3 => [244, 244, 244],
        _ => [0, 0, 0],
    };
    let mut c = Canvas::new(background);
    match layout.screen {
        0 => chat(layout, &mut rng, &mut c),
        1 => reviews(layout, &mut rng, &mut c),
        2 => card_photo(layout, &mut rng, &mut c),
        _ => order_page(layout, &mut rng, &mut c),
    }
    c.0
}

fn status_bar(c: &mut Canvas, dark: bool) {
    let (bg, fg) = if dark {
        ([20, 20, 20], [230, 230, 230])
    } else {
        ([248, 248, 248], [30, 30, 30])
    };
    c.rect(0, 0, WIDTH, STATUS_BAR, bg);
    c.rect(20, 12, 48, 12, fg);
    c.rect(WIDTH - 90, 12, 70, 12, fg);
}

/// A chat with the seller: bubbles left and right, and the offer as a picture in the chat.
fn chat(layout: &Layout, rng: &mut StdRng, c: &mut Canvas) {
    let accent = layout.accent;
    status_bar(c, layout.dark_bar);
    c.rect(0, 36, WIDTH, 70, [247, 247, 247]);
    c.rect(WIDTH / 2 - 80, 64, 160, 16, [30, 30, 30]);
    let mut y = 130 + rng.random_range(0..40);
    while y < HEIGHT - 220 {
        let mine = rng.random_bool(0.4);
        let lines = rng.random_range(1..4);
        let w = rng.random_range(180..340);
        let h = lines * 24 + 20;
        if rng.random_bool(0.18) {
            // The offer card sent as a picture.
            let x = if mine { WIDTH - 90 - 220 } else { 90 };
            c.circle(
                if mine { WIDTH - 45 } else { 45 },
                y + 22,
                22,
                [190, 190, 200],
            );
            c.rect(x, y, 220, 150, [215, 40, 45]);
            c.rect(x + 20, y + 20, 180, 28, [255, 215, 90]);
            c.rect(x + 20, y + 64, 140, 14, [255, 240, 220]);
            c.rect(x + 20, y + 90, 160, 14, [255, 240, 220]);
            c.rect(x + 150, y + 110, 50, 30, [255, 255, 255]);
            y += 180;
            continue;
        }
        let (bx, bubble) = if mine {
            (WIDTH - 90 - w, [149, 236, 105])
        } else {
            (90, [255, 255, 255])
        };
        c.circle(
            if mine { WIDTH - 45 } else { 45 },
            y + 22,
            22,
            if mine { accent } else { [190, 190, 200] },
        );
        c.rect(bx, y, w, h, bubble);
        c.text(rng, bx + 14, y + 14, w - 28, lines, [40, 40, 40]);
        y += h + rng.random_range(24..48);
    }
    c.rect(0, HEIGHT - 90, WIDTH, 90, [247, 247, 247]);
    c.rect(20, HEIGHT - 70, WIDTH - 120, 50, [255, 255, 255]);
    c.circle(WIDTH - 50, HEIGHT - 45, 24, accent);
}

/// A product's review list: avatars, stars, the same long texts, photo strips.
fn reviews(layout: &Layout, rng: &mut StdRng, c: &mut Canvas) {
    let accent = layout.accent;
    status_bar(c, layout.dark_bar);
    c.rect(0, 36, WIDTH, 80, accent);
    c.rect(24, 66, 200, 20, [255, 255, 255]);
    let mut y = 130;
    while y < HEIGHT - 160 {
        c.rect(0, y, WIDTH, 6, [240, 240, 240]);
        y += 20;
        c.circle(44, y + 20, 20, [200, 200, 210]);
        c.rect(76, y + 6, rng.random_range(80..160), 12, [90, 90, 90]);
        for s in 0..5 {
            c.rect(76 + s * 22, y + 28, 16, 16, [255, 150, 0]);
        }
        y += 60;
        let lines = rng.random_range(2..5);
        y = c.text(rng, 24, y, WIDTH - 48, lines, [50, 50, 50]);
        if rng.random_bool(0.6) {
            for p in 0..rng.random_range(1..4) {
                let shade = rng.random_range(150..230);
                c.rect(
                    24 + p * 120,
                    y + 4,
                    108,
                    108,
                    [shade, shade - 20, shade - 40],
                );
            }
            y += 124;
        }
        y += 10;
    }
    c.rect(0, HEIGHT - 70, WIDTH, 70, [255, 255, 255]);
    c.rect(WIDTH - 200, HEIGHT - 60, 180, 50, accent);
}

/// A photo of the card found in the parcel: the table, the card, a QR code.
fn card_photo(layout: &Layout, rng: &mut StdRng, c: &mut Canvas) {
    let table = layout.table;
    for y in 0..HEIGHT {
        let shade = ((y / 7) % 9) as u8 * 3;
        c.rect(
            0,
            y,
            WIDTH,
            1,
            [
                table[0].saturating_sub(shade),
                table[1].saturating_sub(shade),
                table[2].saturating_sub(shade),
            ],
        );
    }
    let (x, y, h) = layout.card_at;
    let w = WIDTH - 2 * x;
    let card = layout.card;
    c.rect(x + 8, y + 8, w, h, [60, 45, 30]);
    c.rect(x, y, w, h, card);
    c.rect(x + 30, y + 30, w - 60, 56, [255, 225, 100]);
    c.rect(x + 60, y + 110, w - 120, 28, [255, 255, 255]);
    let lines = rng.random_range(3..6);
    let text_end = c.text(rng, x + 30, y + 170, w - 60, lines, [90, 20, 20]);
    // A QR code: a grid of black and white squares in a white frame.
    let qx = x + w - 170;
    let qy = text_end.max(y + h - 190).min(y + h - 150);
    c.rect(qx, qy, 140, 140, [255, 255, 255]);
    for gy in 0..12 {
        for gx in 0..12 {
            if rng.random_bool(0.5) {
                c.rect(qx + 10 + gx * 10, qy + 10 + gy * 10, 10, 10, [0, 0, 0]);
            }
        }
    }
    c.rect(x + 30, y + h - 60, 160, 20, [120, 30, 30]);
}

/// An order page: the product, the price, the tracking timeline.
fn order_page(layout: &Layout, rng: &mut StdRng, c: &mut Canvas) {
    let accent = layout.accent;
    status_bar(c, layout.dark_bar);
    c.rect(0, 36, WIDTH, 150, accent);
    c.rect(24, 80, 220, 26, [255, 255, 255]);
    c.rect(24, 120, 300, 14, [255, 235, 225]);
    c.rect(16, 200, WIDTH - 32, 170, [255, 255, 255]);
    let shade = rng.random_range(120..220);
    c.rect(32, 216, 130, 130, [shade, shade, shade - 30]);
    c.text(rng, 180, 226, WIDTH - 230, 3, [40, 40, 40]);
    c.rect(180, 320, 90, 20, accent);
    c.rect(16, 390, WIDTH - 32, HEIGHT - 490, [255, 255, 255]);
    let mut y = 420;
    for i in 0..rng.random_range(4..8) {
        c.circle(44, y + 8, 8, if i == 0 { accent } else { [200, 200, 200] });
        c.rect(43, y + 16, 2, 56, [220, 220, 220]);
        c.text(
            rng,
            70,
            y,
            WIDTH - 120,
            2,
            if i == 0 {
                [30, 30, 30]
            } else {
                [140, 140, 140]
            },
        );
        y += 72;
        if y > HEIGHT - 150 {
            break;
        }
    }
    c.rect(0, HEIGHT - 80, WIDTH, 80, [250, 250, 250]);
    c.rect(WIDTH - 170, HEIGHT - 65, 150, 50, accent);
}

/// The `n`-th screenshot of the pool drawn from `seed`.
fn draw(seed: u64, n: u64) -> Result<Vec<u8>, image::ImageError> {
    let key = seed.wrapping_mul(1_000_003).wrapping_add(n);
    let img = draw_screen(&Layout::new(n, key), key);
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)?;
    Ok(out)
}

/// Draws `count` screenshots and takes them in as a reporter's upload would be: each distinct in
/// its bytes and its perceptual hash (so "the same screenshot" means the same picture).
pub fn build_pool(
    seed: u64,
    count: usize,
    scratch: &Path,
    store: &EvidenceStore,
) -> anyhow::Result<Vec<StoredEvidence>> {
    let dir = tempfile::tempdir_in(scratch)?;
    let limits = EvidenceLimits::default();
    let mut pool: Vec<StoredEvidence> = Vec::with_capacity(count);
    let mut n = 0u64;
    while pool.len() < count {
        if n > count as u64 * 10 {
            anyhow::bail!("could not draw {count} distinct screenshots");
        }
        let path = dir.path().join(format!("screenshot-{n}.png"));
        std::fs::write(&path, draw(seed, n)?)?;
        n += 1;
        let upload = Upload {
            name: format!("screenshot-{n}.png"),
            path,
        };
        // Complete rows: the demo data has no background jobs to wait for.
        match take_in_with_copies(std::slice::from_ref(&upload), &limits, store)? {
            Intake::Kept(mut kept, created) => {
                let Some(e) = kept.pop() else { continue };
                if pool
                    .iter()
                    .all(|p| p.perceptual_hash() != e.perceptual_hash() && p.sha256 != e.sha256)
                {
                    pool.push(e);
                } else {
                    // Looks like one drawn before: not kept, so that it does not become a link.
                    created.undo(store);
                }
            }
            Intake::Refused(why) => {
                anyhow::bail!(
                    "a drawn screenshot was refused by the evidence checks: {:?}",
                    why.first().map(|w| &w.2)
                )
            }
        }
    }
    Ok(pool)
}

/// A screenshot of a review list, one of its own for each `n` (PNG).
pub fn review_list_png(seed: u64, n: u64) -> Result<Vec<u8>, image::ImageError> {
    draw(seed, n * 4 + 1)
}

/// A 好评返现 card photo (the chains in the demo data send variants of it).
pub fn card_photo_image(seed: u64) -> anyhow::Result<image::DynamicImage> {
    let png = draw(seed, 2)?;
    Ok(image::load_from_memory(&png)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_screenshot() {
        let a = draw(1, 2).ok();
        assert!(a.is_some());
        assert_eq!(a, draw(1, 2).ok());
        assert_ne!(a, draw(2, 2).ok());
    }
}
