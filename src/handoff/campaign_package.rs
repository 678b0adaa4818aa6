//! The campaign package, written to disk as a stream: one folder `CAMPAIGN-<id>-H<n>/` holding
//! `campaign.json`, `summary.html` and one folder per case in the case package's layout, with
//! one `SHA256SUMS` over all their files and its `SHA256SUMS.sig` at the top.
//!
//! Each file goes into a temporary ZIP as it comes, hashed on the way through a fixed buffer;
//! only its path and SHA-256 are kept, so a campaign of any size is written in little memory.
//! What `reviewwatch verify` would refuse (unsafe or duplicate names, too many entries, an
//! entry or a package over its caps) is refused here before it is written.

use super::package::{EntryOptions, PackageError, SIGNATURE, SUMS, sums_text};
use super::signing::PortalKey;
use super::verify::{MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, unsafe_name};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use tempfile::TempPath;
use zip::ZipWriter;

/// Files are copied and read back through a buffer of this size.
const BUFFER_BYTES: usize = 64 * 1024;
/// The longest name an entry may have, folder included. At 10,000 entries of this length the
/// ZIP's directory and `SHA256SUMS` still stay under the 4 MiB each that verify accepts.
pub const MAX_NAME_BYTES: usize = 300;

/// A finished package, kept under its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenPackage {
    pub sha256: String,
    pub size: i64,
    pub path: PathBuf,
    /// False when a package with the same bytes was kept there already.
    pub created: bool,
}

/// A campaign package being written. Dropped without [`finish`](Self::finish), its temporary
/// file is removed.
pub struct CampaignPackageWriter {
    zip: ZipWriter<BufWriter<File>>,
    temp: TempPath,
    dir: PathBuf,
    folder: String,
    options: EntryOptions,
    /// Each file's SHA-256 by its path in the folder: all that is kept of the files.
    sums: BTreeMap<String, [u8; 32]>,
    total: u64,
    buffer: Vec<u8>,
    /// A file was left half-written: the package cannot be finished.
    broken: bool,
}

impl CampaignPackageWriter {
    /// Starts a package in a temporary file in `dir` (created 0700 via crate::private_fs if missing).
    pub fn create(
        dir: &Path,
        folder: &str,
        at: chrono::NaiveDateTime,
    ) -> Result<Self, PackageError> {
        if folder.contains('/') || unsafe_name(folder.as_bytes(), false).is_some() {
            return Err(PackageError::BadFolder(folder.to_string()));
        }
        crate::private_fs::create_dir_all(dir)?;
        // Owner-only (0600), like every file tempfile makes.
        let (file, temp) = tempfile::Builder::new()
            .prefix(".campaign-")
            .suffix(".zip.part")
            .tempfile_in(dir)?
            .into_parts();
        Ok(Self {
            zip: ZipWriter::new(BufWriter::with_capacity(BUFFER_BYTES, file)),
            temp,
            dir: dir.to_path_buf(),
            folder: folder.to_string(),
            options: EntryOptions::at(at),
            sums: BTreeMap::new(),
            total: 0,
            buffer: Vec::new(),
            broken: false,
        })
    }

    /// One file at `path` inside the folder, hashed as it is written (.json/.html deflated, the rest stored, as package.rs does).
    pub fn add(&mut self, path: &str, bytes: &[u8]) -> Result<(), PackageError> {
        self.admit(path)?;
        let len = bytes.len() as u64;
        if len > MAX_ENTRY_BYTES {
            return Err(PackageError::TooLarge {
                path: path.to_string(),
                limit: MAX_ENTRY_BYTES,
            });
        }
        if self.total.saturating_add(len) > MAX_TOTAL_BYTES {
            return Err(PackageError::TotalTooLarge(MAX_TOTAL_BYTES));
        }
        // Written in one piece, as `package::build` writes it, so the bytes are the same.
        self.broken = true;
        self.start(path)?;
        self.zip.write_all(bytes)?;
        self.broken = false;
        self.kept(path, Sha256::digest(bytes).into(), len);
        Ok(())
    }

