//! The `audit_events` table: the append-only, hash-chained trail of each case.

use super::DbConnection;
use super::schema::audit_events;
use crate::domain::audit::{
    Actor, ActorKind, AuditAction, AuditContent, ChainBreak, GENESIS_HASH, Visibility, entry_hash,
    verify_chain,
};
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: i64,
    pub case_id: CaseId,
    pub seq: i32,
    pub at: NaiveDateTime,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub action: AuditAction,
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
            actor_kind: self.actor_kind.as_str(),
            actor_id: self.actor_id,
            action: self.action.as_str(),
            detail: &self.detail,
            visible_to_reporter: self.visible_to_reporter,
        }
    }

    /// The detail as JSON (an empty object when it does not parse).
    pub fn detail_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.detail).unwrap_or_else(|_| serde_json::json!({}))
    }
}

/// One entry to append: what happened to which case, by whom, when, and who may read it.
pub struct NewAuditEntry<'a> {
    pub case_id: CaseId,
    pub actor: Actor,
    pub action: AuditAction,
    /// Ids and facts, never personal text (messages and contacts are referred to by id).
    pub detail: &'a serde_json::Value,
    pub visibility: Visibility,
    pub at: NaiveDateTime,
}

/// Appends one entry. Runs inside the transaction of the change it records.
pub fn append(conn: &mut DbConnection, entry: &NewAuditEntry<'_>) -> QueryResult<()> {
    let NewAuditEntry {
        case_id,
        actor,
        action,
        detail,
        visibility,
        at,
    } = *entry;
    let visible_to_reporter = visibility.to_reporter();
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
        actor_kind: actor.kind().as_str(),
        actor_id: actor.id(),
        action: action.as_str(),
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

pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<AuditRow>> {
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

/// An entry of a trail written whole, for `chain_new_trail`.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor: Actor,
    pub action: AuditAction,
    pub detail: serde_json::Value,
    pub visible_to_reporter: bool,
    pub at: NaiveDateTime,
}

/// An entry with its place in the chain, ready to insert.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_null = true)]
pub struct ChainedEntry {
    pub case_id: CaseId,
    pub seq: i32,
    pub at: NaiveDateTime,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub action: AuditAction,
    pub detail: String,
    pub visible_to_reporter: bool,
    pub prev_hash: String,
    pub hash: String,
}

/// Chains the whole trail of a case that has none yet, from the genesis hash, exactly as
/// `append` would entry by entry: for writing cases with their history at once (the demo data of
/// `reviewwatch seed-demo`), whose entries `insert_chained` then writes in bulk.
pub fn chain_new_trail(case_id: CaseId, entries: Vec<NewEntry>) -> Vec<ChainedEntry> {
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut out = Vec::with_capacity(entries.len());
    for (seq, e) in (1..).zip(entries) {
        let detail = e.detail.to_string();
        let hash = entry_hash(
            &prev_hash,
            &AuditContent {
                case_id,
                seq,
                at: e.at,
                actor_kind: e.actor.kind().as_str(),
                actor_id: e.actor.id(),
                action: e.action.as_str(),
                detail: &detail,
                visible_to_reporter: e.visible_to_reporter,
            },
        );
        out.push(ChainedEntry {
            case_id,
            seq,
            at: e.at,
            actor_kind: e.actor.kind(),
            actor_id: e.actor.id(),
            action: e.action,
            detail,
            visible_to_reporter: e.visible_to_reporter,
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
    }
    out
}

/// Inserts chained entries, of any cases, a thousand rows a statement (bulk loads).
pub fn insert_chained(conn: &mut DbConnection, rows: &[ChainedEntry]) -> QueryResult<()> {
    for chunk in rows.chunks(1000) {
        // Each backend's own connection: diesel's multi-backend connection has no multi-row insert.
        let insert = diesel::insert_into(audit_events::table).values(chunk);
        match conn {
            DbConnection::Sqlite(c) => insert.execute(c),
            DbConnection::Postgres(c) => insert.execute(c),
        }?;
    }
    Ok(())
}
