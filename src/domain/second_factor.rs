//! The second factor's rules: TOTP codes (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits, one
//! step of tolerance either way, each step accepted once), recovery codes (ten, single use), and
//! how a code typed into the form is read. No I/O: the time is always given.

use chrono::{NaiveDateTime, TimeDelta};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use std::fmt;
use totp_rs::{Algorithm, Builder, Totp};

/// Seconds per TOTP step (what every authenticator app assumes).
pub const STEP_SECONDS: u64 = 30;
/// Digits of a TOTP code.
pub const DIGITS: u8 = 6;
/// Steps accepted on either side of the current one: a phone clock half a minute off, or a code
/// typed as it changed, still works.
pub const SKEW_STEPS: u16 = 1;
/// Bytes of a TOTP secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// How many recovery codes an officer gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// Symbols in a recovery code: 16 Crockford base-32 symbols are 80 random bits, so a plain
/// SHA-256 of the code is enough to store it.
const RECOVERY_LEN: usize = 16;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// How long the second step of a sign-in may wait after the password was right.
pub const CHALLENGE_LIFETIME: TimeDelta = TimeDelta::minutes(5);
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "ReviewWatch";

/// A TOTP secret: random bytes, shown to the officer once as base-32 (and in the QR code).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// From its stored base-32 form; `None` for anything else.
    pub fn from_base32(text: &str) -> Option<Self> {
        let bytes = base32_decode(text)?;
        (bytes.len() >= 16).then_some(Self(bytes))
    }

    /// RFC 4648 base-32 without padding, as authenticator apps take it.
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// The base-32 form in groups of four, for typing it in by hand.
    pub fn grouped(&self) -> String {
        let text = self.to_base32();
        text.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn totp(&self, account: &str) -> Totp {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS)
            .with_skew(SKEW_STEPS)
            .with_step_duration(STEP_SECONDS)
            .with_secret(self.0.clone())
            .with_issuer(Some(ISSUER))
            .with_account_name(account.replace(':', " "))
            // The parameters above are RFC 6238's own; only a secret shorter than 128 bits
            // could be refused, and `from_base32` and `generate` make none.
            .build_noncompliant()
    }

    /// The `otpauth://` URI the QR code carries.
    pub fn otpauth_uri(&self, account: &str) -> Option<String> {
        self.totp(account).to_url().ok()
    }

    /// The code for the step that holds `at`.
    pub fn code_at(&self, at: NaiveDateTime) -> String {
        self.totp("").generate(unix_seconds(at)).to_string()
    }

    /// Checks a code at `now`, given the last step this secret was accepted in: a code of the
    /// current step or one either side is accepted once, never again, and never one older than
    /// the last accepted.
    pub fn check(&self, code: &TotpCode, now: NaiveDateTime, last_used: Option<i64>) -> CodeCheck {
        match self.totp("").check(&code.0, unix_seconds(now)) {
            None => CodeCheck::Wrong,
            Some(step) => {
                let step = i64::try_from(step).unwrap_or(i64::MAX);
                if last_used.is_some_and(|last| step <= last) {
                    CodeCheck::Replayed
                } else {
                    CodeCheck::Accepted { step }
                }
            }
        }
    }
}

/// How a TOTP code fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right, for `step`, which must now be stored as the last used.
    Accepted {
        step: i64,
    },
    /// Right, but for a step already used (or before it): a replay.
    Replayed,
    Wrong,
}

/// The step `at` falls in.
pub fn step_of(at: NaiveDateTime) -> i64 {
    i64::try_from(unix_seconds(at) / STEP_SECONDS).unwrap_or(i64::MAX)
}

fn unix_seconds(at: NaiveDateTime) -> u64 {
    u64::try_from(at.and_utc().timestamp()).unwrap_or(0)
}

/// Six digits, as typed (spaces allowed).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpCode(…)")
    }
}

/// A recovery code, normalised (upper case, no separators, Crockford's confusables read).
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(…)")
    }
}

impl RecoveryCode {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        Self(
            (0..RECOVERY_LEN)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect(),
        )
    }

    /// A new set of `RECOVERY_CODES` codes.
    pub fn generate_set() -> Vec<Self> {
        (0..RECOVERY_CODES).map(|_| Self::generate()).collect()
    }

    /// What is stored: the SHA-256 of the normalised code, hex (80 random bits need no slow hash).
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(
            format!("recovery-code:{}", self.0).as_bytes(),
        ))
    }

    /// Shown in groups of four: `ABCD-EFGH-JKMN-PQRS`.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// A code typed into the second step: either kind is accepted in the one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmittedCode {
    Totp(TotpCode),
    Recovery(RecoveryCode),
}

/// What was typed is neither a six-digit code nor a recovery code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedCode;

/// The most a code field may hold before it is refused unread.
pub const MAX_CODE_CHARS: usize = 64;

