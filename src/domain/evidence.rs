//! What a stored file of a case is: where it came from and which image format it has.

use super::keyword::keyword_enum;

keyword_enum! {
    /// Which step brought a file in: the report itself or an answer to an officer.
    pub enum EvidenceSource {
        Report => "report",
        Reply => "reply",
    }
}

keyword_enum! {
    /// An accepted image format. The keyword is the name stored in the database.
    pub enum ImageKind {
        Png => "png",
        Jpeg => "jpeg",
        Webp => "webp",
    }
}

impl ImageKind {
    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Png => "png",
            ImageKind::Jpeg => "jpg",
            ImageKind::Webp => "webp",
        }
    }
}

/// The longest side of a thumbnail.
pub const THUMB_MAX_SIDE: u32 = 320;

/// Fits in THUMB_MAX_SIDE² keeping the aspect ratio; never upscales.
pub fn thumbnail_size(width: u32, height: u32) -> (u32, u32) {
    if width <= THUMB_MAX_SIDE && height <= THUMB_MAX_SIDE {
        return (width, height);
    }
    let scale = |short: u32, long: u32| {
        let scaled =
            (u64::from(short) * u64::from(THUMB_MAX_SIDE) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled.max(1)).unwrap_or(THUMB_MAX_SIDE)
    };
    if width >= height {
        (THUMB_MAX_SIDE, scale(height, width))
    } else {
        (scale(width, height), THUMB_MAX_SIDE)
    }
}
