//! Bulk loading (the demo data at a million cases): ids and case numbers reserved ahead, so that
//! rows referring to each other (a case, its messages, the audit entries naming them) can be
//! written many to a statement instead of one insert and one read-back per row.

use super::DbConnection;
use super::schema::{
    case_findings, case_messages, case_notes, case_status_counts, case_texts, cases, evidence,
};
use crate::domain::ids::{CaseId, EvidenceId, OfficerId};
use crate::domain::status::ClosedReason;
use crate::domain::{CaseStatus, Category, Lang, Platform};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::max;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// Tables whose ids a bulk load hands out itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serial {
    Cases,
    Messages,
    Notes,
    /// Evidence rows (their screenshots' index rows name them).
    Evidence,
    /// Indexed texts (their band rows name them).
    Texts,
}

impl Serial {
    /// PostgreSQL's sequence behind the table's `BIGSERIAL` id.
    fn sequence(self) -> &'static str {
        match self {
            Serial::Cases => "cases_id_seq",
            Serial::Messages => "case_messages_id_seq",
            Serial::Notes => "case_notes_id_seq",
            Serial::Evidence => "evidence_id_seq",
            Serial::Texts => "case_texts_id_seq",
        }
    }
}

diesel::define_sql_function! {
    /// PostgreSQL: the sequence's next value.
    fn nextval(sequence: Text) -> BigInt;
}
diesel::define_sql_function! {
    /// PostgreSQL: moves the sequence to `value` (the next `nextval` gives `value + 1`).
    fn setval(sequence: Text, value: BigInt) -> BigInt;
}

/// Reserves `n` consecutive ids of `serial`'s table and returns the first. On SQLite the caller
/// must insert them in the same write transaction (the largest id is read); on PostgreSQL the
/// sequence moves past them at once, so concurrent inserts never take one.
pub fn reserve_ids(conn: &mut DbConnection, serial: Serial, n: usize) -> QueryResult<i64> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    match conn {
        DbConnection::Postgres(c) => {
            if n == 0 {
                return Ok(0);
            }
            let seq = serial.sequence();
            let last: i64 = diesel::select(setval(seq, nextval(seq) + (n - 1))).get_result(c)?;
            Ok(last - n + 1)
        }
        DbConnection::Sqlite(c) => {
            let largest: Option<i64> = match serial {
                Serial::Cases => cases::table
                    .select(max(cases::id))
                    .get_result::<Option<CaseId>>(c)?
                    .map(CaseId::get),
                Serial::Messages => case_messages::table
                    .select(max(case_messages::id))
                    .get_result(c)?,
                Serial::Notes => case_notes::table
                    .select(max(case_notes::id))
                    .get_result(c)?,
                Serial::Evidence => evidence::table
                    .select(max(evidence::id))
                    .get_result::<Option<EvidenceId>>(c)?
                    .map(EvidenceId::get),
                Serial::Texts => case_texts::table
                    .select(max(case_texts::id))
                    .get_result(c)?,
            };
            Ok(largest.unwrap_or(0) + 1)
        }
    }
}

/// A case row as a bulk load writes it: with its id and the state its history left.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
pub struct BulkCase {
    pub id: CaseId,
    pub case_number: String,
    pub status: CaseStatus,
    pub platform: Platform,
    pub platform_other: Option<String>,
    pub shop_name: String,
    pub shop_ref: String,
    pub shop_key: String,
    pub region_code: String,
    pub province_code: String,
    pub city_code: Option<String>,
    pub product_url: Option<String>,
    pub order_number: Option<String>,
    pub category: Category,
    pub seen_on: NaiveDate,
    pub description: String,
    pub reporter_email: Option<String>,
    pub language: Lang,
    pub consent_share_contact: bool,
    pub consent_share_platform: bool,
    pub is_complaint: bool,
    pub receipt_hash: String,
    pub reporter_ip: Option<String>,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub last_activity_at: NaiveDateTime,
    pub merchant_key: Option<String>,
    pub version: i32,
    pub assigned_officer_id: Option<OfficerId>,
    pub closed_reason: Option<ClosedReason>,
}

