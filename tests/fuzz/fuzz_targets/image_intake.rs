//! Hostile uploads: any bytes through the type detection and the full image check (decode,
//! limits, metadata-free copy, thumbnail, perceptual hash). It may refuse; it must not panic,
//! hang or run out of memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewwatch::evidence::EvidenceLimits;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let _ = reviewwatch::evidence::inspect::sniff(&data[..data.len().min(64)]);
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if file.write_all(data).is_err() {
        return;
    }
    let limits = EvidenceLimits::default();
    if let Ok(img) = reviewwatch::evidence::inspect::inspect(file.path(), &limits) {
        // What is accepted is within the limits, and its copies are images again.
        assert!(u64::from(img.width) * u64::from(img.height) <= limits.max_pixels);
        assert!(!img.display.is_empty() && !img.thumbnail.is_empty());
    }
});
