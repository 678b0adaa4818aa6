//! The officers' dashboard's reads: one function per section, each counted in SQL.
//!
//! A report counts from the moment it entered the queue — `submitted_at` is set (a report
//! without an email is submitted when filed, one with an email when its link is opened) — and
//! on the China day it was filed (`created_at`). Unconfirmed reports, and those withdrawn before
//! their link was opened, are not counted. Every read but the status counts is bounded by a
//! `created_at` range, which `cases_created (created_at, id)` finds; contacts are then reached
//! through `case_contacts_once (case_id, …)`, campaigns through their primary key.

use super::schema::{campaigns, case_contacts, cases};
use super::{DbConnection, MultiBackend, queue};
use crate::domain::CaseStatus;
use crate::domain::contact::ContactKind;
use crate::domain::dashboard::{self, Chain, Growth, Period, Windows};
use crate::domain::ids::CampaignId;
use crate::domain::merchant::MerchantIdentity;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count, count_star, max};
use diesel::prelude::*;
use std::collections::HashMap;

/// The most chains of one kind the growth comparison reads (the busiest last week): far more
/// than a dashboard lists, and a bound on a week of reports about thousands of shops.
const GROWTH_CANDIDATES: i64 = 500;

/// Reports that entered the queue, filed from `from` until `until` (UTC).
#[diesel::dsl::auto_type(no_type_alias)]
fn filed_in(from: NaiveDateTime, until: NaiveDateTime) -> _ {
    cases::created_at
        .ge(from)
        .and(cases::created_at.lt(until))
        .and(cases::submitted_at.is_not_null())
}

/// `#dash-status`: cases in each status, and how many are overdue today.
pub struct StatusCounts {
    pub by_status: Vec<(CaseStatus, i64)>,
    pub overdue: i64,
}

/// Every status's count (the queue sidebar's) and the overdue count (the queue's own rule).
pub fn status_counts(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<StatusCounts> {
    Ok(StatusCounts {
        by_status: queue::status_counts(conn)?,
        overdue: queue::overdue_count(conn, today)?,
    })
}

/// `#dash-daily`: reports filed on each of `days` (China days), in that order.
///
/// One count per day, each an index range: a China day has no expression both backends'
/// SQL share, and thirty small counts beat reading a month of rows to bucket them here.
pub fn daily(conn: &mut DbConnection, days: &[NaiveDate]) -> QueryResult<Vec<(NaiveDate, i64)>> {
    days.iter()
        .map(|&day| {
            let p = Period::china_days(day, day);
            let n = cases::table
                .filter(filed_in(p.from, p.until))
                .count()
                .get_result(conn)?;
            Ok((day, n))
        })
        .collect()
}

/// A merchant and its reports in a period.
#[derive(Debug, Clone)]
pub struct MerchantCount {
    pub identity: MerchantIdentity,
    /// The shop name its latest report gave.
    pub shop_name: String,
    pub reports: i64,
}

/// Reports per merchant key in `p`, the most first; only keys with at least `min`, only `keys`
/// when given.
fn merchant_counts(
    conn: &mut DbConnection,
    p: Period,
    min: i64,
    keys: Option<&[String]>,
    limit: i64,
) -> QueryResult<Vec<(String, i64)>> {
    // Grouped and selected before boxing: diesel boxes only a selection valid for its grouping.
    let mut q = cases::table
        .filter(filed_in(p.from, p.until))
        .filter(cases::merchant_key.is_not_null())
        .group_by(cases::merchant_key)
        .select((cases::merchant_key, count_star()))
        .into_boxed::<MultiBackend>();
    if let Some(keys) = keys {
        q = q.filter(cases::merchant_key.eq_any(keys.to_vec()));
    }
    let rows: Vec<(Option<String>, i64)> = q
        .having(count_star().ge(min))
        .order((count_star().desc(), cases::merchant_key.asc()))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(k, n)| Some((k?, n)))
        .collect())
}

/// The shop name the latest report about `key` gave (through `cases_merchant`).
fn latest_shop_name(conn: &mut DbConnection, key: &str) -> QueryResult<String> {
    cases::table
        .filter(cases::merchant_key.eq(key))
        .filter(cases::submitted_at.is_not_null())
        .order(cases::created_at.desc())
        .select(cases::shop_name)
        .first(conn)
}

fn with_names(
    conn: &mut DbConnection,
    counts: Vec<(String, i64)>,
) -> QueryResult<Vec<MerchantCount>> {
    let mut out = Vec::with_capacity(counts.len());
    for (key, reports) in counts {
        // A key this version cannot read (written by a later one) is left out, not guessed at.
        let Some(identity) = MerchantIdentity::parse_key(&key) else {
            continue;
        };
        out.push(MerchantCount {
            shop_name: latest_shop_name(conn, &key)?,
            identity,
            reports,
        });
    }
    Ok(out)
}

/// `#dash-merchants`: the `limit` merchants with the most reports filed in `p`.
pub fn top_merchants(
    conn: &mut DbConnection,
    p: Period,
    limit: i64,
) -> QueryResult<Vec<MerchantCount>> {
    let counts = merchant_counts(conn, p, 1, None, limit)?;
    with_names(conn, counts)
}

/// A contact and the cases filed in a period that name it.
#[derive(Debug, Clone)]
pub struct ContactCount {
    pub kind: ContactKind,
    /// As officers see it (payment accounts masked), as `#related-cases` shows it.
    pub shown: String,
    pub cases: i64,
}

