//! Filing a report: the case, its evidence rows, its first audit entries, the confirmation token
//! and the first email, in one transaction.

use super::{Links, WorkflowError};
use crate::db::{
    self, DbConnection, audit, calendar, case_search, cases, queue, reporter_sessions, tokens,
};
use crate::domain::CaseId;
use crate::domain::audit::Actor;
use crate::domain::audit::Visibility;
use crate::domain::china_date;
use crate::domain::deadlines::Deadlines;
use crate::domain::{CaseNumber, CaseStatus, ReceiptCode, ValidReport};
use crate::evidence::intake::StoredEvidence;
use crate::mail::{self, messages::ConfirmEmail};
use chrono::{Datelike, NaiveDateTime, TimeDelta};
use serde_json::json;

/// How long the confirmation link works.
pub const CONFIRM_LINK_HOURS: i64 = 72;

pub struct Filing<'a> {
    pub report: &'a ValidReport,
    pub evidence: &'a [StoredEvidence],
    pub receipt: &'a ReceiptCode,
    pub receipt_key: &'a [u8],
    pub reporter_ip: Option<&'a str>,
    /// The hash of the report form's token: it files this report and no other.
    pub form_token_hash: &'a str,
    pub links: &'a Links,
}

#[derive(Debug, Clone)]
pub struct Filed {
    pub case_id: CaseId,
    pub number: CaseNumber,
    pub status: CaseStatus,
}

pub fn file_report(conn: &mut DbConnection, f: &Filing<'_>) -> Result<Filed, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let now = db::now();
        let r = f.report;
        // Case numbers count by the year in China, where the portal's users are.
        let year = crate::domain::china_time::today().year();
        let number = cases::next_case_number(conn, year)?;
        let status = first_status(r);
        let number_text = number.to_string();
        let receipt_hash = f.receipt.digest(f.receipt_key);
        let row = CaseFacts {
            number: &number_text,
            status,
            receipt_hash: &receipt_hash,
            reporter_ip: f.reporter_ip,
            created_at: now,
            submitted_at: (status == CaseStatus::Submitted).then_some(now),
            last_activity_at: now,
        };
        let case_id = with_case_row(r, &row, |new| cases::insert(conn, new))?;
        reporter_sessions::record_form_token(conn, f.form_token_hash, case_id, now)?;
        let _span = tracing::info_span!("case", case = %number).entered();
        case_search::index_for_search(conn, case_id, &search_text(&number_text, r))?;
        super::chains::index_text(
            conn,
            case_id,
            crate::domain::links::TextSource::Description,
            &r.description,
            now,
        )?;
        if status == CaseStatus::Submitted {
            let deadlines = Deadlines::starting(
                &*calendar::current(conn)?,
                china_date(now),
                r.also_complaint,
            );
            queue::set_deadlines(conn, case_id, &deadlines)?;
        }

        let filed = filed_entry(r, status, f.evidence.len(), now);
        audit::append(conn, &filed.of_case(case_id))?;
        super::record_evidence(
            conn,
            case_id,
            crate::domain::evidence::EvidenceSource::Report,
            f.evidence,
            now,
        )?;

        if let Some(email) = &r.email {
            send_confirmation(conn, f, case_id, &number_text, email.as_ref(), now)?;
        }
        tracing::info!(
            status = status.as_str(),
            evidence = f.evidence.len(),
            "report filed"
        );
        Ok(Filed {
            case_id,
            number,
            status,
        })
    })
}

