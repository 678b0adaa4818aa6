//! Decides whether an uploaded file is an acceptable screenshot (`check`, on the request path)
//! and derives its display copy, thumbnail and perceptual hash (`copies_of`, in a background job).

use std::borrow::Cow;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageError, ImageFormat,
    ImageReader, Limits, RgbImage, RgbaImage,
};
use image_hasher::{BitOrder, HashAlg, HasherConfig};

use super::store::Sha256Hex;
use crate::domain::screenshots::ScreenHash;

/// Sniffing looks no further: enough for every signature we name, including a
/// `%PDF-` header that PDF readers accept anywhere in the first KiB.
const SNIFF_LEN: usize = 1024;
/// Second guard behind the header check: what the decoder may allocate.
/// 40 MP at 16-bit RGBA is 320 MiB, so honest images fit.
const MAX_DECODER_ALLOC: u64 = 512 * 1024 * 1024;
pub(super) const DISPLAY_JPEG_QUALITY: u8 = 90;
pub(super) const THUMB_JPEG_QUALITY: u8 = 80;

pub use crate::domain::evidence::ImageKind;

/// The decoder's name for a kind.
fn image_format(kind: ImageKind) -> ImageFormat {
    match kind {
        ImageKind::Png => ImageFormat::Png,
        ImageKind::Jpeg => ImageFormat::Jpeg,
        ImageKind::Webp => ImageFormat::WebP,
    }
}

/// The product's limits on evidence uploads.
#[derive(Debug, Clone, Copy)]
pub struct EvidenceLimits {
    pub max_file_bytes: u64,
    pub max_pixels: u64,
    /// Files per submission; enforced by the caller, which sees the whole submission.
    pub max_files: usize,
}

impl Default for EvidenceLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_files: 10,
        }
    }
}

/// Why a file is refused. Display strings are for logs only; the web layer
/// maps variants to localized messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {bytes} bytes, over the limit of {limit} bytes")]
    TooLarge { bytes: u64, limit: u64 },
    /// `detected`: "svg", "html", "gif", "pdf", "bmp", "tiff", "heic", "zip", "text" or "unknown".
    #[error("the file is not a PNG, JPEG or WebP image (looks like: {detected})")]
    NotAnImage { detected: &'static str },
    #[error("the image is {width}x{height} pixels, over the limit of {limit} pixels")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    #[error("the image is broken: {detail}")]
    Broken { detail: String },
}

/// An accepted screenshot and everything derived from it.
pub struct InspectedImage {
    pub kind: ImageKind,
    /// Size of the upright image (EXIF orientation applied), i.e. of `display`.
    pub width: u32,
    pub height: u32,
    pub byte_size: u64,
    /// Of the original bytes.
    pub sha256: Sha256Hex,
    /// Metadata-free re-encoding of the pixels.
    pub display: Vec<u8>,
    pub display_kind: ImageKind,
    /// JPEG.
    pub thumbnail: Vec<u8>,
    pub thumbnail_width: u32,
    pub thumbnail_height: u32,
    /// 64-bit gradient hash as 16 lowercase hex digits.
    pub perceptual_hash: String,
    /// The fingerprint for near-identical search (`evidence::fingerprint`).
    pub fingerprint: ScreenHash,
}

impl std::fmt::Debug for InspectedImage {
    // The byte buffers would flood logs; their sizes are what matters.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InspectedImage")
            .field("kind", &self.kind)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("byte_size", &self.byte_size)
            .field("sha256", &self.sha256)
            .field("display_len", &self.display.len())
            .field("display_kind", &self.display_kind)
            .field("thumbnail_len", &self.thumbnail.len())
            .field("thumbnail_width", &self.thumbnail_width)
            .field("thumbnail_height", &self.thumbnail_height)
            .field("perceptual_hash", &self.perceptual_hash)
            .field("fingerprint", &self.fingerprint.to_hex())
            .finish()
    }
}

/// Reads the file at `path` (the upload, already on disk), checks it and makes
/// the derived copies. Never trusts names. Reads the size from metadata first
/// (TooLarge before reading it all).
///
/// An I/O failure reading the upload is reported as `Broken` (the contract has
/// no I/O variant); it is also logged at warn level.
pub fn inspect(path: &Path, limits: &EvidenceLimits) -> Result<InspectedImage, Rejection> {
    let bytes = read_upload(path, limits)?;
    let kind = sniff(&bytes[..bytes.len().min(SNIFF_LEN)])
        .map_err(|detected| Rejection::NotAnImage { detected })?;
    inspect_bytes(&bytes, kind, limits)
}

/// An upload that passed every check a bad file is refused by: its bytes, kept as they are.
pub struct CheckedImage {
    pub kind: ImageKind,
    /// Size of the upright image (EXIF orientation applied).
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for CheckedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedImage")
            .field("kind", &self.kind)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("byte_size", &self.bytes.len())
            .finish()
    }
}

