//! Checking a handoff package as a regulator would: every file against `SHA256SUMS`, nothing
//! missing, nothing added, and the signature over `SHA256SUMS` against the portal's public key.

use super::package::{SIGNATURE, SUMS};
use super::signing;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// One thing wrong with a package, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    NotAZip(String),
    NoSums,
    NoSignature,
    BadSignature,
    MalformedSums { line: usize },
    Changed { path: String },
    Missing { path: String },
    Added { path: String },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::NotAZip(e) => write!(f, "this is not a readable ZIP file ({e})"),
            Finding::NoSums => write!(f, "{SUMS} is missing: nothing can be checked"),
            Finding::NoSignature => write!(
                f,
                "{SIGNATURE} is missing: the package's origin cannot be checked"
            ),
            Finding::BadSignature => write!(
                f,
                "the signature does not match: {SUMS} was changed, or the package was not signed with this key"
            ),
            Finding::MalformedSums { line } => write!(
                f,
                "line {line} of {SUMS} is not a \"<sha256>  <file>\" line"
            ),
            Finding::Changed { path } => {
                write!(f, "{path} was changed: its SHA-256 differs from {SUMS}")
            }
            Finding::Missing { path } => {
                write!(f, "{path} is listed in {SUMS} but missing from the package")
            }
            Finding::Added { path } => write!(
                f,
                "{path} is in the package but not in {SUMS}: it was added"
            ),
        }
    }
}

#[derive(Debug)]
pub struct Report {
    pub folder: String,
    pub files_checked: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.findings.is_empty()
    }
}

