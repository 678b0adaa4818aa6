//! The fingerprint of a screenshot for finding near-identical ones across cases: a perceptual
//! hash of a normalised view (the bottom part of the screen, so a copy with its status bar cropped
//! away hashes like the original), robust to resizing and recompression.

use crate::domain::screenshots::ScreenHash;
use image::RgbImage;
use image::imageops::{self, FilterType};
use image_hasher::{BitOrder, HashAlg, HasherConfig};

/// How a fingerprint is made. Every parameter is pinned: fingerprints are stored and compared
/// across cases, so a changed library default must not silently change them.
#[derive(Debug, Clone, Copy)]
pub struct HashSpec {
    pub alg: HashAlg,
    /// The hash grid (bits = width × height, for DoubleGradient about twice that).
    pub width: u32,
    pub height: u32,
    /// DCT preprocessing (pHash-like).
    pub dct: bool,
    /// The view hashed: the bottom `window × width` rows of a taller image (the whole image when
    /// it is not that tall); `None` hashes the whole image.
    pub window: Option<f32>,
}

/// The part of `img` that is hashed: anchored at the bottom, as high as `ratio` × its width, so
/// that cutting rows off the top (the status bar) leaves the same view.
pub fn bottom_window(img: &RgbImage, ratio: Option<f32>) -> RgbImage {
    let (w, h) = img.dimensions();
    let Some(ratio) = ratio else {
        return img.clone();
    };
    let rows = ((w as f32 * ratio).round() as u32).clamp(1, h);
    imageops::crop_imm(img, 0, h - rows, w, rows).to_image()
}

/// The hash of `img` (flattened on white) under `spec`, as bytes (bit i of the grid is bit i % 8
/// of byte i / 8).
pub fn hash_with(spec: &HashSpec, img: &RgbImage) -> Vec<u8> {
    let view = bottom_window(img, spec.window);
    let mut config = HasherConfig::new()
        .hash_size(spec.width, spec.height)
        .hash_alg(spec.alg)
        .resize_filter(FilterType::Triangle)
        .bit_order(BitOrder::LsbFirst);
    if spec.dct {
        config = config.preproc_dct();
    }
    config.to_hasher().hash_image(&view).as_bytes().to_vec()
}

/// The fingerprint the portal stores (`domain::screenshots`), chosen from the labelled set of
/// `benches/chains_images.rs`: a 16×16 DCT hash (each of the 256 lowest frequencies above or
/// below their median, pHash-like) of the bottom 1.4 widths of the screen. Gradient, mean and
/// block hashes could not tell two screens of one app with other content apart.
pub const SCREEN_HASH: HashSpec = HashSpec {
    alg: HashAlg::Median,
    width: 16,
    height: 16,
    dct: true,
    window: Some(1.4),
};

/// The fingerprint of a screenshot from its hash source (`inspect::hash_source`: the thumbnail's
/// pixels, or the stored thumbnail decoded again).
pub fn screen_hash(img: &RgbImage) -> ScreenHash {
    let bytes = hash_with(&SCREEN_HASH, img);
    // SCREEN_HASH makes exactly screenshots::BITS bits; the fallback is never taken.
    ScreenHash::from_bytes(&bytes).unwrap_or_else(|| ScreenHash::from_bits_lossy(&bytes))
}

/// The fingerprint of a stored thumbnail (for screenshots recorded before the index existed):
/// the thumbnail is the hash source the fingerprint was made from at upload, saved as a JPEG, so
/// the two differ by the JPEG's loss alone (a few bits).
pub fn of_thumbnail(bytes: &[u8]) -> Result<ScreenHash, image::ImageError> {
    let img = image::load_from_memory(bytes)?;
    Ok(screen_hash(&super::inspect::hash_source(&img)))
}
