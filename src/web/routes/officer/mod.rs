//! The case officers' workspace.

pub mod account;
