//! One batch of demo cases as rows: ids and case numbers reserved for the whole batch first,
//! then every case, message, note and finding collected and written many to a statement.

use super::{Plan, Step, number_year};
use crate::db::bulk::{self, BulkCase, BulkFinding, BulkMessage, BulkNote, Serial};
use crate::db::{DbConnection, cases};
use crate::domain::{CaseId, CaseNumber, OfficerId};
use chrono::NaiveDateTime;
use diesel::QueryResult;
use std::collections::{BTreeMap, VecDeque};

/// The rows of one batch, and the ids and numbers reserved for it.
pub(super) struct BatchRows {
    next_case: i64,
    numbers: BTreeMap<i32, VecDeque<CaseNumber>>,
    next_message: i64,
    messages_left: usize,
    next_note: i64,
    notes_left: usize,
    pub cases: Vec<BulkCase>,
    pub messages: Vec<BulkMessage>,
    pub notes: Vec<BulkNote>,
    pub findings: Vec<BulkFinding>,
}

/// How many messages and notes a step writes (as `History::step` writes them).
fn rows_of(step: &Step) -> (usize, usize) {
    match step {
        Step::RequestInfo { .. } | Step::Reply { .. } | Step::Dismiss { .. } => (1, 0),
        Step::Withdraw { reason } => (usize::from(reason.is_some()), 0),
        Step::Note { .. } | Step::Close { .. } => (0, 1),
        Step::Substantiate { note, .. } => (0, usize::from(note.is_some())),
        Step::Confirm | Step::Assign { .. } | Step::Resume { .. } | Step::Extend { .. } => (0, 0),
    }
}

fn ran_out(what: &str) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("a demo batch wrote more {what} than it reserved").into(),
    )
}

impl BatchRows {
    /// Reserves the case ids, case numbers (per year), message and note ids `plans` need.
    pub fn reserve(conn: &mut DbConnection, plans: &[Plan]) -> QueryResult<Self> {
        let mut per_year: BTreeMap<i32, usize> = BTreeMap::new();
        let (mut messages, mut notes) = (0, 0);
        for plan in plans {
            *per_year.entry(number_year(plan.created_at)).or_default() += 1;
            for (_, step) in &plan.steps {
                let (m, n) = rows_of(step);
                messages += m;
                notes += n;
            }
        }
        let mut numbers = BTreeMap::new();
        for (year, n) in per_year {
            numbers.insert(year, cases::reserve_case_numbers(conn, year, n)?.into());
        }
        Ok(BatchRows {
            next_case: bulk::reserve_ids(conn, Serial::Cases, plans.len())?,
            numbers,
            next_message: bulk::reserve_ids(conn, Serial::Messages, messages)?,
            messages_left: messages,
            next_note: bulk::reserve_ids(conn, Serial::Notes, notes)?,
            notes_left: notes,
            cases: Vec::with_capacity(plans.len()),
            messages: Vec::with_capacity(messages),
            notes: Vec::with_capacity(notes),
            findings: Vec::new(),
        })
    }

    /// The next case's id and number (in `year`).
    pub fn case(&mut self, year: i32) -> QueryResult<(CaseId, CaseNumber)> {
        let number = self
            .numbers
            .get_mut(&year)
            .and_then(VecDeque::pop_front)
            .ok_or_else(|| ran_out("case numbers"))?;
        let id = CaseId(self.next_case);
        self.next_case += 1;
        Ok((id, number))
    }

    pub fn message(
        &mut self,
        case_id: CaseId,
        officer_id: Option<OfficerId>,
        body: &str,
        at: NaiveDateTime,
    ) -> QueryResult<i64> {
        self.messages_left = self
            .messages_left
            .checked_sub(1)
            .ok_or_else(|| ran_out("messages"))?;
        let id = self.next_message;
        self.next_message += 1;
        self.messages.push(BulkMessage {
            id,
            case_id,
            from_reporter: officer_id.is_none(),
            officer_id,
            body: body.to_string(),
            created_at: at,
        });
        Ok(id)
    }

    pub fn note(
        &mut self,
        case_id: CaseId,
        officer_id: OfficerId,
        body: &str,
        at: NaiveDateTime,
    ) -> QueryResult<i64> {
        self.notes_left = self
            .notes_left
            .checked_sub(1)
            .ok_or_else(|| ran_out("notes"))?;
        let id = self.next_note;
        self.next_note += 1;
        self.notes.push(BulkNote {
            id,
            case_id,
            officer_id,
            body: body.to_string(),
            created_at: at,
        });
        Ok(id)
    }

    pub fn finding(
        &mut self,
        case_id: CaseId,
        officer_id: OfficerId,
        text: &str,
        at: NaiveDateTime,
    ) {
        // A later finding replaces an earlier one, as `db::findings::set` does.
        // (A case's steps come one after another: only the last row can be this case's.)
        if self.findings.last().is_some_and(|f| f.case_id == case_id) {
            self.findings.pop();
        }
        self.findings.push(BulkFinding {
            case_id,
            finding: text.to_string(),
            officer_id,
            created_at: at,
        });
    }

    /// Writes the batch's cases, messages, notes and findings.
    pub fn write(&self, conn: &mut DbConnection) -> QueryResult<()> {
        bulk::insert_cases(
            conn,
            &self.cases,
            &self.messages,
            &self.notes,
            &self.findings,
        )
    }
}
