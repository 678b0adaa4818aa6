//! The `outbox` table: every email, written in the transaction of the change that caused it,
//! sent later by the mail worker, retried until it goes.

use super::DbConnection;
use super::schema::outbox;
use crate::domain::ids::{CaseId, MailId};
use crate::domain::mail_kind::MailKind;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewMail<'a> {
    pub case_id: Option<CaseId>,
    pub kind: MailKind,
    pub to_address: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    /// The body holds a secret (a receipt code, a confirmation link): blank it once sent.
    pub scrub_after_send: bool,
    pub created_at: NaiveDateTime,
    pub next_attempt_at: NaiveDateTime,
    /// A handoff package to attach (by its SHA-256 in `DATA_DIR/packages`) and its file name.
    pub attachment_sha256: Option<&'a str>,
    pub attachment_name: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct MailRow {
    pub id: MailId,
    pub case_id: Option<CaseId>,
    pub kind: MailKind,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub scrub_after_send: bool,
    pub attempts: i32,
    pub attachment_sha256: Option<String>,
    pub attachment_name: Option<String>,
}

pub fn insert(conn: &mut DbConnection, mail: &NewMail<'_>) -> QueryResult<MailId> {
    diesel::insert_into(outbox::table)
        .values(mail)
        .returning(outbox::id)
        .get_result(conn)
}

/// Claims the oldest due mail for `lease`: no other worker (in this or another instance) takes
/// it until the lease runs out, so a worker that dies mid-send leaves it to be retried.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease: TimeDelta,
) -> QueryResult<Option<MailRow>> {
    loop {
        let candidate: Option<i64> = outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::next_attempt_at.le(now))
            .filter(
                outbox::locked_until
                    .is_null()
                    .or(outbox::locked_until.lt(now)),
            )
            .order(outbox::next_attempt_at.asc())
            .select(outbox::id)
            .first(conn)
            .optional()?;
        let Some(id) = candidate else { return Ok(None) };
        // The same conditions again in the UPDATE: only one claimant can win the row.
        let won = diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::sent_at.is_null())
                .filter(
                    outbox::locked_until
                        .is_null()
                        .or(outbox::locked_until.lt(now)),
                ),
        )
        .set(outbox::locked_until.eq(Some(now + lease)))
        .execute(conn)?;
        if won == 1 {
            return outbox::table
                .find(id)
                .select(MailRow::as_select())
                .first(conn)
                .map(Some);
        }
    }
}

pub fn mark_sent(
    conn: &mut DbConnection,
    id: MailId,
    scrub: bool,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let target = outbox::table.find(id);
    if scrub {
        diesel::update(target)
            .set((
                outbox::sent_at.eq(Some(at)),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::body_text.eq("[removed after sending: it held a secret]"),
                outbox::body_html.eq("[removed after sending: it held a secret]"),
            ))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((
                outbox::sent_at.eq(Some(at)),
                outbox::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn mark_failed(
    conn: &mut DbConnection,
    id: MailId,
    error: &str,
    retry_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(Some(error)),
            outbox::next_attempt_at.eq(retry_at),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Mail not yet sent (for `reviewwatch` status output and tests).
pub fn pending_count(conn: &mut DbConnection) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .count()
        .get_result(conn)
}

/// Sending state of one mail: (attempts, sent at, last error).
pub type Delivery = (i32, Option<NaiveDateTime>, Option<String>);

/// Sending state of one mail, for the handoff list.
pub fn delivery(conn: &mut DbConnection, id: MailId) -> QueryResult<Delivery> {
    outbox::table
        .find(id)
        .select((outbox::attempts, outbox::sent_at, outbox::last_error))
        .first(conn)
}
