//! The case officers' workspace.

pub mod account;
pub mod queue;
