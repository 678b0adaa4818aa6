//! Contacts found in cases (phone numbers, WeChat/QQ ids, groups, short links, 淘口令, payment
//! accounts), normalised and indexed so that cases sharing one are linked.
//!
//! Interim: nothing is indexed yet.

use super::DbConnection;
use crate::domain::ids::CaseId;
use crate::domain::links::Suggestion;
use diesel::QueryResult;

/// Other cases that name one of this case's contacts.
pub fn shared_contacts(
    _conn: &mut DbConnection,
    _case_id: CaseId,
    _limit: i64,
) -> QueryResult<Vec<Suggestion>> {
    Ok(Vec::new())
}