impl BulkCase {
    /// The row `new` describes, with its id and its history's outcome.
    pub fn from_new(
        id: CaseId,
        new: &super::cases::NewCase<'_>,
        version: i32,
        assigned_officer_id: Option<OfficerId>,
        closed_reason: Option<ClosedReason>,
    ) -> Self {
        let owned = |s: Option<&str>| s.map(str::to_string);
        BulkCase {
            id,
            case_number: new.case_number.to_string(),
            status: new.status,
            platform: new.platform,
            platform_other: owned(new.platform_other),
            shop_name: new.shop_name.to_string(),
            shop_ref: new.shop_ref.to_string(),
            shop_key: new.shop_key.to_string(),
            region_code: new.region_code.to_string(),
            province_code: new.province_code.to_string(),
            city_code: owned(new.city_code),
            product_url: owned(new.product_url),
            order_number: owned(new.order_number),
            category: new.category,
            seen_on: new.seen_on,
            description: new.description.to_string(),
            reporter_email: owned(new.reporter_email),
            language: new.language,
            consent_share_contact: new.consent_share_contact,
            consent_share_platform: new.consent_share_platform,
            is_complaint: new.is_complaint,
            receipt_hash: new.receipt_hash.to_string(),
            reporter_ip: owned(new.reporter_ip),
            created_at: new.created_at,
            submitted_at: new.submitted_at,
            last_activity_at: new.last_activity_at,
            merchant_key: owned(new.merchant_key),
            version,
            assigned_officer_id,
            closed_reason,
        }
    }
}

/// A message between an officer and the reporter, with its id.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_messages, treat_none_as_default_value = false)]
pub struct BulkMessage {
    pub id: i64,
    pub case_id: CaseId,
    pub from_reporter: bool,
    pub officer_id: Option<OfficerId>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// An internal note, with its id.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_notes, treat_none_as_default_value = false)]
pub struct BulkNote {
    pub id: i64,
    pub case_id: CaseId,
    pub officer_id: OfficerId,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// A case's finding.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_findings, treat_none_as_default_value = false)]
pub struct BulkFinding {
    pub case_id: CaseId,
    pub finding: String,
    pub officer_id: OfficerId,
    pub created_at: NaiveDateTime,
}

/// Rows per statement: SQLite takes at most 32,766 parameters a statement (a case has 30).
const ROWS_PER_STATEMENT: usize = 500;

/// PostgreSQL takes the rows as one binary `COPY`; SQLite as multi-row inserts.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match &mut *$conn {
            DbConnection::Postgres(c) => {
                if !$rows.is_empty() {
                    diesel::copy_from($table)
                        .from_insertable($rows)
                        .execute(c)?;
                }
            }
            DbConnection::Sqlite(c) => {
                for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
    };
}

/// Writes the cases, then what refers to them.
pub fn insert_cases(
    conn: &mut DbConnection,
    cases_rows: &[BulkCase],
    messages: &[BulkMessage],
    notes: &[BulkNote],
    findings: &[BulkFinding],
) -> QueryResult<()> {
    insert_rows!(conn, cases::table, cases_rows);
    insert_rows!(conn, case_messages::table, messages);
    insert_rows!(conn, case_notes::table, notes);
    insert_rows!(conn, case_findings::table, findings);
    Ok(())
}

/// SQLite: runs `f` with foreign keys not checked (for rows a bulk load made from ids it wrote
/// itself), checked again after, even when `f` fails. It must run outside a transaction (SQLite
/// ignores the setting within one). PostgreSQL: runs `f` as it is.
pub fn without_foreign_key_checks<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    use diesel::connection::SimpleConnection;
    let DbConnection::Sqlite(c) = conn else {
        return f(conn);
    };
    c.batch_execute("PRAGMA foreign_keys = OFF")?;
    let done = f(conn);
    if let DbConnection::Sqlite(c) = conn {
        c.batch_execute("PRAGMA foreign_keys = ON")?;
    }
    done
}

/// Has the planner look at the tables again after a bulk load.
pub fn analyze(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    match conn {
        DbConnection::Sqlite(c) => c.batch_execute("ANALYZE"),
        DbConnection::Postgres(c) => c.batch_execute("ANALYZE"),
    }
}

/// The tables a bulk load fills with the cases and everything derived from them.
const LOADED_TABLES: [&str; 13] = [
    "cases",
    "case_messages",
    "case_notes",
    "case_findings",
    "case_search",
    "case_deadlines",
    "audit_events",
    "evidence",
    "case_contacts",
    "image_hashes",
    "image_hash_chunks",
    "case_texts",
    "text_bands",
];

/// The secondary indexes of the loaded tables, set aside while a bulk load fills a database that
/// holds no cases yet (building an index once over a million rows is far cheaper than keeping it
/// up to date row by row), and built again, from the definitions the database itself gave, by
/// `restore_indexes`. Primary keys and unique indexes stay: they are what the load's own lookups
/// (triggers, foreign keys, upserts) and its checks use. On PostgreSQL the constraints of
/// `CONSTRAINED_ASIDE` go aside too, and are added again (checked once) with the indexes.
#[derive(Debug, Default)]
#[must_use = "the indexes set aside must be built again with restore_indexes"]
pub struct IndexesSetAside {
    /// (the statement that drops it, the statement that creates it)
    indexes: Vec<(String, String)>,
}

