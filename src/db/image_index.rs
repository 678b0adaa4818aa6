//! Near-identical screenshots across all cases, found through an index rather than a scan.
//!
//! Interim: only byte-identical files and equal perceptual hashes (the multi-index lookup
//! replaces this).

use super::DbConnection;
use super::schema::evidence;
use crate::domain::ids::{CaseId, EvidenceId};
use crate::domain::links::{LinkDetail, LinkReason, Suggestion};
use diesel::prelude::*;

/// Screenshots in other cases that are the same or nearly the same as one of this case's.
pub fn similar_screenshots(
    conn: &mut DbConnection,
    case_id: CaseId,
    limit: i64,
) -> QueryResult<Vec<Suggestion>> {
    let mine: Vec<(EvidenceId, String, String)> = evidence::table
        .filter(evidence::case_id.eq(case_id))
        .select((evidence::id, evidence::sha256, evidence::perceptual_hash))
        .load(conn)?;
    let mut found = Vec::new();
    for (id, sha, phash) in mine {
        let theirs: Vec<(EvidenceId, CaseId)> = evidence::table
            .filter(evidence::case_id.ne(case_id))
            .filter(
                evidence::sha256
                    .eq(&sha)
                    .or(evidence::perceptual_hash.eq(&phash)),
            )
            .select((evidence::id, evidence::case_id))
            .limit(limit)
            .load(conn)?;
        found.extend(theirs.into_iter().map(|(other_id, other)| Suggestion {
            other,
            reason: LinkReason::SameScreenshot,
            strength: 100,
            detail: LinkDetail::Screenshot {
                mine: id,
                theirs: other_id,
                distance: 0,
            },
        }));
    }
    Ok(found)
}
