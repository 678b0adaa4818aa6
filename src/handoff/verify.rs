//! Checking a handoff package as a regulator would: every file against `SHA256SUMS`, nothing
//! missing, nothing added, the signature over `SHA256SUMS` against the portal's public key, and
//! nothing in the ZIP that was not checked.
//!
//! A package is one top folder (`RW-YYYY-NNNNNN-H<n>/`, or `CAMPAIGN-<id>-H<n>/` for a campaign)
//! with `SHA256SUMS` and `SHA256SUMS.sig` at its top. Everything else is refused and named:
//! entries outside that folder, two entries with the same name, names an unzip tool could take
//! out of the folder (`..`, absolute, backslashes, drive letters, control characters, empty
//! components), symbolic links, a folder name that is not the one `case.json` (or
//! `campaign.json`) was signed for, and ZIPs built to exhaust the machine: more than 10,000
//! entries, an entry over 64 MiB, more than 4 GiB in all, or an entry compressed more than 200:1.
//!
//! Entries are hashed as streams through fixed buffers and every byte read is counted against
//! the caps, whatever the headers say, so memory stays small on any input. Only `SHA256SUMS`
//! (at most 4 MiB) and the signature (at most 1 KiB) are held in memory; `case.json` is parsed
//! as it streams past the hash.
//!
//! A campaign package holds, beside `campaign.json` and `summary.html`, one folder per case,
//! named by its case number, in a case package's layout. Each `<folder>/case.json` is parsed as
//! it streams too: it must hold the case its folder is named after, with audit times that
//! agree; the folders holding a `case.json` must be the ones `campaign.json` lists (at most
//! 10,000 short names are kept), and nothing else may be in the package.

mod directory;

use super::package::{SIGNATURE, SUMS};
use super::signing;
use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufReader, Cursor, Read, Seek};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// The most entries (files and folders) a package may have.
pub const MAX_ENTRIES: u64 = 10_000;
/// The most one entry may hold, uncompressed.
pub const MAX_ENTRY_BYTES: u64 = 64 * MIB;
/// The most all entries together may hold, uncompressed.
pub const MAX_TOTAL_BYTES: u64 = 4 * GIB;
/// The most an entry may be compressed: uncompressed bytes per compressed byte.
pub const MAX_RATIO: u64 = 200;
/// The most `SHA256SUMS` may hold (10,000 lines of a long path each fit).
pub const MAX_SUMS_BYTES: u64 = 4 * MIB;
/// The most `SHA256SUMS.sig` may hold (an Ed25519 signature is 64 bytes).
pub const MAX_SIGNATURE_BYTES: u64 = KIB;
/// The most the ZIP's central directory may hold: 10,000 entries with names of 300 bytes fit
/// (a package's are under 100). Names are held a few times over while checking, so this
/// bounds memory on a ZIP made of long names.
pub const MAX_DIRECTORY_BYTES: u64 = 4 * MIB;

const CASE_MANIFEST: &str = "case.json";
const CAMPAIGN_MANIFEST: &str = "campaign.json";
const SUMMARY: &str = "summary.html";

/// Why an entry's name (or kind) is unsafe to unzip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsafe {
    NotUtf8,
    ControlCharacter,
    Absolute,
    DriveLetter,
    Backslash,
    Colon,
    ParentFolder,
    DotComponent,
    EmptyComponent,
    Symlink,
    NotRegular,
}

impl std::fmt::Display for Unsafe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unsafe::NotUtf8 => "it is not UTF-8, so unzip tools may each read it differently",
            Unsafe::ControlCharacter => "it contains a NUL or another control character",
            Unsafe::Absolute => "it is an absolute path (it starts with /)",
            Unsafe::DriveLetter => "it starts with a drive letter",
            Unsafe::Backslash => {
                "it contains a backslash, which Windows reads as a folder separator"
            }
            Unsafe::Colon => "it contains a colon, which Windows reads as a drive or a stream",
            Unsafe::ParentFolder => "it has a .. component, which climbs out of its folder",
            Unsafe::DotComponent => "it has a . component",
            Unsafe::EmptyComponent => "it has an empty component (//)",
            Unsafe::Symlink => "it is a symbolic link",
            Unsafe::NotRegular => "its Unix mode makes it neither a regular file nor a folder",
        })
    }
}

/// One thing wrong with a package, in words a person can act on. Findings about the ZIP's
/// entries as such name the entry as it is in the ZIP (`name`); findings about what
/// `SHA256SUMS` lists name the file by its path inside the package folder (`path`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    NotAZip(String),
    /// The ZIP reads differently depending on how it is read (local headers against the
    /// central directory, overlapping or hidden entries).
    Ambiguous(String),
    TooManyEntries {
        count: u64,
    },
    DirectoryTooLarge {
        bytes: u64,
    },
    Duplicate {
        name: String,
        times: usize,
    },
    UnsafeName {
        name: String,
        why: Unsafe,
    },
    Outside {
        name: String,
        folder: String,
    },
    SeveralFolders {
        folders: Vec<String>,
    },
    /// `SHA256SUMS` is in the ZIP, but not at the top of a folder.
    SumsOutOfPlace {
        name: String,
    },
    NoSums,
    NoSignature,
    BadSignature,
    MalformedSums {
        line: usize,
    },
    TooLarge {
        name: String,
        limit: u64,
    },
    TooCompressed {
        name: String,
    },
    TotalTooLarge,
    Unreadable {
        name: String,
        reason: String,
    },
    Changed {
        path: String,
    },
    Missing {
        path: String,
    },
    Added {
        path: String,
    },
    NoManifest,
    BadManifest {
        path: String,
        reason: String,
    },
    MisnamedFolder {
        folder: String,
        manifest: String,
        says: String,
        expected: String,
    },
    /// An audit entry of a `case.json` (`manifest`: its path in the package) whose
    /// `at_rfc3339` is not the time its `at` (which the hash chain covers, in UTC without an
    /// offset) says. Packages made before `at_rfc3339` existed have none, and nothing is
    /// compared.
    TimesDisagree {
        manifest: String,
        entry: String,
        at: String,
        at_rfc3339: String,
    },
    /// A case folder of a campaign package whose name is not the number of the case that
    /// `manifest` (its `case.json`, or `campaign.json`'s list) says it holds.
    MisnamedCaseFolder {
        folder: String,
        manifest: String,
        number: String,
    },
    /// `campaign.json` lists a case folder, but `SHA256SUMS` lists no `case.json` in it.
    CaseMissing {
        folder: String,
    },
    /// A folder of a campaign package holds a `case.json`, but `campaign.json` does not list it.
    CaseNotListed {
        folder: String,
    },
    /// A file of a campaign package that is neither `campaign.json`, `summary.html`, nor
    /// inside a case folder.
    NotInACase {
        path: String,
    },
    /// A campaign package with a `case.json` at its top, beside `campaign.json`.
    CaseJsonInCampaign,
}

