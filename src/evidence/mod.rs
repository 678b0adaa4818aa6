//! Evidence files: what a screenshot is, how it is checked, where it is kept.

pub mod fingerprint;
pub mod held;
pub mod inspect;
pub mod intake;
pub mod redact;
pub mod store;

pub use inspect::{EvidenceLimits, ImageKind, InspectedImage, Rejection, inspect};
pub use store::{BlobKind, EvidenceStore, Sha256Hex};