/// Distinct cases per contact in `p`, the most first; only contacts with at least `min`, only
/// contacts whose key is one of `keys` when given.
fn contact_counts(
    conn: &mut DbConnection,
    p: Period,
    min: i64,
    keys: Option<&[String]>,
    limit: i64,
) -> QueryResult<Vec<(ContactKind, String, ContactCount)>> {
    let cases_naming = || count(case_contacts::case_id).aggregate_distinct();
    let mut q = case_contacts::table
        .inner_join(cases::table)
        .filter(filed_in(p.from, p.until))
        .group_by((case_contacts::kind, case_contacts::contact_key))
        .select((
            case_contacts::kind,
            case_contacts::contact_key,
            max(case_contacts::shown),
            cases_naming(),
        ))
        .into_boxed::<MultiBackend>();
    if let Some(keys) = keys {
        q = q.filter(case_contacts::contact_key.eq_any(keys.to_vec()));
    }
    let rows: Vec<(ContactKind, String, Option<String>, i64)> = q
        .having(cases_naming().ge(min))
        .order((
            cases_naming().desc(),
            case_contacts::kind.asc(),
            case_contacts::contact_key.asc(),
        ))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(kind, key, shown, cases)| {
            let shown = shown.unwrap_or_default();
            (kind, key, ContactCount { kind, shown, cases })
        })
        .collect())
}

/// `#dash-contacts`: the `limit` contacts named by the most cases filed in `p`, each named by
/// at least two (one case naming a contact links nothing).
pub fn top_contacts(
    conn: &mut DbConnection,
    p: Period,
    limit: i64,
) -> QueryResult<Vec<ContactCount>> {
    Ok(contact_counts(conn, p, 2, None, limit)?
        .into_iter()
        .map(|(_, _, c)| c)
        .collect())
}

/// A campaign and its member cases filed in a period.
#[derive(Debug, Clone)]
pub struct CampaignCount {
    pub id: CampaignId,
    pub name: String,
    pub cases: i64,
}

fn campaign_counts(
    conn: &mut DbConnection,
    p: Period,
    min: i64,
    ids: Option<&[CampaignId]>,
    limit: i64,
) -> QueryResult<Vec<CampaignCount>> {
    let mut q = cases::table
        .inner_join(campaigns::table)
        .filter(filed_in(p.from, p.until))
        .group_by((campaigns::id, campaigns::name))
        .select((campaigns::id, campaigns::name, count_star()))
        .into_boxed::<MultiBackend>();
    if let Some(ids) = ids {
        q = q.filter(campaigns::id.eq_any(ids.to_vec()));
    }
    let rows: Vec<(CampaignId, String, i64)> = q
        .having(count_star().ge(min))
        .order((count_star().desc(), campaigns::id.asc()))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, cases)| CampaignCount { id, name, cases })
        .collect())
}

/// `#dash-campaigns`: the `limit` campaigns with the most member cases filed in `p`.
pub fn top_campaigns(
    conn: &mut DbConnection,
    p: Period,
    limit: i64,
) -> QueryResult<Vec<CampaignCount>> {
    campaign_counts(conn, p, 1, None, limit)
}

/// `#dash-growing`: the `limit` fastest-growing merchants, contacts and campaigns
/// (`dashboard::fastest_growing`). Each kind is read twice: the chains with enough reports last
/// week, then those same chains' reports the week before.
pub fn growing(conn: &mut DbConnection, w: &Windows, limit: usize) -> QueryResult<Vec<Growth>> {
    let (last, before) = (w.last_week(), w.week_before());
    let min = dashboard::MIN_LAST_WEEK;
    let mut all = Vec::new();

    let merchants = merchant_counts(conn, last, min, None, GROWTH_CANDIDATES)?;
    let keys: Vec<String> = merchants.iter().map(|(k, _)| k.clone()).collect();
    let earlier: HashMap<String, i64> = merchant_counts(conn, before, 1, Some(&keys), i64::MAX)?
        .into_iter()
        .collect();
    for (key, reports) in merchants {
        let Some(identity) = MerchantIdentity::parse_key(&key) else {
            continue;
        };
        all.push(Growth {
            week_before: earlier.get(&key).copied().unwrap_or(0),
            last_week: reports,
            // Named below, once ranked: only the listed merchants need a name.
            chain: Chain::Merchant {
                identity,
                shop_name: String::new(),
            },
        });
    }

    let contacts = contact_counts(conn, last, min, None, GROWTH_CANDIDATES)?;
    let keys: Vec<String> = contacts.iter().map(|(_, k, _)| k.clone()).collect();
    let earlier: HashMap<(ContactKind, String), i64> =
        contact_counts(conn, before, 1, Some(&keys), i64::MAX)?
            .into_iter()
            .map(|(kind, key, c)| ((kind, key), c.cases))
            .collect();
    for (kind, key, c) in contacts {
        all.push(Growth {
            week_before: earlier.get(&(kind, key)).copied().unwrap_or(0),
            last_week: c.cases,
            chain: Chain::Contact {
                kind: c.kind,
                shown: c.shown,
            },
        });
    }

    let campaigns = campaign_counts(conn, last, min, None, GROWTH_CANDIDATES)?;
    let ids: Vec<CampaignId> = campaigns.iter().map(|c| c.id).collect();
    let earlier: HashMap<CampaignId, i64> = campaign_counts(conn, before, 1, Some(&ids), i64::MAX)?
        .into_iter()
        .map(|c| (c.id, c.cases))
        .collect();
    for c in campaigns {
        all.push(Growth {
            week_before: earlier.get(&c.id).copied().unwrap_or(0),
            last_week: c.cases,
            chain: Chain::Campaign {
                id: c.id,
                name: c.name,
            },
        });
    }
    let mut ranked = dashboard::fastest_growing(all, limit);
    for g in &mut ranked {
        if let Chain::Merchant {
            identity,
            shop_name,
        } = &mut g.chain
        {
            *shop_name = latest_shop_name(conn, &identity.key_string())?;
        }
    }
    Ok(ranked)
}
