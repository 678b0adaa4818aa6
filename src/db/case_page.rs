//! The reporter's case page in one statement on PostgreSQL: the case of a live session with
//! its deadlines and platform notice, and — as three arrays of rows in the same row — its
//! trail, its files (each with its redactions' thumbnails) and its messages. Each statement is a
//! round trip to the server, which was most of the page's time: four statements served a
//! quarter of what one does. SQLite, in the process, reads the same in four statements
//! (`reporter_sessions::live_case_with_deadlines`, `audit::for_case`,
//! `evidence::for_case_with_redacted_thumbs`, `notes::messages_for`) in one read transaction.

use super::DbConnection;
use super::audit::AuditRow;
use super::evidence::EvidenceRow;
use super::notes::MessageView;
use super::reporter_sessions::LiveCase;
use super::schema::{
    audit_events, case_deadlines, case_messages, cases, evidence, evidence_redactions, officers,
    platform_notices, reporter_sessions,
};
use crate::db::cases::CaseRow;
use crate::db::platform_notices::NoticeRow;
use crate::db::queue::DeadlineRow;
use crate::domain::audit::{ActorKind, AuditAction};
use crate::domain::evidence::{EvidenceSource, ImageKind};
use crate::domain::ids::{CaseId, EvidenceId};
use chrono::NaiveDateTime;
use diesel::deserialize::{self, FromSql};
use diesel::expression_methods::AggregateExpressionMethods;
use diesel::pg::{Pg, PgValue};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Record, SingleValue, Text, Timestamp};

diesel::define_sql_function! {
    /// PostgreSQL's `array_agg`: the rows of a group as one array.
    #[aggregate]
    fn array_agg<ST: SingleValue>(value: ST) -> Array<ST>;
}

/// The case page: the case with its deadlines and notice, its trail (by `seq`), its files (by
/// position, each once, with the thumbnail of its latest redaction) and its messages (in order).
pub struct CasePage {
    pub live: LiveCase,
    pub trail: Vec<AuditRow>,
    pub files: Vec<(EvidenceRow, Option<String>)>,
    pub messages: Vec<MessageView>,
}

type AuditRecord = Record<(
    BigInt,
    BigInt,
    Integer,
    Timestamp,
    Text,
    Nullable<BigInt>,
    Text,
    Text,
    Bool,
    Text,
    Text,
)>;

impl FromSql<AuditRecord, Pg> for AuditRow {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let (id, case_id, seq, at, actor_kind, actor_id, action, detail, visible, prev, hash) =
            <(
                i64,
                CaseId,
                i32,
                NaiveDateTime,
                ActorKind,
                Option<i64>,
                AuditAction,
                String,
                bool,
                String,
                String,
            ) as FromSql<AuditRecord, Pg>>::from_sql(value)?;
        Ok(AuditRow {
            id,
            case_id,
            seq,
            at,
            actor_kind,
            actor_id,
            action,
            detail,
            visible_to_reporter: visible,
            prev_hash: prev,
            hash,
        })
    }
}

/// A file and the thumbnail of one of its redactions (`None`: none made).
type FileRecord = Record<(
    BigInt,
    BigInt,
    Integer,
    Text,
    Text,
    Text,
    Text,
    BigInt,
    Integer,
    Integer,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Text>,
    Nullable<Integer>,
    Nullable<Integer>,
    Nullable<Text>,
    Timestamp,
    Nullable<Text>,
)>;

/// One row of the files' array: a file, and the thumbnail of one of its redactions.
struct FileWithRedaction {
    file: EvidenceRow,
    thumb: Option<String>,
}

impl FromSql<FileRecord, Pg> for FileWithRedaction {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let (
            id,
            case_id,
            position,
            source,
            original_name,
            kind,
            sha256,
            byte_size,
            width,
            height,
            display_sha256,
            display_kind,
            thumb_sha256,
            thumb_width,
            thumb_height,
            perceptual_hash,
            uploaded_at,
            thumb,
        ) = <(
            EvidenceId,
            CaseId,
            i32,
            EvidenceSource,
            String,
            ImageKind,
            String,
            i64,
            i32,
            i32,
            Option<String>,
            Option<ImageKind>,
            Option<String>,
            Option<i32>,
            Option<i32>,
            Option<String>,
            NaiveDateTime,
            Option<String>,
        ) as FromSql<FileRecord, Pg>>::from_sql(value)?;
        Ok(FileWithRedaction {
            file: EvidenceRow {
                id,
                case_id,
                position,
                source,
                original_name,
                kind,
                sha256,
                byte_size,
                width,
                height,
                display_sha256,
                display_kind,
                thumb_sha256,
                thumb_width,
                thumb_height,
                perceptual_hash,
                uploaded_at,
            },
            thumb,
        })
    }
}

