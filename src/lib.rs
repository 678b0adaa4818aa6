//! ReviewWatch (虚假评价举报平台): shoppers report fake reviews and fake transactions, officers
//! review them, substantiated cases go to the regulator with verifiable evidence.

#[cfg(test)]
mod architecture;
pub mod backup;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod evidence;
pub mod handoff;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod memory;
pub mod private_fs;
pub mod seed;
pub mod startup;
pub mod storage;
pub mod web;
pub mod workflow;
