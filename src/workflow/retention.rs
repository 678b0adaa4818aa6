//! Keeping personal data only as long as needed (PIPL; the table in docs/SECURITY.md): client
//! addresses for `RETAIN_REPORTER_IP_DAYS`, a reporter's email on a finished case for
//! `RETAIN_CONTACT_DAYS`, and erasure of the email whenever the reporter (or an officer on their
//! request) asks.

use super::WorkflowError;
use crate::db::{self, DbConnection, DbPool, audit, cases, retention};
use crate::domain::CaseId;
use crate::domain::audit::Actor;
use crate::domain::audit::Visibility;
use chrono::TimeDelta;
use serde_json::json;

/// Why a contact was erased (recorded in the trail; the address itself never is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasureCause {
    /// Its retention period ran out.
    Retention,
    /// The reporter asked, on their case page.
    ReporterRequest,
    /// An officer, on the reporter's request made another way.
    OfficerOnRequest,
}

impl ErasureCause {
    pub fn as_str(self) -> &'static str {
        match self {
            ErasureCause::Retention => "retention",
            ErasureCause::ReporterRequest => "reporter_request",
            ErasureCause::OfficerOnRequest => "officer_on_request",
        }
    }
}

/// Erases the reporter's contact from case `case_id`, audited; false when it holds none.
pub fn erase_contact(
    conn: &mut DbConnection,
    case_id: CaseId,
    actor: Actor,
    cause: ErasureCause,
) -> Result<bool, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let case = cases::get(conn, case_id)?;
        let Some(email) = case.reporter_email.as_deref() else {
            return Ok(false);
        };
        retention::erase_contact(conn, case.id, email)?;
        audit::append(
            conn,
            &audit::NewAuditEntry {
                case_id: case.id,
                actor,
                action: crate::domain::audit::AuditAction::ContactErased,
                detail: &json!({ "cause": cause.as_str() }),
                visibility: Visibility::AlsoReporter,
                at: db::now(),
            },
        )?;
        tracing::info!(case = %case.case_number, cause = cause.as_str(), "reporter contact erased");
        Ok(true)
    })
}

/// Retention periods in days; 0 keeps that kind of data (the operator's explicit choice).
#[derive(Debug, Clone, Copy)]
pub struct RetentionPeriods {
    pub reporter_ip_days: u32,
    pub contact_days: u32,
}

/// Cases whose client address one write forgets (each batch a short write of its own).
const IP_BATCH: i64 = 2_000;

/// One pass of the retention job: returns (client addresses forgotten, contacts erased).
pub async fn apply(
    pool: &DbPool,
    periods: RetentionPeriods,
) -> Result<(usize, usize), WorkflowError> {
    let now = db::now();
    let mut ips = 0;
    if periods.reporter_ip_days > 0 {
        let cutoff = now - TimeDelta::days(i64::from(periods.reporter_ip_days));
        let mut after = None;
        loop {
            let (forgotten, last) = db::run(pool, move |conn| {
                Ok(retention::forget_ips_before(conn, cutoff, after, IP_BATCH)?)
            })
            .await?;
            ips += forgotten;
            match last {
                Some(last) => after = Some(last),
                None => break,
            }
        }
    }
    let mut erased = 0;
    if periods.contact_days > 0 {
        let cutoff = now - TimeDelta::days(i64::from(periods.contact_days));
        loop {
            let ids = db::run(pool, move |conn| {
                Ok(retention::finished_with_contact_before(conn, cutoff, 200)?)
            })
            .await?;
            if ids.is_empty() {
                break;
            }
            for id in ids {
                if db::run_with(pool, move |conn| {
                    erase_contact(conn, id, Actor::System, ErasureCause::Retention)
                })
                .await?
                {
                    erased += 1;
                }
            }
        }
    }
    if ips + erased > 0 {
        tracing::info!(ips, erased, "retention applied");
    }
    Ok((ips, erased))
}

/// An officer erases the reporter's contact of case `number` on the reporter's request made
/// another way (a letter, a call): only an officer who may work the case.
pub fn erase_on_request(
    conn: &mut DbConnection,
    officer: super::ActingOfficer,
    number: &crate::domain::CaseNumber,
) -> Result<bool, WorkflowError> {
    let case = cases::find_by_number(conn, number)?.ok_or(diesel::result::Error::NotFound)?;
    officer.require_worker_of(&case)?;
    erase_contact(
        conn,
        case.id,
        Actor::Officer(officer.id),
        ErasureCause::OfficerOnRequest,
    )
}
