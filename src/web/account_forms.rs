//! What the pages that set a password share: the new password, typed twice, checked against
//! the rules every password meets, with the message to show when it does not.

use crate::domain::officer::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewPassword, PasswordError};
use crate::i18n::Messages;

/// The new password, or what is wrong with it, in the reader's language.
pub fn new_password(m: &Messages, typed: &str, repeat: &str) -> Result<NewPassword, String> {
    if typed != repeat {
        return Err(m.t("password.mismatch").to_string());
    }
    NewPassword::parse(typed).map_err(|e| match e {
        PasswordError::TooShort => m.t1("password.too_short", MIN_PASSWORD_CHARS),
        PasswordError::TooLong => m.t1("password.too_long", MAX_PASSWORD_CHARS),
        PasswordError::Common => m.t("login_security.common_password").to_string(),
    })
}
