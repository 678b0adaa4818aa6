//! Officer accounts: roles, and the rules a password must meet. Passwords are hashed with
//! argon2id (the crate's defaults: 19 MiB, 2 passes), never stored or logged as they are.

use super::keyword::keyword_enum;
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

keyword_enum! {
    pub enum Role {
        Officer => "officer",
        Supervisor => "supervisor",
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password may have at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("this password is one of the 10,000 most common ones; choose another")]
    Common,
}

/// The 10,000 most common passwords, lower-cased (see the first line of the file for where they
/// come from).
const COMMON_PASSWORDS: &str = include_str!("facts/common-passwords.txt");

fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| {
            COMMON_PASSWORDS
                .lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect()
        });
    &SET
}

/// Whether `password` is on the list of common passwords, whatever its case.
pub fn is_common_password(password: &str) -> bool {
    common_passwords().contains(password.to_lowercase().as_str())
}

/// A password that meets the rules. Its `Debug` never shows it.
pub struct NewPassword(String);

impl NewPassword {
    /// Refuses a common password first: "too short" would only invite `123456789012`.
    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        let n = input.chars().count();
        if n <= MAX_PASSWORD_CHARS && is_common_password(input) {
            Err(PasswordError::Common)
        } else if n < MIN_PASSWORD_CHARS {
            Err(PasswordError::TooShort)
        } else if n > MAX_PASSWORD_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(Self(input.to_string()))
        }
    }

    /// The argon2id PHC string to store.
    pub fn hash(&self) -> Result<String, argon2::password_hash::Error> {
        let salt = SaltString::generate(&mut OsRng);
        Ok(Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)?
            .to_string())
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<secret>)")
    }
}

/// Whether `password` matches the stored hash. A malformed hash matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// `verify_password`, in working memory the caller keeps between checks (grown to what the hash
/// asks for). Argon2 wants 19 MiB per check; allocated afresh each time, the allocator keeps
/// such a block in every thread that ever ran a check, and a server's memory grows with bursts.
pub fn verify_password_in(memory: &mut Vec<argon2::Block>, password: &str, stored: &str) -> bool {
    use argon2::password_hash::Output;
    use argon2::{Algorithm, Params, Version};
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(params), Ok(algorithm), Some(salt), Some(expected)) = (
        Params::try_from(&hash),
        Algorithm::try_from(hash.algorithm),
        hash.salt,
        hash.hash,
    ) else {
        return false;
    };
    let Ok(version) = hash.version.map(Version::try_from).transpose() else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), argon2::Block::new());
    }
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version.unwrap_or_default(), params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..]);
    // `Output` compares in constant time.
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

/// A hash of a random password: verifying against it costs what a real check costs, so a login
/// for an unknown email takes as long as one for a known email with a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        NewPassword(format!("{:x}", rand::random::<u128>()))
            .hash()
            .unwrap_or_default()
    });
    &DECOY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_others_do_not() {
        let p = NewPassword::parse("correct horse battery").expect("long enough");
        let h = p.hash().expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn the_common_password_list_holds_ten_thousand_with_the_chinese_favourites() {
        assert!(
            common_passwords().len() >= 10_000,
            "{}",
            common_passwords().len()
        );
        for p in [
            "123456",
            "5201314",
            "woaini1314",
            "qq123456",
            "1qaz2wsx",
            "147258369",
            "password1",
            "1qaz2wsx3edc",
        ] {
            assert!(is_common_password(p), "{p}");
        }
        assert!(is_common_password("PassWord1"), "whatever the case");
        assert!(!is_common_password("correct horse battery staple"));
    }

    #[test]
    fn common_passwords_are_refused_even_when_long_enough() {
        for p in ["1qaz2wsx3edc", "Password1", "woaini1314", "123456"] {
            assert_eq!(
                NewPassword::parse(p).err(),
                Some(PasswordError::Common),
                "{p}"
            );
        }
    }

    #[test]
    fn a_check_in_reused_memory_agrees_with_the_plain_check() {
        let h = NewPassword::parse("correct horse battery")
            .expect("long enough")
            .hash()
            .expect("hash");
        let mut memory = Vec::new();
        // Twice in the same (then dirty) memory, and a wrong one in between.
        assert!(verify_password_in(&mut memory, "correct horse battery", &h));
        assert!(!verify_password_in(
            &mut memory,
            "correct horse batterY",
            &h
        ));
        assert!(verify_password_in(&mut memory, "correct horse battery", &h));
        assert_eq!(memory.len(), 19 * 1024, "the crate's default: 19 MiB");
        assert!(!verify_password_in(&mut memory, "anything", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(
            NewPassword::parse("short"),
            Err(PasswordError::TooShort)
        ));
        assert!(
            format!(
                "{:?}",
                NewPassword::parse("long enough secret").expect("ok")
            )
            .contains("<secret>")
        );
    }
}
