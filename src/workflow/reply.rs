//! The reporter answering a request for more information: a message and more screenshots; the
//! case goes back into review and its officer is told.

use super::{Links, WorkflowError, change_status, record_evidence};
use crate::db::{self, DbConnection, cases, notes, officers};
use crate::domain::CaseId;
use crate::domain::audit::Actor;
use crate::domain::{CaseStatus, Transition};
use crate::evidence::intake::StoredEvidence;
use crate::mail::{self, messages::OfficerEmail, messages::OfficerNotice};
use serde_json::json;

pub fn answer(
    conn: &mut DbConnection,
    case_id: CaseId,
    message: &str,
    evidence: &[StoredEvidence],
    links: &Links,
) -> Result<CaseStatus, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let case = cases::get(conn, case_id)?;
        let _span = tracing::info_span!("case", case = %case.case_number).entered();
        let message = message.replace("\r\n", "\n").trim().to_string();
        if message.is_empty() && evidence.is_empty() {
            return Err(WorkflowError::Invalid("reply.empty"));
        }
        if message.chars().count() > super::review::MAX_MESSAGE_CHARS {
            return Err(WorkflowError::Invalid("review.text_too_long"));
        }
        // Checked before anything is written: the state machine decides whether a reply fits now.
        case.status.apply(Transition::ReporterAnswers)?;
        let now = db::now();
        if !message.is_empty() {
            notes::add_message(conn, case.id, None, &message, now)?;
        }
        record_evidence(
            conn,
            case.id,
            crate::domain::evidence::EvidenceSource::Reply,
            evidence,
            now,
        )?;
        let case = cases::get(conn, case_id)?;
        let status = change_status(
            conn,
            &case,
            Transition::ReporterAnswers,
            Actor::Reporter,
            answer_detail(evidence.len()),
            None,
            links,
        )?;
        if let Some(officer_id) = case.assigned_officer_id {
            let officer = officers::get(conn, officer_id)?;
            let composed = OfficerEmail {
                notice: OfficerNotice::ReporterAnswered,
                officer_name: officer.name,
                case_number: case.case_number.clone(),
                case_url: links.officer_case(&case.case_number),
            }
            .compose()?;
            mail::enqueue(conn, Some(case.id), &officer.email, &composed, now)?;
        }
        Ok(status)
    })
}

/// The detail of the reporter's answer: how many files came with it (the words are a message).
pub fn answer_detail(evidence_files: usize) -> serde_json::Value {
    json!({ "evidence_files": evidence_files })
}