/// PostgreSQL: the loaded tables whose foreign keys, and primary key when no foreign key refers
/// to it, are set aside during the load like the secondary indexes. The near-identical screenshot
/// index gets thirteen chunk rows for each of 1.8 screenshots a case (23 million at a million
/// cases), and nothing in the load reads them: checked row by row, the chunks' foreign key took
/// half the time of writing them (20,000 cases: 3.0 s with it, 1.5 s without, 0.05 s to check it
/// once after), their primary key most of the rest (0.7 s without either). The descriptions' text
/// index likewise: 32 band rows a text, whose key (band value, text) takes them in random order.
const CONSTRAINED_ASIDE: [&str; 4] = [
    "image_hashes",
    "image_hash_chunks",
    "case_texts",
    "text_bands",
];

impl IndexesSetAside {
    pub fn len(&self) -> usize {
        self.indexes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indexes.is_empty()
    }
}

#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    definition: Option<String>,
}

#[derive(QueryableByName)]
struct ConstraintDefinition {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Sets the secondary indexes of the loaded tables aside when no case exists yet (returns none
/// set aside otherwise: a load into a database that is in use keeps every index).
pub fn set_indexes_aside(conn: &mut DbConnection) -> QueryResult<IndexesSetAside> {
    use diesel::connection::SimpleConnection;
    let any_case: Option<CaseId> = cases::table.select(cases::id).first(conn).optional()?;
    if any_case.is_some() {
        return Ok(IndexesSetAside::default());
    }
    let tables: Vec<String> = LOADED_TABLES.iter().map(|t| t.to_string()).collect();
    let found: Vec<IndexDefinition> = match conn {
        // The catalog's own definition (the same text as `pg_indexes.indexdef`).
        DbConnection::Postgres(c) => diesel::sql_query(
            "SELECT x.indexname AS name, x.indexdef AS definition FROM pg_indexes x \
             JOIN pg_class ic ON ic.relname = x.indexname \
             JOIN pg_namespace n ON n.oid = ic.relnamespace AND n.nspname = x.schemaname \
             JOIN pg_index i ON i.indexrelid = ic.oid \
             WHERE x.schemaname = current_schema() AND x.tablename = ANY($1) \
             AND NOT i.indisunique AND NOT i.indisprimary \
             ORDER BY x.tablename, x.indexname",
        )
        .bind::<diesel::sql_types::Array<Text>, _>(&tables)
        .load(c)?,
        // Indexes a constraint made have no statement (and stay).
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT name, sql AS definition FROM sqlite_master \
             WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN (SELECT value FROM json_each(?)) \
             ORDER BY tbl_name, name",
        )
        .bind::<Text, _>(serde_json::to_string(&tables).unwrap_or_default())
        .load(c)?,
    };
    let mut indexes: Vec<(String, String)> = found
        .into_iter()
        .filter_map(|i| Some((i.name, i.definition?)))
        .filter(|(_, def)| !def.trim_start().to_uppercase().starts_with("CREATE UNIQUE"))
        .map(|(name, def)| (format!("DROP INDEX {}", quoted(&name)), def))
        .collect();
    if let DbConnection::Postgres(c) = conn {
        let tables: Vec<String> = CONSTRAINED_ASIDE.iter().map(|t| t.to_string()).collect();
        let constraints: Vec<ConstraintDefinition> = diesel::sql_query(
            "SELECT t.relname AS table_name, k.conname AS name, \
             pg_get_constraintdef(k.oid) AS definition FROM pg_constraint k \
             JOIN pg_class t ON t.oid = k.conrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema() \
             WHERE t.relname = ANY($1) AND (k.contype = 'f' OR (k.contype = 'p' AND NOT EXISTS \
             (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.confrelid = k.conrelid))) \
             ORDER BY t.relname, k.contype DESC, k.conname",
        )
        .bind::<diesel::sql_types::Array<Text>, _>(&tables)
        .load(c)?;
        // Last in the list: added again after the indexes on one connection, and, on two, next
        // after the inverted indexes (which take the longest).
        let constraints = constraints
            .into_iter()
            .map(|k| {
                let table = quoted(&k.table_name);
                let name = quoted(&k.name);
                (
                    format!("ALTER TABLE {table} DROP CONSTRAINT {name}"),
                    format!("ALTER TABLE {table} ADD CONSTRAINT {name} {}", k.definition),
                )
            })
            .collect::<Vec<(String, String)>>();
        indexes.extend(constraints);
    }
    let drops: String = indexes
        .iter()
        .map(|(drop, _)| format!("{drop};\n"))
        .collect();
    match conn {
        DbConnection::Postgres(c) => c.batch_execute(&drops)?,
        DbConnection::Sqlite(c) => c.batch_execute(&format!("{drops}{}", fts_merging(false)))?,
    }
    Ok(IndexesSetAside { indexes })
}

/// SQLite's full-text tables filled by a load (search by trigram and by character pair).
const FTS_TABLES: [&str; 2] = ["case_search", "case_bigrams"];

/// SQLite: the statements that hold back (`usual` false) or restore the merging of an FTS5
/// table's segments. Each committed batch of a load writes one segment; FTS5 merges them as they
/// come (`automerge` 4: four segments of a level become one of the next), so a load of 500
/// batches rewrites every entry four or five times. Held back, segments are merged only when 64
/// pile up on one level (`crisismerge`), and once, all into one, at the end (`optimize`):
/// measured with 300,000 texts, 170 s → 139 s for the two tables. The settings are kept in the
/// tables' own `_config` rows: set back to FTS5's defaults after.
fn fts_merging(usual: bool) -> String {
    FTS_TABLES
        .iter()
        .map(|t| {
            if usual {
                format!(
                    "INSERT INTO {t} ({t}) VALUES ('optimize');\n\
                     INSERT INTO {t} ({t}, rank) VALUES ('automerge', 4);\n\
                     INSERT INTO {t} ({t}, rank) VALUES ('crisismerge', 16);\n"
                )
            } else {
                format!(
                    "INSERT INTO {t} ({t}, rank) VALUES ('automerge', 0);\n\
                     INSERT INTO {t} ({t}, rank) VALUES ('crisismerge', 64);\n"
                )
            }
        })
        .collect()
}

/// Builds the indexes `set_indexes_aside` dropped again, as the migrations made them.
pub fn restore_indexes(conn: &mut DbConnection, aside: IndexesSetAside) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    if aside.indexes.is_empty() {
        return Ok(());
    }
    let creates: String = aside
        .indexes
        .iter()
        .map(|(_, def)| format!("{def};\n"))
        .collect();
    match conn {
        // Index builds sort in memory: 1 GiB for this session (instead of 64 MiB).
        DbConnection::Postgres(c) => c.batch_execute(&format!(
            "SET maintenance_work_mem = '1GB';\n{creates}RESET maintenance_work_mem;"
        )),
        // SQLite sorts each index's keys in worker threads (one per core, `PRAGMA threads`;
        // none by default) in runs as large as the page cache (1 GiB here, for the rest of the
        // load), then merges the runs: fewer, larger runs and two cores at once. The seed's
        // `usual_settings` set both back.
        DbConnection::Sqlite(c) => {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
            c.batch_execute(&format!(
                "PRAGMA threads = {threads}; PRAGMA cache_size = -1048576;\n{creates}{}",
                fts_merging(true)
            ))
        }
    }
}