    /// The same from a reader, through a fixed buffer.
    pub fn add_reader(&mut self, path: &str, reader: &mut dyn Read) -> Result<(), PackageError> {
        self.admit(path)?;
        self.broken = true;
        self.start(path)?;
        if self.buffer.is_empty() {
            self.buffer = vec![0; BUFFER_BYTES];
        }
        let mut sha = Sha256::new();
        let mut written: u64 = 0;
        loop {
            let n = match reader.read(&mut self.buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            written += n as u64;
            if written > MAX_ENTRY_BYTES {
                return Err(PackageError::TooLarge {
                    path: path.to_string(),
                    limit: MAX_ENTRY_BYTES,
                });
            }
            if self.total.saturating_add(written) > MAX_TOTAL_BYTES {
                return Err(PackageError::TotalTooLarge(MAX_TOTAL_BYTES));
            }
            sha.update(&self.buffer[..n]);
            self.zip.write_all(&self.buffer[..n])?;
        }
        self.broken = false;
        self.kept(path, sha.finalize().into(), written);
        Ok(())
    }

    /// Writes SHA256SUMS (sorted by path, same text as package::sha256sums would give) and
    /// SHA256SUMS.sig, fsyncs, hashes the finished ZIP by reading it back in a stream, and
    /// keeps it as `dir/<sha256>.zip` (rename; `created` false if that file existed already).
    pub fn finish(self, key: &PortalKey) -> Result<WrittenPackage, PackageError> {
        if self.broken {
            return Err(PackageError::Broken);
        }
        let Self {
            mut zip,
            temp,
            dir,
            folder,
            options,
            sums,
            ..
        } = self;
        let hex: Vec<(&str, String)> = sums
            .iter()
            .map(|(path, sha)| (path.as_str(), hex::encode(sha)))
            .collect();
        // At most 9,998 lines of at most 367 bytes: under verify's 4 MiB for SHA256SUMS.
        let text = sums_text(hex.iter().map(|(p, h)| (*p, h.as_str())));
        drop(hex);
        zip.start_file(format!("{folder}/{SUMS}"), options.text)?;
        zip.write_all(text.as_bytes())?;
        zip.start_file(format!("{folder}/{SIGNATURE}"), options.stored)?;
        zip.write_all(&key.sign(text.as_bytes()))?;
        let file = zip.finish()?.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);

        let (sha256, size) = hash_file(&temp)?;
        let path = dir.join(format!("{sha256}.zip"));
        let created = if path.exists() {
            false
        } else {
            match temp.persist_noclobber(&path) {
                Ok(()) => true,
                Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => false,
                Err(e) => return Err(e.error.into()),
            }
        };
        sync_dir(&dir)?;
        Ok(WrittenPackage {
            sha256,
            size: i64::try_from(size).unwrap_or(i64::MAX),
            path,
            created,
        })
    }

    /// Whether `path` may be the next file: refused before anything is written, so that the
    /// writer stays usable.
    fn admit(&self, path: &str) -> Result<(), PackageError> {
        if self.broken {
            return Err(PackageError::Broken);
        }
        let name = format!("{}/{path}", self.folder);
        if let Some(why) = unsafe_name(name.as_bytes(), false) {
            return Err(PackageError::UnsafePath {
                path: path.to_string(),
                why,
            });
        }
        if name.len() > MAX_NAME_BYTES {
            return Err(PackageError::PathTooLong {
                path: path.to_string(),
                limit: MAX_NAME_BYTES,
            });
        }
        if path == SUMS || path == SIGNATURE || self.sums.contains_key(path) {
            return Err(PackageError::DuplicatePath(path.to_string()));
        }
        // SHA256SUMS and its signature are entries too.
        if self.sums.len() as u64 + 2 >= MAX_ENTRIES {
            return Err(PackageError::TooManyEntries(MAX_ENTRIES));
        }
        Ok(())
    }

    fn start(&mut self, path: &str) -> Result<(), PackageError> {
        let options = self.options.for_path(path);
        self.zip
            .start_file(format!("{}/{path}", self.folder), options)?;
        Ok(())
    }

    fn kept(&mut self, path: &str, sha: [u8; 32], bytes: u64) {
        self.sums.insert(path.to_string(), sha);
        self.total += bytes;
    }
}

