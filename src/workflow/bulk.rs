//! One step on many cases at once, from the queue: each case in its own transaction through
//! `review::perform`, so each is checked, audited and its reporter told exactly as if it were
//! done alone, against the version the officer saw; one refusal stops nothing else.

use super::review::{self, ActingOfficer, ReviewAction};
use super::{Links, WorkflowError};
use crate::db::DbConnection;
use crate::domain::{CaseNumber, CaseStatus};

/// The most cases one bulk step takes (two queue pages).
pub const MAX_CASES: usize = 100;

/// A case as the queue showed it: its number and the version it was drawn at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub number: CaseNumber,
    pub version: i32,
}

impl Seen {
    /// A checkbox's value, `RW-2026-000123@4`; `None` when it is not one.
    pub fn parse(raw: &str) -> Option<Self> {
        let (number, version) = raw.trim().split_once('@')?;
        Some(Seen {
            number: CaseNumber::parse(number)?,
            version: version.parse().ok()?,
        })
    }

    pub fn value(number: &str, version: i32) -> String {
        format!("{number}@{version}")
    }
}

/// What became of one case.
#[derive(Debug)]
pub struct Outcome {
    pub number: CaseNumber,
    pub result: Result<CaseStatus, WorkflowError>,
}

/// Applies `action` to each case in turn, each in its own transaction; returns every case's
/// outcome in the order given. Refuses before touching any case when there are none or too many,
/// or when the same case is named twice.
pub fn perform_each(
    conn: &mut DbConnection,
    cases: &[Seen],
    officer: ActingOfficer,
    action: &ReviewAction,
    links: &Links,
) -> Result<Vec<Outcome>, WorkflowError> {
    if cases.is_empty() {
        return Err(WorkflowError::Invalid("bulk.none_chosen"));
    }
    if cases.len() > MAX_CASES {
        return Err(WorkflowError::Invalid("bulk.too_many"));
    }
    let numbers: std::collections::HashSet<CaseNumber> = cases.iter().map(|c| c.number).collect();
    if numbers.len() != cases.len() {
        return Err(WorkflowError::Invalid("bulk.twice"));
    }
    Ok(cases
        .iter()
        .map(|seen| Outcome {
            number: seen.number,
            result: review::perform(conn, &seen.number, seen.version, officer, action, links),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkbox_names_a_case_and_its_version() {
        let seen = Seen::parse("RW-2026-000123@4").expect("a case");
        assert_eq!(seen.number.to_string(), "RW-2026-000123");
        assert_eq!(seen.version, 4);
        assert_eq!(Seen::value("RW-2026-000123", 4), "RW-2026-000123@4");
        for bad in ["RW-2026-000123", "RW-2026-000123@x", "nope@1", ""] {
            assert!(Seen::parse(bad).is_none(), "{bad}");
        }
    }
}
