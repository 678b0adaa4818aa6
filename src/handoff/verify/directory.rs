//! The ZIP's central directory, read by hand before the `zip` crate sees the file: the number
//! of entries and the size of the directory are checked against the caps first (the crate would
//! otherwise allocate for whatever the end record claims), and the raw names come back in
//! directory order with their duplicates, which the crate folds into one (the last one wins).
//!
//! Only the plain layout a package has is accepted: the end record is the last 22 bytes (no
//! archive comment, no trailing data), one disk, and the directory ends where the end record
//! (or its ZIP64 record) begins.

use super::{MAX_DIRECTORY_BYTES, MAX_ENTRIES};
use std::io::{self, BufReader, Read, Seek, SeekFrom};

const EOCD: [u8; 4] = *b"PK\x05\x06";
const EOCD_LEN: u64 = 22;
const ZIP64_LOCATOR: [u8; 4] = *b"PK\x06\x07";
const ZIP64_LOCATOR_LEN: u64 = 20;
const ZIP64_EOCD: [u8; 4] = *b"PK\x06\x06";
const ZIP64_EOCD_LEN: u64 = 56;
const CENTRAL_HEADER: [u8; 4] = *b"PK\x01\x02";
const CENTRAL_HEADER_LEN: usize = 46;

/// What the directory holds, as written.
pub struct Directory {
    /// Where the central directory starts.
    pub start: u64,
    /// Every entry's raw name, in directory order, duplicates included.
    pub names: Vec<Vec<u8>>,
}

/// Why the directory was not read.
pub enum Refusal {
    NotAZip(String),
    TooManyEntries(u64),
    DirectoryTooLarge(u64),
}

fn u16_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 2)
        .map(|s| u64::from(u16::from_le_bytes([s[0], s[1]])))
        .unwrap_or(0)
}

fn u32_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 4)
        .map(|s| u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
        .unwrap_or(0)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map(u64::from_le_bytes)
        .unwrap_or(0)
}

fn read_at<R: Read + Seek>(reader: &mut R, at: u64, buf: &mut [u8]) -> io::Result<()> {
    reader.seek(SeekFrom::Start(at))?;
    reader.read_exact(buf)
}

fn not_a_zip(why: impl Into<String>) -> Refusal {
    Refusal::NotAZip(why.into())
}

pub fn read<R: Read + Seek>(reader: &mut R) -> Result<Directory, Refusal> {
    let io = |e: io::Error| not_a_zip(e.to_string());
    let len = reader.seek(SeekFrom::End(0)).map_err(io)?;
    if len < EOCD_LEN {
        return Err(not_a_zip("it is too short to be one"));
    }
    let eocd_at = len - EOCD_LEN;
    let mut eocd = [0u8; EOCD_LEN as usize];
    read_at(reader, eocd_at, &mut eocd).map_err(io)?;
    if eocd[..4] != EOCD || u16_at(&eocd, 20) != 0 {
        return Err(not_a_zip(
            "it does not end with a ZIP end-of-directory record; a package has no archive comment and nothing after its directory",
        ));
    }
    if u16_at(&eocd, 4) != 0 || u16_at(&eocd, 6) != 0 {
        return Err(not_a_zip("it is split over several disks"));
    }
    let mut entries = u16_at(&eocd, 10);
    let mut entries_here = u16_at(&eocd, 8);
    let mut size = u32_at(&eocd, 12);
    let mut start = u32_at(&eocd, 16);
    let mut end = eocd_at;

    // ZIP64: a locator right before the end record points at the ZIP64 end record, which must
    // sit right before the locator. Its numbers count when the end record's are saturated (as
    // the `zip` crate reads it); otherwise they must be the same (some writers add ZIP64
    // records that are not needed).
    let may_be_zip64 = entries == 0xFFFF || size == 0xFFFF_FFFF || start == 0xFFFF_FFFF;
    if eocd_at >= ZIP64_LOCATOR_LEN {
        let locator_at = eocd_at - ZIP64_LOCATOR_LEN;
        let mut locator = [0u8; ZIP64_LOCATOR_LEN as usize];
        read_at(reader, locator_at, &mut locator).map_err(io)?;
        if locator[..4] == ZIP64_LOCATOR {
            let record_at = u64_at(&locator, 8);
            if u32_at(&locator, 4) != 0 || u32_at(&locator, 16) > 1 {
                return Err(not_a_zip("it is split over several disks"));
            }
            if record_at
                .checked_add(ZIP64_EOCD_LEN)
                .is_none_or(|end| end > locator_at)
            {
                return Err(not_a_zip("its ZIP64 end record is out of place"));
            }
            let mut record = [0u8; ZIP64_EOCD_LEN as usize];
            read_at(reader, record_at, &mut record).map_err(io)?;
            if record[..4] != ZIP64_EOCD
                || u64_at(&record, 4).checked_add(12) != Some(locator_at - record_at)
            {
                return Err(not_a_zip("its ZIP64 end record is out of place"));
            }
            if u32_at(&record, 16) != 0 || u32_at(&record, 20) != 0 {
                return Err(not_a_zip("it is split over several disks"));
            }
            let zip64 = (
                u64_at(&record, 24),
                u64_at(&record, 32),
                u64_at(&record, 40),
                u64_at(&record, 48),
            );
            if may_be_zip64 {
                (entries_here, entries, size, start) = zip64;
            } else if zip64 != (entries_here, entries, size, start) {
                return Err(not_a_zip(
                    "its ZIP64 end record disagrees with its end record",
                ));
            }
            end = record_at;
        }
    }
    if entries_here != entries {
        return Err(not_a_zip("it is split over several disks"));
    }
    if entries > MAX_ENTRIES {
        return Err(Refusal::TooManyEntries(entries));
    }
    if size > MAX_DIRECTORY_BYTES {
        return Err(Refusal::DirectoryTooLarge(size));
    }
    if start.checked_add(size) != Some(end) {
        return Err(not_a_zip(
            "its central directory does not end where its end record begins",
        ));
    }

    reader.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut dir = BufReader::with_capacity(64 * 1024, reader.take(size));
    let damaged = |e: io::Error| not_a_zip(format!("its central directory is damaged ({e})"));
    let mut names = Vec::with_capacity(usize::try_from(entries).unwrap_or(0));
    let mut header = [0u8; CENTRAL_HEADER_LEN];
    for _ in 0..entries {
        dir.read_exact(&mut header).map_err(damaged)?;
        if header[..4] != CENTRAL_HEADER {
            return Err(not_a_zip(
                "its central directory holds fewer entries than its end record says",
            ));
        }
        let name_len = u16_at(&header, 28);
        let skip = u16_at(&header, 30) + u16_at(&header, 32);
        let mut name = Vec::new();
        (&mut dir)
            .take(name_len)
            .read_to_end(&mut name)
            .map_err(damaged)?;
        let skipped = io::copy(&mut (&mut dir).take(skip), &mut io::sink()).map_err(damaged)?;
        if name.len() as u64 != name_len || skipped != skip {
            return Err(not_a_zip("its central directory is cut short"));
        }
        names.push(name);
    }
    let mut rest = [0u8; 1];
    if dir.read(&mut rest).map_err(damaged)? != 0 {
        return Err(not_a_zip(
            "its central directory holds more than its end record says",
        ));
    }
    Ok(Directory { start, names })
}
