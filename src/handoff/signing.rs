//! The portal's Ed25519 signing key: made on first start in `DATA_DIR/signing-key.pem` (mode
//! 0600) or read from `SIGNING_KEY_FILE`; its public key is published as PEM, which OpenSSL and
//! `reviewwatch verify` read.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::spki::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or write the signing key at {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the signing key at {0} is not an Ed25519 PKCS#8 PEM key")]
    Malformed(String),
    #[error("the public key is not an Ed25519 public key in PEM form")]
    BadPublicKey,
}

pub struct PortalKey {
    signing: SigningKey,
}

impl PortalKey {
    /// Reads the key kept as `key` in object storage, or makes one there when there is none
    /// (every instance on that storage then signs with the same key). Two instances starting
    /// at once: the first one written stays, and both read it back.
    pub fn load_or_create_in(
        storage: &crate::storage::Storage,
        key: &crate::storage::StorageKey,
    ) -> Result<Self, KeyError> {
        let place = format!("{}/{key}", storage.describe());
        let io = |source| KeyError::Io {
            path: place.clone(),
            source,
        };
        let parse = |pem: Vec<u8>| {
            let pem = String::from_utf8(pem).map_err(|_| KeyError::Malformed(place.clone()))?;
            let signing =
                SigningKey::from_pkcs8_pem(&pem).map_err(|_| KeyError::Malformed(place.clone()))?;
            Ok(Self { signing })
        };
        match storage.read(key) {
            Ok(pem) => return parse(pem),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let pem = SigningKey::from_bytes(&seed)
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| KeyError::Malformed(place.clone()))?;
        if storage.put_bytes(key, pem.as_bytes()).map_err(io)? {
            tracing::info!(place = %place, "signing key created");
        }
        parse(storage.read(key).map_err(io)?)
    }

    /// Reads the key at `path`, or makes one there (0600) when there is none.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        if path.exists() {
            let pem = std::fs::read_to_string(path).map_err(io)?;
            let signing = SigningKey::from_pkcs8_pem(&pem)
                .map_err(|_| KeyError::Malformed(path.display().to_string()))?;
            return Ok(Self { signing });
        }
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let signing = SigningKey::from_bytes(&seed);
        let pem = signing
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| KeyError::Malformed(path.display().to_string()))?;
        write_private(path, pem.as_bytes()).map_err(io)?;
        tracing::info!(path = %path.display(), "signing key created");
        Ok(Self { signing })
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    pub fn public_pem(&self) -> String {
        public_pem(&self.verifying_key())
    }
}

pub fn public_pem(key: &VerifyingKey) -> String {
    key.to_public_key_pem(LineEnding::LF).unwrap_or_default()
}

pub fn parse_public_pem(pem: &str) -> Result<VerifyingKey, KeyError> {
    VerifyingKey::from_public_key_pem(pem.trim()).map_err(|_| KeyError::BadPublicKey)
}

/// SHA-256 of the raw public key, in groups for reading aloud over the phone.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let hex = hex::encode(Sha256::digest(key.as_bytes()));
    hex.as_bytes()
        .chunks(8)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn verify(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    match Signature::from_slice(signature) {
        Ok(sig) => key.verify(message, &sig).is_ok(),
        Err(_) => false,
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        crate::private_fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_kept_private_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("signing-key.pem");
        let k1 = PortalKey::load_or_create(&path).expect("created");
        let k2 = PortalKey::load_or_create(&path).expect("read");
        assert_eq!(k1.public_pem(), k2.public_pem());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let sig = k1.sign(b"SHA256SUMS");
        let public = parse_public_pem(&k2.public_pem()).expect("pem");
        assert!(verify(&public, b"SHA256SUMS", &sig));
        assert!(!verify(&public, b"SHA256SUMs", &sig));
        assert!(!verify(&public, b"SHA256SUMS", &sig[..63]));
        assert!(k1.public_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(fingerprint(&public).len(), 64 + 7);
    }
}
