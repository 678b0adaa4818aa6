//! The working-day calendar, for supervisors: which years count on the State Council's notice
//! and which are provisional, what each gives off, who loaded what, and loading a year file.

use crate::db;
use crate::domain::calendar_file::{self, CalendarFileError, MAX_FILE_BYTES, YearFile};
use crate::domain::china_date;
use crate::domain::workdays::{YearDays, YearStatus};
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render, see_other};
use crate::workflow::calendar::{Loaded, upload_year};
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Datelike;
use futures_util::StreamExt;
use serde::Deserialize;
use std::sync::Arc;

pub struct YearView {
    pub year: i32,
    pub status: YearStatus,
    pub days: Option<Arc<YearDays>>,
    /// The load in force, for an official year.
    pub load: Option<db::calendar::LoadRow>,
}

impl YearView {
    pub fn is_official(&self) -> bool {
        self.status == YearStatus::Official
    }
}

#[derive(Template)]
#[template(path = "pages/officer/calendar.html")]
pub struct CalendarPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub years: Vec<YearView>,
    pub history: Vec<db::calendar::LoadRow>,
    pub missing: Vec<i32>,
    /// What the last load did, or why the file was refused.
    pub outcome: Option<String>,
    pub problems: Vec<String>,
    pub notes: Vec<String>,
    pub max_kib: usize,
}

#[derive(Deserialize)]
pub struct CalendarQuery {
    loaded: Option<i32>,
    moved: Option<usize>,
    same: Option<i32>,
}

async fn page(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    outcome: Option<String>,
    problems: Vec<String>,
    notes: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (history, cal) = db::run(&state.pool, |conn| {
        Ok((db::calendar::history(conn)?, db::calendar::current(conn)?))
    })
    .await?;
    let today = china_date(db::now());
    let mut years: Vec<i32> = cal.official_years().map(|y| y.year).collect();
    years.extend([today.year(), today.year() + 1]);
    years.sort_unstable();
    years.dedup();
    let years = years
        .into_iter()
        .rev()
        .map(|year| YearView {
            year,
            status: cal.year_status(year),
            days: cal.year(year),
            load: history.iter().find(|r| r.year == year).cloned(),
        })
        .collect();
    render(
        status,
        &CalendarPage {
            ctx,
            officer,
            years,
            missing: cal.years_missing_notice(today),
            history,
            outcome,
            problems,
            notes,
            max_kib: MAX_FILE_BYTES / 1024,
        },
    )
}

pub async fn show_calendar(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, AppError> {
    officer.require_supervisor()?;
    let m = ctx.m;
    let outcome = match (query.loaded, query.moved, query.same) {
        (Some(year), moved, _) => Some(m.t2("calendar.loaded", year, moved.unwrap_or(0))),
        (None, _, Some(year)) => Some(m.t1("calendar.already", year)),
        _ => None,
    };
    page(
        ctx,
        officer,
        &state,
        outcome,
        Vec::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// The calendar form as sent, read with a cap.
#[derive(Default)]
struct CalendarUpload {
    csrf: String,
    file: Vec<u8>,
    text: Vec<u8>,
    /// A field was larger than a year file may be: reading stopped there.
    too_large: bool,
}

/// Reads `csrf_token` and the year file, as `calendar_file` (a file) or `calendar_text`
/// (pasted), so that nothing larger than a year file is ever held.
async fn read_upload(mut payload: Multipart) -> Result<CalendarUpload, AppError> {
    let mut upload = CalendarUpload::default();
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(crate::web::upload::multipart_error)?;
        let name = field.name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(crate::web::upload::multipart_error)?;
            if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                upload.too_large = true;
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        if upload.too_large {
            break;
        }
        match name.as_str() {
            "csrf_token" => upload.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "calendar_file" => upload.file = bytes,
            "calendar_text" => upload.text = bytes,
            _ => {}
        }
    }
    Ok(upload)
}

/// The year file sent, or what is wrong with it and the status to say so with.
fn check_upload(
    officer: &CurrentOfficer,
    upload: CalendarUpload,
) -> Result<Result<YearFile, (Vec<CalendarFileError>, StatusCode)>, AppError> {
    if upload.too_large {
        // The CSRF token may not have been read: refuse without touching anything.
        return Ok(Err((
            vec![CalendarFileError::TooLarge],
            StatusCode::PAYLOAD_TOO_LARGE,
        )));
    }
    officer.check_csrf(&upload.csrf)?;
    let bytes = if upload.file.is_empty() {
        upload.text
    } else {
        upload.file
    };
    Ok(if bytes.iter().all(u8::is_ascii_whitespace) {
        Err((Vec::new(), StatusCode::UNPROCESSABLE_ENTITY))
    } else {
        calendar_file::parse(&bytes).map_err(|p| (p, StatusCode::UNPROCESSABLE_ENTITY))
    })
}

/// The upload: `csrf_token` and the year file, as `calendar_file` (a file) or `calendar_text`
/// (pasted). Read with a cap, so nothing larger than a year file is ever held.
pub async fn import_calendar(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    officer.require_supervisor()?;
    let upload = read_upload(payload).await?;
    let m = ctx.m;
    let year_file = match check_upload(&officer, upload)? {
        Ok(f) => f,
        Err((problems, status)) => {
            let mut shown: Vec<String> = problems
                .iter()
                .map(|p| {
                    let (key, arg) = p.key_and_arg();
                    m.t1(key, arg)
                })
                .collect();
            if shown.is_empty() {
                shown.push(m.t("calendar.error.empty").to_string());
            }
            return page(ctx, officer, &state, None, shown, Vec::new(), status).await;
        }
    };
    let notes: Vec<String> = year_file
        .statutory_days_not_off()
        .into_iter()
        .map(|(name, day)| m.t2("calendar.statutory_working", name, day))
        .collect();
    let acting = officer.acting();
    let loaded = db::run_with(&state.pool, move |conn| {
        upload_year(conn, acting, &year_file)
    })
    .await?;
    if !notes.is_empty() {
        // The file is in force; the page says what to double-check.
        let outcome = match loaded {
            Loaded::Loaded { year, moved } => m.t2("calendar.loaded", year, moved),
            Loaded::AlreadyInForce { year } => m.t1("calendar.already", year),
        };
        let status = StatusCode::OK;
        return page(
            ctx,
            officer,
            &state,
            Some(outcome),
            Vec::new(),
            notes,
            status,
        )
        .await;
    }
    Ok(see_other(&match loaded {
        Loaded::Loaded { year, moved } => format!("/officer/calendar?loaded={year}&moved={moved}"),
        Loaded::AlreadyInForce { year } => format!("/officer/calendar?same={year}"),
    }))
}
