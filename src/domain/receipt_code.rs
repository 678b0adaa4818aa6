//! The reporter's secret receipt code: 100 random bits as 20 Crockford base-32 symbols, shown in
//! groups of four so it can be read aloud and typed; stored only as a keyed hash.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use std::fmt;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LEN: usize = 20;

#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptCode(String);

impl ReceiptCode {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let code = (0..LEN)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        Self(code)
    }

    /// A code derived from `seed` under `key` (HMAC-SHA-256, its first 100 bits): as unguessable
    /// as a random one to anyone without the key, and made again from the same seed. A report
    /// form's code is derived from its form token and the browser's id, so that the browser that
    /// sent it, and no other, is shown the code again when the first answer was lost.
    pub fn derive(key: &[u8], seed: &str) -> Self {
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map(|mut mac| {
            mac.update(b"receipt-code-from:");
            mac.update(seed.as_bytes());
            mac.finalize().into_bytes()
        });
        let Ok(bytes) = mac else {
            return Self::generate();
        };
        // 20 symbols of 5 bits from the first 13 bytes.
        let mut bits: u128 = 0;
        for b in &bytes[..13] {
            bits = (bits << 8) | u128::from(*b);
        }
        let code = (0..LEN)
            .map(|i| {
                let shift = 104 - 5 * (i + 1);
                char::from(ALPHABET[((bits >> shift) & 31) as usize])
            })
            .collect();
        Self(code)
    }

    /// Accepts the code as typed: any case, with or without dashes and spaces, and the symbols
    /// people confuse (O for 0, I and L for 1), as Crockford's alphabet intends.
    pub fn parse(input: &str) -> Option<Self> {
        let mut code = String::with_capacity(LEN);
        for c in input.chars() {
            if c.is_whitespace() || c == '-' || c == '－' {
                continue;
            }
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return None;
            }
            code.push(c);
        }
        (code.len() == LEN).then_some(Self(code))
    }

    /// HMAC-SHA-256 under the instance key, hex. A random 100-bit code needs no slow hash.
    pub fn digest(&self, key: &[u8]) -> String {
        hex::encode(self.mac(key).finalize().into_bytes())
    }

    /// Compares with a stored digest in constant time.
    pub fn matches(&self, key: &[u8], stored_hex: &str) -> bool {
        match hex::decode(stored_hex) {
            Ok(stored) => self.mac(key).verify_slice(&stored).is_ok(),
            Err(_) => false,
        }
    }

    fn mac(&self, key: &[u8]) -> Hmac<Sha256> {
        // new_from_slice accepts keys of any length, so this branch never fails in practice.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| {
            <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; 32]).expect("fixed key")
        });
        mac.update(b"receipt-code:");
        mac.update(self.0.as_bytes());
        mac
    }
}

impl fmt::Display for ReceiptCode {
    /// Groups of four: `7KQ2-M9XD-A4PT-H3WN-BC8R`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, chunk) in self.0.as_bytes().chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            f.write_str(std::str::from_utf8(chunk).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never let a code reach a log line through `{:?}`.
        f.write_str("ReceiptCode(<secret>)")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_derived_code_is_made_again_from_its_seed_and_differs_for_another() {
        let a = ReceiptCode::derive(b"key", "token:browser-a");
        assert_eq!(
            a.to_string(),
            ReceiptCode::derive(b"key", "token:browser-a").to_string()
        );
        assert_ne!(
            a.to_string(),
            ReceiptCode::derive(b"key", "token:browser-b").to_string()
        );
        assert_ne!(
            a.to_string(),
            ReceiptCode::derive(b"other", "token:browser-a").to_string()
        );
        assert_eq!(
            ReceiptCode::parse(&a.to_string()).map(|c| c.to_string()),
            Some(a.to_string())
        );
    }

    use super::*;

    #[test]
    fn generated_codes_round_trip_through_their_display_form() {
        let code = ReceiptCode::generate();
        let shown = code.to_string();
        assert_eq!(shown.len(), 24);
        assert_eq!(ReceiptCode::parse(&shown), Some(code.clone()));
        assert_eq!(
            ReceiptCode::parse(&shown.to_lowercase().replace('-', " ")),
            Some(code)
        );
    }

    #[test]
    fn confusable_symbols_are_read_as_crockford_intends() {
        let a = ReceiptCode::parse("0000-1111-2222-3333-4444");
        assert_eq!(ReceiptCode::parse("oooo-iiii-2222-3333-4444"), a);
        assert_eq!(ReceiptCode::parse("OOOO-LLLL-2222-3333-4444"), a);
    }

    #[test]
    fn wrong_length_or_symbols_are_refused() {
        assert_eq!(ReceiptCode::parse("0000-1111-2222-3333"), None);
        assert_eq!(ReceiptCode::parse("0000-1111-2222-3333-444U"), None);
        assert_eq!(ReceiptCode::parse("0000-1111-2222-3333-444好"), None);
    }

    #[test]
    fn digest_matches_only_the_same_code_and_key() {
        let code = ReceiptCode::generate();
        let digest = code.digest(b"key one");
        assert!(code.matches(b"key one", &digest));
        assert!(!code.matches(b"key two", &digest));
        assert!(!ReceiptCode::generate().matches(b"key one", &digest));
        assert!(!code.matches(b"key one", "not hex"));
    }

    #[test]
    fn debug_never_shows_the_code() {
        let code = ReceiptCode::generate();
        assert!(!format!("{code:?}").contains(&code.to_string()[..4]));
    }
}
