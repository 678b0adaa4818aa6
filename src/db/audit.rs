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

/// Appends one entry after the case's last. Runs inside the transaction of the change it
/// records.
pub fn append(conn: &mut DbConnection, entry: &NewAuditEntry<'_>) -> QueryResult<()> {
    let last: Option<(i32, String)> = audit_events::table
        .filter(audit_events::case_id.eq(entry.case_id))
        .order(audit_events::seq.desc())
        .select((audit_events::seq, audit_events::hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    diesel::insert_into(audit_events::table)
        .values(&ChainedEntry::after(prev_hash, seq, entry))
        .execute(conn)?;
    Ok(())
}

pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<AuditRow>> {
    super::on_backend!(conn, c => audit_events::table
        .filter(audit_events::case_id.eq(case_id))
        .order(audit_events::seq.asc())
        .select(AuditRow::as_select()).load(c))
}

pub fn verify(rows: &[AuditRow]) -> Result<(), ChainBreak> {
    verify_chain(
        rows.iter()
            .map(|r| (r.content(), r.prev_hash.as_str(), r.hash.as_str())),
    )
}

/// An entry not yet tied to a case, owning its detail: what the workflow's entry builders
/// (`workflow::status_entry`, `workflow::review::note_entry`, …) give, for `append` (through
/// [`NewEntry::of_case`]) or, a whole trail at once, for `chain_new_trail`.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor: Actor,
    pub action: AuditAction,
    pub detail: serde_json::Value,
    pub visibility: Visibility,
    pub at: NaiveDateTime,
}

impl NewEntry {
    /// This entry, for case `case_id`.
    pub fn of_case(&self, case_id: CaseId) -> NewAuditEntry<'_> {
        NewAuditEntry {
            case_id,
            actor: self.actor,
            action: self.action,
            detail: &self.detail,
            visibility: self.visibility,
            at: self.at,
        }
    }
}

/// An entry with its place in the chain, ready to insert: the one row `append` and
/// `chain_new_trail` both write.
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

impl ChainedEntry {
    /// `entry` as entry `seq` of its case, after the entry whose hash is `prev_hash`.
    fn after(prev_hash: String, seq: i32, entry: &NewAuditEntry<'_>) -> Self {
        let detail = entry.detail.to_string();
        let visible_to_reporter = entry.visibility.to_reporter();
        let hash = entry_hash(
            &prev_hash,
            &AuditContent {
                case_id: entry.case_id,
                seq,
                at: entry.at,
                actor_kind: entry.actor.kind().as_str(),
                actor_id: entry.actor.id(),
                action: entry.action.as_str(),
                detail: &detail,
                visible_to_reporter,
            },
        );
        ChainedEntry {
            case_id: entry.case_id,
            seq,
            at: entry.at,
            actor_kind: entry.actor.kind(),
            actor_id: entry.actor.id(),
            action: entry.action,
            detail,
            visible_to_reporter,
            prev_hash,
            hash,
        }
    }
}

/// Chains the whole trail of a case that has none yet, from the genesis hash, exactly as
/// `append` would entry by entry: for writing cases with their history at once (the demo data of
/// `reviewwatch seed-demo`), whose entries `insert_chained` then writes in bulk.
pub fn chain_new_trail(case_id: CaseId, entries: &[NewEntry]) -> Vec<ChainedEntry> {
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut out = Vec::with_capacity(entries.len());
    for (seq, e) in (1..).zip(entries) {
        let row = ChainedEntry::after(prev_hash, seq, &e.of_case(case_id));
        prev_hash = row.hash.clone();
        out.push(row);
    }
    out
}

/// An entry as PostgreSQL's binary `COPY` takes it: every column given (`COPY` has no default
/// values for diesel to leave out).
#[derive(Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
struct CopiedEntry<'a> {
    case_id: CaseId,
    seq: i32,
    at: NaiveDateTime,
    actor_kind: ActorKind,
    actor_id: Option<i64>,
    action: AuditAction,
    detail: &'a str,
    visible_to_reporter: bool,
    prev_hash: &'a str,
    hash: &'a str,
}

/// Inserts chained entries, of any cases (bulk loads): one binary `COPY` on PostgreSQL, a
/// thousand rows a statement on SQLite.
pub fn insert_chained(conn: &mut DbConnection, rows: &[ChainedEntry]) -> QueryResult<()> {
    if let DbConnection::Postgres(c) = conn {
        if !rows.is_empty() {
            let copied: Vec<CopiedEntry<'_>> = rows
                .iter()
                .map(|r| CopiedEntry {
                    case_id: r.case_id,
                    seq: r.seq,
                    at: r.at,
                    actor_kind: r.actor_kind,
                    actor_id: r.actor_id,
                    action: r.action,
                    detail: &r.detail,
                    visible_to_reporter: r.visible_to_reporter,
                    prev_hash: &r.prev_hash,
                    hash: &r.hash,
                })
                .collect();
            diesel::copy_from(audit_events::table)
                .from_insertable(copied)
                .execute(c)?;
        }
        return Ok(());
    }
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
