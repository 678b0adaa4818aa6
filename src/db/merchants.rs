//! Merchants: the canonical identity each case's shop reads as (`cases.merchant_key`), and the
//! cases against one.

use super::DbConnection;
use super::cases::CaseRow;
use super::schema::cases;
use crate::domain::ids::{CaseId, OfficerId};
use crate::domain::links::{LinkDetail, LinkReason, Suggestion};
use crate::domain::merchant::{self, IdentityKind, MerchantIdentity};
use crate::domain::{CaseStatus, Category, Platform};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A case's merchant: as stored, or read from its shop for a case filed before merchants were
/// kept.
pub fn identity_of(case: &CaseRow) -> MerchantIdentity {
    case.merchant_key
        .as_deref()
        .and_then(MerchantIdentity::parse_key)
        .unwrap_or_else(|| merchant::identify(case.platform, &case.shop_ref, &case.shop_name))
}

/// How strongly the same merchant links two reports: a shop id or profile names one shop; an
/// item id one product (the same seller, or a reseller); a short link or a typed name less.
fn strength(kind: IdentityKind) -> u8 {
    match kind {
        IdentityKind::ShopId | IdentityKind::Profile => 95,
        IdentityKind::ItemId => 85,
        IdentityKind::ShortLink => 80,
        IdentityKind::ShopName => 70,
    }
}

/// Other cases about the same merchant, newest first (through `cases_merchant`).
pub fn same_merchant(
    conn: &mut DbConnection,
    case: &CaseRow,
    limit: i64,
) -> QueryResult<Vec<Suggestion>> {
    let identity = identity_of(case);
    let others: Vec<CaseId> = cases::table
        .filter(cases::merchant_key.eq(identity.key_string()))
        .filter(cases::id.ne(case.id))
        .order(cases::created_at.desc())
        .limit(limit)
        .select(cases::id)
        .load(conn)?;
    let strength = strength(identity.kind);
    Ok(others
        .into_iter()
        .map(|other| Suggestion {
            other,
            reason: LinkReason::SameMerchant,
            strength,
            detail: LinkDetail::Merchant {
                identity: identity.clone(),
            },
        })
        .collect())
}

/// A case against a merchant, as its page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct MerchantCase {
    pub case_number: String,
    pub status: CaseStatus,
    pub category: Category,
    pub platform: Platform,
    pub shop_name: String,
    pub shop_ref: String,
    pub created_at: NaiveDateTime,
    pub assigned_officer_id: Option<OfficerId>,
}

/// The cases against `key` (a `key_string()`), newest first, reports still unconfirmed left out.
pub fn cases_of(conn: &mut DbConnection, key: &str, limit: i64) -> QueryResult<Vec<MerchantCase>> {
    cases::table
        .filter(cases::merchant_key.eq(key))
        .filter(cases::status.ne(CaseStatus::Unconfirmed))
        .order(cases::created_at.desc())
        .limit(limit)
        .select((
            cases::case_number,
            cases::status,
            cases::category,
            cases::platform,
            cases::shop_name,
            cases::shop_ref,
            cases::created_at,
            cases::assigned_officer_id,
        ))
        .load(conn)
}

/// How many cases against `key` have each status and each category, and when each was filed:
/// the merchant page's counts, exact however many cases there are.
pub struct MerchantCounts {
    pub by_status: Vec<(CaseStatus, i64)>,
    pub by_category: Vec<(Category, i64)>,
    pub filed_at: Vec<NaiveDateTime>,
}

pub fn counts_of(conn: &mut DbConnection, key: &str) -> QueryResult<MerchantCounts> {
    use diesel::dsl::count_star;
    let of_key = || {
        cases::table
            .filter(cases::merchant_key.eq(key))
            .filter(cases::status.ne(CaseStatus::Unconfirmed))
    };
    let by_status = of_key()
        .group_by(cases::status)
        .select((cases::status, count_star()))
        .load(conn)?;
    let by_category = of_key()
        .group_by(cases::category)
        .select((cases::category, count_star()))
        .load(conn)?;
    let filed_at = of_key().select(cases::created_at).load(conn)?;
    Ok(MerchantCounts {
        by_status,
        by_category,
        filed_at,
    })
}

/// Cases filed before merchants were kept, for the chains job to read (oldest first).
pub fn without_key(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<CaseRow>> {
    cases::table
        .filter(cases::merchant_key.is_null())
        .order(cases::id.asc())
        .limit(limit)
        .select(CaseRow::as_select())
        .load(conn)
}

pub fn set_key(conn: &mut DbConnection, case_id: CaseId, key: &str) -> QueryResult<()> {
    diesel::update(cases::table.find(case_id))
        .set(cases::merchant_key.eq(key))
        .execute(conn)?;
    Ok(())
}
