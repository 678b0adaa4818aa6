//! Black-box journeys through ReviewWatch: a real server on a loopback port, a real SMTP
//! listener, a fresh data folder and database per test (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` is set), and assertions on what a person sees.
#![allow(clippy::unwrap_used)]

mod access;
mod backup;
mod bad_input;
mod calendar;
mod campaigns;
mod chains;
mod chains_texts;
mod confirmation;
mod contacts;
mod dashboard;

mod demo_data;

mod desk;

mod evidence_blobs;
mod faults;

mod handoff;
mod helpers;
mod i18n;
mod info_pages;
mod jobs;
mod kept_uploads;
mod login_security;
mod mail;
mod migrations;
mod my_desk;
mod object_storage;
mod officer;
mod officer_words;
mod phone;
mod platform_desks;
mod platform_notices;
mod previous_schema;
mod public_record;
mod public_stats;
mod public_stats_platforms;
mod queue;
mod queue_plans;
mod redaction;
mod reporting;
mod request_limits;
mod retention;
mod review;
mod screenshot_copies;
mod second_factor;
mod security;
mod serve_process;
mod similar_screenshots;
mod team;
mod tracking;