/// `64 MiB`, `1 KiB`, `100 bytes`.
fn size(bytes: u64) -> String {
    for (unit, name) in [(GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// A name as it can be printed: control characters escaped, the rest as it is.
fn shown(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `10,000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::NotAZip(e) => write!(f, "this is not a readable ZIP file ({e})"),
            Finding::Ambiguous(e) => write!(
                f,
                "the ZIP file is ambiguous: other unzip tools could show other files than the ones checked ({e})"
            ),
            Finding::TooManyEntries { count } => write!(
                f,
                "the ZIP has {} entries; a package may have at most {}",
                grouped(*count),
                grouped(MAX_ENTRIES)
            ),
            Finding::DirectoryTooLarge { bytes } => write!(
                f,
                "the ZIP's central directory is {} bytes; a package's may be at most {}",
                grouped(*bytes),
                size(MAX_DIRECTORY_BYTES)
            ),
            Finding::Duplicate { name, times } => write!(
                f,
                "{} is in the ZIP {times} times: which copy was signed cannot be told, and unzip tools keep different ones",
                shown(name)
            ),
            Finding::UnsafeName { name, why } => {
                write!(f, "{} has an unsafe name: {why}", shown(name))
            }
            Finding::Outside { name, folder } => write!(
                f,
                "{} is outside the signed folder {folder}: a package holds nothing but that folder",
                shown(name)
            ),
            Finding::SeveralFolders { folders } => write!(
                f,
                "several folders hold a {SUMS} ({}): a package holds exactly one",
                folders.join(", ")
            ),
            Finding::SumsOutOfPlace { name } => write!(
                f,
                "{} is not at the top of a folder: a package is one folder with {SUMS} at its top",
                shown(name)
            ),
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
            Finding::TooLarge { name, limit } => write!(
                f,
                "{} holds more than {} uncompressed, the most accepted for it: it was not read",
                shown(name),
                size(*limit)
            ),
            Finding::TooCompressed { name } => write!(
                f,
                "{} is compressed more than {MAX_RATIO} to 1, as ZIP bombs are: it was not read",
                shown(name)
            ),
            Finding::TotalTooLarge => write!(
                f,
                "the files hold more than {} uncompressed in all, the most accepted for a package",
                size(MAX_TOTAL_BYTES)
            ),
            Finding::Unreadable { name, reason } => {
                write!(f, "{} cannot be read ({reason})", shown(name))
            }
            Finding::Changed { path } => {
                write!(f, "{path} was changed: its SHA-256 differs from {SUMS}")
            }
            Finding::Missing { path } => {
                write!(f, "{path} is listed in {SUMS} but missing from the package")
            }
            Finding::Added { path } => write!(
                f,
                "{} is in the package but not in {SUMS}: it was added",
                shown(path)
            ),
            Finding::NoManifest => write!(
                f,
                "neither {CASE_MANIFEST} nor {CAMPAIGN_MANIFEST} is listed in {SUMS}: the folder name cannot be checked against what was signed"
            ),
            Finding::BadManifest { path, reason } => write!(
                f,
                "{path} does not say which case and handoff the package is for ({reason})"
            ),
            Finding::MisnamedFolder {
                folder,
                manifest,
                says,
                expected,
            } => write!(
                f,
                "the folder is named {folder} but {manifest} says {says}: it should be named {expected}"
            ),
            Finding::TimesDisagree {
                manifest,
                entry,
                at,
                at_rfc3339,
            } => write!(
                f,
                "{}: audit entry {} gives its time as {} (at, UTC) and as {} (at_rfc3339), which are not the same moment",
                shown(manifest),
                shown(entry),
                shown(at),
                shown(at_rfc3339)
            ),
            Finding::MisnamedCaseFolder {
                folder,
                manifest,
                number,
            } => write!(
                f,
                "the case folder {} is named after another case: {} says it holds case {}, so it should be named {}",
                shown(folder),
                shown(manifest),
                shown(number),
                shown(number)
            ),
            Finding::CaseMissing { folder } => write!(
                f,
                "{CAMPAIGN_MANIFEST} lists the case folder {}, but the package has no {}/{CASE_MANIFEST}: the case is missing",
                shown(folder),
                shown(folder)
            ),
            Finding::CaseNotListed { folder } => write!(
                f,
                "{}/{CASE_MANIFEST} is in the package, but {CAMPAIGN_MANIFEST} does not list the case folder {}: the case was not part of the campaign that was signed",
                shown(folder),
                shown(folder)
            ),
            Finding::NotInACase { path } => write!(
                f,
                "{} is neither {CAMPAIGN_MANIFEST}, summary.html, nor inside a case folder that {CAMPAIGN_MANIFEST} lists: a campaign package holds nothing else",
                shown(path)
            ),
            Finding::CaseJsonInCampaign => write!(
                f,
                "{CASE_MANIFEST} is at the top of a campaign package: a campaign's cases are each in their own folder, and the package is either a case's or a campaign's"
            ),
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub folder: String,
    pub files_checked: usize,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.findings.is_empty()
    }

    fn push_once(&mut self, finding: Finding) {
        if !self.findings.contains(&finding) {
            self.findings.push(finding);
        }
    }
}

/// Why a name is unsafe, if it is. `is_dir`: the name ends with `/`, which is then not an
/// empty component.
pub(crate) fn unsafe_name(raw: &[u8], is_dir: bool) -> Option<Unsafe> {
    let Ok(name) = std::str::from_utf8(raw) else {
        return Some(Unsafe::NotUtf8);
    };
    let body = if is_dir {
        name.strip_suffix('/').unwrap_or(name)
    } else {
        name
    };
    let first = body.split('/').next().unwrap_or("").as_bytes();
    if name.chars().any(char::is_control) {
        Some(Unsafe::ControlCharacter)
    } else if name.starts_with('/') {
        Some(Unsafe::Absolute)
    } else if first.len() >= 2 && first[0].is_ascii_alphabetic() && first[1] == b':' {
        Some(Unsafe::DriveLetter)
    } else if name.contains('\\') {
        Some(Unsafe::Backslash)
    } else if name.contains(':') {
        Some(Unsafe::Colon)
    } else {
        body.split('/').find_map(|component| match component {
            "" => Some(Unsafe::EmptyComponent),
            "." => Some(Unsafe::DotComponent),
            ".." => Some(Unsafe::ParentFolder),
            _ => None,
        })
    }
}

/// Why an entry's Unix mode is unsafe, if it is: only regular files and folders are unzipped
/// as themselves (a DOS-made folder entry may read as a regular file).
fn unsafe_mode(mode: Option<u32>, is_dir: bool) -> Option<Unsafe> {
    const TYPE: u32 = 0o170_000;
    const REGULAR: u32 = 0o100_000;
    const FOLDER: u32 = 0o040_000;
    const SYMLINK: u32 = 0o120_000;
    match mode.map(|m| m & TYPE) {
        None | Some(0) | Some(REGULAR) => None,
        Some(FOLDER) if is_dir => None,
        Some(SYMLINK) => Some(Unsafe::Symlink),
        Some(_) => Some(Unsafe::NotRegular),
    }
}

/// The most a file of the package folder may hold, by its path in the folder.
fn limit_for(path: &str) -> u64 {
    match path {
        SUMS => MAX_SUMS_BYTES,
        SIGNATURE => MAX_SIGNATURE_BYTES,
        _ => MAX_ENTRY_BYTES,
    }
}

/// Which cap a read stopped at.
#[derive(Clone, Copy)]
enum Cap {
    Entry,
    Ratio,
    Total,
}

/// Hashes what passes through and counts it against the caps, stopping with an error at the
/// first byte over one: the ZIP's headers are not trusted to say how much there is.
struct Meter<R> {
    inner: R,
    sha: Sha256,
    bytes: u64,
    limit: u64,
    ratio_limit: u64,
    total_left: u64,
    stopped: Option<Cap>,
}

impl<R: Read> Read for Meter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stopped.is_some() {
            return Err(io::Error::other("stopped at a cap"));
        }
        let n = self.inner.read(buf)?;
        self.bytes = self.bytes.saturating_add(n as u64);
        self.stopped = if self.bytes > self.limit {
            Some(Cap::Entry)
        } else if self.bytes > self.ratio_limit {
            Some(Cap::Ratio)
        } else if self.bytes > self.total_left {
            Some(Cap::Total)
        } else {
            None
        };
        if self.stopped.is_some() {
            return Err(io::Error::other("stopped at a cap"));
        }
        self.sha.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads entry `index` through a [`Meter`], handing it to `consume` (which reads it to the
/// end); gives its SHA-256 (hex) and what `consume` made of it. `budget` is what is left of
/// the total cap.
fn read_entry<R: Read + Seek, T>(
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    name: &str,
    limit: u64,
    budget: &mut u64,
    consume: impl FnOnce(&mut dyn Read) -> io::Result<T>,
) -> Result<(String, T), Finding> {
    let unreadable = |reason: String| Finding::Unreadable {
        name: name.to_string(),
        reason,
    };
    let entry = archive
        .by_index(index)
        .map_err(|e| unreadable(e.to_string()))?;
    let ratio_limit = entry.compressed_size().saturating_mul(MAX_RATIO);
    let mut meter = Meter {
        inner: entry,
        sha: Sha256::new(),
        bytes: 0,
        limit,
        ratio_limit,
        total_left: *budget,
        stopped: None,
    };
    let consumed = consume(&mut meter);
    *budget = budget.saturating_sub(meter.bytes);
    match (meter.stopped, consumed) {
        (Some(Cap::Entry), _) => Err(Finding::TooLarge {
            name: name.to_string(),
            limit,
        }),
        (Some(Cap::Ratio), _) => Err(Finding::TooCompressed {
            name: name.to_string(),
        }),
        (Some(Cap::Total), _) => Err(Finding::TotalTooLarge),
        (None, Err(e)) => Err(unreadable(e.to_string())),
        (None, Ok(value)) => Ok((hex::encode(meter.sha.finalize()), value)),
    }
}

/// Reads to the end, keeping nothing.
fn drain(r: &mut dyn Read) -> io::Result<()> {
    io::copy(r, &mut io::sink()).map(|_| ())
}

/// Reads to the end, keeping everything (the meter caps how much).
fn keep(r: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[derive(Deserialize)]
struct HandoffRef {
    seq: u32,
}

#[derive(Deserialize)]
struct CaseRef {
    number: String,
}

/// The part of `case.json` the folder is named after, and the times of its audit entries.
#[derive(Deserialize)]
struct CaseManifest {
    case: CaseRef,
    handoff: HandoffRef,
    #[serde(default)]
    audit_trail: Option<TrailTimes>,
}

#[derive(Deserialize)]
struct TrailTimes {
    #[serde(default)]
    entries: TimesCheck,
}

/// At most this many disagreeing entries are named (the rest are counted in none: one is
/// enough to refuse the package, and memory stays small on any input).
const MAX_TIME_FINDINGS: usize = 10;
/// A value is shown to this many characters.
const SHOWN_CHARS: usize = 64;

/// The audit entries' times, checked one by one as they stream past (never held whole): each
/// `at_rfc3339` must be the moment its `at` gives in UTC.
#[derive(Default)]
struct TimesCheck {
    disagreeing: Vec<Disagreement>,
}

/// An audit entry whose two times disagree, as it is shown.
struct Disagreement {
    entry: String,
    at: String,
    at_rfc3339: String,
}

impl Disagreement {
    /// The finding, naming the `case.json` it is in by its path in the package.
    fn finding(self, manifest: &str) -> Finding {
        Finding::TimesDisagree {
            manifest: manifest.to_string(),
            entry: self.entry,
            at: self.at,
            at_rfc3339: self.at_rfc3339,
        }
    }
}

/// The fields of an audit entry that give its time (the rest is skipped).
#[derive(Deserialize)]
struct EntryTimes {
    #[serde(default)]
    seq: Option<serde_json::Value>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    at_rfc3339: Option<String>,
}

fn clipped(s: &str) -> String {
    s.chars().take(SHOWN_CHARS).collect()
}

impl EntryTimes {
    /// Whether `at_rfc3339`, where there is one, names the moment `at` names.
    fn agree(&self) -> bool {
        let Some(rfc) = &self.at_rfc3339 else {
            return true;
        };
        let at = self
            .at
            .as_deref()
            .and_then(|a| chrono::NaiveDateTime::parse_from_str(a, "%Y-%m-%dT%H:%M:%S%.f").ok());
        at.is_some() && at == crate::domain::china_time::parse_rfc3339(rfc)
    }

    fn disagreement(&self) -> Disagreement {
        Disagreement {
            entry: clipped(&self.seq.as_ref().map(|v| v.to_string()).unwrap_or_default()),
            at: clipped(self.at.as_deref().unwrap_or("(none)")),
            at_rfc3339: clipped(self.at_rfc3339.as_deref().unwrap_or_default()),
        }
    }
}

impl<'de> Deserialize<'de> for TimesCheck {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = TimesCheck;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of audit entries")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<TimesCheck, A::Error> {
                let mut check = TimesCheck::default();
                while let Some(entry) = seq.next_element::<EntryTimes>()? {
                    if !entry.agree() && check.disagreeing.len() < MAX_TIME_FINDINGS {
                        check.disagreeing.push(entry.disagreement());
                    }
                }
                Ok(check)
            }
        }
        d.deserialize_seq(Entries)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CampaignId {
    Number(u64),
    Text(String),
}

#[derive(Deserialize)]
struct CampaignRef {
    id: CampaignId,
}

/// The part of `campaign.json` the folder is named after (`campaign.id` and `handoff.seq`), and
/// the case folders it lists.
#[derive(Deserialize)]
struct CampaignManifest {
    campaign: CampaignRef,
    handoff: HandoffRef,
    cases: CaseFolders,
}

/// The most bytes a case folder's name (or a case number) in `campaign.json` may have.
const MAX_CASE_NAME_BYTES: usize = 255;

/// One case of `campaign.json`'s list (the rest of it is not checked here).
#[derive(Deserialize)]
struct ListedCase {
    number: String,
    folder: String,
}

/// The case folders `campaign.json` lists, read one by one as they stream past: each once, of
/// a short name, at most [`MAX_ENTRIES`] of them (a package holds no more files), so memory
/// stays small whatever the file says.
#[derive(Default)]
struct CaseFolders {
    folders: BTreeSet<String>,
    /// Listed cases whose folder is not named by their number (a few are named).
    misnamed: Vec<Finding>,
}

impl<'de> Deserialize<'de> for CaseFolders {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        struct Cases;
        impl<'de> serde::de::Visitor<'de> for Cases {
            type Value = CaseFolders;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of cases, each with its number and folder")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<CaseFolders, A::Error> {
                let mut out = CaseFolders::default();
                while let Some(case) = seq.next_element::<ListedCase>()? {
                    if case.folder.len().max(case.number.len()) > MAX_CASE_NAME_BYTES {
                        return Err(A::Error::custom(format!(
                            "a case's number or folder is longer than {MAX_CASE_NAME_BYTES} bytes"
                        )));
                    }
                    if out.folders.len() as u64 >= MAX_ENTRIES {
                        return Err(A::Error::custom(format!(
                            "it lists more than {} cases, more than a package can hold",
                            grouped(MAX_ENTRIES)
                        )));
                    }
                    if case.number != case.folder && out.misnamed.len() < MAX_TIME_FINDINGS {
                        out.misnamed.push(Finding::MisnamedCaseFolder {
                            folder: clipped(&case.folder),
                            manifest: CAMPAIGN_MANIFEST.to_string(),
                            number: clipped(&case.number),
                        });
                    }
                    if out.folders.contains(&case.folder) {
                        return Err(A::Error::custom(format!(
                            "it lists the case folder {} twice",
                            shown(&clipped(&case.folder))
                        )));
                    }
                    out.folders.insert(case.folder);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(Cases)
    }
}

/// The part of a campaign's `<folder>/case.json` that is checked: the case it holds (its folder
/// is named by the case's number) and its audit times.
#[derive(Deserialize)]
struct CampaignCaseManifest {
    case: CaseRef,
    #[serde(default)]
    audit_trail: Option<TrailTimes>,
}

/// Parses a JSON file as it streams past (through a small buffer), then reads the rest so that
/// the whole file is hashed. The outer error is the ZIP's, the inner the JSON's.
fn parse_streaming<T: serde::de::DeserializeOwned>(
    r: &mut dyn Read,
) -> io::Result<Result<T, String>> {
    let mut r = BufReader::with_capacity(8 * 1024, r);
    let parsed = serde_json::from_reader::<_, T>(&mut r);
    drain(&mut r)?;
    match parsed {
        Err(e) if e.is_io() => Err(io::Error::other(e)),
        Err(e) => Ok(Err(e.to_string())),
        Ok(value) => Ok(Ok(value)),
    }
}

/// The signed file that says what the folder must be called.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Manifest {
    /// `case.json`: `<case.number>-H<handoff.seq>`.
    Case,
    /// `campaign.json`: `CAMPAIGN-<campaign.id>-H<handoff.seq>`.
    Campaign,
}

/// What a manifest says (in words) and the folder name that follows from it.
struct Naming {
    says: String,
    folder: String,
    /// What else the manifest says that does not hold (audit times that disagree, cases
    /// listed under another folder).
    problems: Vec<Finding>,
    /// The case folders `campaign.json` lists; `None` for a case's manifest.
    case_folders: Option<BTreeSet<String>>,
}

impl Manifest {
    fn path(self) -> &'static str {
        match self {
            Manifest::Case => CASE_MANIFEST,
            Manifest::Campaign => CAMPAIGN_MANIFEST,
        }
    }

    /// Parses the manifest as it streams past, hashing it whole. The outer error is the
    /// ZIP's, the inner the JSON's.
    fn read(self, r: &mut dyn Read) -> io::Result<Result<Naming, String>> {
        Ok(match self {
            Manifest::Case => parse_streaming::<CaseManifest>(r)?.map(|m| Naming {
                says: format!("case {}, handoff {}", m.case.number, m.handoff.seq),
                folder: format!("{}-H{}", m.case.number, m.handoff.seq),
                problems: m
                    .audit_trail
                    .map(|t| t.entries.disagreeing)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|d| d.finding(CASE_MANIFEST))
                    .collect(),
                case_folders: None,
            }),
            Manifest::Campaign => parse_streaming::<CampaignManifest>(r)?.map(|m| {
                let id = match m.campaign.id {
                    CampaignId::Number(n) => n.to_string(),
                    CampaignId::Text(t) => t,
                };
                Naming {
                    says: format!("campaign {id}, handoff {}", m.handoff.seq),
                    folder: format!("CAMPAIGN-{id}-H{}", m.handoff.seq),
                    problems: m.cases.misnamed,
                    case_folders: Some(m.cases.folders),
                }
            }),
        })
    }
}

/// Checks a package held in memory.
pub fn verify_bytes(zip_bytes: &[u8], key: &VerifyingKey) -> Report {
    verify(Cursor::new(zip_bytes), key)
}

/// One entry the `zip` crate sees, with a name that is safe.
struct Entry {
    index: usize,
    name: String,
    is_dir: bool,
}

pub fn verify<R: Read + Seek>(reader: R, key: &VerifyingKey) -> Report {
    let mut report = Report::default();
    let (mut archive, names) = match open(reader) {
        Ok(opened) => opened,
        Err(finding) => {
            report.findings.push(finding);
            return report;
        }
    };
    let Some(sorted) = sort_entries(&mut archive, names, &mut report) else {
        return report;
    };
    let Some(folder) = package_folder(&sorted.entries, &sorted.refused, &mut report) else {
        return report;
    };
    report.folder = folder.clone();
    check_folder(&mut archive, key, folder, sorted, &mut report);
    report
}

/// Opens the ZIP: its directory read by hand first (the caps on its size hold before anything
/// is allocated for it), then by the `zip` crate, which must see the same. Gives the raw names
/// in directory order, duplicates included.
fn open<R: Read + Seek>(mut reader: R) -> Result<(zip::ZipArchive<R>, Vec<Vec<u8>>), Finding> {
    let dir = directory::read(&mut reader).map_err(|refusal| match refusal {
        directory::Refusal::NotAZip(e) => Finding::NotAZip(e),
        directory::Refusal::TooManyEntries(count) => Finding::TooManyEntries { count },
        directory::Refusal::DirectoryTooLarge(bytes) => Finding::DirectoryTooLarge { bytes },
    })?;
    let archive = zip::ZipArchive::new(reader).map_err(|e| Finding::NotAZip(e.to_string()))?;
    // The `zip` crate must read the same directory, with the same names.
    if archive.offset() != 0 || archive.central_directory_start() != dir.start {
        return Err(Finding::Ambiguous(
            "its entries are not where its central directory says".into(),
        ));
    }
    let written: BTreeSet<&[u8]> = dir.names.iter().map(Vec::as_slice).collect();
    let seen: BTreeSet<&[u8]> = archive.file_names_raw().collect();
    if written != seen {
        return Err(Finding::Ambiguous(
            "some entries carry a second name in an extra field, which differs from their name"
                .into(),
        ));
    }
    Ok((archive, dir.names))
}

/// The entries with safe names, each once; duplicates, unsafe names and an ambiguous ZIP are
/// reported. `None` when the ZIP cannot be read further.
fn sort_entries<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    names: Vec<Vec<u8>>,
    report: &mut Report,
) -> Option<Sorted> {
    let mut times: BTreeMap<&[u8], usize> = BTreeMap::new();
    for name in &names {
        *times.entry(name.as_slice()).or_default() += 1;
    }
    let mut duplicated: BTreeSet<Vec<u8>> = BTreeSet::new();
    for (name, n) in &times {
        if *n > 1 {
            report.findings.push(Finding::Duplicate {
                name: String::from_utf8_lossy(name).into_owned(),
                times: *n,
            });
            duplicated.insert(name.to_vec());
        }
    }
    drop(times);
    drop(names);
    if duplicated.is_empty() {
        // Local headers as the central directory says, no overlapping entries (the
        // non-recursive ZIP bomb), no entry hidden from the directory.
        if let Err(e) = archive.validate_header_consistency() {
            report.findings.push(Finding::Ambiguous(e.to_string()));
        }
    }

    let mut entries: Vec<Entry> = Vec::new();
    let mut refused: BTreeSet<String> = BTreeSet::new();
    let mut declared_total: u64 = 0;
    for index in 0..archive.len() {
        let data = match archive.by_index_data(index) {
            Ok(d) => d,
            Err(e) => {
                report.findings.push(Finding::NotAZip(e.to_string()));
                return None;
            }
        };
        let raw = data.name_raw();
        let name = String::from_utf8_lossy(raw).into_owned();
        if duplicated.contains(raw) {
            refused.insert(name);
            continue;
        }
        let is_dir = raw.ends_with(b"/");
        if let Some(why) =
            unsafe_name(raw, is_dir).or_else(|| unsafe_mode(data.unix_mode(), is_dir))
        {
            report.findings.push(Finding::UnsafeName {
                name: name.clone(),
                why,
            });
            refused.insert(name);
            continue;
        }
        declared_total = declared_total.saturating_add(data.size());
        entries.push(Entry {
            index,
            name,
            is_dir,
        });
    }

    Some(Sorted {
        entries,
        refused,
        declared_total,
    })
}

/// The entries with safe names, and what is known of the others.
struct Sorted {
    entries: Vec<Entry>,
    /// Entries already found wrong: not read, not reported again.
    refused: BTreeSet<String>,
    /// What the headers of the safe entries declare, in all.
    declared_total: u64,
}

/// The package folder: the one top folder with SHA256SUMS at its top.
fn package_folder(
    entries: &[Entry],
    refused: &BTreeSet<String>,
    report: &mut Report,
) -> Option<String> {
    let folders: BTreeSet<&str> = entries
        .iter()
        .filter(|e| !e.is_dir)
        .filter_map(|e| e.name.strip_suffix(SUMS)?.strip_suffix('/'))
        .filter(|f| !f.contains('/'))
        .collect();
    match folders.len() {
        1 => folders.iter().next().map(|f| f.to_string()),
        0 => {
            let elsewhere: Vec<&Entry> = entries
                .iter()
                .filter(|e| !e.is_dir && e.name.rsplit('/').next() == Some(SUMS))
                .collect();
            for e in &elsewhere {
                report.findings.push(Finding::SumsOutOfPlace {
                    name: e.name.clone(),
                });
            }
            let refused_sums = refused.iter().any(|n| n.rsplit('/').next() == Some(SUMS));
            if elsewhere.is_empty() && !refused_sums {
                report.findings.push(Finding::NoSums);
            }
            None
        }
        _ => {
            report.findings.push(Finding::SeveralFolders {
                folders: folders.iter().map(|f| f.to_string()).collect(),
            });
            None
        }
    }
}

/// Checks the package folder: what is outside it, the caps, the signature, every listed file,
/// what is added, and the folder's name against the signed manifest.
fn check_folder<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    key: &VerifyingKey,
    folder: String,
    sorted: Sorted,
    report: &mut Report,
) {
    let Sorted {
        entries,
        mut refused,
        declared_total,
    } = sorted;
    let prefix = format!("{folder}/");

    // Everything outside the folder is refused; the folder's files by their path in it. What
    // the headers declare is checked before anything is read.
    let mut inside: BTreeMap<String, usize> = BTreeMap::new();
    for e in &entries {
        let Some(path) = e.name.strip_prefix(&prefix) else {
            report.findings.push(Finding::Outside {
                name: e.name.clone(),
                folder: folder.clone(),
            });
            refused.insert(e.name.clone());
            continue;
        };
        if e.is_dir {
            continue;
        }
        let Ok(data) = archive.by_index_data(e.index) else {
            continue;
        };
        let limit = limit_for(path);
        if data.size() > limit {
            report.findings.push(Finding::TooLarge {
                name: e.name.clone(),
                limit,
            });
            refused.insert(e.name.clone());
        } else if data.size() > data.compressed_size().saturating_mul(MAX_RATIO) {
            report.findings.push(Finding::TooCompressed {
                name: e.name.clone(),
            });
            refused.insert(e.name.clone());
        } else {
            inside.insert(path.to_string(), e.index);
        }
    }
    if declared_total > MAX_TOTAL_BYTES {
        report.push_once(Finding::TotalTooLarge);
    }
    let mut budget = MAX_TOTAL_BYTES;
    let sums_name = format!("{prefix}{SUMS}");
    let Some(&sums_index) = inside.get(SUMS) else {
        // Refused above, for its size.
        return;
    };
    let sums = match read_entry(
        archive,
        sums_index,
        &sums_name,
        MAX_SUMS_BYTES,
        &mut budget,
        keep,
    ) {
        Ok((_, bytes)) => bytes,
        Err(finding) => {
            report.push_once(finding);
            return;
        }
    };
    let signature_name = format!("{prefix}{SIGNATURE}");
    match inside.get(SIGNATURE) {
        None if refused.contains(&signature_name) => {}
        None => report.findings.push(Finding::NoSignature),
        Some(&index) => match read_entry(
            archive,
            index,
            &signature_name,
            MAX_SIGNATURE_BYTES,
            &mut budget,
            keep,
        ) {
            Ok((_, signature)) => {
                if !signing::verify(key, &sums, &signature) {
                    report.findings.push(Finding::BadSignature);
                }
            }
            Err(finding) => report.push_once(finding),
        },
    }

    let text = String::from_utf8_lossy(&sums);
    let mut listed: Vec<(String, String)> = Vec::new();
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
        listed.push((path.to_string(), hash.to_ascii_lowercase()));
    }
    let listed_paths: BTreeSet<&str> = listed.iter().map(|(p, _)| p.as_str()).collect();
    // The campaign's manifest when there is one, else the case's.
    let manifest = [Manifest::Campaign, Manifest::Case]
        .into_iter()
        .find(|m| listed_paths.contains(m.path()));
    let mut naming: Option<Result<Naming, String>> = None;

    for (path, hash) in &listed {
        let name = format!("{prefix}{path}");
        if refused.contains(&name) {
            continue;
        }
        let Some(&index) = inside.get(path.as_str()) else {
            report
                .findings
                .push(Finding::Missing { path: path.clone() });
            continue;
        };
        let limit = limit_for(path);
        let this_manifest = manifest.filter(|m| m.path() == path);
        let case_folder = case_folder_of(path).filter(|_| manifest == Some(Manifest::Campaign));
        let read = read_entry(archive, index, &name, limit, &mut budget, |r| {
            Ok(match (this_manifest, case_folder) {
                (Some(m), _) => Parsed::Manifest(m.read(r)?),
                (None, Some(_)) => Parsed::Case(parse_streaming(r)?),
                (None, None) => {
                    drain(r)?;
                    Parsed::Nothing
                }
            })
        });
        match read {
            Err(finding) => report.push_once(finding),
            Ok((sha, _)) if sha != *hash => {
                report.files_checked += 1;
                report
                    .findings
                    .push(Finding::Changed { path: path.clone() });
            }
            // Its hash checks: what it says is what was signed.
            Ok((_, parsed)) => {
                report.files_checked += 1;
                match (parsed, case_folder) {
                    (Parsed::Manifest(said), _) => naming = Some(said),
                    (Parsed::Case(said), Some(case_folder)) => {
                        check_case_in_campaign(report, path, case_folder, said);
                    }
                    _ => {}
                }
            }
        }
    }
    for path in inside.keys() {
        if path != SUMS && path != SIGNATURE && !listed_paths.contains(path.as_str()) {
            report.findings.push(Finding::Added { path: path.clone() });
        }
    }

    let listed_cases = match &mut naming {
        Some(Ok(n)) => n.case_folders.take(),
        _ => None,
    };
    check_manifest(report, manifest, naming, folder);
    if manifest == Some(Manifest::Campaign) {
        check_campaign(report, &listed_paths, listed_cases);
    }
}

/// What is read out of a listed file as it is hashed.
enum Parsed {
    Nothing,
    /// The package's `case.json` or `campaign.json`.
    Manifest(Result<Naming, String>),
    /// A `<case folder>/case.json` of a campaign package.
    Case(Result<CampaignCaseManifest, String>),
}

/// The case folder whose `case.json` `path` is (`RW-2026-000123/case.json`), if it is one.
fn case_folder_of(path: &str) -> Option<&str> {
    path.strip_suffix(CASE_MANIFEST)?
        .strip_suffix('/')
        .filter(|folder| !folder.is_empty() && !folder.contains('/'))
}

/// A case's `case.json` in a campaign package, its hash checked: it must hold the case its
/// folder is named after, and its audit times must agree as a case package's must.
fn check_case_in_campaign(
    report: &mut Report,
    path: &str,
    folder: &str,
    said: Result<CampaignCaseManifest, String>,
) {
    match said {
        Err(reason) => report.findings.push(Finding::BadManifest {
            path: path.to_string(),
            reason,
        }),
        Ok(m) => {
            if m.case.number != folder {
                report.findings.push(Finding::MisnamedCaseFolder {
                    folder: folder.to_string(),
                    manifest: path.to_string(),
                    number: clipped(&m.case.number),
                });
            }
            let trail = m.audit_trail.map(|t| t.entries.disagreeing);
            report.findings.extend(
                trail
                    .unwrap_or_default()
                    .into_iter()
                    .map(|d| d.finding(path)),
            );
        }
    }
}

/// A campaign package holds `campaign.json`, `summary.html` and the case folders
/// `campaign.json` lists, each with its `case.json`; nothing else, and no `case.json` at its
/// top. `listed_cases` is `None` when `campaign.json` could not be trusted (changed, missing
/// or unreadable, which is reported already): then only its top is checked.
fn check_campaign(
    report: &mut Report,
    listed_paths: &BTreeSet<&str>,
    listed_cases: Option<BTreeSet<String>>,
) {
    if listed_paths.contains(CASE_MANIFEST) {
        report.findings.push(Finding::CaseJsonInCampaign);
    }
    let Some(listed_cases) = listed_cases else {
        return;
    };
    let present: BTreeSet<&str> = listed_paths
        .iter()
        .filter_map(|p| case_folder_of(p))
        .collect();
    for folder in &listed_cases {
        if !present.contains(folder.as_str()) {
            report.findings.push(Finding::CaseMissing {
                folder: folder.clone(),
            });
        }
    }
    for folder in &present {
        if !listed_cases.contains(*folder) {
            report.findings.push(Finding::CaseNotListed {
                folder: folder.to_string(),
            });
        }
    }
    for path in listed_paths {
        let in_a_case = path
            .split_once('/')
            .is_some_and(|(top, _)| listed_cases.contains(top) || present.contains(top));
        if !in_a_case && ![CAMPAIGN_MANIFEST, SUMMARY, CASE_MANIFEST].contains(path) {
            report.findings.push(Finding::NotInACase {
                path: path.to_string(),
            });
        }
    }
}

/// The folder's name is not covered by SHA256SUMS (its paths are inside the folder), so it must
/// be the one the signed manifest gives; and what the manifest says must hold together.
fn check_manifest(
    report: &mut Report,
    manifest: Option<Manifest>,
    naming: Option<Result<Naming, String>>,
    folder: String,
) {
    match (manifest, naming) {
        (None, _) => report.findings.push(Finding::NoManifest),
        (Some(m), Some(Err(reason))) => report.findings.push(Finding::BadManifest {
            path: m.path().to_string(),
            reason,
        }),
        (Some(m), Some(Ok(naming))) => {
            if naming.folder != folder {
                report.findings.push(Finding::MisnamedFolder {
                    folder,
                    manifest: m.path().to_string(),
                    says: naming.says,
                    expected: naming.folder,
                });
            }
            // Signed, but saying one moment in two ways that differ: the package is wrong.
            report.findings.extend(naming.problems);
        }
        // It is missing, changed or unreadable, which is reported above.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::campaign_package::CampaignPackageWriter;
    use crate::handoff::package::{PackageFile, build};
    use crate::handoff::signing::PortalKey;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    const FOLDER: &str = "RW-2026-000001-H1";

    fn key() -> (tempfile::TempDir, PortalKey) {
        let dir = tempfile::tempdir().expect("tempdir");
        let k = PortalKey::load_or_create(&dir.path().join("k.pem")).expect("key");
        (dir, k)
    }

    fn case_json(number: &str, seq: u32) -> Vec<u8> {
        format!(
            "{{\"schema\":\"reviewwatch.case.v1\",\"handoff\":{{\"seq\":{seq},\"regulator\":{{\"name\":\"番禺区市场监督管理局\"}}}},\"case\":{{\"number\":\"{number}\",\"description\":\"刷单\"}},\"evidence\":[]}}"
        )
        .into_bytes()
    }

    fn package(k: &PortalKey) -> Vec<u8> {
        let files = vec![
            PackageFile {
                path: "case.json".into(),
                bytes: case_json("RW-2026-000001", 1),
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
        build(FOLDER, files, k, chrono::NaiveDateTime::default()).expect("builds")
    }

    /// The entries of a ZIP, in order.
    fn entries(zip_bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).expect("zip");
        let mut out = Vec::new();
        for i in 0..archive.len() {
            let mut e = archive.by_index(i).expect("entry");
            let mut b = Vec::new();
            e.read_to_end(&mut b).expect("read");
            out.push((e.name().expect("name").to_string(), b));
        }
        out
    }

    /// A ZIP holding `entries` in that order, as someone tampering with a package writes it.
    fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            w.start_file(name.as_str(), SimpleFileOptions::default())
                .expect("start");
            w.write_all(bytes).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    /// Every entry renamed by `rename`.
    fn renamed(zip_bytes: &[u8], rename: impl Fn(&str) -> String) -> Vec<u8> {
        let list: Vec<(String, Vec<u8>)> = entries(zip_bytes)
            .into_iter()
            .map(|(n, b)| (rename(&n), b))
            .collect();
        zip_of(&list)
    }

    /// Replaces every occurrence of `from` by `to` (same length) in the ZIP's bytes: how two
    /// entries get the same name, which the `zip` crate refuses to write.
    fn patch_name(zip_bytes: &mut [u8], from: &str, to: &str) {
        assert_eq!(from.len(), to.len());
        let (from, to) = (from.as_bytes(), to.as_bytes());
        let mut i = 0;
        while i + from.len() <= zip_bytes.len() {
            if &zip_bytes[i..i + from.len()] == from {
                zip_bytes[i..i + from.len()].copy_from_slice(to);
            }
            i += 1;
        }
    }

    /// Sets the uncompressed size `name`'s headers (local and central) declare.
    fn patch_declared_size(zip_bytes: &mut [u8], name: &str, declared: u32) {
        let n = name.as_bytes();
        let central = (0..zip_bytes.len() - 46)
            .find(|&i| {
                zip_bytes[i..i + 4] == *b"PK\x01\x02"
                    && zip_bytes.get(i + 46..i + 46 + n.len()) == Some(n)
            })
            .expect("the entry's central header");
        let local = u32::from_le_bytes(
            zip_bytes[central + 42..central + 46]
                .try_into()
                .expect("4 bytes"),
        ) as usize;
        assert_eq!(&zip_bytes[local..local + 4], b"PK\x03\x04");
        zip_bytes[central + 24..central + 28].copy_from_slice(&declared.to_le_bytes());
        zip_bytes[local + 22..local + 26].copy_from_slice(&declared.to_le_bytes());
    }

    /// Rewrites the package with `change` applied to its entries.
    fn rewrite(zip_bytes: &[u8], change: impl Fn(&mut BTreeMap<String, Vec<u8>>)) -> Vec<u8> {
        let mut files: BTreeMap<String, Vec<u8>> = entries(zip_bytes).into_iter().collect();
        change(&mut files);
        zip_of(&files.into_iter().collect::<Vec<_>>())
    }

    #[test]
    fn an_untouched_package_verifies_and_builds_the_same_bytes_twice() {
        let (_d, k) = key();
        let p = package(&k);
        let r = verify_bytes(&p, &k.verifying_key());
        assert!(r.is_valid(), "{:?}", r.findings);
        assert_eq!(r.files_checked, 3);
        assert_eq!(r.folder, FOLDER);
        assert_eq!(p, package(&k));
        // From a file too, as `reviewwatch verify` reads it.
        let mut file = tempfile::tempfile().expect("tempfile");
        file.write_all(&p).expect("write");
        let r = verify(BufReader::new(file), &k.verifying_key());
        assert!(r.is_valid(), "{:?}", r.findings);
        // Folder entries inside the folder are fine.
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.add_directory(format!("{FOLDER}/"), SimpleFileOptions::default())
            .expect("dir");
        w.add_directory(format!("{FOLDER}/evidence/"), SimpleFileOptions::default())
            .expect("dir");
        for (name, bytes) in entries(&p) {
            w.start_file(name, SimpleFileOptions::default())
                .expect("start");
            w.write_all(&bytes).expect("write");
        }
        let p = w.finish().expect("finish").into_inner();
        let r = verify_bytes(&p, &k.verifying_key());
        assert!(r.is_valid(), "{:?}", r.findings);
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
            verify_bytes(&changed, &vk).findings,
            vec![Finding::Changed {
                path: "evidence/01.png".into()
            }]
        );
        let removed = rewrite(&p, |f| {
            f.remove("RW-2026-000001-H1/summary.html");
        });
        assert_eq!(
            verify_bytes(&removed, &vk).findings,
            vec![Finding::Missing {
                path: "summary.html".into()
            }]
        );
        let added = rewrite(&p, |f| {
            f.insert("RW-2026-000001-H1/evidence/02.png".into(), vec![1]);
        });
        assert_eq!(
            verify_bytes(&added, &vk).findings,
            vec![Finding::Added {
                path: "evidence/02.png".into()
            }]
        );
        let resummed = rewrite(&p, |f| {
            if let Some(b) = f.get_mut("RW-2026-000001-H1/SHA256SUMS") {
                b.push(b'\n');
            }
        });
        assert_eq!(
            verify_bytes(&resummed, &vk).findings,
            vec![Finding::BadSignature]
        );
        let (_d2, other) = key();
        assert_eq!(
            verify_bytes(&p, &other.verifying_key()).findings,
            vec![Finding::BadSignature]
        );
        assert!(matches!(
            verify_bytes(b"not a zip", &vk).findings[..],
            [Finding::NotAZip(_)]
        ));
    }

    #[test]
    fn a_forged_file_beside_the_signed_folder_is_outside_it() {
        let (_d, k) = key();
        let p = package(&k);
        let mut list = entries(&p);
        list.push(("summary.html".into(), b"<p>forged</p>".to_vec()));
        list.push(("other/evidence/01.png".into(), vec![1]));
        let forged = zip_of(&list);
        let r = verify_bytes(&forged, &k.verifying_key());
        assert_eq!(
            r.findings,
            vec![
                Finding::Outside {
                    name: "summary.html".into(),
                    folder: FOLDER.into()
                },
                Finding::Outside {
                    name: "other/evidence/01.png".into(),
                    folder: FOLDER.into()
                },
            ]
        );
        assert_eq!(
            r.findings[0].to_string(),
            "summary.html is outside the signed folder RW-2026-000001-H1: a package holds nothing but that folder"
        );
        // A folder entry outside is refused as well.
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.add_directory("other/", SimpleFileOptions::default())
            .expect("dir");
        for (name, bytes) in entries(&p) {
            w.start_file(name, SimpleFileOptions::default())
                .expect("start");
            w.write_all(&bytes).expect("write");
        }
        let with_dir = w.finish().expect("finish").into_inner();
        assert_eq!(
            verify_bytes(&with_dir, &k.verifying_key()).findings,
            vec![Finding::Outside {
                name: "other/".into(),
                folder: FOLDER.into()
            }]
        );
    }

    #[test]
    fn a_forged_entry_under_the_same_name_as_a_genuine_one_is_refused_whichever_comes_first() {
        let (_d, k) = key();
        let p = package(&k);
        let genuine = format!("{FOLDER}/summary.html");
        let stand_in = format!("{FOLDER}/summary.htmX");
        for forged_first in [true, false] {
            let mut list = entries(&p);
            let at = list
                .iter()
                .position(|(n, _)| *n == genuine)
                .expect("summary.html");
            let forged = (stand_in.clone(), b"<p>forged</p>".to_vec());
            list.insert(if forged_first { at } else { at + 1 }, forged);
            let mut bytes = zip_of(&list);
            patch_name(&mut bytes, &stand_in, &genuine);
            let r = verify_bytes(&bytes, &k.verifying_key());
            assert_eq!(
                r.findings,
                vec![Finding::Duplicate {
                    name: genuine.clone(),
                    times: 2
                }],
                "forged first: {forged_first}"
            );
            assert!(r.findings[0].to_string().contains("2 times"));
        }
    }

    #[test]
    fn a_folder_renamed_out_of_the_extraction_folder_is_refused() {
        let (_d, k) = key();
        let p = package(&k);
        for (to, why) in [
            ("../../x", Unsafe::ParentFolder),
            ("/abs", Unsafe::Absolute),
            ("C:", Unsafe::DriveLetter),
        ] {
            let moved = renamed(&p, |n| n.replacen(FOLDER, to, 1));
            let r = verify_bytes(&moved, &k.verifying_key());
            let expected: Vec<Finding> = entries(&p)
                .iter()
                .map(|(n, _)| Finding::UnsafeName {
                    name: n.replacen(FOLDER, to, 1),
                    why,
                })
                .collect();
            assert_eq!(r.findings, expected, "{to}");
        }
        assert_eq!(
            Finding::UnsafeName {
                name: "../../x/case.json".into(),
                why: Unsafe::ParentFolder
            }
            .to_string(),
            "../../x/case.json has an unsafe name: it has a .. component, which climbs out of its folder"
        );
    }

    #[test]
    fn a_folder_renamed_to_another_case_or_handoff_is_named() {
        let (_d, k) = key();
        let p = package(&k);
        for to in ["RW-2026-000002-H1", "RW-2026-000001-H2"] {
            let moved = renamed(&p, |n| n.replacen(FOLDER, to, 1));
            let r = verify_bytes(&moved, &k.verifying_key());
            assert_eq!(
                r.findings,
                vec![Finding::MisnamedFolder {
                    folder: to.into(),
                    manifest: "case.json".into(),
                    says: "case RW-2026-000001, handoff 1".into(),
                    expected: FOLDER.into(),
                }]
            );
            assert_eq!(
                r.findings[0].to_string(),
                format!(
                    "the folder is named {to} but case.json says case RW-2026-000001, handoff 1: it should be named RW-2026-000001-H1"
                )
            );
        }
    }

    const CAMPAIGN: &str = "CAMPAIGN-7-H2";
    const CASE_A: &str = "RW-2026-000001";
    const CASE_B: &str = "RW-2026-000002";
    const CASE_C: &str = "RW-2026-000003";

    /// `campaign.json` as the portal writes it, listing `cases` (number, folder).
    fn campaign_json_of(cases: &[(&str, &str)]) -> Vec<u8> {
        let cases: Vec<String> = cases
            .iter()
            .map(|(number, folder)| {
                format!(
                    r#"{{"number":"{number}","folder":"{folder}","platform":"taobao","shop":"好评返现店","merchant_key":"taobao:123","category":"clothing","status":"handed_off","filed_at":"2026-11-30T02:15:07Z"}}"#
                )
            })
            .collect();
        format!(
            r#"{{"schema":"reviewwatch.campaign.v1","generated_at":"2026-12-02T05:17:05Z","portal":"https://portal.example","signing_key_sha256":"ab","campaign":{{"id":7,"name":"好评返现卡","created_at":"2026-12-01T01:00:00Z","finding":"同一返现卡"}},"handoff":{{"seq":2,"regulator":{{"name":"番禺区市场监督管理局","kind":"market","region_code":"440113"}}}},"cases":[{}],"merchants":[{{"key":"taobao:123","cases":["{CASE_A}"]}}],"contacts":[]}}"#,
            cases.join(",")
        )
        .into_bytes()
    }

    /// `campaign.json` listing each of `folders` under its own number.
    fn campaign_json(folders: &[&str]) -> Vec<u8> {
        let cases: Vec<(&str, &str)> = folders.iter().map(|f| (*f, *f)).collect();
        campaign_json_of(&cases)
    }

    /// One case's folder as a campaign package holds it.
    fn case_folder(number: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            (format!("{number}/case.json"), case_json(number, 1)),
            (
                format!("{number}/evidence/01-abcdef012345-copy.jpg"),
                format!("jpeg of {number}").into_bytes(),
            ),
            (
                format!("{number}/summary.html"),
                format!("<p>{number}</p>").into_bytes(),
            ),
        ]
    }

    /// A campaign package's files: `campaign.json` listing `listed`, its summary, and the
    /// folders of `cases`.
    fn campaign_files(listed: &[&str], cases: &[&str]) -> Vec<(String, Vec<u8>)> {
        let mut files = vec![
            ("campaign.json".to_string(), campaign_json(listed)),
            (
                "summary.html".to_string(),
                "<p>团伙</p>".as_bytes().to_vec(),
            ),
        ];
        for number in cases {
            files.extend(case_folder(number));
        }
        files
    }

    /// The package the campaign writer makes of `files` in `folder`, read back.
    fn campaign_package_in(k: &PortalKey, folder: &str, files: &[(String, Vec<u8>)]) -> Vec<u8> {
        let dir = tempfile::tempdir().expect("tempdir");
        let at = chrono::NaiveDateTime::default();
        let mut w = CampaignPackageWriter::create(dir.path(), folder, at).expect("create");
        for (path, bytes) in files {
            w.add(path, bytes).expect("add");
        }
        let written = w.finish(k).expect("finish");
        std::fs::read(written.path).expect("read")
    }

    fn campaign_package(k: &PortalKey, files: &[(String, Vec<u8>)]) -> Vec<u8> {
        campaign_package_in(k, CAMPAIGN, files)
    }

    #[test]
    fn an_untouched_campaign_package_written_as_a_stream_verifies() {
        let (_d, k) = key();
        let p = campaign_package(&k, &campaign_files(&[CASE_A, CASE_B], &[CASE_A, CASE_B]));
        let r = verify_bytes(&p, &k.verifying_key());
        assert!(r.is_valid(), "{:?}", r.findings);
        assert_eq!(r.files_checked, 8);
        assert_eq!(r.folder, CAMPAIGN);
        // From a file too, as `reviewwatch verify` reads it.
        let mut file = tempfile::tempfile().expect("tempfile");
        file.write_all(&p).expect("write");
        file.rewind().expect("rewind");
        let r = verify(BufReader::new(file), &k.verifying_key());
        assert!(r.is_valid(), "{:?}", r.findings);
        // One SHA256SUMS at the top, over every file by its path in the folder.
        let sums = entries(&p)
            .into_iter()
            .find(|(n, _)| *n == format!("{CAMPAIGN}/SHA256SUMS"))
            .expect("SHA256SUMS")
            .1;
        let sums = String::from_utf8(sums).expect("utf-8");
        assert!(
            sums.contains(&format!("  {CASE_B}/evidence/01-abcdef012345-copy.jpg\n")),
            "{sums}"
        );
        assert_eq!(sums.lines().count(), 8);
    }

    #[test]
    fn a_campaign_folder_is_bound_to_campaign_json() {
        let (_d, k) = key();
        let files = campaign_files(&[CASE_A], &[CASE_A]);
        let moved = campaign_package_in(&k, "CAMPAIGN-8-H2", &files);
        assert_eq!(
            verify_bytes(&moved, &k.verifying_key()).findings,
            vec![Finding::MisnamedFolder {
                folder: "CAMPAIGN-8-H2".into(),
                manifest: "campaign.json".into(),
                says: "campaign 7, handoff 2".into(),
                expected: "CAMPAIGN-7-H2".into(),
            }]
        );
    }

    #[test]
    fn a_tampered_evidence_file_inside_a_case_folder_is_named_by_its_path() {
        let (_d, k) = key();
        let p = campaign_package(&k, &campaign_files(&[CASE_A, CASE_B], &[CASE_A, CASE_B]));
        let evidence = format!("{CASE_B}/evidence/01-abcdef012345-copy.jpg");
        let changed = rewrite(&p, |f| {
            if let Some(b) = f.get_mut(&format!("{CAMPAIGN}/{evidence}")) {
                b[0] ^= 1;
            }
        });
        let r = verify_bytes(&changed, &k.verifying_key());
        assert_eq!(
            r.findings,
            vec![Finding::Changed {
                path: evidence.clone()
            }]
        );
        assert_eq!(
            r.findings[0].to_string(),
            format!("{evidence} was changed: its SHA-256 differs from SHA256SUMS")
        );
        // A changed campaign.json is named, and its list of cases is not trusted.
        let changed = rewrite(&p, |f| {
            f.insert(
                format!("{CAMPAIGN}/campaign.json"),
                campaign_json(&[CASE_A]),
            );
        });
        assert_eq!(
            verify_bytes(&changed, &k.verifying_key()).findings,
            vec![Finding::Changed {
                path: "campaign.json".into()
            }]
        );
    }

    #[test]
    fn a_case_folder_named_after_another_case_is_named() {
        let (_d, k) = key();
        // The folder of case B holds case A's case.json.
        let mut files = campaign_files(&[CASE_A, CASE_B], &[CASE_A, CASE_B]);
        for (path, bytes) in &mut files {
            if *path == format!("{CASE_B}/case.json") {
                *bytes = case_json(CASE_A, 1);
            }
        }
        let r = verify_bytes(&campaign_package(&k, &files), &k.verifying_key());
        assert_eq!(
            r.findings,
            vec![Finding::MisnamedCaseFolder {
                folder: CASE_B.into(),
                manifest: format!("{CASE_B}/case.json"),
                number: CASE_A.into(),
            }]
        );
        assert_eq!(
            r.findings[0].to_string(),
            "the case folder RW-2026-000002 is named after another case: RW-2026-000002/case.json says it holds case RW-2026-000001, so it should be named RW-2026-000001"
        );
        // campaign.json listing a case under another folder's name.
        let mut files = campaign_files(&[], &[CASE_A]);
        files[0].1 = campaign_json_of(&[(CASE_B, CASE_A)]);
        assert_eq!(
            verify_bytes(&campaign_package(&k, &files), &k.verifying_key()).findings,
            vec![Finding::MisnamedCaseFolder {
                folder: CASE_A.into(),
                manifest: "campaign.json".into(),
                number: CASE_B.into(),
            }]
        );
    }

    #[test]
    fn a_case_listed_but_absent_or_present_but_not_listed_is_named() {
        let (_d, k) = key();
        let files = campaign_files(&[CASE_A, CASE_B], &[CASE_A, CASE_C]);
        let r = verify_bytes(&campaign_package(&k, &files), &k.verifying_key());
        assert_eq!(
            r.findings,
            vec![
                Finding::CaseMissing {
                    folder: CASE_B.into()
                },
                Finding::CaseNotListed {
                    folder: CASE_C.into()
                },
            ]
        );
        assert_eq!(
            r.findings[0].to_string(),
            "campaign.json lists the case folder RW-2026-000002, but the package has no RW-2026-000002/case.json: the case is missing"
        );
        assert_eq!(
            r.findings[1].to_string(),
            "RW-2026-000003/case.json is in the package, but campaign.json does not list the case folder RW-2026-000003: the case was not part of the campaign that was signed"
        );
        // A listed folder holding files but no case.json is missing its case.
        let mut files = campaign_files(&[CASE_A], &[CASE_A]);
        files.retain(|(p, _)| *p != format!("{CASE_A}/case.json"));
        assert_eq!(
            verify_bytes(&campaign_package(&k, &files), &k.verifying_key()).findings,
            vec![Finding::CaseMissing {
                folder: CASE_A.into()
            }]
        );
    }

    #[test]
    fn a_file_outside_the_listed_case_folders_is_named() {
        let (_d, k) = key();
        let mut files = campaign_files(&[CASE_A], &[CASE_A]);
        files.push(("notes.txt".into(), b"x".to_vec()));
        files.push(("extra/evidence/01.jpg".into(), b"x".to_vec()));
        files.push((format!("{CASE_A}x/summary.html"), b"x".to_vec()));
        let r = verify_bytes(&campaign_package(&k, &files), &k.verifying_key());
        assert_eq!(
            r.findings,
            vec![
                Finding::NotInACase {
                    path: format!("{CASE_A}x/summary.html")
                },
                Finding::NotInACase {
                    path: "extra/evidence/01.jpg".into()
                },
                Finding::NotInACase {
                    path: "notes.txt".into()
                },
            ]
        );
        assert_eq!(
            r.findings[2].to_string(),
            "notes.txt is neither campaign.json, summary.html, nor inside a case folder that campaign.json lists: a campaign package holds nothing else"
        );
    }

    #[test]
    fn a_campaign_package_with_a_case_json_at_its_top_is_refused() {
        let (_d, k) = key();
        let mut files = campaign_files(&[CASE_A], &[CASE_A]);
        files.push(("case.json".into(), case_json(CASE_A, 1)));
        let r = verify_bytes(&campaign_package(&k, &files), &k.verifying_key());
        assert_eq!(r.findings, vec![Finding::CaseJsonInCampaign]);
        assert_eq!(
            r.findings[0].to_string(),
            "case.json is at the top of a campaign package: a campaign's cases are each in their own folder, and the package is either a case's or a campaign's"
        );
    }

    #[test]
    fn audit_times_of_a_case_in_a_campaign_are_checked_and_named_by_its_file() {
        let (_d, k) = key();
        let mut files = campaign_files(&[CASE_A, CASE_B], &[CASE_A, CASE_B]);
        let trail = format!(
            r#"{{"schema":"reviewwatch.case.v1","handoff":{{"seq":1}},"case":{{"number":"{CASE_B}"}},"audit_trail":{{"chain_intact":true,"entries":[{{"seq":1,"at":"2026-11-30T02:15:07.123456","at_rfc3339":"2026-11-30T02:15:07.123456Z"}},{{"seq":2,"at":"2026-11-30T02:15:07","at_rfc3339":"2026-11-30T02:15:07+08:00"}}]}}}}"#
        );
        for (path, bytes) in &mut files {
            if *path == format!("{CASE_B}/case.json") {
                *bytes = trail.clone().into_bytes();
            }
        }
        let r = verify_bytes(&campaign_package(&k, &files), &k.verifying_key());
        assert_eq!(
            r.findings,
            vec![Finding::TimesDisagree {
                manifest: format!("{CASE_B}/case.json"),
                entry: "2".into(),
                at: "2026-11-30T02:15:07".into(),
                at_rfc3339: "2026-11-30T02:15:07+08:00".into(),
            }]
        );
        assert!(
            r.findings[0]
                .to_string()
                .starts_with("RW-2026-000002/case.json: audit entry 2 gives its time as"),
            "{}",
            r.findings[0]
        );
    }

    #[test]
    fn a_campaign_json_or_case_json_that_does_not_say_what_it_holds_is_named() {
        let (_d, k) = key();
        let bad = |campaign_json: &[u8]| {
            let mut files = campaign_files(&[CASE_A], &[CASE_A]);
            files[0].1 = campaign_json.to_vec();
            verify_bytes(&campaign_package(&k, &files), &k.verifying_key()).findings
        };
        // Without its list of cases, twice the same folder, or too long a folder name.
        let long = "R".repeat(300);
        for (json, says) in [
            (
                r#"{"campaign":{"id":7},"handoff":{"seq":2}}"#.to_string(),
                "missing field `cases`",
            ),
            (
                format!(
                    r#"{{"campaign":{{"id":7}},"handoff":{{"seq":2}},"cases":[{{"number":"{CASE_A}","folder":"{CASE_A}"}},{{"number":"{CASE_A}","folder":"{CASE_A}"}}]}}"#
                ),
                "lists the case folder RW-2026-000001 twice",
            ),
            (
                format!(
                    r#"{{"campaign":{{"id":7}},"handoff":{{"seq":2}},"cases":[{{"number":"{long}","folder":"{long}"}}]}}"#
                ),
                "longer than 255 bytes",
            ),
        ] {
            let findings = bad(json.as_bytes());
            assert!(
                matches!(&findings[..], [Finding::BadManifest { path, reason }]
                    if path == "campaign.json" && reason.contains(says)),
                "{says}: {findings:?}"
            );
        }
        // A case's case.json that does not say which case it holds.
        let mut files = campaign_files(&[CASE_A], &[CASE_A]);
        for (path, bytes) in &mut files {
            if *path == format!("{CASE_A}/case.json") {
                *bytes = br#"{"case":{}}"#.to_vec();
            }
        }
        let findings = verify_bytes(&campaign_package(&k, &files), &k.verifying_key()).findings;
        assert!(
            matches!(&findings[..], [Finding::BadManifest { path, .. }]
                if *path == format!("{CASE_A}/case.json")),
            "{findings:?}"
        );
    }

    #[test]
    fn a_campaign_json_listing_more_cases_than_a_package_can_hold_is_refused_as_it_streams() {
        let (_d, k) = key();
        let cases: Vec<String> = (0..=MAX_ENTRIES)
            .map(|i| format!(r#"{{"number":"RW-{i}","folder":"RW-{i}"}}"#))
            .collect();
        let json = format!(
            r#"{{"campaign":{{"id":7}},"handoff":{{"seq":2}},"cases":[{}]}}"#,
            cases.join(",")
        );
        let mut files = campaign_files(&[], &[]);
        files[0].1 = json.into_bytes();
        let findings = verify_bytes(&campaign_package(&k, &files), &k.verifying_key()).findings;
        assert!(
            matches!(&findings[..], [Finding::BadManifest { path, reason }]
                if path == "campaign.json" && reason.contains("more than 10,000 cases")),
            "{findings:?}"
        );
    }

    /// A package whose `case.json` carries these audit entries (`{"seq":…,"at":…}` objects).
    fn package_with_trail(k: &PortalKey, entries: &str) -> Vec<u8> {
        let json = format!(
            r#"{{"schema":"reviewwatch.case.v1","handoff":{{"seq":1}},"case":{{"number":"RW-2026-000001"}},"audit_trail":{{"chain_intact":true,"entries":[{entries}]}}}}"#
        );
        let files = vec![
            PackageFile {
                path: "case.json".into(),
                bytes: json.into_bytes(),
            },
            PackageFile {
                path: "summary.html".into(),
                bytes: b"<p>x</p>".to_vec(),
            },
        ];
        build(FOLDER, files, k, chrono::NaiveDateTime::default()).expect("builds")
    }

    #[test]
    fn audit_times_without_an_offset_still_verify_and_their_rfc3339_form_must_agree() {
        let (_d, k) = key();
        let verdict = |entries: &str| {
            verify_bytes(&package_with_trail(&k, entries), &k.verifying_key()).findings
        };
        // Made before `at_rfc3339` existed: `at` alone (what the hash chain covers), as
        // `handoff::contents` wrote it then. The verifier never needed more, and still does not.
        let old = r#"{"seq":1,"at":"2026-11-30T02:15:07.123456","actor_kind":"reporter","action":"filed","detail":{},"prev_hash":"0","hash":"1"},{"seq":2,"at":"2026-11-30T02:15:07.123456","action":"evidence_added"}"#;
        assert_eq!(verdict(old), vec![]);
        // Made now: the same `at`, and beside it the same moment with its offset.
        let new = r#"{"seq":1,"at":"2026-11-30T02:15:07.123456","at_rfc3339":"2026-11-30T02:15:07.123456Z"},{"seq":2,"at":"2026-11-30T18:00:00.000000","at_rfc3339":"2026-12-01T02:00:00+08:00"}"#;
        assert_eq!(verdict(new), vec![]);
        // Signed, but one moment said two ways: named, entry by entry.
        let wrong = r#"{"seq":1,"at":"2026-11-30T02:15:07.123456","at_rfc3339":"2026-11-30T02:15:07.123456+08:00"},{"seq":2,"at":"2026-11-30T02:15:08.000000","at_rfc3339":"yesterday"},{"seq":3,"at_rfc3339":"2026-11-30T02:15:08Z"}"#;
        assert_eq!(
            verdict(wrong),
            vec![
                Finding::TimesDisagree {
                    manifest: "case.json".into(),
                    entry: "1".into(),
                    at: "2026-11-30T02:15:07.123456".into(),
                    at_rfc3339: "2026-11-30T02:15:07.123456+08:00".into(),
                },
                Finding::TimesDisagree {
                    manifest: "case.json".into(),
                    entry: "2".into(),
                    at: "2026-11-30T02:15:08.000000".into(),
                    at_rfc3339: "yesterday".into(),
                },
                Finding::TimesDisagree {
                    manifest: "case.json".into(),
                    entry: "3".into(),
                    at: "(none)".into(),
                    at_rfc3339: "2026-11-30T02:15:08Z".into(),
                },
            ]
        );
        assert_eq!(
            verdict(wrong)[0].to_string(),
            "case.json: audit entry 1 gives its time as 2026-11-30T02:15:07.123456 (at, UTC) and as 2026-11-30T02:15:07.123456+08:00 (at_rfc3339), which are not the same moment"
        );
        // However many disagree, a few are named.
        let many: Vec<String> = (1..=50)
            .map(|i| format!(r#"{{"seq":{i},"at":"2026-11-30T02:15:07","at_rfc3339":"2026-11-30T02:15:07+08:00"}}"#))
            .collect();
        assert_eq!(verdict(&many.join(",")).len(), MAX_TIME_FINDINGS);
    }

    #[test]
    fn a_package_made_by_the_previous_code_still_verifies() {
        // Built at 78fd6ad, before `at_rfc3339` (tests/fixtures/previous-package/).
        let zip = include_bytes!("../../tests/fixtures/previous-package/RW-2026-000041-H1.zip");
        let pem = include_str!("../../tests/fixtures/previous-package/signing-key.pub.pem");
        let key = signing::parse_public_pem(pem).expect("the key");
        let r = verify_bytes(zip, &key);
        assert!(r.is_valid(), "{:?}", r.findings);
        assert_eq!(r.files_checked, 4);
        assert_eq!(r.folder, "RW-2026-000041-H1");
    }

    #[test]
    fn a_package_without_its_case_json_or_with_one_that_says_nothing_is_named() {
        let (_d, k) = key();
        let at = chrono::NaiveDateTime::default();
        let summary = || PackageFile {
            path: "summary.html".into(),
            bytes: b"<p>x</p>".to_vec(),
        };
        let bare = build(FOLDER, vec![summary()], &k, at).expect("builds");
        assert_eq!(
            verify_bytes(&bare, &k.verifying_key()).findings,
            vec![Finding::NoManifest]
        );
        let vague = PackageFile {
            path: "case.json".into(),
            bytes: br#"{"case":1}"#.to_vec(),
        };
        let vague = build(FOLDER, vec![summary(), vague], &k, at).expect("builds");
        assert!(matches!(
            &verify_bytes(&vague, &k.verifying_key()).findings[..],
            [Finding::BadManifest { path, .. }] if path == "case.json"
        ));
    }

    #[test]
    fn a_name_with_a_backslash_is_refused() {
        let (_d, k) = key();
        let p = package(&k);
        let mut list = entries(&p);
        let name = format!("{FOLDER}/evidence\\..\\..\\..\\evil.bat");
        list.push((name.clone(), b"echo".to_vec()));
        assert_eq!(
            verify_bytes(&zip_of(&list), &k.verifying_key()).findings,
            vec![Finding::UnsafeName {
                name,
                why: Unsafe::Backslash
            }]
        );
    }

    #[test]
    fn unsafe_names_are_told_apart() {
        for (name, why) in [
            ("/etc/passwd", Some(Unsafe::Absolute)),
            ("../x/case.json", Some(Unsafe::ParentFolder)),
            ("RW-1-H1/evidence/../../../x", Some(Unsafe::ParentFolder)),
            ("RW-1-H1/./case.json", Some(Unsafe::DotComponent)),
            ("RW-1-H1//case.json", Some(Unsafe::EmptyComponent)),
            ("RW-1-H1/", Some(Unsafe::EmptyComponent)),
            ("", Some(Unsafe::EmptyComponent)),
            ("RW-1-H1\\case.json", Some(Unsafe::Backslash)),
            ("C:/Windows/x", Some(Unsafe::DriveLetter)),
            ("d:x", Some(Unsafe::DriveLetter)),
            ("RW-1-H1/case.json:stream", Some(Unsafe::Colon)),
            ("RW-1-H1/case.json\0.png", Some(Unsafe::ControlCharacter)),
            ("RW-1-H1/case\n.json", Some(Unsafe::ControlCharacter)),
            ("RW-1-H1/case.json", None),
            ("RW-1-H1/evidence/01-abc-redacted.png", None),
            ("RW-1-H1/证据.png", None),
        ] {
            assert_eq!(unsafe_name(name.as_bytes(), false), why, "{name:?}");
        }
        assert_eq!(
            Finding::UnsafeName {
                name: "RW-1-H1/case.json\0.png".into(),
                why: Unsafe::ControlCharacter
            }
            .to_string(),
            "RW-1-H1/case.json\\0.png has an unsafe name: it contains a NUL or another control character"
        );
        assert_eq!(unsafe_name(b"RW-1-H1/", true), None);
        assert_eq!(
            unsafe_name(b"RW-1-H1//", true),
            Some(Unsafe::EmptyComponent)
        );
        assert_eq!(
            unsafe_name(b"RW-1-H1/\xff.png", false),
            Some(Unsafe::NotUtf8)
        );
        assert_eq!(unsafe_mode(Some(0o100_644), false), None);
        assert_eq!(unsafe_mode(Some(0o040_755), true), None);
        assert_eq!(unsafe_mode(Some(0o120_777), false), Some(Unsafe::Symlink));
        assert_eq!(
            unsafe_mode(Some(0o040_755), false),
            Some(Unsafe::NotRegular)
        );
        assert_eq!(
            unsafe_mode(Some(0o010_644), false),
            Some(Unsafe::NotRegular)
        );
    }

    #[test]
    fn a_symlink_in_place_of_a_file_is_refused_even_when_its_target_hashes_right() {
        let (_d, k) = key();
        let p = package(&k);
        let summary = format!("{FOLDER}/summary.html");
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries(&p) {
            if name == summary {
                // Its target is the genuine bytes, so the entry's data hashes as listed.
                let target = String::from_utf8(bytes).expect("utf-8");
                w.add_symlink(name, target, SimpleFileOptions::default())
                    .expect("symlink");
            } else {
                w.start_file(name, SimpleFileOptions::default())
                    .expect("start");
                w.write_all(&bytes).expect("write");
            }
        }
        let linked = w.finish().expect("finish").into_inner();
        assert_eq!(
            verify_bytes(&linked, &k.verifying_key()).findings,
            vec![Finding::UnsafeName {
                name: summary,
                why: Unsafe::Symlink
            }]
        );
    }

    #[test]
    fn more_than_ten_thousand_entries_are_refused_before_any_is_read() {
        let (_d, k) = key();
        let p = package(&k);
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, bytes) in entries(&p) {
            w.start_file(name, stored).expect("start");
            w.write_all(&bytes).expect("write");
        }
        for i in 0..(MAX_ENTRIES - 5 + 1) {
            w.start_file(format!("{FOLDER}/evidence/{i}"), stored)
                .expect("start");
        }
        let many = w.finish().expect("finish").into_inner();
        let r = verify_bytes(&many, &k.verifying_key());
        assert_eq!(r.findings, vec![Finding::TooManyEntries { count: 10_001 }]);
        assert_eq!(
            r.findings[0].to_string(),
            "the ZIP has 10,001 entries; a package may have at most 10,000"
        );
    }

    /// Writes the package's entries and then `name` holding `zeros` zero bytes (deflated,
    /// written as a stream) to a file.
    fn with_zeros(p: &[u8], name: &str, zeros: u64) -> std::fs::File {
        let file = tempfile::tempfile().expect("tempfile");
        let mut w = zip::ZipWriter::new(file);
        for (n, bytes) in entries(p) {
            w.start_file(n, SimpleFileOptions::default())
                .expect("start");
            w.write_all(&bytes).expect("write");
        }
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(zeros >= 1 << 32);
        w.start_file(name, options).expect("start");
        let chunk = vec![0u8; 1 << 20];
        let mut left = zeros;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            w.write_all(&chunk[..n]).expect("write");
            left -= n as u64;
        }
        let mut file = w.finish().expect("finish");
        file.rewind().expect("rewind");
        file
    }

    #[test]
    fn an_entry_over_64_mib_is_refused_without_being_read() {
        let (_d, k) = key();
        let p = package(&k);
        let name = format!("{FOLDER}/evidence/02.png");
        let bomb = with_zeros(&p, &name, 100 * MIB);
        let compressed = bomb.metadata().expect("meta").len();
        assert!(compressed < 200 * KIB, "{compressed} bytes");
        let started = std::time::Instant::now();
        let r = verify(BufReader::new(bomb), &k.verifying_key());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(
            r.findings,
            vec![Finding::TooLarge {
                name: name.clone(),
                limit: MAX_ENTRY_BYTES
            }]
        );
        assert_eq!(
            r.findings[0].to_string(),
            format!(
                "{name} holds more than 64 MiB uncompressed, the most accepted for it: it was not read"
            )
        );
    }

    #[test]
    fn an_entry_compressed_more_than_200_to_1_is_refused() {
        let (_d, k) = key();
        let p = package(&k);
        let name = format!("{FOLDER}/evidence/02.png");
        let bomb = with_zeros(&p, &name, MIB);
        assert_eq!(
            verify(BufReader::new(bomb), &k.verifying_key()).findings,
            vec![Finding::TooCompressed { name }]
        );
    }

    #[test]
    fn an_entry_holding_more_than_its_header_says_is_not_read_past_it() {
        let (_d, k) = key();
        let p = package(&k);
        // evidence/01.png made of 10 MiB of zeros, its headers saying 7 bytes as the genuine
        // one has: the ratio and size caps see nothing wrong in the headers.
        let name = format!("{FOLDER}/evidence/01.png");
        let mut list = entries(&p);
        list.retain(|(n, _)| *n != name);
        let mut bomb = Vec::new();
        with_zeros(&zip_of(&list), &name, 10 * MIB)
            .read_to_end(&mut bomb)
            .expect("read");
        patch_declared_size(&mut bomb, &name, 7);
        let r = verify_bytes(&bomb, &k.verifying_key());
        assert!(
            matches!(&r.findings[..], [Finding::Unreadable { name: n, reason }]
                if *n == name && reason.contains("larger than its declared")),
            "{:?}",
            r.findings
        );
    }

    /// Gives `left` zero bytes, whatever a header said.
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
    fn the_meter_counts_what_it_reads_and_stops_at_each_cap() {
        let meter = |left: u64, limit: u64, compressed: u64, total_left: u64| Meter {
            inner: Zeros { left },
            sha: Sha256::new(),
            bytes: 0,
            limit,
            ratio_limit: compressed.saturating_mul(MAX_RATIO),
            total_left,
            stopped: None,
        };
        let mut m = meter(u64::MAX, MAX_ENTRY_BYTES, u64::MAX / 1000, u64::MAX);
        assert!(drain(&mut m).is_err());
        assert!(matches!(m.stopped, Some(Cap::Entry)));
        assert!(m.bytes <= MAX_ENTRY_BYTES + 64 * KIB, "{}", m.bytes);
        let mut m = meter(u64::MAX, MAX_ENTRY_BYTES, 1000, u64::MAX);
        assert!(drain(&mut m).is_err());
        assert!(matches!(m.stopped, Some(Cap::Ratio)));
        assert!(m.bytes <= 200_000 + 64 * KIB, "{}", m.bytes);
        let mut m = meter(u64::MAX, MAX_ENTRY_BYTES, u64::MAX / 1000, MIB);
        assert!(drain(&mut m).is_err());
        assert!(matches!(m.stopped, Some(Cap::Total)));
        let mut m = meter(MIB, MAX_ENTRY_BYTES, MIB, MAX_TOTAL_BYTES);
        drain(&mut m).expect("under every cap");
        assert_eq!(m.bytes, MIB);
        assert_eq!(
            hex::encode(m.sha.finalize()),
            hex::encode(Sha256::digest(vec![0u8; MIB as usize]))
        );
    }

    #[test]
    fn two_signed_folders_are_refused() {
        let (_d, k) = key();
        let p = package(&k);
        let mut list = entries(&p);
        list.extend(
            entries(&p)
                .into_iter()
                .map(|(n, b)| (n.replacen(FOLDER, "RW-2026-000002-H1", 1), b)),
        );
        assert_eq!(
            verify_bytes(&zip_of(&list), &k.verifying_key()).findings,
            vec![Finding::SeveralFolders {
                folders: vec![FOLDER.into(), "RW-2026-000002-H1".into()]
            }]
        );
    }

    /// The same ZIP with ZIP64 end records, as a writer that needs them (or always uses them)
    /// writes it; `entries` is what the ZIP64 record claims.
    fn as_zip64(zip_bytes: &[u8], entries: Option<u64>, saturated: bool) -> Vec<u8> {
        let eocd_at = zip_bytes.len() - 22;
        let eocd = &zip_bytes[eocd_at..];
        assert_eq!(&eocd[..4], b"PK\x05\x06");
        let count = entries.unwrap_or(u64::from(u16::from_le_bytes([eocd[10], eocd[11]])));
        let size = u32::from_le_bytes([eocd[12], eocd[13], eocd[14], eocd[15]]);
        let start = u32::from_le_bytes([eocd[16], eocd[17], eocd[18], eocd[19]]);
        let mut out = zip_bytes[..eocd_at].to_vec();
        let record_at = out.len() as u64;
        out.extend_from_slice(b"PK\x06\x06");
        out.extend_from_slice(&44u64.to_le_bytes());
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&45u16.to_le_bytes());
        out.extend_from_slice(&[0; 8]);
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&u64::from(size).to_le_bytes());
        out.extend_from_slice(&u64::from(start).to_le_bytes());
        out.extend_from_slice(b"PK\x06\x07");
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&record_at.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        if saturated {
            out.extend_from_slice(b"PK\x05\x06");
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&[0xFF; 12]);
            out.extend_from_slice(&[0; 2]);
        } else {
            out.extend_from_slice(eocd);
        }
        out
    }

    #[test]
    fn zip64_end_records_are_read_and_capped_too() {
        let (_d, k) = key();
        let p = package(&k);
        for saturated in [true, false] {
            let r = verify_bytes(&as_zip64(&p, None, saturated), &k.verifying_key());
            assert!(r.is_valid(), "{:?}", r.findings);
            assert_eq!(r.files_checked, 3);
        }
        assert_eq!(
            verify_bytes(&as_zip64(&p, Some(1 << 40), true), &k.verifying_key()).findings,
            vec![Finding::TooManyEntries { count: 1 << 40 }]
        );
        // Unneeded ZIP64 numbers must agree with the end record's, which the `zip` crate uses.
        assert!(matches!(
            &verify_bytes(&as_zip64(&p, Some(1 << 40), false), &k.verifying_key()).findings[..],
            [Finding::NotAZip(e)] if e.contains("disagrees")
        ));
    }

    #[test]
    fn an_archive_comment_or_data_after_the_directory_is_refused() {
        let (_d, k) = key();
        let mut p = package(&k);
        p.extend_from_slice(b"trailing");
        assert!(matches!(
            &verify_bytes(&p, &k.verifying_key()).findings[..],
            [Finding::NotAZip(e)] if e.contains("no archive comment")
        ));
    }

    #[test]
    fn a_package_without_its_folder_is_named() {
        let (_d, k) = key();
        let p = package(&k);
        let flat = renamed(&p, |n| n.replacen(&format!("{FOLDER}/"), "", 1));
        assert_eq!(
            verify_bytes(&flat, &k.verifying_key()).findings,
            vec![Finding::SumsOutOfPlace {
                name: "SHA256SUMS".into()
            }]
        );
    }
}
