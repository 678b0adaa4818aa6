//! Merchants: the canonical identity each case's shop reads as, and the cases against one.

use super::DbConnection;
use super::cases::CaseRow;
use super::schema::cases;
use crate::domain::CaseStatus;
use crate::domain::ids::CaseId;
use crate::domain::links::{LinkDetail, LinkReason, Suggestion};
use crate::domain::merchant;
use diesel::prelude::*;

/// Other cases about the same merchant.
pub fn same_merchant(
    conn: &mut DbConnection,
    case: &CaseRow,
    limit: i64,
) -> QueryResult<Vec<Suggestion>> {
    let identity = merchant::identify(case.platform, &case.shop_ref, &case.shop_name);
    let others: Vec<CaseId> = cases::table
        .filter(cases::platform.eq(case.platform))
        .filter(cases::id.ne(case.id))
        .filter(cases::status.ne(CaseStatus::Unconfirmed))
        .filter(
            cases::shop_key
                .eq(&case.shop_key)
                .or(cases::shop_name.eq(&case.shop_name)),
        )
        .order(cases::created_at.desc())
        .limit(limit)
        .select(cases::id)
        .load(conn)?;
    Ok(others
        .into_iter()
        .map(|other| Suggestion {
            other,
            reason: LinkReason::SameMerchant,
            strength: 90,
            detail: LinkDetail::Merchant {
                identity: identity.clone(),
            },
        })
        .collect())
}