/// Only what refusing a bad file needs, for the request path: the size, the type from the
/// bytes, and a full decode (whose pixels are dropped). The copies are made later
/// (`copies_of`), from the kept original.
pub fn check(path: &Path, limits: &EvidenceLimits) -> Result<CheckedImage, Rejection> {
    let bytes = read_upload(path, limits)?;
    let kind = sniff(&bytes[..bytes.len().min(SNIFF_LEN)])
        .map_err(|detected| Rejection::NotAnImage { detected })?;
    let (img, orientation) = decode(&bytes, kind, limits)?;
    let (width, height) = upright_size(img.width(), img.height(), orientation);
    drop(img);
    Ok(CheckedImage {
        kind,
        width,
        height,
        bytes,
    })
}

/// What is made from an accepted screenshot after it is kept: the metadata-free display copy,
/// the thumbnail and the hashes.
pub struct ImageCopies {
    pub display: Vec<u8>,
    pub display_kind: ImageKind,
    /// JPEG.
    pub thumbnail: Vec<u8>,
    pub thumbnail_width: u32,
    pub thumbnail_height: u32,
    /// 64-bit gradient hash as 16 lowercase hex digits.
    pub perceptual_hash: String,
    /// The fingerprint for near-identical search (`evidence::fingerprint`).
    pub fingerprint: ScreenHash,
}

/// Makes the copies of a kept original (`bytes`, of `kind`, which passed `check`). Decodes it
/// again: a file that passed the checks passes them again.
pub fn copies_of(
    bytes: &[u8],
    kind: ImageKind,
    limits: &EvidenceLimits,
) -> Result<ImageCopies, Rejection> {
    let img = decode_upright(bytes, kind, limits)?;
    copies_of_image(&img, kind)
}

/// Sniff only: the detected kind from the first bytes, or the impostor name.
pub fn sniff(prefix: &[u8]) -> Result<ImageKind, &'static str> {
    if prefix.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(ImageKind::Png);
    }
    if prefix.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageKind::Jpeg);
    }
    if prefix.len() >= 12 && prefix.starts_with(b"RIFF") && &prefix[8..12] == b"WEBP" {
        return Ok(ImageKind::Webp);
    }
    Err(name_impostor(prefix))
}

fn name_impostor(prefix: &[u8]) -> &'static str {
    let head = &prefix[..prefix.len().min(SNIFF_LEN)];
    if head.is_empty() {
        return "unknown";
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return "gif";
    }
    if head.starts_with(b"%PDF-") {
        return "pdf";
    }
    if [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|sig| head.starts_with(*sig))
    {
        return "tiff";
    }
    if looks_like_bmp(head) {
        return "bmp";
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        // Same box layout as MP4/MOV; only image brands get the HEIC name.
        const IMAGE_BRANDS: [&[u8]; 10] = [
            b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif",
            b"avis",
        ];
        return if IMAGE_BRANDS.contains(&&head[8..12]) {
            "heic"
        } else {
            "unknown"
        };
    }
    if [b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"]
        .iter()
        .any(|sig| head.starts_with(*sig))
    {
        return "zip";
    }
    let text = ascii_view(head);
    if let Some(name) = markup_kind(&text) {
        return name;
    }
    if contains(head, b"%PDF-") {
        return "pdf";
    }
    if looks_like_text(&text) {
        return "text";
    }
    "unknown"
}

fn looks_like_bmp(head: &[u8]) -> bool {
    if !head.starts_with(b"BM") {
        return false;
    }
    // "BM" alone is too weak (a text file can start with it): require a known
    // DIB header size at offset 14.
    match head.get(14..18) {
        Some(b) => {
            let dib = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            matches!(dib, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124)
        }
        None => false,
    }
}

/// The prefix as ASCII-compatible text: UTF-8 (BOM dropped) as is, UTF-16
/// narrowed to one byte per unit, so markup is recognized in either.
fn ascii_view(head: &[u8]) -> Cow<'_, [u8]> {
    if let Some(rest) = head.strip_prefix(b"\xEF\xBB\xBF") {
        return Cow::Borrowed(rest);
    }
    let (rest, little_endian) = if let Some(r) = head.strip_prefix(b"\xFF\xFE") {
        (r, true)
    } else if let Some(r) = head.strip_prefix(b"\xFE\xFF") {
        (r, false)
    } else {
        return Cow::Borrowed(head);
    };
    let narrowed = rest
        .chunks_exact(2)
        .map(|u| {
            let (lo, hi) = if little_endian {
                (u[0], u[1])
            } else {
                (u[1], u[0])
            };
            match (hi, lo) {
                (0, b'\0'..=b'\x08') => b'\0',
                (0, c) if c.is_ascii() => c,
                // Non-ASCII character: keep it "text" without pretending it is markup.
                _ => b'?',
            }
        })
        .collect();
    Cow::Owned(narrowed)
}

