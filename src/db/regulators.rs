//! The regulator directory and the platforms' domiciles.

use super::DbConnection;
use super::schema::{platform_domiciles, regulators};
use crate::domain::Platform;
use crate::domain::ids::RegulatorId;
use crate::domain::regulator::RegulatorKind;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = regulators)]
pub struct RegulatorRow {
    pub id: RegulatorId,
    pub name: String,
    pub kind: RegulatorKind,
    pub region_code: Option<String>,
    pub email: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = regulators)]
pub struct RegulatorFields<'a> {
    pub name: &'a str,
    pub kind: RegulatorKind,
    pub region_code: Option<&'a str>,
    pub email: &'a str,
    pub active: bool,
}

pub fn insert(
    conn: &mut DbConnection,
    fields: &RegulatorFields<'_>,
    at: NaiveDateTime,
) -> QueryResult<RegulatorId> {
    diesel::insert_into(regulators::table)
        .values((fields, regulators::created_at.eq(at)))
        .returning(regulators::id)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: RegulatorId,
    fields: &RegulatorFields<'_>,
) -> QueryResult<usize> {
    // `AsChangeset` skips `None`: a nationwide regulator must write NULL explicitly.
    let n = diesel::update(regulators::table.find(id))
        .set(fields)
        .execute(conn)?;
    if fields.region_code.is_none() {
        diesel::update(regulators::table.find(id))
            .set(regulators::region_code.eq(None::<String>))
            .execute(conn)?;
    }
    Ok(n)
}

pub fn get(conn: &mut DbConnection, id: RegulatorId) -> QueryResult<RegulatorRow> {
    regulators::table
        .find(id)
        .select(RegulatorRow::as_select())
        .first(conn)
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<RegulatorRow>> {
    regulators::table
        .order((
            regulators::region_code.asc(),
            regulators::kind.asc(),
            regulators::name.asc(),
        ))
        .select(RegulatorRow::as_select())
        .load(conn)
}

/// Active regulators whose region is one of `codes` or nationwide (NULL).
pub fn covering(conn: &mut DbConnection, codes: &[String]) -> QueryResult<Vec<RegulatorRow>> {
    regulators::table
        .filter(regulators::active.eq(true))
        .filter(
            regulators::region_code
                .eq_any(codes)
                .or(regulators::region_code.is_null()),
        )
        .select(RegulatorRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = platform_domiciles)]
pub struct DomicileRow {
    pub platform: Platform,
    pub operator_name: String,
    pub region_code: String,
}

pub fn domicile(conn: &mut DbConnection, platform: Platform) -> QueryResult<Option<DomicileRow>> {
    platform_domiciles::table
        .find(platform)
        .select(DomicileRow::as_select())
        .first(conn)
        .optional()
}

pub fn domiciles(conn: &mut DbConnection) -> QueryResult<Vec<DomicileRow>> {
    platform_domiciles::table
        .order(platform_domiciles::platform.asc())
        .select(DomicileRow::as_select())
        .load(conn)
}

pub fn set_domicile(
    conn: &mut DbConnection,
    platform: Platform,
    operator_name: &str,
    region_code: &str,
) -> QueryResult<()> {
    let n = diesel::update(platform_domiciles::table.find(platform))
        .set((
            platform_domiciles::operator_name.eq(operator_name),
            platform_domiciles::region_code.eq(region_code),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(platform_domiciles::table)
            .values((
                platform_domiciles::platform.eq(platform),
                platform_domiciles::operator_name.eq(operator_name),
                platform_domiciles::region_code.eq(region_code),
            ))
            .execute(conn)?;
    }
    Ok(())
}
