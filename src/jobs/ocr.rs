//! Reading the text of a screenshot (OCR) with the `tesseract` command, found at run time: no
//! build-time dependency, and a server without it records that OCR is unavailable. One process
//! per core at most, each killed after `OCR_TIME_LIMIT_SECONDS`.

use super::{JobContext, JobError};
use crate::db::{self, DbPool, evidence_texts};
use crate::domain::EvidenceId;
use crate::domain::ocr::{self, OcrState};
use crate::evidence::store::{BlobKind, Sha256Hex};
use crate::workflow::{self, ocr::Reading};
use chrono::NaiveDateTime;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::Command;
use tokio::sync::{OnceCell, Semaphore};

/// The OCR command and what this server found out about it.
#[derive(Clone, Debug)]
pub struct OcrEngine {
    command: String,
    /// One reading per core at a time (Tesseract is CPU-bound; it is told to use one thread).
    slots: Arc<Semaphore>,
    /// Asked once per process: `Ok(version)` when the command runs and has `chi_sim`.
    probe: Arc<OnceCell<Result<String, String>>>,
}

impl OcrEngine {
    /// `command`: `tesseract`, found on the PATH, or a path to it (`OCR_COMMAND`).
    pub fn new(command: &str) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        OcrEngine {
            command: command.to_string(),
            slots: Arc::new(Semaphore::new(cores)),
            probe: Arc::new(OnceCell::new()),
        }
    }

    /// The engine's version when it can read simplified Chinese, else why not.
    pub async fn available(&self) -> Result<String, String> {
        self.probe
            .get_or_init(|| probe(&self.command))
            .await
            .clone()
    }

    /// Reads the image at `path`.
    pub async fn read(&self, path: &Path) -> Reading {
        let started = Instant::now();
        let engine = match self.available().await {
            Ok(version) => version,
            Err(reason) => {
                return Reading {
                    state: OcrState::Unavailable,
                    text: String::new(),
                    reason: Some(reason),
                    seconds: 0.0,
                    engine: None,
                };
            }
        };
        let outcome = match self.slots.acquire().await {
            Ok(_slot) => run_tesseract(&self.command, path).await,
            Err(_) => Err("the OCR slots were closed".to_string()),
        };
        let seconds = started.elapsed().as_secs_f64();
        match outcome {
            Ok(raw) => Reading {
                state: OcrState::Read,
                text: ocr::tidy(&raw),
                reason: None,
                seconds,
                engine: Some(engine),
            },
            Err(reason) => Reading {
                state: OcrState::Failed,
                text: String::new(),
                reason: Some(reason),
                seconds,
                engine: Some(engine),
            },
        }
    }
}

/// Runs `command args…` with the time limit; its stdout, or why it failed.
async fn output_of(
    command: &str,
    args: &[&std::ffi::OsStr],
) -> Result<std::process::Output, String> {
    let child = Command::new(command)
        .args(args)
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A reading that runs out of time is dropped, and with it the process.
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run `{command}`: {e}"))?;
    let limit = Duration::from_secs(ocr::OCR_TIME_LIMIT_SECONDS);
    match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(format!("`{command}` failed: {e}")),
        Err(_) => Err(format!(
            "`{command}` took longer than {} seconds and was stopped",
            ocr::OCR_TIME_LIMIT_SECONDS
        )),
    }
}

async fn probe(command: &str) -> Result<String, String> {
    let version = output_of(command, &["--version".as_ref()]).await?;
    let text = String::from_utf8_lossy(&version.stdout).to_string()
        + &String::from_utf8_lossy(&version.stderr);
    let version = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("tesseract"))
        .map(str::to_string)
        .ok_or_else(|| format!("`{command} --version` does not name tesseract"))?;
    let langs = output_of(command, &["--list-langs".as_ref()]).await?;
    // Older releases list the models on stderr.
    let listed = String::from_utf8_lossy(&langs.stdout).to_string()
        + &String::from_utf8_lossy(&langs.stderr);
    if !ocr::lists_required_model(&listed) {
        return Err(format!(
            "{version} has no {} model (install tesseract-ocr-chi-sim)",
            ocr::OCR_REQUIRED_MODEL
        ));
    }
    tracing::info!(%version, "OCR available");
    Ok(version)
}

async fn run_tesseract(command: &str, path: &Path) -> Result<String, String> {
    let out = output_of(
        command,
        &[
            path.as_os_str(),
            "stdout".as_ref(),
            "-l".as_ref(),
            ocr::OCR_LANGUAGES.as_ref(),
        ],
    )
    .await?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or_default().trim();
        return Err(format!("tesseract exited with {}: {last}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[derive(serde::Deserialize)]
struct Payload {
    evidence_id: EvidenceId,
}

/// The `read_screenshot_text` job: reads one screenshot's display copy and records the text.
pub(super) async fn read_screenshot_text(
    pool: &DbPool,
    ctx: &JobContext,
    payload: &str,
    now: NaiveDateTime,
) -> Result<(), JobError> {
    let Payload { evidence_id } = serde_json::from_str(payload)
        .map_err(|e| JobError::Workflow(workflow::WorkflowError::internal(e)))?;
    let shot = db::run(pool, move |conn| {
        Ok(evidence_texts::screenshot(conn, evidence_id)?)
    })
    .await?;
    let Some(shot) = shot else {
        tracing::debug!(evidence = %evidence_id, "screenshot gone before it was read");
        return Ok(());
    };
    // Queued only once the copies are made (`workflow::screenshot_copies`).
    let Some(sha) = shot.display_sha256.as_deref().and_then(Sha256Hex::parse) else {
        return Err(JobError::Workflow(workflow::WorkflowError::Invalid(
            "evidence display copy has no valid sha256",
        )));
    };
    // A file this machine can hand to the OCR program (a copy, with object storage).
    let (store, scratch) = (ctx.store.clone(), ctx.handoff.scratch_dir.clone());
    let file =
        tokio::task::spawn_blocking(move || store.local_file(BlobKind::Display, &sha, &scratch))
            .await
            .map_err(std::io::Error::other)??;
    let reading = ctx.ocr.read(file.path()).await;
    drop(file);
    match reading.state {
        OcrState::Read => tracing::info!(
            evidence = %evidence_id,
            seconds = reading.seconds,
            chars = reading.text.chars().count(),
            "screenshot read"
        ),
        OcrState::Unavailable | OcrState::Failed => tracing::warn!(
            evidence = %evidence_id,
            state = %reading.state,
            reason = reading.reason.as_deref().unwrap_or_default(),
            "screenshot not read"
        ),
    }
    db::run_with(pool, move |conn| {
        workflow::ocr::record_reading(conn, evidence_id, &reading, now)
    })
    .await?;
    Ok(())
}