impl SubmittedCode {
    /// Reads the field: spaces and dashes are ignored; six digits are a TOTP code, sixteen
    /// Crockford symbols a recovery code (any case, O for 0, I and L for 1).
    pub fn parse(input: &str) -> Result<Self, MalformedCode> {
        if input.chars().count() > MAX_CODE_CHARS {
            return Err(MalformedCode);
        }
        let kept: String = input
            .chars()
            .filter(|c| !(c.is_whitespace() || *c == '-' || *c == '－'))
            .collect();
        if kept.len() == usize::from(DIGITS) && kept.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self::Totp(TotpCode(kept)));
        }
        let mut code = String::with_capacity(RECOVERY_LEN);
        for c in kept.chars() {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(MalformedCode);
            }
            code.push(c);
        }
        if code.len() == RECOVERY_LEN {
            Ok(Self::Recovery(RecoveryCode(code)))
        } else {
            Err(MalformedCode)
        }
    }

    /// Only a TOTP code (turning the second factor on wants one from the app).
    pub fn parse_totp(input: &str) -> Result<TotpCode, MalformedCode> {
        match Self::parse(input)? {
            Self::Totp(code) => Ok(code),
            Self::Recovery(_) => Err(MalformedCode),
        }
    }
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(B32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(B32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let c = c.to_ascii_uppercase();
        let value = B32.iter().position(|&b| char::from(b) == c)?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(unix: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(unix, 0)
            .expect("a time")
            .naive_utc()
    }

    /// RFC 6238 appendix B's SHA-1 secret.
    fn rfc_secret() -> TotpSecret {
        TotpSecret(b"12345678901234567890".to_vec())
    }

    fn totp(code: &str) -> TotpCode {
        SubmittedCode::parse_totp(code).expect("six digits")
    }

    #[test]
    fn codes_follow_the_rfc_6238_sha1_test_vectors() {
        // Appendix B gives eight digits; six are their last six.
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, eight) in vectors {
            assert_eq!(rfc_secret().code_at(at(time)), eight[2..], "T = {time}");
        }
    }

    #[test]
    fn a_code_of_the_step_before_or_after_is_accepted_and_one_further_off_is_not() {
        let s = rfc_secret();
        let now = at(1_800_000_015);
        let step = step_of(now);
        let before = s.code_at(now - TimeDelta::seconds(30));
        let after = s.code_at(now + TimeDelta::seconds(30));
        let far = s.code_at(now - TimeDelta::seconds(60));
        assert_eq!(
            s.check(&totp(&before), now, None),
            CodeCheck::Accepted { step: step - 1 }
        );
        assert_eq!(
            s.check(&totp(&after), now, None),
            CodeCheck::Accepted { step: step + 1 }
        );
        assert_eq!(s.check(&totp(&far), now, None), CodeCheck::Wrong);
    }

    #[test]
    fn a_code_is_refused_when_its_step_or_a_later_one_was_used() {
        let s = rfc_secret();
        let now = at(1_800_000_015);
        let step = step_of(now);
        let code = totp(&s.code_at(now));
        assert_eq!(
            s.check(&code, now, Some(step - 1)),
            CodeCheck::Accepted { step }
        );
        assert_eq!(s.check(&code, now, Some(step)), CodeCheck::Replayed);
        // The code of the previous step, after this step's code was used: refused too.
        let earlier = totp(&s.code_at(now - TimeDelta::seconds(30)));
        assert_eq!(s.check(&earlier, now, Some(step)), CodeCheck::Replayed);
        // Thirty seconds on, the same code is the previous step's: still a replay.
        assert_eq!(
            s.check(&code, now + TimeDelta::seconds(30), Some(step)),
            CodeCheck::Replayed
        );
    }

    #[test]
    fn a_wrong_code_is_wrong() {
        let s = rfc_secret();
        let now = at(1_800_000_015);
        let right = s.code_at(now);
        let wrong = format!(
            "{:06}",
            (right.parse::<u32>().expect("digits") + 1) % 1_000_000
        );
        assert_eq!(s.check(&totp(&wrong), now, None), CodeCheck::Wrong);
    }

    #[test]
    fn secrets_survive_base32_and_the_uri_names_the_issuer_and_the_account() {
        let s = TotpSecret::generate();
        let text = s.to_base32();
        assert_eq!(text.len(), 32);
        assert_eq!(TotpSecret::from_base32(&text), Some(s.clone()));
        assert_eq!(rfc_secret().to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let uri = s.otpauth_uri("li@amr.example").expect("a URI");
        assert!(
            uri.starts_with("otpauth://totp/ReviewWatch:li%40amr.example?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={text}")), "{uri}");
        assert_eq!(TotpSecret::from_base32("not base32!"), None);
    }

    #[test]
    fn recovery_codes_are_read_however_they_are_typed() {
        let code = RecoveryCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 19);
        let typed = shown.to_lowercase().replace('-', " ");
        assert_eq!(
            SubmittedCode::parse(&typed),
            Ok(SubmittedCode::Recovery(code.clone()))
        );
        assert_eq!(
            SubmittedCode::parse("0I1L-ABCD-EFGH-JKMN"),
            SubmittedCode::parse("0111-abcd-efgh-jkmn")
        );
        let set = RecoveryCode::generate_set();
        assert_eq!(set.len(), RECOVERY_CODES);
        assert_ne!(set[0].digest(), set[1].digest());
    }

    #[test]
    fn anything_else_is_malformed() {
        for input in [
            "",
            "12345",
            "1234567",
            "12a456",
            "ABCD-EFGH",
            "ÄBCD-EFGH-JKMN-PQRS",
        ] {
            assert_eq!(SubmittedCode::parse(input), Err(MalformedCode), "{input:?}");
        }
        assert_eq!(SubmittedCode::parse(&"1".repeat(200)), Err(MalformedCode));
        assert!(matches!(
            SubmittedCode::parse(" 123 456 "),
            Ok(SubmittedCode::Totp(_))
        ));
        assert_eq!(
            SubmittedCode::parse_totp("ABCD-EFGH-JKMN-PQRS"),
            Err(MalformedCode)
        );
    }
}
