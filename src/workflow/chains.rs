//! Keeping the chain indexes: what a case's texts and screenshots add to the indexes that link
//! cases (near-identical screenshots, near-identical texts, shared contacts). Called inside the
//! transaction that records the text or the image, so an index never points at a row that is
//! not there, and a row is never left out of the index.

use super::WorkflowError;
use crate::db::contacts::NewCaseContact;
use crate::db::{self, DbConnection};
use crate::domain::CaseId;
use crate::domain::EvidenceId;
use crate::domain::contact;
use crate::domain::links::TextSource;
use crate::evidence::intake::StoredEvidence;
use chrono::NaiveDateTime;

/// Indexes a text of a case: the reporter's description when the report is filed, the text
/// read from a screenshot when OCR has read it. A text too short to link is left out.
pub fn index_text(
    conn: &mut DbConnection,
    case_id: CaseId,
    source: TextSource,
    text: &str,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    index_contacts(conn, case_id, source, text, now)?;
    // Payment accounts are kept only as keyed hashes (above): the indexed copy is masked.
    let kept = contact::mask_payment_accounts(text);
    if let Some(fingerprint) = crate::domain::text_similarity::fingerprint(&kept) {
        crate::db::text_index::insert(
            conn,
            &crate::db::text_index::NewText {
                case_id,
                source,
                body: &kept,
                fingerprint,
                created_at: now,
            },
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Contacts (issue 11 item 4).

/// Replaces the contacts found in one text of a case with those in `text` (`domain::contact`):
/// the reporter's own email address left out, payment accounts hashed with the instance's key.
pub fn index_contacts(
    conn: &mut DbConnection,
    case_id: CaseId,
    source: TextSource,
    text: &str,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let reporter_email = db::cases::get(conn, case_id)?.reporter_email;
    let account_key = db::secrets::get_or_create(conn, contact::CONTACT_ACCOUNT_KEY)?;
    let scan = contact::ContactScan {
        reporter_email: reporter_email.as_deref(),
        account_key: &account_key,
    };
    let found = contact::find_contacts(text, &scan);
    let evidence_id = match source {
        TextSource::Description => None,
        TextSource::Screenshot(e) => Some(e),
    };
    let rows = contact_rows(case_id, evidence_id, &found, now);
    db::contacts::replace_for_text(conn, case_id, evidence_id, &rows)?;
    if !found.is_empty() {
        tracing::debug!(contacts = found.len(), "contacts indexed");
    }
    Ok(())
}

/// The rows of the contacts `found` in one text of a case: for `index_contacts`, and for the
/// demo seed, which writes them in bulk (`db::contacts::insert_all`).
pub fn contact_rows(
    case_id: CaseId,
    evidence_id: Option<EvidenceId>,
    found: &[contact::FoundContact],
    now: NaiveDateTime,
) -> Vec<NewCaseContact<'_>> {
    found
        .iter()
        .map(|f| NewCaseContact {
            case_id,
            kind: f.kind,
            contact_key: &f.key,
            shown: &f.shown,
            evidence_id,
            found_at: now,
        })
        .collect()
}

/// Indexes a screenshot just recorded on a case (and queues what is read from it later).
pub fn index_screenshot(
    conn: &mut DbConnection,
    _case_id: CaseId,
    evidence_id: EvidenceId,
    _file: &StoredEvidence,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    // The text in the picture: read later by a background job (OCR), which indexes it then.
    super::ocr::queue_reading(conn, evidence_id, now)?;
    Ok(())
}
