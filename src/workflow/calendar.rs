//! Loading an official year of the working-day calendar: the file is checked, recorded, and every
//! open deadline it can move is counted again from its start and pauses, each change audited.

use super::WorkflowError;
use crate::db::calendar::{NewCalendarYear, Origin};
use crate::db::{self, audit, calendar, cases, handoffs, queue};
use crate::domain::OfficerId;
use crate::domain::audit::Actor;
use crate::domain::audit::Visibility;
use crate::domain::calendar_file::{self, YearFile};
use crate::domain::deadlines::{DeadlineBasis, Deadlines};
use crate::domain::workdays::Calendar;
use crate::domain::workdays::SHIPPED_YEAR_FILES;
use crate::domain::{CaseStatus, china_date};
use chrono::NaiveDate;
use serde_json::json;

/// What loading a year file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// The same file is already in force for its year: nothing changed.
    AlreadyInForce { year: i32 },
    /// The file is now in force; `moved` open cases got new deadlines.
    Loaded { year: i32, moved: usize },
}

/// A supervisor's upload of a year file on the calendar page.
pub fn upload_year(
    conn: &mut db::DbConnection,
    officer: super::ActingOfficer,
    file: &YearFile,
) -> Result<Loaded, WorkflowError> {
    officer.require_supervisor()?;
    load_year(conn, file, Origin::Upload, Some(officer.id))
}

/// Makes `file` the official calendar of its year, inside one transaction: the record of the
/// load, the deadlines it moves and their audit entries commit together or not at all.
pub fn load_year(
    conn: &mut db::DbConnection,
    file: &YearFile,
    origin: Origin,
    officer: Option<OfficerId>,
) -> Result<Loaded, WorkflowError> {
    let year = file.days.year;
    db::write_transaction(conn, |conn| {
        calendar::lock_for_loading(conn)?;
        if calendar::current_sha(conn, year)?.as_deref() == Some(file.sha256.as_str()) {
            return Ok(Loaded::AlreadyInForce { year });
        }
        let now = db::now();
        let id = calendar::insert(
            conn,
            &NewCalendarYear {
                file,
                origin,
                imported_by: officer,
                imported_at: now,
            },
        )?;
        let cal = calendar::current(conn)?;
        let moved = recount_open_deadlines(conn, &cal, year, origin, officer)?;
        calendar::set_deadlines_moved(conn, id, moved as i32)?;
        tracing::info!(
            year,
            origin = origin.as_str(),
            moved,
            "official calendar loaded"
        );
        Ok(Loaded::Loaded { year, moved })
    })
}

/// At start-up: the shipped year files, then those in `DATA_DIR/calendar/`, each loaded once (a
/// file already loaded for its year is passed over, so a later upload stays in force). A file
/// that does not check is named in the log and skipped: the portal still starts.
pub fn load_files_at_start(
    conn: &mut db::DbConnection,
    calendar_dir: &std::path::Path,
) -> Result<Vec<Loaded>, WorkflowError> {
    let mut files: Vec<(String, Vec<u8>, Origin)> = SHIPPED_YEAR_FILES
        .iter()
        .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec(), Origin::Shipped))
        .collect();
    if let Ok(dir) = std::fs::read_dir(calendar_dir) {
        let mut paths: Vec<_> = dir
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for path in paths {
            match std::fs::read(&path) {
                Ok(bytes) => files.push((path.display().to_string(), bytes, Origin::DataDir)),
                Err(e) => {
                    tracing::error!(file = %path.display(), error = %e, "cannot read calendar file")
                }
            }
        }
    }
    let mut loaded = Vec::new();
    for (name, bytes, origin) in files {
        let file = match calendar_file::parse(&bytes) {
            Ok(f) => f,
            Err(problems) => {
                for p in problems {
                    tracing::error!(file = %name, problem = %p, "calendar file refused");
                }
                continue;
            }
        };
        if calendar::was_loaded(conn, file.days.year, &file.sha256)? {
            continue;
        }
        loaded.push(load_year(conn, &file, origin, None)?);
    }
    Ok(loaded)
}

/// Counts again, under `cal`, every open deadline that `year`'s days can change (those on or
/// after 1 January of it), and writes and audits the ones that moved.
fn recount_open_deadlines(
    conn: &mut db::DbConnection,
    cal: &Calendar,
    year: i32,
    origin: Origin,
    officer: Option<OfficerId>,
) -> Result<usize, WorkflowError> {
    let Some(from) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return Ok(0);
    };
    let now = db::now();
    let actor = officer.map(Actor::Officer).unwrap_or(Actor::System);
    let mut moved = 0;
    for row in queue::open_deadlines_since(conn, from)? {
        let case = cases::get(conn, row.case_id)?;
        let Some(basis) = deadline_basis(conn, &case, row.extended_reason.is_some())? else {
            continue;
        };
        let before = row.deadlines();
        let after = Deadlines::recount(cal, &basis);
        if after == before {
            continue;
        }
        queue::set_deadlines(conn, case.id, &after)?;
        audit::append(
            conn,
            &audit::NewAuditEntry {
                case_id: case.id,
                actor,
                action: crate::domain::audit::AuditAction::DeadlinesRecounted,
                detail: &json!({
                    "calendar_year": year,
                    "calendar_origin": origin.as_str(),
                    "decide_by": { "from": before.decide_by.to_string(), "to": after.decide_by.to_string() },
                    "accept_by": {
                        "from": before.accept_by.map(|d| d.to_string()),
                        "to": after.accept_by.map(|d| d.to_string()),
                    },
                }),
                visibility: Visibility::AlsoReporter,
                at: now,
            },
        )?;
        tracing::info!(case = %case.case_number, %before.decide_by, %after.decide_by, "deadline recounted");
        moved += 1;
    }
    Ok(moved)
}

/// What a case's deadlines count from: the day it entered the queue, the waits for the reporter
/// that ended (from its audit trail, which records every transition), whether it was
/// `extended`, and for a handed-off case the day of its latest handoff. `None` for a case that
/// never entered the queue.
fn deadline_basis(
    conn: &mut db::DbConnection,
    case: &cases::CaseRow,
    extended: bool,
) -> Result<Option<DeadlineBasis>, WorkflowError> {
    let Some(submitted_at) = case.submitted_at else {
        return Ok(None);
    };
    let handed_off_on = if case.status == CaseStatus::HandedOff {
        handoffs::for_case(conn, case.id)?
            .iter()
            .map(|(h, _)| h.created_at)
            .max()
            .map(china_date)
    } else {
        None
    };
    let mut pauses = Vec::new();
    let mut paused_since = None;
    for row in audit::for_case(conn, case.id)? {
        let detail = row.detail_json();
        let (from, to) = (detail["from"].as_str(), detail["to"].as_str());
        if to == Some(CaseStatus::AwaitingReporter.as_str()) {
            paused_since = Some(row.at);
        } else if from == Some(CaseStatus::AwaitingReporter.as_str())
            && let Some(since) = paused_since.take()
        {
            pauses.push((china_date(since), china_date(row.at)));
        }
    }
    Ok(Some(DeadlineBasis {
        submitted_on: china_date(submitted_at),
        is_complaint: case.is_complaint,
        pauses,
        extended,
        handed_off_on,
    }))
}