/// Names SVG/XML and HTML (including image polyglots that start with markup).
fn markup_kind(text: &[u8]) -> Option<&'static str> {
    let start = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))?;
    let t = text[start..].to_ascii_lowercase();
    if !t.starts_with(b"<") {
        return None;
    }
    let has_svg = contains(&t, b"<svg");
    if t.starts_with(b"<?xml") {
        // XML that is not SVG is still reported as "svg": the user-facing
        // message is the same (a vector/markup file, not a screenshot).
        let html = !has_svg && (contains(&t, b"<html") || contains(&t, b"<!doctype html"));
        return Some(if html { "html" } else { "svg" });
    }
    if starts_with_tag(&t, b"<svg") || starts_with_tag(&t, b"<!doctype svg") {
        return Some("svg");
    }
    if t.starts_with(b"<!doctype") {
        return Some("html");
    }
    if t.starts_with(b"<!--") {
        return Some(if has_svg { "svg" } else { "html" });
    }
    // Tags from the WHATWG MIME sniffing algorithm's HTML pattern list.
    const HTML_TAGS: [&[u8]; 17] = [
        b"<html", b"<script", b"<head", b"<body", b"<iframe", b"<h1", b"<div", b"<font", b"<table",
        b"<a", b"<style", b"<title", b"<b", b"<br", b"<p", b"<meta", b"<img",
    ];
    if HTML_TAGS.iter().any(|tag| starts_with_tag(&t, tag)) {
        return Some("html");
    }
    None
}

/// `t` starts with `tag` followed by a tag-ending byte (or the end of the prefix).
fn starts_with_tag(t: &[u8], tag: &[u8]) -> bool {
    t.starts_with(tag)
        && matches!(
            t.get(tag.len()),
            None | Some(b' ' | b'>' | b'/' | b'\t' | b'\n' | b'\r' | b'\x0c')
        )
}

fn looks_like_text(text: &[u8]) -> bool {
    let valid = match std::str::from_utf8(text) {
        Ok(_) => text,
        // A multi-byte character cut by the prefix end is still text.
        Err(e) if e.error_len().is_none() => &text[..e.valid_up_to()],
        Err(_) => return false,
    };
    valid
        .iter()
        .all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | b'\x0c' | b'\x1b'))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn read_upload(path: &Path, limits: &EvidenceLimits) -> Result<Vec<u8>, Rejection> {
    let unreadable = |e: std::io::Error| {
        tracing::warn!(path = %path.display(), error = %e, "cannot read evidence upload");
        Rejection::Broken {
            detail: format!("cannot read the upload: {e}"),
        }
    };
    let file = File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Rejection::Broken {
            detail: "the upload is not a regular file".to_owned(),
        });
    }
    check_size(meta.len(), limits)?;
    // The file could still grow after the metadata call: never read past the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    check_size(bytes.len() as u64, limits)?;
    Ok(bytes)
}

fn check_size(len: u64, limits: &EvidenceLimits) -> Result<(), Rejection> {
    if len == 0 {
        Err(Rejection::Empty)
    } else if len > limits.max_file_bytes {
        Err(Rejection::TooLarge {
            bytes: len,
            limit: limits.max_file_bytes,
        })
    } else {
        Ok(())
    }
}

/// Checks the bytes as far as refusing a bad file needs (header, then a full decode) and gives
/// the decoded pixels, upright (EXIF orientation applied).
fn decode_upright(
    bytes: &[u8],
    kind: ImageKind,
    limits: &EvidenceLimits,
) -> Result<DynamicImage, Rejection> {
    let (mut img, orientation) = decode(bytes, kind, limits)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// The full decode every accepted file passes, and the orientation its metadata asks for.
fn decode(
    bytes: &[u8],
    kind: ImageKind,
    limits: &EvidenceLimits,
) -> Result<(DynamicImage, Orientation), Rejection> {
    // Bomb check on our own parse of the header, before any decoder runs.
    let header = header_dimensions(kind, bytes);
    if let Some((w, h)) = header {
        check_pixels(w, h, limits)?;
    }
    if kind == ImageKind::Jpeg && !jpeg_has_end(bytes) {
        // The JPEG decoder is lenient and paints missing data grey instead of failing.
        return Err(broken("truncated JPEG (no end-of-image marker)"));
    }

    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(kind));
    reader.limits(decoder_limits(limits));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| decode_rejection(e, header, limits))?;
    // The decoder's own reading of the header must pass too (ours may have
    // found nothing, or disagree on a malformed file).
    let (dw, dh) = decoder.dimensions();
    check_pixels(dw, dh, limits)?;
    // Bad EXIF must not refuse a screenshot: it just stays as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // `from_decoder` allocates the whole buffer at once; account for it like
    // `ImageReader::decode` does so max_alloc also covers it.
    decoder_limits(limits)
        .reserve(decoder.total_bytes())
        .map_err(|e| decode_rejection(e, Some((dw, dh)), limits))?;
    let img = DynamicImage::from_decoder(decoder)
        .map_err(|e| decode_rejection(e, Some((dw, dh)), limits))?;
    Ok((img, orientation))
}

