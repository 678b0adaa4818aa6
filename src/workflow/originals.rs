//! Originals leave the portal only on a regulator's request: the regulator asks (through its
//! signed handoff page), an officer who may work the case approves or refuses, and an approved
//! request gets a single-use link valid 7 days. Every step is in the case's audit trail.

use super::{Links, WorkflowError};
use crate::db::{
    self, DbConnection, audit, cases, evidence, handoffs, officers, originals, regulators, tokens,
};
use crate::domain::EvidenceId;
use crate::domain::OriginalRequestId;
use crate::domain::audit::Actor;
use crate::domain::audit::AuditAction;
use crate::domain::audit::Visibility;
use crate::domain::{CaseId, HandoffId, OfficerId};
use crate::mail::{
    self,
    messages::{OfficerEmail, OfficerNotice, OriginalDecisionEmail},
};
use chrono::TimeDelta;
use serde_json::json;

/// How long an approved request's download link works.
pub const LINK_LIFETIME: TimeDelta = TimeDelta::days(7);
/// The longest reason a regulator may give.
pub const MAX_REASON_CHARS: usize = 2000;

/// Records the regulator's request for the originals of `evidence_ids` (files of the handed-off
/// case; a file already asked for and not yet decided is passed over). Returns how many were
/// asked for now.
pub fn request(
    conn: &mut DbConnection,
    handoff_id: HandoffId,
    evidence_ids: &[EvidenceId],
    reason: &str,
    links: &Links,
) -> Result<usize, WorkflowError> {
    let reason = reason.replace("\r\n", "\n").trim().to_string();
    if reason.is_empty() {
        return Err(WorkflowError::Invalid("originals.reason_required"));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(WorkflowError::Invalid("review.text_too_long"));
    }
    if evidence_ids.is_empty() {
        return Err(WorkflowError::Invalid("originals.choose_file"));
    }
    db::write_transaction(conn, |conn| {
        let h = handoffs::get(conn, handoff_id)?;
        let case = cases::get(conn, h.case_id)?;
        let now = db::now();
        let mut asked = 0;
        for id in evidence_ids {
            // Only files of this case: anything else is not this regulator's to ask for.
            let file = evidence::get(conn, case.id, *id)
                .map_err(|_| WorkflowError::Invalid("originals.choose_file"))?;
            if originals::is_pending(conn, h.id, file.id)? {
                continue;
            }
            let request_id = originals::insert(conn, h.id, file.id, &reason, now)?;
            audit::append(
                conn,
                &audit::NewAuditEntry {
                    case_id: case.id,
                    actor: Actor::Regulator(h.id),
                    action: crate::domain::audit::AuditAction::OriginalRequested,
                    detail: &json!({ "request": request_id, "handoff": h.seq, "position": file.position }),
                    visibility: Visibility::OfficersOnly,
                    at: now,
                },
            )?;
            asked += 1;
        }
        if asked > 0
            && let Some(officer_id) = case.assigned_officer_id
        {
            let officer = officers::get(conn, officer_id)?;
            let composed = OfficerEmail {
                notice: OfficerNotice::OriginalRequested,
                officer_name: officer.name,
                case_number: case.case_number.clone(),
                case_url: links.officer_case(&case.case_number),
            }
            .compose()?;
            mail::enqueue(conn, Some(case.id), &officer.email, &composed, now)?;
        }
        tracing::info!(case = %case.case_number, asked, "originals requested");
        Ok(asked)
    })
}

/// An officer's decision on request `request_id` of the case `case_id`.
pub fn decide(
    conn: &mut DbConnection,
    case_id: CaseId,
    request_id: OriginalRequestId,
    officer: Actor,
    officer_id: OfficerId,
    approve: bool,
    links: &Links,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        let r = originals::get(conn, request_id)?;
        let h = handoffs::get(conn, r.handoff_id)?;
        if h.case_id != case_id {
            return Err(WorkflowError::Db(db::DbError::Query(
                diesel::result::Error::NotFound,
            )));
        }
        let case = cases::get(conn, case_id)?;
        let file = evidence::get(conn, case.id, r.evidence_id)?;
        let regulator = regulators::get(conn, h.regulator_id)?;
        let now = db::now();
        let expires = now + LINK_LIFETIME;
        let token = approve.then(tokens::generate);
        let decided = originals::decide(
            conn,
            r.id,
            if approve {
                crate::domain::original::OriginalRequestStatus::Approved
            } else {
                crate::domain::original::OriginalRequestStatus::Refused
            },
            officer_id,
            token.as_ref().map(|(_, hash)| (hash.as_str(), expires)),
            now,
        )?;
        if !decided {
            return Err(WorkflowError::Conflict);
        }
        audit::append(
            conn,
            &audit::NewAuditEntry {
                case_id: case.id,
                actor: officer,
                action: if approve {
                    AuditAction::OriginalApproved
                } else {
                    AuditAction::OriginalRefused
                },
                detail: &json!({ "request": r.id, "handoff": h.seq, "position": file.position }),
                visibility: Visibility::OfficersOnly,
                at: now,
            },
        )?;
        let download_url = token
            .as_ref()
            .map(|(t, _)| format!("{}/originals/{t}", links.base_url));
        let composed = decision_email(&regulator, &case, &file, download_url, expires)?;
        mail::enqueue(conn, Some(case.id), &regulator.email, &composed, now)?;
        tracing::info!(case = %case.case_number, request = %r.id, approve, "original request decided");
        Ok(())
    })
}

