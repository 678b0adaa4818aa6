//! The `rate_limit_buckets` table: the per-address limits, one row per action and address,
//! spent by one statement that every instance runs against the same row.

use super::DbConnection;
use super::schema::rate_limit_buckets;
use crate::domain::rate_limit::{HourlyQuota, LimitedAction};
use diesel::prelude::*;

/// Takes one request from `address`'s quota for `action` at `now_ms`, if it has one left: one
/// upsert (INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING), atomic on both backends, so
/// that requests to several instances at once are each counted. `false`: over the quota, and
/// nothing written.
pub fn take(
    conn: &mut DbConnection,
    action: LimitedAction,
    address: &str,
    quota: HourlyQuota,
    now_ms: i64,
) -> QueryResult<bool> {
    use diesel::dsl::case_when;
    use rate_limit_buckets::dsl as b;
    let interval = quota.interval_ms();
    use diesel::query_dsl::methods::FilterDsl;
    let taken: Option<i64> = super::on_backend!(conn, c => FilterDsl::filter(
        diesel::insert_into(b::rate_limit_buckets)
            .values((
                b::action.eq(action),
                b::address.eq(address),
                b::tat_ms.eq(now_ms + interval),
            ))
            .on_conflict((b::action, b::address))
            .do_update()
            .set(
                b::tat_ms.eq(case_when(b::tat_ms.gt(now_ms), b::tat_ms + interval)
                    .otherwise(now_ms + interval)),
            ),
        b::tat_ms.le(quota.passes_until_ms(now_ms)),
    )
    .returning(b::tat_ms)
    .get_result(c)
    .optional())?;
    Ok(taken.is_some())
}

/// When what `address` took for `action` is regained, if it has taken anything (for the wait
/// after a refusal).
pub fn tat_ms(
    conn: &mut DbConnection,
    action: LimitedAction,
    address: &str,
) -> QueryResult<Option<i64>> {
    rate_limit_buckets::table
        .filter(rate_limit_buckets::action.eq(action))
        .filter(rate_limit_buckets::address.eq(address))
        .select(rate_limit_buckets::tat_ms)
        .first(conn)
        .optional()
}

/// Deletes up to `batch` rows that say nothing any more (everything regained before
/// `before_ms`): short statements, so that a flood of addresses never makes a long write. A row
/// spent again between the read and the delete is kept.
pub fn purge_regained(conn: &mut DbConnection, before_ms: i64, batch: i64) -> QueryResult<usize> {
    use rate_limit_buckets::dsl as b;
    let ids: Vec<i64> = b::rate_limit_buckets
        .filter(b::tat_ms.lt(before_ms))
        .select(b::id)
        .limit(batch)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(
        b::rate_limit_buckets
            .filter(b::id.eq_any(&ids))
            .filter(b::tat_ms.lt(before_ms)),
    )
    .execute(conn)?;
    Ok(ids.len())
}