/// `restore_indexes` on two connections at once (two server processes: PostgreSQL), the
/// inverted (GIN) indexes first, each connection taking the next index when it is done with one.
/// Every index is built even when one fails; the first failure is returned.
pub fn restore_indexes_on_two(
    conn: &mut DbConnection,
    other: &mut DbConnection,
    aside: IndexesSetAside,
) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    use std::sync::Mutex;
    let mut indexes = aside.indexes;
    // The slowest last in the list, which is taken from its end.
    indexes.sort_by_key(|(_, def)| def.contains("USING gin"));
    let queue = Mutex::new(indexes);
    let build = |conn: &mut DbConnection| -> QueryResult<()> {
        let execute = |conn: &mut DbConnection, sql: &str| match conn {
            DbConnection::Postgres(c) => c.batch_execute(sql),
            DbConnection::Sqlite(c) => c.batch_execute(sql),
        };
        execute(conn, "SET maintenance_work_mem = '1GB'")?;
        let mut first_error = None;
        loop {
            let next = queue.lock().ok().and_then(|mut q| q.pop());
            let Some((_, def)) = next else { break };
            if let Err(e) = execute(conn, &def) {
                first_error.get_or_insert(e);
            }
        }
        execute(conn, "RESET maintenance_work_mem")?;
        first_error.map_or(Ok(()), Err)
    };
    let (mine, theirs) = std::thread::scope(|scope| {
        let theirs = scope.spawn(|| build(other));
        let mine = build(conn);
        (mine, theirs.join())
    });
    mine?;
    theirs.unwrap_or_else(|_| {
        Err(diesel::result::Error::QueryBuilderError(
            "building indexes on the second connection panicked".into(),
        ))
    })
}

