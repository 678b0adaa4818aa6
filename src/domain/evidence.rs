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