/// The SHA-256 (hex) and size of a file, read as a stream.
fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut sha = Sha256::new();
    let mut buffer = vec![0; BUFFER_BYTES];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        sha.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((hex::encode(sha.finalize()), size))
}

/// Makes the rename durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::package::{PackageFile, build, sha256sums};
    use crate::handoff::verify::Unsafe;

    const FOLDER: &str = "CAMPAIGN-7-H1";

    fn key() -> (tempfile::TempDir, PortalKey) {
        let dir = tempfile::tempdir().expect("tempdir");
        let k = PortalKey::load_or_create(&dir.path().join("k.pem")).expect("key");
        (dir, k)
    }

    fn at() -> chrono::NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .and_then(|d| d.and_hms_opt(5, 17, 5))
            .expect("a time")
    }

    /// Files in path order, text and images, one larger than the copy buffer.
    fn files() -> Vec<PackageFile> {
        let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        vec![
            PackageFile {
                path: "RW-2026-000001/case.json".into(),
                bytes: br#"{"case":{"number":"RW-2026-000001"}}"#.repeat(100),
            },
            PackageFile {
                path: "RW-2026-000001/evidence/01-abcdef012345-copy.jpg".into(),
                bytes: big,
            },
            PackageFile {
                path: "campaign.json".into(),
                bytes: br#"{"campaign":{"id":7}}"#.to_vec(),
            },
            PackageFile {
                path: "summary.html".into(),
                bytes: "<p>团伙</p>".repeat(1000).into_bytes(),
            },
        ]
    }

    /// The names of the files in `dir`.
    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_same_files_give_the_bytes_the_case_package_builder_gives() {
        let (_k, k) = key();
        let dir = tempfile::tempdir().expect("tempdir");
        let packages = dir.path().join("packages");
        let mut w = CampaignPackageWriter::create(&packages, FOLDER, at()).expect("create");
        for f in files() {
            w.add(&f.path, &f.bytes).expect("add");
        }
        let written = w.finish(&k).expect("finish");
        let bytes = std::fs::read(&written.path).expect("read");
        assert_eq!(bytes, build(FOLDER, files(), &k, at()).expect("build"));
        assert_eq!(written.sha256, hex::encode(Sha256::digest(&bytes)));
        assert_eq!(written.size, bytes.len() as i64);
        assert_eq!(
            written.path,
            packages.join(format!("{}.zip", written.sha256))
        );
        assert!(written.created);
        // Only the package is left, owner-only, in an owner-only folder.
        assert_eq!(listing(&packages), vec![format!("{}.zip", written.sha256)]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&packages), 0o700);
            assert_eq!(mode(&written.path), 0o600);
        }
        // SHA256SUMS is the text package::sha256sums gives.
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
        let mut sums = String::new();
        archive
            .by_name(&format!("{FOLDER}/{SUMS}"))
            .expect("sums")
            .read_to_string(&mut sums)
            .expect("read");
        assert_eq!(sums, sha256sums(&files()));
    }

    #[test]
    fn files_from_readers_give_the_same_bytes_and_the_same_package_is_kept_once() {
        let (_k, k) = key();
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |from_reader: bool| {
            let mut w = CampaignPackageWriter::create(dir.path(), FOLDER, at()).expect("create");
            for f in files() {
                if from_reader {
                    w.add_reader(&f.path, &mut f.bytes.as_slice()).expect("add");
                } else {
                    w.add(&f.path, &f.bytes).expect("add");
                }
            }
            w.finish(&k).expect("finish")
        };
        let first = write(false);
        let second = write(true);
        assert!(first.created);
        assert!(!second.created, "the same bytes were kept already");
        assert_eq!(first.sha256, second.sha256);
        assert_eq!(first.path, second.path);
        assert_eq!(listing(dir.path()), vec![format!("{}.zip", first.sha256)]);
    }

    #[test]
    fn a_package_dropped_unfinished_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = CampaignPackageWriter::create(dir.path(), FOLDER, at()).expect("create");
        w.add("campaign.json", b"{}").expect("add");
        assert_eq!(listing(dir.path()).len(), 1, "the temporary file");
        drop(w);
        assert_eq!(listing(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn unsafe_duplicate_and_reserved_paths_are_refused_and_the_writer_stays_usable() {
        let (_k, k) = key();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = CampaignPackageWriter::create(dir.path(), FOLDER, at()).expect("create");
        w.add("campaign.json", b"{}").expect("add");
        for (path, why) in [
            ("../x.jpg", Unsafe::ParentFolder),
            ("RW-1/../../x.jpg", Unsafe::ParentFolder),
            ("/etc/passwd", Unsafe::EmptyComponent),
            ("RW-1\\x.jpg", Unsafe::Backslash),
            ("RW-1//x.jpg", Unsafe::EmptyComponent),
            ("RW-1/", Unsafe::EmptyComponent),
            ("", Unsafe::EmptyComponent),
            ("./x", Unsafe::DotComponent),
            ("RW-1/x.jpg:stream", Unsafe::Colon),
            ("RW-1/x\n.jpg", Unsafe::ControlCharacter),
        ] {
            let refused = w.add(path, b"x");
            assert!(
                matches!(&refused, Err(PackageError::UnsafePath { path: p, why: w }) if p == path && *w == why),
                "{path:?}: {refused:?}"
            );
            let refused = w.add_reader(path, &mut &b"x"[..]);
            assert!(
                matches!(refused, Err(PackageError::UnsafePath { .. })),
                "{path:?}"
            );
        }
        for path in ["campaign.json", SUMS, SIGNATURE] {
            assert!(
                matches!(w.add(path, b"x"), Err(PackageError::DuplicatePath(p)) if p == path),
                "{path}"
            );
        }
        let long = format!("RW-1/{}", "x".repeat(MAX_NAME_BYTES));
        assert!(matches!(
            w.add(&long, b"x"),
            Err(PackageError::PathTooLong { .. })
        ));
        w.add("summary.html", b"<p></p>").expect("still usable");
        let written = w.finish(&k).expect("finish");
        let r = crate::handoff::verify::verify(
            std::fs::File::open(&written.path).expect("open"),
            &k.verifying_key(),
        );
        assert_eq!(r.files_checked, 2);
        // The folder must be one safe name.
        for folder in ["", "..", "a/b", "C:", "x\\y"] {
            assert!(
                matches!(
                    CampaignPackageWriter::create(dir.path(), folder, at()),
                    Err(PackageError::BadFolder(_))
                ),
                "{folder:?}"
            );
        }
    }

    #[test]
    fn more_entries_than_verify_accepts_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = CampaignPackageWriter::create(dir.path(), FOLDER, at()).expect("create");
        // With SHA256SUMS and its signature, MAX_ENTRIES in all.
        for i in 0..MAX_ENTRIES - 2 {
            w.add(&format!("RW-1/evidence/{i}"), b"").expect("add");
        }
        assert!(matches!(
            w.add("RW-1/evidence/one-more", b""),
            Err(PackageError::TooManyEntries(MAX_ENTRIES))
        ));
    }

    /// Gives `left` zero bytes.
    struct Zeros {
        left: u64,
    }

    impl Read for Zeros {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf
                .len()
                .min(usize::try_from(self.left).unwrap_or(usize::MAX));
            buf[..n].fill(0);
            self.left -= n as u64;
            Ok(n)
        }
    }

    #[test]
    fn a_file_over_the_entry_cap_is_refused_and_the_package_cannot_be_finished() {
        let (_k, k) = key();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = CampaignPackageWriter::create(dir.path(), FOLDER, at()).expect("create");
        let refused = w.add_reader(
            "RW-1/evidence/01.jpg",
            &mut Zeros {
                left: MAX_ENTRY_BYTES + 1,
            },
        );
        assert!(
            matches!(
                refused,
                Err(PackageError::TooLarge {
                    limit: MAX_ENTRY_BYTES,
                    ..
                })
            ),
            "{refused:?}"
        );
        assert!(matches!(
            w.add("campaign.json", b"{}"),
            Err(PackageError::Broken)
        ));
        assert!(matches!(w.finish(&k), Err(PackageError::Broken)));
        assert_eq!(listing(dir.path()), Vec::<String>::new());
    }
}