/// PostgreSQL, a bulk load into a database without cases: the row triggers of migration 24 that
/// keep the status counters and the deadlines' `due_on` (a PL/pgSQL call per row, most of the
/// time of writing cases and deadlines) are off for one batch's transaction, whose writer keeps
/// both itself (`count_statuses`; `NewDeadlineRow::due_on`). `ALTER TABLE … DISABLE TRIGGER` is
/// transactional: if the batch fails, the triggers were never off for anyone else.
#[must_use = "the triggers must be put back on in the same transaction"]
pub struct TriggersOff(());

const TRIGGERS_OFF: &str = "ALTER TABLE cases DISABLE TRIGGER case_status_counts_insert; \
     ALTER TABLE case_deadlines DISABLE TRIGGER case_deadlines_due;";
const TRIGGERS_ON: &str = "ALTER TABLE cases ENABLE TRIGGER case_status_counts_insert; \
     ALTER TABLE case_deadlines ENABLE TRIGGER case_deadlines_due;";

impl TriggersOff {
    /// In a transaction, on PostgreSQL only.
    pub fn set(conn: &mut DbConnection) -> QueryResult<Self> {
        use diesel::connection::SimpleConnection;
        match conn {
            DbConnection::Postgres(c) => c.batch_execute(TRIGGERS_OFF)?,
            DbConnection::Sqlite(_) => {
                return Err(diesel::result::Error::QueryBuilderError(
                    "the triggers of a bulk load are set off on PostgreSQL only".into(),
                ));
            }
        }
        Ok(TriggersOff(()))
    }

    /// Adds the batch's cases to the status counters (what the trigger does row by row).
    pub fn count_statuses(&self, conn: &mut DbConnection, rows: &[BulkCase]) -> QueryResult<()> {
        use diesel::upsert::excluded;
        let DbConnection::Postgres(c) = conn else {
            return Ok(());
        };
        let mut counts: Vec<(CaseStatus, i64)> = Vec::new();
        for row in rows {
            match counts.iter_mut().find(|(s, _)| *s == row.status) {
                Some((_, n)) => *n += 1,
                None => counts.push((row.status, 1)),
            }
        }
        for (status, n) in counts {
            diesel::insert_into(case_status_counts::table)
                .values((
                    case_status_counts::status.eq(status),
                    case_status_counts::cases.eq(n),
                ))
                .on_conflict(case_status_counts::status)
                .do_update()
                .set(
                    case_status_counts::cases
                        .eq(case_status_counts::cases + excluded(case_status_counts::cases)),
                )
                .execute(c)?;
        }
        Ok(())
    }

    pub fn back_on(self, conn: &mut DbConnection) -> QueryResult<()> {
        use diesel::connection::SimpleConnection;
        match conn {
            DbConnection::Postgres(c) => c.batch_execute(TRIGGERS_ON),
            DbConnection::Sqlite(c) => c.batch_execute(TRIGGERS_ON),
        }
    }
}

#[derive(QueryableByName)]
struct Mismatches {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// After a load with `TriggersOff`: the counters and every `due_on` checked against what the
/// triggers' own SQL gives (`case_due_on` of migration 24, a count of the cases by status); an
/// error if any differs.
pub fn check_derived(conn: &mut DbConnection) -> QueryResult<()> {
    let DbConnection::Postgres(c) = conn else {
        return Ok(());
    };
    let wrong: Mismatches = diesel::sql_query(
        "SELECT (SELECT COUNT(*) FROM case_deadlines d JOIN cases c ON c.id = d.case_id \
                 WHERE d.due_on IS DISTINCT FROM case_due_on(c.status, d.accept_by, d.decide_by)) \
              + (SELECT COUNT(*) FROM (SELECT status, COUNT(*) AS n FROM cases GROUP BY status) t \
                 FULL JOIN (SELECT * FROM case_status_counts WHERE cases <> 0) k \
                 ON k.status = t.status WHERE k.cases IS DISTINCT FROM t.n) AS n",
    )
    .get_result(c)?;
    if wrong.n > 0 {
        return Err(diesel::result::Error::QueryBuilderError(
            format!(
                "after the bulk load, {} deadline or counter rows differ from what the triggers give",
                wrong.n
            )
            .into(),
        ));
    }
    Ok(())
}
