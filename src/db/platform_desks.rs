//! The `platform_desks` table: platforms' governance desks and search engines' complaint desks.

use super::DbConnection;
use super::schema::platform_desks;
use crate::domain::Platform;
use crate::domain::ids::PlatformDeskId;
use crate::domain::platform_desk::DeskKind;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = platform_desks)]
pub struct DeskRow {
    pub id: PlatformDeskId,
    pub kind: DeskKind,
    pub platform: Option<Platform>,
    pub domain: Option<String>,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// A desk's fields as the directory writes them (NULLs written as NULL).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = platform_desks, treat_none_as_null = true)]
pub struct DeskFields<'a> {
    pub kind: DeskKind,
    pub platform: Option<Platform>,
    pub domain: Option<&'a str>,
    pub name: &'a str,
    pub email: &'a str,
    pub active: bool,
}

pub fn insert(
    conn: &mut DbConnection,
    fields: &DeskFields<'_>,
    at: NaiveDateTime,
) -> QueryResult<PlatformDeskId> {
    diesel::insert_into(platform_desks::table)
        .values((fields, platform_desks::created_at.eq(at)))
        .returning(platform_desks::id)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: PlatformDeskId,
    fields: &DeskFields<'_>,
) -> QueryResult<usize> {
    diesel::update(platform_desks::table.find(id))
        .set(fields)
        .execute(conn)
}

/// Every desk: platforms' first, then search engines', by name.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<DeskRow>> {
    platform_desks::table
        .order((
            platform_desks::kind.asc(),
            platform_desks::platform.asc(),
            platform_desks::name.asc(),
        ))
        .select(DeskRow::as_select())
        .load(conn)
}

/// The active desk for a case on `platform` (for "other", the one for the shop's `domain`).
pub fn for_platform(
    conn: &mut DbConnection,
    platform: Platform,
    domain: Option<&str>,
) -> QueryResult<Option<DeskRow>> {
    let mut q = platform_desks::table
        .filter(platform_desks::kind.eq(DeskKind::Platform))
        .filter(platform_desks::platform.eq(platform))
        .filter(platform_desks::active.eq(true))
        .into_boxed();
    if platform == Platform::Other {
        q = q.filter(platform_desks::domain.eq(domain.unwrap_or_default().to_string()));
    }
    q.order(platform_desks::id.asc())
        .select(DeskRow::as_select())
        .first(conn)
        .optional()
}

pub fn get(conn: &mut DbConnection, id: PlatformDeskId) -> QueryResult<DeskRow> {
    platform_desks::table
        .find(id)
        .select(DeskRow::as_select())
        .first(conn)
}

/// The active desk for a shop on `domain` (or a parent domain of it) when its platform is
/// "other": a platform's desk by domain first, else a search engine's.
pub fn for_domain(conn: &mut DbConnection, domain: &str) -> QueryResult<Option<DeskRow>> {
    // "m.shop.example" is covered by a desk for "shop.example".
    let labels: Vec<&str> = domain.split('.').collect();
    let candidates: Vec<String> = (0..labels.len().saturating_sub(1))
        .map(|i| labels[i..].join("."))
        .collect();
    let desks: Vec<DeskRow> = platform_desks::table
        .filter(platform_desks::active.eq(true))
        .filter(platform_desks::domain.eq_any(&candidates))
        .filter(
            platform_desks::kind
                .eq(DeskKind::SearchEngine)
                .or(platform_desks::platform.eq(Platform::Other)),
        )
        .order(platform_desks::id.asc())
        .select(DeskRow::as_select())
        .load(conn)?;
    // The most specific domain first; a platform's desk before a search engine's.
    Ok(candidates.iter().find_map(|c| {
        let on = desks
            .iter()
            .filter(|d| d.domain.as_deref() == Some(c.as_str()));
        on.clone()
            .find(|d| d.kind == DeskKind::Platform)
            .or_else(|| on.clone().next())
            .cloned()
    }))
}
