//! The name of a stored object, and the SHA-256 names that most objects have.

use std::fmt;

use sha2::{Digest, Sha256};

/// SHA-256 of a blob as 64 lowercase hex characters.
///
/// Only ever built from a real digest or a strictly checked string, so it is
/// safe to use in a file name or an object key (no `/`, no `..`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sha256Hex(String);

impl Sha256Hex {
    /// Accepts exactly 64 lowercase hex digits. Upper case is refused so that
    /// one blob never has two spellings (two URLs, two DB keys).
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn of_bytes(b: &[u8]) -> Self {
        Self::from_digest(Sha256::digest(b).as_slice())
    }

    pub(crate) fn from_digest(digest: &[u8]) -> Self {
        Self(hex::encode(digest))
    }
}

impl fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an object is kept, relative to the storage's root: `/`-separated parts of ASCII
/// letters, digits, `.`, `_` and `-`, none empty, `.` or `..`. The same key names a file under
/// `DATA_DIR` and an object under the bucket's prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StorageKey(String);

impl StorageKey {
    pub fn parse(s: &str) -> Option<Self> {
        let part_ok = |p: &str| {
            !p.is_empty()
                && p != "."
                && p != ".."
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        };
        s.split('/').all(part_ok).then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key's parts, for a path under a folder.
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl fmt::Display for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sha_parse_is_strict() {
        let good = "a".repeat(64);
        assert_eq!(Sha256Hex::parse(&good).unwrap().as_str(), good);
        assert!(Sha256Hex::parse(&"A".repeat(64)).is_none());
        assert!(Sha256Hex::parse(&"a".repeat(63)).is_none());
        assert!(Sha256Hex::parse(&"g".repeat(64)).is_none());
        assert!(Sha256Hex::parse(&format!("../{}", "a".repeat(61))).is_none());
        assert!(Sha256Hex::parse("").is_none());
    }

    #[test]
    fn sha_of_bytes_matches_known_vector() {
        let sha = Sha256Hex::of_bytes(b"abc");
        assert_eq!(
            sha.to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sha256Hex::parse(sha.as_str()), Some(sha));
    }

    #[test]
    fn keys_stay_inside_the_root() {
        assert!(StorageKey::parse("evidence/originals/ab/cd/abcd").is_some());
        assert!(StorageKey::parse("packages/x.zip").is_some());
        for bad in [
            "", "/a", "a/", "a//b", "../a", "a/../b", "a/./b", "a b", "a\\b", "é",
        ] {
            assert!(StorageKey::parse(bad).is_none(), "{bad:?} was taken");
        }
    }
}
