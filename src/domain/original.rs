//! A regulator's request for an original (unredacted) file, and where it stands.

use super::keyword::keyword_enum;

keyword_enum! {
    pub enum OriginalRequestStatus {
        Requested => "requested",
        Approved => "approved",
        Refused => "refused",
    }
}