type MessageRecord = Record<(BigInt, Bool, Text, Timestamp, Nullable<Text>)>;

impl FromSql<MessageRecord, Pg> for MessageView {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let (id, from_reporter, body, created_at, officer_name) = <(
            i64,
            bool,
            String,
            NaiveDateTime,
            Option<String>,
        ) as FromSql<MessageRecord, Pg>>::from_sql(
            value
        )?;
        Ok(MessageView {
            id,
            from_reporter,
            body,
            created_at,
            officer_name,
        })
    }
}

/// The statement's row: the case, its deadlines and notice, and the three arrays (`None`: empty).
type OneRow = (
    CaseRow,
    Option<DeadlineRow>,
    Option<NoticeRow>,
    Option<Vec<AuditRow>>,
    Option<Vec<FileWithRedaction>>,
    Option<Vec<MessageView>>,
);

/// The case page of the live session `token` (`None`: no live session): one statement on
/// PostgreSQL, four on SQLite (to be run in one read transaction: `db::read_together`).
pub fn live_case_page(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<CasePage>> {
    match conn {
        DbConnection::Postgres(pg) => in_one_statement(pg, token, now),
        DbConnection::Sqlite(_) => {
            let Some(live) = super::reporter_sessions::live_case_with_deadlines(conn, token, now)?
            else {
                return Ok(None);
            };
            let case_id = live.0.id;
            Ok(Some(CasePage {
                live,
                trail: super::audit::for_case(conn, case_id)?,
                files: super::evidence::for_case_with_redacted_thumbs(conn, case_id)?,
                messages: super::notes::messages_for(conn, case_id)?,
            }))
        }
    }
}

/// The case page in one statement (PostgreSQL).
fn in_one_statement(
    conn: &mut PgConnection,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<CasePage>> {
    let trail = audit_events::table
        .filter(audit_events::case_id.eq(cases::id))
        .select(
            array_agg(
                (
                    audit_events::id,
                    audit_events::case_id,
                    audit_events::seq,
                    audit_events::at,
                    audit_events::actor_kind,
                    audit_events::actor_id,
                    audit_events::action,
                    audit_events::detail,
                    audit_events::visible_to_reporter,
                    audit_events::prev_hash,
                    audit_events::hash,
                )
                    .into_sql::<AuditRecord>(),
            )
            .aggregate_order(audit_events::seq),
        )
        .single_value();
    let files = evidence::table
        .left_join(evidence_redactions::table)
        .filter(evidence::case_id.eq(cases::id))
        .select(
            array_agg(
                (
                    evidence::id,
                    evidence::case_id,
                    evidence::position,
                    evidence::source,
                    evidence::original_name,
                    evidence::kind,
                    evidence::sha256,
                    evidence::byte_size,
                    evidence::width,
                    evidence::height,
                    evidence::display_sha256,
                    evidence::display_kind,
                    evidence::thumb_sha256,
                    evidence::thumb_width,
                    evidence::thumb_height,
                    evidence::perceptual_hash,
                    evidence::uploaded_at,
                    evidence_redactions::thumb_sha256.nullable(),
                )
                    .into_sql::<FileRecord>(),
            )
            .aggregate_order((evidence::position, evidence_redactions::id)),
        )
        .single_value();
    let messages = case_messages::table
        .left_join(officers::table)
        .filter(case_messages::case_id.eq(cases::id))
        .select(
            array_agg(
                (
                    case_messages::id,
                    case_messages::from_reporter,
                    case_messages::body,
                    case_messages::created_at,
                    officers::name.nullable(),
                )
                    .into_sql::<MessageRecord>(),
            )
            .aggregate_order(case_messages::id),
        )
        .single_value();
    let row: Option<OneRow> = reporter_sessions::table
        .inner_join(
            cases::table
                .left_join(case_deadlines::table)
                .left_join(platform_notices::table),
        )
        .filter(super::reporter_sessions::live_token(token, now))
        .select((
            CaseRow::as_select(),
            Option::<DeadlineRow>::as_select(),
            Option::<NoticeRow>::as_select(),
            trail,
            files,
            messages,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(case, deadline, notice, trail, files, messages)| CasePage {
            live: (case, deadline, notice),
            trail: trail.unwrap_or_default(),
            files: super::evidence::latest_redactions(
                files
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| (f.file, f.thumb)),
            ),
            messages: messages.unwrap_or_default(),
        },
    ))
}
