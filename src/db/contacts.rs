//! Contacts found in cases (phone numbers, WeChat/QQ ids, groups, short links, 淘口令, payment
//! accounts), normalised and indexed so that cases sharing one are linked.
//!
//! One row per contact per text of a case (`evidence_id` NULL: the description; else the
//! screenshot whose OCR text named it). Payment accounts are in `contact_key` only as their
//! keyed hash and in `shown` only masked (`domain::contact`). Rows go with their case and their
//! screenshot (ON DELETE CASCADE).

use super::DbConnection;
use super::schema::{case_contacts, cases};
use crate::domain::contact::{ContactKind, SAME_SHOP_PENALTY};
use crate::domain::ids::{CaseId, EvidenceId};
use crate::domain::links::{LinkDetail, LinkReason, Suggestion};
use crate::domain::{CaseStatus, Platform};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_contacts)]
pub struct NewCaseContact<'a> {
    pub case_id: CaseId,
    pub kind: ContactKind,
    pub contact_key: &'a str,
    pub shown: &'a str,
    pub evidence_id: Option<EvidenceId>,
    pub found_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = case_contacts)]
pub struct CaseContactRow {
    pub id: i64,
    pub case_id: CaseId,
    pub kind: ContactKind,
    pub contact_key: String,
    pub shown: String,
    pub evidence_id: Option<EvidenceId>,
    pub found_at: NaiveDateTime,
}

/// Replaces the contacts found in one text of a case (`evidence_id` None: its description) with
/// `rows`, which must all be of that case and text.
pub fn replace_for_text(
    conn: &mut DbConnection,
    case_id: CaseId,
    evidence_id: Option<EvidenceId>,
    rows: &[NewCaseContact<'_>],
) -> QueryResult<()> {
    let of_case = case_contacts::table.filter(case_contacts::case_id.eq(case_id));
    match evidence_id {
        None => diesel::delete(of_case.filter(case_contacts::evidence_id.is_null())).execute(conn),
        Some(e) => diesel::delete(of_case.filter(case_contacts::evidence_id.eq(e))).execute(conn),
    }?;
    for row in rows {
        diesel::insert_into(case_contacts::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Inserts contact rows, of any cases, a thousand a statement: for bulk loads (the demo data).
pub fn insert_all(conn: &mut DbConnection, rows: &[NewCaseContact<'_>]) -> QueryResult<()> {
    // PostgreSQL: one binary COPY, every column given.
    #[derive(Insertable)]
    #[diesel(table_name = case_contacts, treat_none_as_default_value = false)]
    struct Copied<'a> {
        case_id: CaseId,
        kind: ContactKind,
        contact_key: &'a str,
        shown: &'a str,
        evidence_id: Option<EvidenceId>,
        found_at: NaiveDateTime,
    }
    if let DbConnection::Postgres(c) = conn {
        if !rows.is_empty() {
            let copied: Vec<Copied<'_>> = rows
                .iter()
                .map(|r| Copied {
                    case_id: r.case_id,
                    kind: r.kind,
                    contact_key: r.contact_key,
                    shown: r.shown,
                    evidence_id: r.evidence_id,
                    found_at: r.found_at,
                })
                .collect();
            diesel::copy_from(case_contacts::table)
                .from_insertable(copied)
                .execute(c)?;
        }
        return Ok(());
    }
    for chunk in rows.chunks(1000) {
        // Each backend's own connection: diesel's multi-backend connection has no multi-row insert.
        let insert = diesel::insert_into(case_contacts::table).values(chunk);
        match conn {
            DbConnection::Sqlite(c) => insert.execute(c),
            DbConnection::Postgres(c) => insert.execute(c),
        }?;
    }
    Ok(())
}

/// Every contact found on a case, in the order found.
pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<CaseContactRow>> {
    case_contacts::table
        .filter(case_contacts::case_id.eq(case_id))
        .order(case_contacts::id.asc())
        .select(CaseContactRow::as_select())
        .load(conn)
}

diesel::alias!(case_contacts as theirs: TheirContacts);

/// Other cases that name one of this case's contacts: one suggestion per (case, contact),
/// newest cases first, at most `limit`. Each of this case's contacts is looked up through the
/// (kind, contact_key) index, so the cost grows with the cases sharing a contact, not with the
/// table. Unconfirmed reports are left out (they may not be anyone's).
///
/// Strength: `ContactKind::strength` (payment account 95, WeChat 90, mobile and QQ 85, QQ group
/// 80, 400/800 number 70, landline 65, 淘口令 60, short link 50), less `SAME_SHOP_PENALTY` when
/// both reports are about the same shop on the same platform: a shop's own contacts are expected
/// in every report about it, and the merchant link says so already.
pub fn shared_contacts(
    conn: &mut DbConnection,
    case_id: CaseId,
    limit: i64,
) -> QueryResult<Vec<Suggestion>> {
    let Some((my_platform, my_shop)) = cases::table
        .find(case_id)
        .select((cases::platform, cases::shop_key))
        .first::<(Platform, String)>(conn)
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let other_case = theirs.field(case_contacts::case_id);
    let rows: Vec<(CaseId, ContactKind, String, Platform, String)> = case_contacts::table
        .inner_join(
            theirs.on(theirs
                .field(case_contacts::kind)
                .eq(case_contacts::kind)
                .and(
                    theirs
                        .field(case_contacts::contact_key)
                        .eq(case_contacts::contact_key),
                )),
        )
        .inner_join(cases::table.on(cases::id.eq(other_case)))
        .filter(case_contacts::case_id.eq(case_id))
        .filter(other_case.ne(case_id))
        .filter(cases::status.ne(CaseStatus::Unconfirmed))
        .select((
            other_case,
            case_contacts::kind,
            case_contacts::shown,
            cases::platform,
            cases::shop_key,
        ))
        .distinct()
        .order((other_case.desc(), case_contacts::kind, case_contacts::shown))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(other, kind, shown, platform, shop_key)| {
            let same_shop = platform == my_platform && shop_key == my_shop;
            let strength = if same_shop {
                kind.strength().saturating_sub(SAME_SHOP_PENALTY)
            } else {
                kind.strength()
            };
            Suggestion {
                other,
                reason: LinkReason::SameContact,
                strength,
                detail: LinkDetail::Contact { kind, shown },
            }
        })
        .collect())
}
