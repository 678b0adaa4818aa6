//! The `audit_events` table: the append-only, hash-chained trail of each case.

use super::DbConnection;
use super::schema::audit_events;
use crate::domain::audit::{
    Actor, AuditContent, ChainBreak, GENESIS_HASH, entry_hash, verify_chain,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: i64,
    pub case_id: i64,
    pub seq: i32,
    pub at: NaiveDateTime,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub detail: String,
    pub visible_to_reporter: bool,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    pub fn content(&self) -> AuditContent<'_> {
        AuditContent {
            case_id: self.case_id,
            seq: self.seq,
            at: self.at,
            actor_kind: &self.actor_kind,
            actor_id: self.actor_id,
            action: &self.action,
            detail: &self.detail,
            visible_to_reporter: self.visible_to_reporter,
        }
    }

    /// The detail as JSON (an empty object when it does not parse).
    pub fn detail_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.detail).unwrap_or_else(|_| serde_json::json!({}))
    }
}

/// Appends one entry. Runs inside the transaction of the change it records.
pub fn append(
    conn: &mut DbConnection,
    case_id: i64,
    actor: Actor,
    action: &str,
    detail: &serde_json::Value,
    visible_to_reporter: bool,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let last: Option<(i32, String)> = audit_events::table
        .filter(audit_events::case_id.eq(case_id))
        .order(audit_events::seq.desc())
        .select((audit_events::seq, audit_events::hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let detail = detail.to_string();
    let content = AuditContent {
        case_id,
        seq,
        at,
        actor_kind: actor.kind(),
        actor_id: actor.id(),
        action,
        detail: &detail,
        visible_to_reporter,
    };
    let hash = entry_hash(&prev_hash, &content);
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::case_id.eq(case_id),
            audit_events::seq.eq(seq),
            audit_events::at.eq(at),
            audit_events::actor_kind.eq(actor.kind()),
            audit_events::actor_id.eq(actor.id()),
            audit_events::action.eq(action),
            audit_events::detail.eq(&detail),
            audit_events::visible_to_reporter.eq(visible_to_reporter),
            audit_events::prev_hash.eq(&prev_hash),
            audit_events::hash.eq(&hash),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn for_case(conn: &mut DbConnection, case_id: i64) -> QueryResult<Vec<AuditRow>> {
    audit_events::table
        .filter(audit_events::case_id.eq(case_id))
        .order(audit_events::seq.asc())
        .select(AuditRow::as_select())
        .load(conn)
}

pub fn verify(rows: &[AuditRow]) -> Result<(), ChainBreak> {
    verify_chain(
        rows.iter()
            .map(|r| (r.content(), r.prev_hash.as_str(), r.hash.as_str())),
    )
}

/// An entry for `append_all`.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor: Actor,
    pub action: &'static str,
    pub detail: serde_json::Value,
    pub visible_to_reporter: bool,
    pub at: NaiveDateTime,
}

/// Appends several entries in order, chained as `append` chains them, with one read for all of
/// them instead of one each: for writing a case with its whole history at once (the demo data of
/// `reviewwatch seed-demo`).
pub fn append_all(conn: &mut DbConnection, case_id: i64, entries: &[NewEntry]) -> QueryResult<()> {
    let last: Option<(i32, String)> = audit_events::table
        .filter(audit_events::case_id.eq(case_id))
        .order(audit_events::seq.desc())
        .select((audit_events::seq, audit_events::hash))
        .first(conn)
        .optional()?;
    let (mut seq, mut prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_string()));
    for e in entries {
        seq += 1;
        let detail = e.detail.to_string();
        let content = AuditContent {
            case_id,
            seq,
            at: e.at,
            actor_kind: e.actor.kind(),
            actor_id: e.actor.id(),
            action: e.action,
            detail: &detail,
            visible_to_reporter: e.visible_to_reporter,
        };
        let hash = entry_hash(&prev_hash, &content);
        diesel::insert_into(audit_events::table)
            .values((
                audit_events::case_id.eq(case_id),
                audit_events::seq.eq(seq),
                audit_events::at.eq(e.at),
                audit_events::actor_kind.eq(e.actor.kind()),
                audit_events::actor_id.eq(e.actor.id()),
                audit_events::action.eq(e.action),
                audit_events::detail.eq(&detail),
                audit_events::visible_to_reporter.eq(e.visible_to_reporter),
                audit_events::prev_hash.eq(&prev_hash),
                audit_events::hash.eq(&hash),
            ))
            .execute(conn)?;
        prev_hash = hash;
    }
    Ok(())
}
