//! The `make_screenshot_copies` job: a screenshot's display copy, thumbnail and hashes, made
//! from its kept original on a blocking thread (never on the web workers), then indexed and
//! its text queued for reading (`workflow::screenshot_copies`).

use super::{JobContext, JobError};
use crate::db::{self, DbPool};
use crate::domain::EvidenceId;
use crate::workflow::{self, WorkflowError};
use chrono::NaiveDateTime;

#[derive(serde::Deserialize)]
struct Payload {
    evidence_id: EvidenceId,
}

pub(super) async fn make_screenshot_copies(
    pool: &DbPool,
    ctx: &JobContext,
    payload: &str,
    now: NaiveDateTime,
) -> Result<(), JobError> {
    let Payload { evidence_id } = serde_json::from_str(payload)
        .map_err(|e| JobError::Workflow(WorkflowError::internal(e)))?;
    let store = ctx.store.clone();
    // `run_with` works on a blocking thread: the image work with it.
    let made = db::run_with(pool, move |conn| {
        workflow::screenshot_copies::make(conn, &store, evidence_id, now)
    })
    .await?;
    if made.is_none() {
        tracing::debug!(evidence = %evidence_id, "screenshot gone before its copies were made");
    }
    Ok(())
}