/// The confirmation link (single use, 72 hours) and the email carrying it and the receipt code.
fn send_confirmation(
    conn: &mut DbConnection,
    f: &Filing<'_>,
    case_id: CaseId,
    number: &str,
    email: &str,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let (token, token_hash) = tokens::generate();
    let expires = now + TimeDelta::hours(CONFIRM_LINK_HOURS);
    tokens::insert(
        conn,
        case_id,
        crate::domain::email_token::TokenPurpose::Confirm,
        &token_hash,
        now,
        expires,
    )?;
    let composed = ConfirmEmail {
        lang: f.report.language,
        case_number: number.to_string(),
        receipt_code: f.receipt.to_string(),
        confirm_url: f.links.confirm(&token),
        track_url: f.links.track(),
        expires_hours: CONFIRM_LINK_HOURS,
    }
    .compose()?;
    mail::enqueue(conn, Some(case_id), email, &composed, now)?;
    Ok(())
}

/// The status a report starts in: unconfirmed until its email address is confirmed, or
/// submitted at once without one.
pub fn first_status(r: &ValidReport) -> CaseStatus {
    if r.email.is_some() {
        CaseStatus::Unconfirmed
    } else {
        CaseStatus::Submitted
    }
}

/// What a case row holds beside the report: its number, status, receipt and times.
pub struct CaseFacts<'a> {
    pub number: &'a str,
    pub status: CaseStatus,
    pub receipt_hash: &'a str,
    pub reporter_ip: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub last_activity_at: NaiveDateTime,
}

/// The case row a report makes, handed to `write` (for `file_report`, and the demo seed, which
/// writes its cases with their histories): what is derived from the report (the shop's key, the
/// province and city) is derived here only.
pub fn with_case_row<T>(
    r: &ValidReport,
    facts: &CaseFacts<'_>,
    write: impl FnOnce(&cases::NewCase<'_>) -> T,
) -> T {
    let shop_ref = r.shop.as_given();
    let shop_key = r.shop.key();
    let merchant_key =
        crate::domain::merchant::identify(r.platform, &shop_ref, &r.shop_name).key_string();
    let province = r.region.province_code();
    let city = r.region.city_code();
    let product_url = r.product_url.as_ref().map(|u| u.to_string());
    let email = r.email.as_ref().map(|e| e.to_string());
    write(&cases::NewCase {
        case_number: facts.number,
        status: facts.status,
        platform: r.platform,
        platform_other: r.platform_other.as_deref(),
        shop_name: &r.shop_name,
        shop_ref: &shop_ref,
        shop_key: &shop_key,
        region_code: r.region.as_str(),
        province_code: &province,
        city_code: city.as_deref(),
        product_url: product_url.as_deref(),
        order_number: r.order_number.as_deref(),
        category: r.category,
        seen_on: r.seen_on,
        description: &r.description,
        reporter_email: email.as_deref(),
        language: r.language,
        consent_share_contact: r.consent_share_contact,
        consent_share_platform: r.consent_share_platform,
        is_complaint: r.also_complaint,
        receipt_hash: facts.receipt_hash,
        reporter_ip: facts.reporter_ip,
        created_at: facts.created_at,
        submitted_at: facts.submitted_at,
        last_activity_at: facts.last_activity_at,
        merchant_key: Some(&merchant_key),
    })
}

/// What the search index holds of a case: payment accounts in the description only masked
/// (`domain::contact`), as everywhere but in the description itself.
pub fn search_text(number: &str, r: &ValidReport) -> String {
    let description = crate::domain::contact::mask_payment_accounts(&r.description);
    case_search::search_text(number, &r.shop_name, &r.shop.as_given(), &description)
}

/// The entry that opens a case's trail: the report as filed, with the status it starts in.
pub fn filed_entry(
    r: &ValidReport,
    status: CaseStatus,
    evidence_files: usize,
    at: NaiveDateTime,
) -> audit::NewEntry {
    audit::NewEntry {
        actor: Actor::Reporter,
        action: crate::domain::audit::AuditAction::Filed,
        detail: json!({
            "status": status.as_str(),
            "platform": r.platform.as_str(),
            "category": r.category.as_str(),
            "also_complaint": r.also_complaint,
            "evidence_files": evidence_files,
            "anonymous": r.email.is_none(),
        }),
        visibility: Visibility::AlsoReporter,
        at,
    }
}