pub fn verify(zip_bytes: &[u8], key: &VerifyingKey) -> Report {
    let mut report = Report {
        folder: String::new(),
        files_checked: 0,
        findings: Vec::new(),
    };
    let mut archive = match zip::ZipArchive::new(Cursor::new(zip_bytes)) {
        Ok(a) => a,
        Err(e) => {
            report.findings.push(Finding::NotAZip(e.to_string()));
            return report;
        }
    };
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                report.findings.push(Finding::NotAZip(e.to_string()));
                return report;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = match entry.name() {
            Ok(n) => n.to_string(),
            Err(e) => {
                report.findings.push(Finding::NotAZip(e.to_string()));
                return report;
            }
        };
        let mut bytes = Vec::new();
        if let Err(e) = entry.read_to_end(&mut bytes) {
            report.findings.push(Finding::NotAZip(e.to_string()));
            return report;
        }
        files.insert(name, bytes);
    }
    // The package folder is the one holding SHA256SUMS.
    let Some(sums_path) = files
        .keys()
        .find(|k| k.rsplit('/').next() == Some(SUMS))
        .cloned()
    else {
        report.findings.push(Finding::NoSums);
        return report;
    };
    let prefix = sums_path.strip_suffix(SUMS).unwrap_or("").to_string();
    report.folder = prefix.trim_end_matches('/').to_string();
    let sums = files.remove(&sums_path).unwrap_or_default();
    match files.remove(&format!("{prefix}{SIGNATURE}")) {
        None => report.findings.push(Finding::NoSignature),
        Some(sig) => {
            if !signing::verify(key, &sums, &sig) {
                report.findings.push(Finding::BadSignature);
            }
        }
    }
    let text = String::from_utf8_lossy(&sums);
    let mut listed = std::collections::BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // `<hex>  <path>` (text mode) or `<hex> *<path>` (binary mode).
        let parsed = line.split_once("  ").or_else(|| line.split_once(" *"));
        let Some((hash, path)) =
            parsed.filter(|(h, _)| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        else {
            report.findings.push(Finding::MalformedSums { line: i + 1 });
            continue;
        };
        listed.insert(path.to_string());
        match files.get(&format!("{prefix}{path}")) {
            None => report.findings.push(Finding::Missing {
                path: path.to_string(),
            }),
            Some(bytes) => {
                report.files_checked += 1;
                if hex::encode(Sha256::digest(bytes)) != hash.to_ascii_lowercase() {
                    report.findings.push(Finding::Changed {
                        path: path.to_string(),
                    });
                }
            }
        }
    }
    for name in files.keys() {
        let rel = name.strip_prefix(&prefix).unwrap_or(name);
        if !listed.contains(rel) {
            report.findings.push(Finding::Added {
                path: rel.to_string(),
            });
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::package::{PackageFile, build};
    use crate::handoff::signing::PortalKey;
    use std::io::Write;

    fn key() -> (tempfile::TempDir, PortalKey) {
        let dir = tempfile::tempdir().expect("tempdir");
        let k = PortalKey::load_or_create(&dir.path().join("k.pem")).expect("key");
        (dir, k)
    }

    fn package(k: &PortalKey) -> Vec<u8> {
        let files = vec![
            PackageFile {
                path: "case.json".into(),
                bytes: b"{\"case\":1}".to_vec(),
            },
            PackageFile {
                path: "evidence/01.png".into(),
                bytes: vec![0x89, b'P', b'N', b'G', 1, 2, 3],
            },
            PackageFile {
                path: "summary.html".into(),
                bytes: "<p>案件</p>".as_bytes().to_vec(),
            },
        ];
        build(
            "RW-2026-000001-H1",
            files,
            k,
            chrono::NaiveDateTime::default(),
        )
        .expect("builds")
    }

    /// Rewrites the package with `change` applied to its entries.
    fn rewrite(zip_bytes: &[u8], change: impl Fn(&mut BTreeMap<String, Vec<u8>>)) -> Vec<u8> {
        let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).expect("zip");
        let mut files = BTreeMap::new();
        for i in 0..archive.len() {
            let mut e = archive.by_index(i).expect("entry");
            let mut b = Vec::new();
            e.read_to_end(&mut b).expect("read");
            files.insert(e.name().expect("name").to_string(), b);
        }
        change(&mut files);
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in files {
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .expect("start");
            w.write_all(&bytes).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    #[test]
    fn an_untouched_package_verifies_and_builds_the_same_bytes_twice() {
        let (_d, k) = key();
        let p = package(&k);
        let r = verify(&p, &k.verifying_key());
        assert!(r.is_valid(), "{:?}", r.findings);
        assert_eq!(r.files_checked, 3);
        assert_eq!(r.folder, "RW-2026-000001-H1");
        assert_eq!(p, package(&k));
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let (_d, k) = key();
        let p = package(&k);
        let vk = k.verifying_key();
        let changed = rewrite(&p, |f| {
            if let Some(b) = f.get_mut("RW-2026-000001-H1/evidence/01.png") {
                b[5] ^= 1;
            }
        });
        assert_eq!(
            verify(&changed, &vk).findings,
            vec![Finding::Changed {
                path: "evidence/01.png".into()
            }]
        );
        let removed = rewrite(&p, |f| {
            f.remove("RW-2026-000001-H1/summary.html");
        });
        assert_eq!(
            verify(&removed, &vk).findings,
            vec![Finding::Missing {
                path: "summary.html".into()
            }]
        );
        let added = rewrite(&p, |f| {
            f.insert("RW-2026-000001-H1/evidence/02.png".into(), vec![1]);
        });
        assert_eq!(
            verify(&added, &vk).findings,
            vec![Finding::Added {
                path: "evidence/02.png".into()
            }]
        );
        let resummed = rewrite(&p, |f| {
            if let Some(b) = f.get_mut("RW-2026-000001-H1/SHA256SUMS") {
                b.push(b'\n');
            }
        });
        assert_eq!(verify(&resummed, &vk).findings, vec![Finding::BadSignature]);
        let (_d2, other) = key();
        assert_eq!(
            verify(&p, &other.verifying_key()).findings,
            vec![Finding::BadSignature]
        );
        assert!(matches!(
            verify(b"not a zip", &vk).findings[..],
            [Finding::NotAZip(_)]
        ));
    }
}
