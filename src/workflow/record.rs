//! The public record (信用惩戒): a regulator's published penalty or warning becomes a candidate,
//! a supervisor approves it (then it shows on `/record`) or takes it off with a public note, and
//! merchants ask for corrections. Each step is one transaction; approving and withdrawing are
//! audited in the case's trail.

use super::{ActingOfficer, Links, WorkflowError};
use crate::db::{self, audit, cases, handoffs, officers, record, regulators};
use crate::domain::audit::{Actor, AuditAction, Visibility};
use crate::domain::record::{RecordStatus, clean_document_number, is_publishable};
use crate::domain::{RecordCorrectionId, RecordEntryId, china_date};
use crate::mail::{self, messages::RecordCorrectionEmail};
use serde_json::json;

/// The longest decision text kept on an entry.
const DECISION_TEXT_MAX: usize = 2000;

/// Inside the outcome's transaction: makes the outcome of handoff `h` a record candidate when
/// the regulator reported a penalty or warning, with a document number, as made public. The
/// entry holds the shop as the platform shows it and the regulator's own words, nothing of the
/// report (no description, contact, order number).
pub(crate) fn candidate_from_outcome(
    conn: &mut db::DbConnection,
    h: &handoffs::HandoffRow,
    now: chrono::NaiveDateTime,
) -> Result<Option<RecordEntryId>, WorkflowError> {
    let (Some(outcome), doc) = (h.outcome, h.outcome_document_number.as_deref()) else {
        return Ok(None);
    };
    if !is_publishable(outcome, doc, h.outcome_published) {
        return Ok(None);
    }
    let case = cases::get(conn, h.case_id)?;
    let regulator = regulators::get(conn, h.regulator_id)?;
    let text: String = h
        .outcome_details
        .as_deref()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(DECISION_TEXT_MAX)
        .collect();
    let id = record::insert(
        conn,
        &record::NewRecordEntry {
            handoff_id: h.id,
            case_id: case.id,
            platform: case.platform,
            platform_other: case.platform_other.as_deref(),
            shop_name: &case.shop_name,
            merchant_key: case.merchant_key.as_deref(),
            category: case.category,
            regulator_name: &regulator.name,
            decision_kind: outcome,
            decision_text: &text,
            decision_date: china_date(h.outcome_at.unwrap_or(now)),
            document_number: doc.unwrap_or_default(),
            status: RecordStatus::Candidate,
            created_at: now,
        },
    )?;
    Ok(Some(id))
}

fn audit_step(
    conn: &mut db::DbConnection,
    entry: &record::RecordEntryRow,
    officer: ActingOfficer,
    action: AuditAction,
    now: chrono::NaiveDateTime,
) -> Result<(), WorkflowError> {
    let detail = json!({ "record_entry": entry.id, "document_number": entry.document_number });
    audit::append(
        conn,
        &audit::NewAuditEntry {
            case_id: entry.case_id,
            actor: Actor::Officer(officer.id),
            action,
            detail: &detail,
            visibility: Visibility::OfficersOnly,
            at: now,
        },
    )?;
    Ok(())
}

/// A supervisor publishes candidate `id` (`approve_record`).
pub fn approve(
    conn: &mut db::DbConnection,
    officer: ActingOfficer,
    id: RecordEntryId,
) -> Result<(), WorkflowError> {
    officer.require_supervisor()?;
    db::write_transaction(conn, |conn| {
        let now = db::now();
        if !record::approve(conn, id, officer.id, now)? {
            return Err(WorkflowError::Invalid("record.not_candidate"));
        }
        let entry = record::get(conn, id)?;
        audit_step(conn, &entry, officer, AuditAction::RecordApproved, now)
    })
}

/// A supervisor takes published entry `id` off (`record_withdrawal`): the decision was revoked
/// or changed. `reason` is the public note; `document_number` the revoking decision's.
pub fn withdraw(
    conn: &mut db::DbConnection,
    officer: ActingOfficer,
    id: RecordEntryId,
    reason: &str,
    document_number: &str,
) -> Result<(), WorkflowError> {
    officer.require_supervisor()?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(WorkflowError::Invalid("record.bad_reason"));
    }
    let document = clean_document_number(document_number)
        .ok_or(WorkflowError::Invalid("record.bad_document"))?;
    db::write_transaction(conn, |conn| {
        let now = db::now();
        if !record::withdraw(conn, id, officer.id, reason, &document, now)? {
            return Err(WorkflowError::Invalid("record.not_published"));
        }
        let entry = record::get(conn, id)?;
        audit_step(conn, &entry, officer, AuditAction::RecordWithdrawn, now)
    })
}

/// What a merchant sends to ask for a correction of an entry.
pub struct CorrectionRequest<'a> {
    pub enterprise_name: &'a str,
    pub contact_email: &'a str,
    pub what_is_wrong: &'a str,
    pub document_number: &'a str,
}

/// Keeps a merchant's correction request for public entry `id` and emails every active
/// supervisor, in one transaction.
pub fn request_correction(
    conn: &mut db::DbConnection,
    id: RecordEntryId,
    req: &CorrectionRequest<'_>,
    links: &Links,
) -> Result<RecordCorrectionId, WorkflowError> {
    let name = req.enterprise_name.trim();
    let email = req.contact_email.trim();
    let what = req.what_is_wrong.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(WorkflowError::Invalid("record.bad_enterprise"));
    }
    if email.chars().count() > 254 || email.parse::<lettre::Address>().is_err() {
        return Err(WorkflowError::Invalid("record.bad_email"));
    }
    if what.is_empty() || what.chars().count() > 5000 {
        return Err(WorkflowError::Invalid("record.bad_what"));
    }
    let document = clean_document_number(req.document_number);
    db::write_transaction(conn, |conn| {
        let entry = record::get(conn, id)?;
        if entry.status == RecordStatus::Candidate {
            return Err(diesel::result::Error::NotFound.into());
        }
        let now = db::now();
        let cid = record::insert_correction(
            conn,
            &record::NewCorrection {
                entry_id: id,
                enterprise_name: name,
                contact_email: email,
                what_is_wrong: what,
                document_number: document.as_deref(),
                created_at: now,
            },
        )?;
        let mail = RecordCorrectionEmail {
            shop_name: entry.shop_name.clone(),
            entry_document: entry.document_number.clone(),
            enterprise_name: name.to_string(),
            contact_email: email.to_string(),
            what_is_wrong: what.to_string(),
            document_number: document.clone().unwrap_or_default(),
            page_url: format!("{}/officer/record", links.base_url),
        }
        .compose()?;
        for o in officers::list_active(conn)?
            .iter()
            .filter(|o| o.is_supervisor())
        {
            mail::enqueue(conn, Some(entry.case_id), &o.email, &mail, now)?;
        }
        Ok(cid)
    })
}
