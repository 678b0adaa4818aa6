//! The audit trail's hash chain: each entry's hash covers the previous entry's hash and its own
//! content, so a changed, removed or inserted row shows.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

/// The `prev_hash` of a case's first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who may read an audit entry besides officers: some entries are the reporter's timeline too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    OfficersOnly,
    AlsoReporter,
}

impl Visibility {
    pub fn to_reporter(self) -> bool {
        self == Visibility::AlsoReporter
    }
}

/// Who did something to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Reporter,
    Officer(i64),
    Regulator(i64),
    System,
}

impl Actor {
    pub fn kind(self) -> &'static str {
        match self {
            Actor::Reporter => "reporter",
            Actor::Officer(_) => "officer",
            Actor::Regulator(_) => "regulator",
            Actor::System => "system",
        }
    }

    pub fn id(self) -> Option<i64> {
        match self {
            Actor::Officer(id) | Actor::Regulator(id) => Some(id),
            Actor::Reporter | Actor::System => None,
        }
    }
}

/// One entry's content, as hashed.
#[derive(Debug, Clone)]
pub struct AuditContent<'a> {
    pub case_id: i64,
    pub seq: i32,
    pub at: NaiveDateTime,
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub detail: &'a str,
    pub visible_to_reporter: bool,
}

/// How an entry's time is written where the hash covers it: UTC, to the microsecond, without an
/// offset (the chain was made so; [`crate::domain::china_time::utc_rfc3339_micros`] is the same
/// time with its `Z`, for what leaves the portal beside it).
pub fn hashed_at(at: &NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// SHA-256 over the previous hash and each field, every field length-prefixed so that no two
/// different entries can serialize to the same bytes.
pub fn entry_hash(prev_hash: &str, c: &AuditContent<'_>) -> String {
    let mut h = Sha256::new();
    let at = hashed_at(&c.at);
    let actor_id = c.actor_id.map(|i| i.to_string()).unwrap_or_default();
    let fields: [&str; 9] = [
        prev_hash,
        &c.case_id.to_string(),
        &c.seq.to_string(),
        &at,
        c.actor_kind,
        &actor_id,
        c.action,
        c.detail,
        if c.visible_to_reporter { "1" } else { "0" },
    ];
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where a chain breaks, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry at this sequence number does not follow its predecessor (a row removed or inserted).
    Link { seq: i32 },
    /// The entry's own hash does not match its content (a row changed).
    Content { seq: i32 },
}

/// Checks entries given in sequence order, each as (content, prev_hash, hash).
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = (AuditContent<'a>, &'a str, &'a str)>,
) -> Result<(), ChainBreak> {
    let mut expected_prev = GENESIS_HASH.to_string();
    for (expected_seq, (content, prev, hash)) in (1..).zip(entries) {
        if prev != expected_prev || content.seq != expected_seq {
            return Err(ChainBreak::Link { seq: content.seq });
        }
        if entry_hash(prev, &content) != hash {
            return Err(ChainBreak::Content { seq: content.seq });
        }
        expected_prev = hash.to_string();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(seq: i32, action: &str) -> AuditContent<'_> {
        AuditContent {
            case_id: 7,
            seq,
            at: chrono::DateTime::from_timestamp(1_790_000_000 + i64::from(seq), 0)
                .map(|d| d.naive_utc())
                .unwrap_or_default(),
            actor_kind: "reporter",
            actor_id: None,
            action,
            detail: "{}",
            visible_to_reporter: true,
        }
    }

    fn chain(actions: &[&'static str]) -> Vec<(AuditContent<'static>, String, String)> {
        let mut prev = GENESIS_HASH.to_string();
        let mut out = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            let c = content(i as i32 + 1, a);
            let h = entry_hash(&prev, &c);
            out.push((c, prev.clone(), h.clone()));
            prev = h;
        }
        out
    }

    fn check(rows: &[(AuditContent<'static>, String, String)]) -> Result<(), ChainBreak> {
        verify_chain(
            rows.iter()
                .map(|(c, p, h)| (c.clone(), p.as_str(), h.as_str())),
        )
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(check(&chain(&["filed", "confirmed", "withdrawn"])), Ok(()));
    }

    #[test]
    fn a_changed_row_is_found() {
        let mut rows = chain(&["filed", "confirmed", "withdrawn"]);
        rows[1].0.action = "dismissed";
        assert_eq!(check(&rows), Err(ChainBreak::Content { seq: 2 }));
    }

    #[test]
    fn a_removed_row_is_found() {
        let mut rows = chain(&["filed", "confirmed", "withdrawn"]);
        rows.remove(1);
        assert_eq!(check(&rows), Err(ChainBreak::Link { seq: 3 }));
    }
}
