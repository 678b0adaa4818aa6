//! The case officers' workspace.

pub mod account;
pub mod case;
pub mod queue;
pub mod redact;
