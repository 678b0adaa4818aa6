//! Forged and broken handoff packages: `reviewwatch verify` on any bytes must give findings,
//! never a panic, a hang or unbounded memory; and it never says "valid" for a package that was
//! not signed with the key (the fuzzer cannot forge an Ed25519 signature).
#![no_main]

use libfuzzer_sys::fuzz_target;
use reviewwatch::handoff::signing::PortalKey;
use std::sync::LazyLock;

static KEY: LazyLock<(tempfile::TempDir, PortalKey)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let key = PortalKey::load_or_create(&dir.path().join("k.pem")).expect("a key");
    (dir, key)
});

fuzz_target!(|data: &[u8]| {
    let report = reviewwatch::handoff::verify::verify_bytes(data, &KEY.1.verifying_key());
    assert!(!report.is_valid(), "an unsigned input verified");
});
