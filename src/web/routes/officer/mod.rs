//! The case officers' workspace.

pub mod account;
pub mod bulk;
pub mod calendar;
pub mod campaigns;
pub mod case;
pub mod dashboard;
pub mod desk;
pub mod handoff;
pub mod links;
pub mod merchants;
pub mod my_desk;
pub mod originals;
pub mod password_links;
pub mod platform_desks;
pub mod queue;
pub mod record;
pub mod redact;
pub mod regulators;
pub mod second_factor;
pub mod team;
