//! `#related-cases` on the officer's case page: every case the finders link to this one, with
//! each reason and how strong, strongest first. Suggestions until an officer confirms them.

use crate::db::case_links::{self, VerdictView};
use crate::db::{self, DbConnection, cases::CaseRow, schema::cases};
use crate::domain::ids::{CaseId, EvidenceId};
use crate::domain::links::{LinkDetail, LinkReason, LinkVerdict, StrengthBand, Suggestion};
use crate::domain::{CaseStatus, Category, Platform};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

/// How many links each finder may return for one case.
const PER_FINDER: i64 = 50;
/// How many linked cases the page lists.
const SHOWN: usize = 30;

/// Another case and every reason that links it to this one.
pub struct RelatedCaseView {
    pub id: CaseId,
    pub case_number: String,
    pub status: CaseStatus,
    pub platform: Platform,
    pub category: Category,
    pub shop_name: String,
    pub created_at: NaiveDateTime,
    /// The strongest reason's strength.
    pub strength: u8,
    pub band: StrengthBand,
    /// One per reason and detail, strongest first.
    pub reasons: Vec<Suggestion>,
    /// An officer's verdict on the link, if one was given.
    pub verdict: Option<VerdictView>,
}

impl RelatedCaseView {
    pub fn has(&self, reason: LinkReason) -> bool {
        self.reasons.iter().any(|s| s.reason == reason)
    }

    /// The reasons as the link form sends them back: distinct keywords, comma-separated.
    pub fn reason_list(&self) -> String {
        let mut names: Vec<&str> = self.reasons.iter().map(|s| s.reason.as_str()).collect();
        names.dedup();
        names.join(",")
    }

    pub fn is_rejected(&self) -> bool {
        self.verdict
            .as_ref()
            .is_some_and(|v| v.verdict == LinkVerdict::Rejected)
    }

    pub fn is_confirmed(&self) -> bool {
        self.verdict
            .as_ref()
            .is_some_and(|v| v.verdict == LinkVerdict::Confirmed)
    }
}

/// How many other cases the evidence card names for one screenshot.
const SEEN_ELSEWHERE: usize = 10;

/// The numbers of the related cases holding the same or a near-identical copy of this case's
/// screenshot `evidence`, in number order.
pub fn cases_with_screenshot(related: &[RelatedCaseView], evidence: EvidenceId) -> Vec<String> {
    let mut numbers: Vec<String> = related
        .iter()
        .filter(|r| {
            r.reasons.iter().any(
                |s| matches!(s.detail, LinkDetail::Screenshot { mine, .. } if mine == evidence),
            )
        })
        .map(|r| r.case_number.clone())
        .collect();
    numbers.sort();
    numbers.truncate(SEEN_ELSEWHERE);
    numbers
}

/// Every finder's suggestions for `case`.
pub fn suggestions(
    conn: &mut DbConnection,
    case: &CaseRow,
) -> Result<Vec<Suggestion>, db::DbError> {
    let mut all = db::image_index::similar_screenshots(conn, case.id, PER_FINDER)?;
    all.extend(db::text_index::similar_texts(conn, case.id, PER_FINDER)?);
    all.extend(db::contacts::shared_contacts(conn, case.id, PER_FINDER)?);
    all.extend(db::merchants::same_merchant(conn, case, PER_FINDER)?);
    Ok(all)
}

/// The linked cases, each with its reasons, strongest first; unconfirmed reports left out.
pub fn load(conn: &mut DbConnection, case: &CaseRow) -> Result<Vec<RelatedCaseView>, db::DbError> {
    let mut by_case: HashMap<CaseId, Vec<Suggestion>> = HashMap::new();
    for s in suggestions(conn, case)? {
        if s.other != case.id {
            by_case.entry(s.other).or_default().push(s);
        }
    }
    let mut verdicts: HashMap<CaseId, VerdictView> = case_links::verdicts_for(conn, case.id)?
        .into_iter()
        .map(|v| (v.other, v))
        .collect();
    // A confirmed link stays listed even when no finder suggests it any more.
    for v in verdicts.values() {
        by_case.entry(v.other).or_default();
    }
    let ids: Vec<CaseId> = by_case.keys().copied().collect();
    let rows: Vec<(
        CaseId,
        String,
        CaseStatus,
        Platform,
        Category,
        String,
        NaiveDateTime,
    )> = cases::table
        .filter(cases::id.eq_any(&ids))
        .filter(cases::status.ne(CaseStatus::Unconfirmed))
        .select((
            cases::id,
            cases::case_number,
            cases::status,
            cases::platform,
            cases::category,
            cases::shop_name,
            cases::created_at,
        ))
        .load(conn)?;
    let mut views: Vec<RelatedCaseView> = rows
        .into_iter()
        .filter_map(
            |(id, case_number, status, platform, category, shop_name, created_at)| {
                let mut reasons = by_case.remove(&id)?;
                reasons.sort_by_key(|s| std::cmp::Reverse(s.strength));
                reasons.dedup_by(|a, b| a.reason == b.reason && a.detail == b.detail);
                let strength = reasons.first().map_or(0, |s| s.strength);
                Some(RelatedCaseView {
                    id,
                    case_number,
                    status,
                    platform,
                    category,
                    shop_name,
                    created_at,
                    strength,
                    band: StrengthBand::of(strength),
                    reasons,
                    verdict: verdicts.remove(&id),
                })
            },
        )
        .collect();
    views.sort_by(|a, b| {
        a.is_rejected()
            .cmp(&b.is_rejected())
            .then(b.is_confirmed().cmp(&a.is_confirmed()))
            .then(b.strength.cmp(&a.strength))
            .then(b.reasons.len().cmp(&a.reasons.len()))
            .then(b.created_at.cmp(&a.created_at))
    });
    views.truncate(SHOWN);
    Ok(views)
}