/// Width and height once `orientation` is applied.
fn upright_size(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

/// Makes the derived copies of upright pixels.
fn copies_of_image(img: &DynamicImage, kind: ImageKind) -> Result<ImageCopies, Rejection> {
    let (display, display_kind) = match kind {
        ImageKind::Jpeg => (
            encode_jpeg(&img.to_rgb8(), DISPLAY_JPEG_QUALITY)?,
            ImageKind::Jpeg,
        ),
        ImageKind::Png | ImageKind::Webp => (display_png(img)?, ImageKind::Png),
    };

    let flat = hash_source(img);
    let (tw, th) = flat.dimensions();
    let thumbnail = encode_jpeg(&flat, THUMB_JPEG_QUALITY)?;
    let perceptual_hash = perceptual_hash(&flat);
    let fingerprint = super::fingerprint::screen_hash(&flat);
    Ok(ImageCopies {
        display,
        display_kind,
        thumbnail,
        thumbnail_width: tw,
        thumbnail_height: th,
        perceptual_hash,
        fingerprint,
    })
}

fn inspect_bytes(
    bytes: &[u8],
    kind: ImageKind,
    limits: &EvidenceLimits,
) -> Result<InspectedImage, Rejection> {
    let img = decode_upright(bytes, kind, limits)?;
    let copies = copies_of_image(&img, kind)?;
    Ok(InspectedImage {
        kind,
        width: img.width(),
        height: img.height(),
        byte_size: bytes.len() as u64,
        sha256: Sha256Hex::of_bytes(bytes),
        display: copies.display,
        display_kind: copies.display_kind,
        thumbnail: copies.thumbnail,
        thumbnail_width: copies.thumbnail_width,
        thumbnail_height: copies.thumbnail_height,
        perceptual_hash: copies.perceptual_hash,
        fingerprint: copies.fingerprint,
    })
}

fn check_pixels(width: u32, height: u32, limits: &EvidenceLimits) -> Result<(), Rejection> {
    if width == 0 || height == 0 {
        return Err(broken("zero width or height"));
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Rejection::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    Ok(())
}

fn decoder_limits(limits: &EvidenceLimits) -> Limits {
    // No side may exceed the pixel budget (the other side is at least 1), so
    // this adds no rule beyond the contract's.
    let side = u32::try_from(limits.max_pixels).unwrap_or(u32::MAX);
    let mut l = Limits::default();
    l.max_image_width = Some(side);
    l.max_image_height = Some(side);
    l.max_alloc = Some(MAX_DECODER_ALLOC);
    l
}

/// A decoder limit hit is reported as too big when we know the size; any
/// other failure means the file is damaged.
fn decode_rejection(e: ImageError, dims: Option<(u32, u32)>, limits: &EvidenceLimits) -> Rejection {
    match (e, dims) {
        (ImageError::Limits(_), Some((width, height))) => Rejection::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        },
        (other, _) => Rejection::Broken {
            detail: other.to_string(),
        },
    }
}

fn broken(detail: &str) -> Rejection {
    Rejection::Broken {
        detail: detail.to_owned(),
    }
}

/// Width and height as written in the file header, without decoding.
fn header_dimensions(kind: ImageKind, bytes: &[u8]) -> Option<(u32, u32)> {
    match kind {
        ImageKind::Png => {
            // Signature, then IHDR must be the first chunk.
            if bytes.get(12..16)? != b"IHDR" {
                return None;
            }
            Some((be32(bytes, 16)?, be32(bytes, 20)?))
        }
        ImageKind::Webp => webp_dimensions(bytes),
        ImageKind::Jpeg => jpeg_layout(bytes).dims,
    }
}

fn webp_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8 " => {
            // Frame tag (3 bytes), start code, then 14-bit sizes.
            if b.get(23..26)? != [0x9D, 0x01, 0x2A] {
                return None;
            }
            let w = u32::from(le16(b, 26)? & 0x3FFF);
            let h = u32::from(le16(b, 28)? & 0x3FFF);
            Some((w, h))
        }
        b"VP8L" => {
            if *b.get(20)? != 0x2F {
                return None;
            }
            let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        _ => None,
    }
}

struct JpegLayout {
    /// From the first SOF segment.
    dims: Option<(u32, u32)>,
    /// Offset just past the first SOS marker, where entropy-coded data begins.
    scan_start: Option<usize>,
}

/// Walks the JPEG marker segments up to the first scan.
fn jpeg_layout(b: &[u8]) -> JpegLayout {
    let mut layout = JpegLayout {
        dims: None,
        scan_start: None,
    };
    let mut i = 2;
    loop {
        // Tolerate junk between segments, as decoders do; fill bytes are 0xFF.
        while i < b.len() && b[i] != 0xFF {
            i += 1;
        }
        while i < b.len() && b[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = b.get(i) else {
            return layout;
        };
        i += 1;
        match marker {
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 => return layout,
            _ => {}
        }
        let Some(len) = be16(b, i).map(usize::from) else {
            return layout;
        };
        if len < 2 {
            return layout;
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof && layout.dims.is_none() {
            // Length, precision, then height before width.
            if let (Some(h), Some(w)) = (be16(b, i + 3), be16(b, i + 5)) {
                layout.dims = Some((u32::from(w), u32::from(h)));
            }
        }
        if marker == 0xDA {
            layout.scan_start = Some(i + len);
            return layout;
        }
        i += len;
    }
}

/// Entropy-coded data never contains FF D9 (0xFF is always stuffed), so its
/// presence after the first scan starts tells a complete file from a cut one.
fn jpeg_has_end(b: &[u8]) -> bool {
    match jpeg_layout(b).scan_start {
        Some(start) => b
            .get(start..)
            .is_some_and(|rest| rest.windows(2).any(|w| w == [0xFF, 0xD9])),
        None => false,
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

/// PNG of the pixels only; alpha is kept when any pixel uses it (screenshots
/// are often RGBA with every pixel opaque, and RGB is a third smaller).
pub(super) fn display_png(img: &DynamicImage) -> Result<Vec<u8>, Rejection> {
    if img.has_alpha() {
        let rgba: Cow<'_, RgbaImage> = match img.as_rgba8() {
            Some(b) => Cow::Borrowed(b),
            None => Cow::Owned(img.to_rgba8()),
        };
        if rgba.pixels().any(|p| p[3] != u8::MAX) {
            return encode_png(
                rgba.as_raw(),
                rgba.width(),
                rgba.height(),
                ExtendedColorType::Rgba8,
            );
        }
    }
    let rgb: Cow<'_, RgbImage> = match img.as_rgb8() {
        Some(b) => Cow::Borrowed(b),
        None => Cow::Owned(img.to_rgb8()),
    };
    encode_png(
        rgb.as_raw(),
        rgb.width(),
        rgb.height(),
        ExtendedColorType::Rgb8,
    )
}

fn encode_png(
    raw: &[u8],
    width: u32,
    height: u32,
    color: ExtendedColorType,
) -> Result<Vec<u8>, Rejection> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Default, PngFilter::Adaptive)
        .write_image(raw, width, height, color)
        .map_err(encode_failure)?;
    Ok(out)
}

