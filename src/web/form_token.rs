//! The report form's hidden token: when the form was shown and a random nonce, signed, so that a
//! submission sent faster than a person could fill the form (`MIN_FORM_SECONDS`) is recognised,
//! and so that each form shown is one of its kind (a token files one report).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A form older than this is stale; the reporter gets a fresh one with their answers kept.
const MAX_AGE_SECS: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormTokenError {
    Invalid,
    TooFast,
    Expired,
}

fn mac(key: &[u8], issued: i64, nonce: &str) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    mac.update(b"report-form:");
    mac.update(issued.to_string().as_bytes());
    mac.update(b":");
    mac.update(nonce.as_bytes());
    Some(mac)
}

pub fn issue(key: &[u8], now: i64) -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = hex::encode(bytes);
    let sig = mac(key, now, &nonce)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("{now}.{nonce}.{sig}")
}

pub fn check(key: &[u8], token: &str, now: i64, min_seconds: u64) -> Result<(), FormTokenError> {
    let mut parts = token.splitn(3, '.');
    let (Some(issued), Some(nonce), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(FormTokenError::Invalid);
    };
    let issued: i64 = issued.parse().map_err(|_| FormTokenError::Invalid)?;
    let sig = hex::decode(sig).map_err(|_| FormTokenError::Invalid)?;
    mac(key, issued, nonce)
        .ok_or(FormTokenError::Invalid)?
        .verify_slice(&sig)
        .map_err(|_| FormTokenError::Invalid)?;
    let age = now - issued;
    if age < i64::try_from(min_seconds).unwrap_or(i64::MAX) {
        return Err(FormTokenError::TooFast);
    }
    if age > MAX_AGE_SECS {
        return Err(FormTokenError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_good_between_the_minimum_and_a_day() {
        let t = issue(b"k", 1000);
        assert_eq!(check(b"k", &t, 1002, 3), Err(FormTokenError::TooFast));
        assert_eq!(check(b"k", &t, 1003, 3), Ok(()));
        assert_eq!(
            check(b"k", &t, 1000 + MAX_AGE_SECS + 1, 3),
            Err(FormTokenError::Expired)
        );
    }

    #[test]
    fn a_forged_or_foreign_token_is_invalid() {
        let t = issue(b"k", 1000);
        assert_eq!(check(b"other", &t, 2000, 0), Err(FormTokenError::Invalid));
        assert_eq!(
            check(b"k", "999.abcd", 2000, 0),
            Err(FormTokenError::Invalid)
        );
        assert_eq!(check(b"k", "", 2000, 0), Err(FormTokenError::Invalid));
        let (issued, rest) = t.split_once('.').expect("issued.rest");
        let (_, sig) = rest.split_once('.').expect("nonce.sig");
        assert_eq!(
            check(b"k", &format!("{issued}.00.{sig}"), 2000, 0),
            Err(FormTokenError::Invalid),
            "the nonce is signed too"
        );
    }

    #[test]
    fn two_forms_shown_in_the_same_second_get_different_tokens() {
        assert_ne!(issue(b"k", 1000), issue(b"k", 1000));
    }
}