/// The regulator's answer: the single-use link when approved, and when it stops working.
fn decision_email(
    regulator: &regulators::RegulatorRow,
    case: &cases::CaseRow,
    file: &evidence::EvidenceRow,
    download_url: Option<String>,
    expires: chrono::NaiveDateTime,
) -> Result<mail::Composed, askama::Error> {
    OriginalDecisionEmail {
        regulator_name: regulator.name.clone(),
        case_number: case.case_number.clone(),
        file_label: format!("证据 {}（{}）", file.position, file.original_name),
        original_sha256: file.sha256.clone(),
        download_url,
        // It leaves the portal: China time with its offset.
        expires_on: crate::domain::china_time::format_with_offset(&expires),
    }
    .compose()
}

/// What a download link leads to.
pub struct OriginalLink {
    pub request: originals::OriginalRequestRow,
    pub case_number: String,
    pub file: evidence::EvidenceRow,
}

/// Why a link does not give the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    Unknown,
    Expired,
    Used,
}

/// Looks a link up without using it (the page with the button).
pub fn look_up(
    conn: &mut DbConnection,
    token: &str,
) -> Result<Result<OriginalLink, LinkRefused>, WorkflowError> {
    let Some(request) = originals::by_token(conn, &tokens::hash_token(token))? else {
        return Ok(Err(LinkRefused::Unknown));
    };
    if request.status != crate::domain::original::OriginalRequestStatus::Approved {
        return Ok(Err(LinkRefused::Unknown));
    }
    if request.used_at.is_some() {
        return Ok(Err(LinkRefused::Used));
    }
    if request.expires_at.is_none_or(|e| e < db::now()) {
        return Ok(Err(LinkRefused::Expired));
    }
    let h = handoffs::get(conn, request.handoff_id)?;
    let case = cases::get(conn, h.case_id)?;
    let file = evidence::get(conn, case.id, request.evidence_id)?;
    Ok(Ok(OriginalLink {
        request,
        case_number: case.case_number,
        file,
    }))
}

/// Uses the link: once, audited. The caller serves the file.
pub fn use_link(
    conn: &mut DbConnection,
    token: &str,
) -> Result<Result<OriginalLink, LinkRefused>, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let link = match look_up(conn, token)? {
            Ok(l) => l,
            Err(refused) => return Ok(Err(refused)),
        };
        let now = db::now();
        if !originals::mark_used(conn, link.request.id, now)? {
            return Ok(Err(LinkRefused::Used));
        }
        audit::append(
            conn,
            &audit::NewAuditEntry {
                case_id: link.file.case_id,
                actor: Actor::Regulator(link.request.handoff_id),
                action: crate::domain::audit::AuditAction::OriginalDownloaded,
                detail: &json!({ "request": link.request.id, "position": link.file.position, "sha256": link.file.sha256 }),
                visibility: Visibility::OfficersOnly,
                at: now,
            },
        )?;
        tracing::info!(case = %link.case_number, request = %link.request.id, "original downloaded");
        Ok(Ok(link))
    })
}

/// An officer's decision on request `request_id` of case `number`: only an officer who may work
/// the case decides.
pub fn decide_as_officer(
    conn: &mut DbConnection,
    officer: super::ActingOfficer,
    number: &crate::domain::CaseNumber,
    request_id: OriginalRequestId,
    approve: bool,
    links: &Links,
) -> Result<(), WorkflowError> {
    let case = cases::find_by_number(conn, number)?.ok_or(diesel::result::Error::NotFound)?;
    officer.require_worker_of(&case)?;
    decide(
        conn,
        case.id,
        request_id,
        Actor::Officer(officer.id),
        officer.id,
        approve,
        links,
    )
}
