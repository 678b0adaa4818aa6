//! What an emailed link is for.

use super::keyword::keyword_enum;

keyword_enum! {
    pub enum TokenPurpose {
        /// Confirms a report filed with an email address.
        Confirm => "confirm",
        /// Opens the reporter's case page from an email.
        Access => "access",
    }
}