pub(super) fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, Rejection> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(encode_failure)?;
    Ok(out)
}

fn encode_failure(e: ImageError) -> Rejection {
    // Pixels that decoded should always re-encode; if not, this image cannot be shown.
    tracing::warn!(error = %e, "re-encoding evidence image failed");
    Rejection::Broken {
        detail: format!("cannot re-encode the image: {e}"),
    }
}

/// The pixels the thumbnail is made of and the perceptual hashes are computed from: the image
/// scaled to fit the thumbnail's square (`thumbnail_size`), flattened on white.
pub fn hash_source(img: &DynamicImage) -> RgbImage {
    let (tw, th) = thumbnail_size(img.width(), img.height());
    if (tw, th) == (img.width(), img.height()) {
        flatten_on_white(img)
    } else {
        flatten_on_white(&img.thumbnail_exact(tw, th))
    }
}

pub use crate::domain::evidence::thumbnail_size;

/// JPEG has no alpha: composite onto white, as a browser would show it on a
/// white page.
pub(super) fn flatten_on_white(img: &DynamicImage) -> RgbImage {
    if !img.has_alpha() {
        return img.to_rgb8();
    }
    let rgba = img.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y);
        let a = u16::from(p[3]);
        let mix = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

/// Every parameter is pinned: the hashes are stored and compared across
/// cases, so a changed library default must not silently change them.
fn perceptual_hash(img: &RgbImage) -> String {
    let hasher = HasherConfig::with_bytes_type::<[u8; 8]>()
        .hash_size(8, 8)
        .hash_alg(HashAlg::Gradient)
        .resize_filter(FilterType::Lanczos3)
        .bit_order(BitOrder::LsbFirst)
        .to_hasher();
    hex::encode(hasher.hash_image(img).as_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, Rgba};
    use std::path::PathBuf;

    fn limits() -> EvidenceLimits {
        EvidenceLimits::default()
    }

    /// Writes `bytes` under a misleading name: inspection must not care.
    fn upload(bytes: &[u8], name: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    fn inspect_bytes_as_file(bytes: &[u8], name: &str) -> Result<InspectedImage, Rejection> {
        let (_dir, path) = upload(bytes, name);
        inspect(&path, &limits())
    }

    fn rgb_pattern(w: u32, h: u32) -> RgbImage {
        ImageBuffer::from_fn(w, h, |x, y| {
            let band = if (x / 16 + y / 16) % 2 == 0 { 40 } else { 200 };
            Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, band])
        })
    }

    fn png_of(img: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn jpeg_of(img: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        c.extend_from_slice(&body);
        c.extend_from_slice(&crc32(&body).to_be_bytes());
        c
    }

    fn contains_str(haystack: &[u8], needle: &str) -> bool {
        contains(haystack, needle.as_bytes())
    }

    fn hamming(a: &str, b: &str) -> u32 {
        let a = hex::decode(a).unwrap();
        let b = hex::decode(b).unwrap();
        a.iter().zip(&b).map(|(x, y)| (x ^ y).count_ones()).sum()
    }

    #[test]
    fn kind_names_round_trip() {
        for k in [ImageKind::Png, ImageKind::Jpeg, ImageKind::Webp] {
            assert_eq!(ImageKind::parse(k.as_str()), Some(k));
            assert!(k.mime().starts_with("image/"));
        }
        assert_eq!(ImageKind::Jpeg.extension(), "jpg");
        assert_eq!(ImageKind::Jpeg.mime(), "image/jpeg");
        assert_eq!(ImageKind::parse("jpg"), None);
        assert_eq!(ImageKind::parse("PNG"), None);
    }

    #[test]
    fn default_limits_match_contract() {
        let l = EvidenceLimits::default();
        assert_eq!(l.max_file_bytes, 10 * 1024 * 1024);
        assert_eq!(l.max_pixels, 40_000_000);
        assert_eq!(l.max_files, 10);
    }

    #[test]
    fn real_png_passes() {
        let img =
            DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(rgb_pattern(640, 400)).to_rgba8());
        let bytes = png_of(&img);
        let got = inspect_bytes_as_file(&bytes, "shot.jpg").unwrap();
        assert_eq!(got.kind, ImageKind::Png);
        assert_eq!((got.width, got.height), (640, 400));
        assert_eq!(got.byte_size, bytes.len() as u64);
        assert_eq!(got.sha256, Sha256Hex::of_bytes(&bytes));
        assert_eq!(got.display_kind, ImageKind::Png);
        let display = image::load_from_memory_with_format(&got.display, ImageFormat::Png).unwrap();
        assert_eq!((display.width(), display.height()), (640, 400));
        // Opaque RGBA is stored as RGB.
        assert!(!display.color().has_alpha());
        assert_eq!(
            display.to_rgb8(),
            img.to_rgb8(),
            "PNG display copy is lossless"
        );
        assert_eq!((got.thumbnail_width, got.thumbnail_height), (320, 200));
        let thumb = image::load_from_memory_with_format(&got.thumbnail, ImageFormat::Jpeg).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 200));
        assert_eq!(got.perceptual_hash.len(), 16);
        assert!(
            got.perceptual_hash
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        );
    }

    #[test]
    fn png_alpha_is_kept_and_thumbnail_flattened() {
        let img = RgbaImage::from_fn(100, 50, |x, _| {
            Rgba([255, 0, 0, if x < 50 { 0 } else { 255 }])
        });
        let got = inspect_bytes_as_file(&png_of(&DynamicImage::ImageRgba8(img)), "a.png").unwrap();
        let display = image::load_from_memory(&got.display).unwrap();
        assert!(display.color().has_alpha());
        assert_eq!(display.to_rgba8().get_pixel(10, 10)[3], 0);
        // Small images are not upscaled.
        assert_eq!((got.thumbnail_width, got.thumbnail_height), (100, 50));
        let thumb = image::load_from_memory(&got.thumbnail).unwrap().to_rgb8();
        let p = thumb.get_pixel(10, 25);
        assert!(
            p[0] > 240 && p[1] > 240 && p[2] > 240,
            "transparent became white: {p:?}"
        );
    }

    #[test]
    fn real_jpeg_passes_and_matches_png_hash() {
        let rgb = rgb_pattern(800, 600);
        let jpeg = jpeg_of(&rgb);
        let got = inspect_bytes_as_file(&jpeg, "x.png").unwrap();
        assert_eq!(got.kind, ImageKind::Jpeg);
        assert_eq!(got.display_kind, ImageKind::Jpeg);
        assert_eq!((got.width, got.height), (800, 600));
        assert!(got.display.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert_eq!((got.thumbnail_width, got.thumbnail_height), (320, 240));

        // The same screenshot in another format hashes (nearly) the same.
        let png = inspect_bytes_as_file(&png_of(&DynamicImage::ImageRgb8(rgb)), "y.png").unwrap();
        assert!(hamming(&got.perceptual_hash, &png.perceptual_hash) <= 4);
        let mirrored = image::imageops::flip_horizontal(&rgb_pattern(800, 600));
        let other = inspect_bytes_as_file(&jpeg_of(&mirrored), "z.jpg").unwrap();
        assert!(hamming(&got.perceptual_hash, &other.perceptual_hash) > 8);
    }

    #[test]
    fn webp_passes_with_png_display() {
        let img = DynamicImage::ImageRgb8(rgb_pattern(64, 48));
        let mut webp = Vec::new();
        img.write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
            .unwrap();
        let got = inspect_bytes_as_file(&webp, "w.gif").unwrap();
        assert_eq!(got.kind, ImageKind::Webp);
        assert_eq!(got.display_kind, ImageKind::Png);
        assert_eq!((got.width, got.height), (64, 48));
        assert!(got.display.starts_with(b"\x89PNG"));
    }

    /// APP1 Exif with orientation 6 (rotate 90° clockwise) and a GPS-like
    /// string, plus a COM comment.
    fn jpeg_with_metadata(rgb: &RgbImage) -> Vec<u8> {
        let secret = b"GPS-SECRET-48.8584N-2.2945E\0";
        let mut tiff = b"MM\0*".to_vec();
        tiff.extend_from_slice(&8u32.to_be_bytes());
        tiff.extend_from_slice(&2u16.to_be_bytes());
        // ImageDescription (ASCII) pointing past the IFD.
        tiff.extend_from_slice(&0x010Eu16.to_be_bytes());
        tiff.extend_from_slice(&2u16.to_be_bytes());
        tiff.extend_from_slice(&(secret.len() as u32).to_be_bytes());
        tiff.extend_from_slice(&38u32.to_be_bytes());
        // Orientation = 6.
        tiff.extend_from_slice(&0x0112u16.to_be_bytes());
        tiff.extend_from_slice(&3u16.to_be_bytes());
        tiff.extend_from_slice(&1u32.to_be_bytes());
        tiff.extend_from_slice(&[0, 6, 0, 0]);
        tiff.extend_from_slice(&0u32.to_be_bytes());
        assert_eq!(tiff.len(), 38);
        tiff.extend_from_slice(secret);

        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let comment = b"COMMENT-SECRET by the shopper";

        let plain = jpeg_of(rgb);
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(comment);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn jpeg_metadata_is_stripped_and_orientation_applied() {
        let jpeg = jpeg_with_metadata(&rgb_pattern(40, 24));
        assert!(contains_str(&jpeg, "GPS-SECRET") && contains_str(&jpeg, "COMMENT-SECRET"));
        let got = inspect_bytes_as_file(&jpeg, "exif.jpg").unwrap();
        for marker in ["GPS-SECRET", "COMMENT-SECRET", "Exif", "MM\0*"] {
            assert!(
                !contains_str(&got.display, marker),
                "display still has {marker:?}"
            );
            assert!(
                !contains_str(&got.thumbnail, marker),
                "thumbnail still has {marker:?}"
            );
        }
        // Upright: the 40x24 stored pixels are shown as 24x40.
        assert_eq!((got.width, got.height), (24, 40));
        let display = image::load_from_memory(&got.display).unwrap();
        assert_eq!((display.width(), display.height()), (24, 40));
        assert_eq!((got.thumbnail_width, got.thumbnail_height), (24, 40));
        // The original is what we were given, metadata and all.
        assert_eq!(got.sha256, Sha256Hex::of_bytes(&jpeg));

        // The request path's check sees the same upright size, and keeps the bytes as given.
        let (_dir, path) = upload(&jpeg, "exif.jpg");
        let checked = check(&path, &limits()).unwrap();
        assert_eq!(
            (checked.kind, checked.width, checked.height),
            (ImageKind::Jpeg, 24, 40)
        );
        assert_eq!(checked.bytes, jpeg);
        let copies = copies_of(&checked.bytes, checked.kind, &limits()).unwrap();
        assert_eq!(copies.display, got.display);
        assert_eq!(copies.perceptual_hash, got.perceptual_hash);
    }

    #[test]
    fn the_check_refuses_what_inspection_refuses() {
        let png = png_of(&DynamicImage::ImageRgb8(rgb_pattern(200, 200)));
        for bytes in [&png[..png.len() / 2], b"GIF89a\x01\x00", b""] {
            let (_dir, path) = upload(bytes, "x.png");
            assert_eq!(
                check(&path, &limits()).err(),
                inspect(&path, &limits()).err(),
            );
            assert!(check(&path, &limits()).is_err());
        }
    }

    #[test]
    fn png_text_chunk_is_stripped() {
        let plain = png_of(&DynamicImage::ImageRgb8(rgb_pattern(32, 32)));
        // IHDR is signature (8) + length/type/data/crc (25).
        let mut png = plain[..33].to_vec();
        png.extend(png_chunk(b"tEXt", b"Comment\0TEXT-SECRET home address"));
        png.extend(png_chunk(
            b"iTXt",
            b"XML:com.adobe.xmp\0\0\0\0\0ITXT-SECRET",
        ));
        png.extend_from_slice(&plain[33..]);
        let got = inspect_bytes_as_file(&png, "t.png").unwrap();
        assert!(!contains_str(&got.display, "TEXT-SECRET"));
        assert!(!contains_str(&got.display, "ITXT-SECRET"));
        assert!(!contains_str(&got.display, "tEXt"));
        assert!(!contains_str(&got.display, "iTXt"));
    }

    #[test]
    fn impostors_are_named() {
        let text = inspect_bytes_as_file(b"This shop's reviews are all fake!\n", "review.png");
        assert_eq!(text.err(), Some(Rejection::NotAnImage { detected: "text" }));

        let svg = br#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"#;
        assert_eq!(
            inspect_bytes_as_file(svg, "s.png").err(),
            Some(Rejection::NotAnImage { detected: "svg" })
        );

        let mut polyglot = b"<!DOCTYPE html>".to_vec();
        polyglot.extend(png_of(&DynamicImage::ImageRgb8(rgb_pattern(8, 8))));
        assert_eq!(
            inspect_bytes_as_file(&polyglot, "p.png").err(),
            Some(Rejection::NotAnImage { detected: "html" })
        );

        let html = "\u{FEFF}  \n<html><script>alert(document.cookie)</script></html>";
        assert_eq!(
            inspect_bytes_as_file(html.as_bytes(), "h.jpg").err(),
            Some(Rejection::NotAnImage { detected: "html" })
        );

        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        assert_eq!(
            inspect_bytes_as_file(gif, "g.webp").err(),
            Some(Rejection::NotAnImage { detected: "gif" })
        );
    }

    #[test]
    fn sniff_table() {
        let mut bmp = b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0".to_vec();
        bmp.extend_from_slice(&[0; 40]);
        let utf16_html: Vec<u8> = b"\xFF\xFE"
            .iter()
            .copied()
            .chain("<html>".bytes().flat_map(|b| [b, 0]))
            .collect();
        let cases: &[(&[u8], &str)] = &[
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
            (&bmp, "bmp"),
            (b"BMW reviews are fake", "text"),
            (b"II*\0\x08\0\0\0", "tiff"),
            (b"MM\0*\0\0\0\x08", "tiff"),
            (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", "heic"),
            (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1", "heic"),
            (b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2", "unknown"),
            (b"PK\x03\x04\x14\0\0\0\x08\0", "zip"),
            (b"<svg width=\"1\"/>", "svg"),
            (b"<!-- x --><svg/>", "svg"),
            (b"  <SCRIPT>alert(1)</SCRIPT>", "html"),
            (b"<!doctype HTML><p>hi", "html"),
            (b"<html", "html"),
            (&utf16_html, "html"),
            (b"<notatag>", "text"),
            ("评价是假的".as_bytes(), "text"),
            (b"\0\x01\x02\x03\xfe\xfd", "unknown"),
            (b"", "unknown"),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                sniff(bytes),
                Err(*want),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), Ok(ImageKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(ImageKind::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(ImageKind::Webp));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Err("unknown"));
    }

    #[test]
    fn truncated_images_are_broken() {
        let png = png_of(&DynamicImage::ImageRgb8(rgb_pattern(200, 200)));
        let half = &png[..png.len() / 2];
        assert!(matches!(
            inspect_bytes_as_file(half, "t.png"),
            Err(Rejection::Broken { .. })
        ));
        let jpeg = jpeg_of(&rgb_pattern(200, 200));
        let half = &jpeg[..jpeg.len() / 2];
        assert!(matches!(
            inspect_bytes_as_file(half, "t.jpg"),
            Err(Rejection::Broken { .. })
        ));
        // Signature only.
        assert!(matches!(
            inspect_bytes_as_file(b"\x89PNG\r\n\x1a\n", "t.png"),
            Err(Rejection::Broken { .. })
        ));
    }

    #[test]
    fn png_bomb_is_refused_from_header() {
        let mut ihdr = 20_000u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&20_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(png_chunk(b"IHDR", &ihdr));
        // A tiny zlib stream: the real bomb would be a few KB of zeros.
        png.extend(png_chunk(
            b"IDAT",
            &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ));
        png.extend(png_chunk(b"IEND", &[]));
        assert_eq!(
            inspect_bytes_as_file(&png, "bomb.png").err(),
            Some(Rejection::TooManyPixels {
                width: 20_000,
                height: 20_000,
                limit: 40_000_000
            })
        );
    }

    #[test]
    fn webp_and_jpeg_bombs_are_refused_from_header() {
        let mut webp = b"RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[0xFE, 0x3F, 0x00, 0xFE, 0x3F, 0x00]); // 16383 x 16383
        assert_eq!(
            inspect_bytes_as_file(&webp, "bomb.webp").err(),
            Some(Rejection::TooManyPixels {
                width: 16_383,
                height: 16_383,
                limit: 40_000_000
            })
        );

        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
        jpeg.extend_from_slice(&60_000u16.to_be_bytes()); // height
        jpeg.extend_from_slice(&50_000u16.to_be_bytes()); // width
        jpeg.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        assert_eq!(
            inspect_bytes_as_file(&jpeg, "bomb.jpg").err(),
            Some(Rejection::TooManyPixels {
                width: 50_000,
                height: 60_000,
                limit: 40_000_000
            })
        );
    }

    #[test]
    fn header_parsers_agree_with_real_files() {
        let img = DynamicImage::ImageRgb8(rgb_pattern(37, 21));
        let mut webp = Vec::new();
        img.write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
            .unwrap();
        assert_eq!(header_dimensions(ImageKind::Webp, &webp), Some((37, 21)));
        assert_eq!(
            header_dimensions(ImageKind::Png, &png_of(&img)),
            Some((37, 21))
        );
        let jpeg = jpeg_with_metadata(&img.to_rgb8());
        assert_eq!(header_dimensions(ImageKind::Jpeg, &jpeg), Some((37, 21)));
        assert!(jpeg_has_end(&jpeg));
    }

    #[test]
    fn size_limits() {
        assert_eq!(
            inspect_bytes_as_file(b"", "e.png").err(),
            Some(Rejection::Empty)
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.png");
        let f = File::create(&path).unwrap();
        // Sparse: the size check must come from metadata, not from reading it.
        f.set_len(11 * 1024 * 1024).unwrap();
        drop(f);
        assert_eq!(
            inspect(&path, &limits()).err(),
            Some(Rejection::TooLarge {
                bytes: 11 * 1024 * 1024,
                limit: 10 * 1024 * 1024
            })
        );

        let missing = inspect(&dir.path().join("nope"), &limits());
        assert!(matches!(missing, Err(Rejection::Broken { .. })));
        assert!(matches!(
            inspect(dir.path(), &limits()),
            Err(Rejection::Broken { .. })
        ));
    }

    #[test]
    fn thumbnail_sizes() {
        assert_eq!(thumbnail_size(320, 320), (320, 320));
        assert_eq!(thumbnail_size(10, 5), (10, 5));
        assert_eq!(thumbnail_size(1920, 1080), (320, 180));
        assert_eq!(thumbnail_size(1080, 2400), (144, 320));
        assert_eq!(thumbnail_size(1080, 37_000), (9, 320));
        assert_eq!(thumbnail_size(40_000_000, 1), (320, 1));
    }
}
