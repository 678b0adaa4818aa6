//! Handing a substantiated case to a regulator, and what comes back: the package is built and
//! stored once, then the handoff row, the transition, the audit entry (with the package's
//! SHA-256) and the emails commit together. The regulator acknowledges and records the outcome
//! through signed links; a reminder goes once if no acknowledgement came in 5 working days.

use super::{Links, WorkflowError, change_status};
use crate::db::{self, DbPool, audit, cases, evidence, handoffs, notes, outbox, queue, regulators};
use crate::domain::MailId;
use crate::domain::audit::Actor;
use crate::domain::audit::AuditAction;
use crate::domain::audit::Visibility;
use crate::domain::deadlines::{ACKNOWLEDGE_WORKING_DAYS, Deadlines};
use crate::domain::outcome::Outcome;
use crate::domain::region::divisions;
use crate::domain::status::ClosedReason;
use crate::domain::{CaseId, HandoffId, OfficerId, RegulatorId};
use crate::domain::{CaseNumber, Lang, RegionCode, Transition, china_date};
use crate::evidence::{BlobKind, EvidenceStore, Sha256Hex};
use crate::handoff::contents::{self, PackageInput, PackedEvidence};
use crate::handoff::links::{self, LinkAction};
use crate::handoff::package;
use crate::handoff::signing::{PortalKey, fingerprint};
use crate::i18n::messages;
use crate::mail::{self, messages::HandoffEmail};
use crate::storage::PackageStore;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

/// Packages up to this size go as an attachment too; larger ones only by the link.
pub const ATTACH_LIMIT: i64 = 10 * 1024 * 1024;

/// What a handoff needs beside the database.
#[derive(Clone)]
pub struct HandoffContext {
    pub key: Arc<PortalKey>,
    pub link_key: Vec<u8>,
    /// Where packages are kept (the portal's storage).
    pub packages: PackageStore,
    pub store: EvidenceStore,
    /// A folder on this machine for files being made (a campaign's package before it is kept).
    pub scratch_dir: PathBuf,
    pub links: Links,
    /// Working days a platform desk has to answer a notice.
    pub platform_answer_working_days: u32,
}

impl HandoffContext {
    fn link(
        &self,
        handoff_id: HandoffId,
        action: LinkAction,
        now: chrono::NaiveDateTime,
    ) -> String {
        let expires = (now + action.lifetime()).and_utc().timestamp();
        format!(
            "{}{}",
            self.links.base_url,
            links::path(&self.link_key, handoff_id, action, expires)
        )
    }
}

/// Records, in the case's audit trail, that the package of handoff `seq` was downloaded by `who`.
pub fn record_package_download(
    conn: &mut db::DbConnection,
    case_id: CaseId,
    seq: i32,
    package_sha256: &str,
    who: Actor,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        audit::append(
            conn,
            &audit::NewAuditEntry {
                case_id,
                actor: who,
                action: crate::domain::audit::AuditAction::PackageDownloaded,
                detail: &json!({ "handoff": seq, "sha256": package_sha256 }),
                visibility: Visibility::OfficersOnly,
                at: db::now(),
            },
        )?;
        Ok(())
    })
}

/// What a handoff is built from, read in one go.
struct Gathered {
    case: cases::CaseRow,
    regulator: regulators::RegulatorRow,
    files: Vec<(evidence::EvidenceRow, Option<evidence::RedactionRow>)>,
    messages: Vec<notes::MessageView>,
    trail: Vec<audit::AuditRow>,
    finding: Option<crate::db::findings::FindingView>,
    seq: i32,
}

/// Who hands which case (as they saw it, at `version`) to whom.
#[derive(Clone, Copy)]
struct Request {
    number: CaseNumber,
    version: i32,
    officer_id: OfficerId,
    regulator_id: RegulatorId,
}

/// A package built and stored: what the handoff row and its email say of it.
struct Stored {
    seq: i32,
    folder: String,
    sha256: String,
    size: i64,
    evidence_count: usize,
    /// Written for this handoff (not there already): removed again if the handoff fails.
    created: bool,
}

/// Builds, stores and records a handoff of case `number` (as the officer saw it at `version`)
/// to `regulator_id`. Returns the handoff id.
pub async fn hand_off(
    pool: &DbPool,
    ctx: &HandoffContext,
    number: CaseNumber,
    version: i32,
    officer_id: OfficerId,
    officer_may_work: impl Fn(&cases::CaseRow) -> bool + Send + 'static,
    regulator_id: RegulatorId,
) -> Result<HandoffId, WorkflowError> {
    let req = Request {
        number,
        version,
        officer_id,
        regulator_id,
    };
    let store = ctx.store.clone();
    let g = db::run_with(pool, move |conn| {
        gather(conn, &store, &req, &officer_may_work)
    })
    .await?;
    let now = db::now();
    let stored = build_and_store(ctx, g, now).await?;
    let tx_ctx = ctx.clone();
    let (package_sha, created) = (stored.sha256.clone(), stored.created);
    let result = db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| record(conn, &tx_ctx, &req, &stored, now))
    })
    .await;
    if result.is_err() && created {
        // The package was written for this handoff alone: it goes with it.
        let packages = ctx.packages.clone();
        let _ = tokio::task::spawn_blocking(move || packages.remove(&package_sha)).await;
    }
    result
}

impl Stored {
    /// The handoff row of this package.
    fn row(
        &self,
        case_id: CaseId,
        req: &Request,
        now: chrono::NaiveDateTime,
    ) -> handoffs::NewHandoff<'_> {
        handoffs::NewHandoff {
            case_id,
            regulator_id: req.regulator_id,
            seq: self.seq,
            folder: &self.folder,
            package_sha256: &self.sha256,
            package_size: self.size,
            created_by: req.officer_id,
            created_at: now,
            campaign_handoff_id: None,
        }
    }
}

/// Reads what the package is built from, after checking that the officer may hand the case off
/// as they saw it, to an active regulator.
fn gather(
    conn: &mut db::DbConnection,
    store: &EvidenceStore,
    req: &Request,
    officer_may_work: &dyn Fn(&cases::CaseRow) -> bool,
) -> Result<Gathered, WorkflowError> {
    let case = cases::find_by_number(conn, &req.number)?.ok_or(diesel::result::Error::NotFound)?;
    if !officer_may_work(&case) {
        return Err(WorkflowError::NotAllowed("review.not_yours"));
    }
    if case.version != req.version {
        return Err(WorkflowError::Conflict);
    }
    case.status.apply(Transition::HandOff)?;
    let regulator = regulators::get(conn, req.regulator_id)
        .map_err(|_| WorkflowError::Invalid("handoff.unknown_regulator"))?;
    if !regulator.active {
        return Err(WorkflowError::Invalid("handoff.unknown_regulator"));
    }
    let mut files = Vec::new();
    for row in evidence::for_case(conn, case.id)? {
        // A package never goes without a file: copies the job has not made yet are made now.
        let row = super::screenshot_copies::made(conn, store, row, db::now())?;
        let redaction = evidence::latest_redaction(conn, row.id)?;
        files.push((row, redaction));
    }
    Ok(Gathered {
        messages: notes::messages_for(conn, case.id)?,
        trail: audit::for_case(conn, case.id)?,
        finding: crate::db::findings::of_case(conn, case.id)?,
        seq: handoffs::next_seq(conn, case.id)?,
        case,
        regulator,
        files,
    })
}

/// Builds the signed package off the executor and keeps it under its SHA-256.
async fn build_and_store(
    ctx: &HandoffContext,
    g: Gathered,
    now: chrono::NaiveDateTime,
) -> Result<Stored, WorkflowError> {
    let seq = g.seq;
    let folder = format!("{}-H{seq}", g.case.case_number);
    let build_ctx = ctx.clone();
    let build_folder = folder.clone();
    let (zip, evidence_count) =
        tokio::task::spawn_blocking(move || build_package(&build_ctx, &build_folder, g, now))
            .await
            .map_err(|e| WorkflowError::Db(db::DbError::Task(e.to_string())))?
            .map_err(|e| {
                WorkflowError::Db(db::DbError::Task(format!("building the package: {e}")))
            })?;
    let size = zip.len() as i64;
    let packages = ctx.packages.clone();
    let (sha256, created) = tokio::task::spawn_blocking(move || packages.put_bytes(&zip))
        .await
        .map_err(|e| WorkflowError::Db(db::DbError::Task(e.to_string())))?
        .map_err(|e| WorkflowError::Db(db::DbError::Task(format!("storing the package: {e}"))))?;
    Ok(Stored {
        seq,
        folder,
        sha256,
        size,
        evidence_count,
        created,
    })
}

/// The package's bytes and how many evidence files it holds.
fn build_package(
    ctx: &HandoffContext,
    folder: &str,
    g: Gathered,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<(Vec<u8>, usize)> {
    let mut packed = Vec::new();
    for (row, redaction) in g.files {
        packed.push(pack(&ctx.store, row, redaction)?);
    }
    let count = packed.len();
    let fp = fingerprint(&ctx.key.verifying_key());
    let input = PackageInput {
        case: &g.case,
        seq: g.seq,
        regulator: &g.regulator,
        evidence: packed,
        messages: &g.messages,
        trail: &g.trail,
        chain_intact: audit::verify(&g.trail).is_ok(),
        finding: g.finding.as_ref(),
        portal_url: &ctx.links.base_url,
        key_fingerprint: &fp,
        generated_at: now,
    };
    let files = contents::files(input)?;
    Ok((package::build(folder, files, &ctx.key, now)?, count))
}

/// One evidence file as it goes into the package. Only copies leave the portal: the officer's
/// redacted copy where there is one, else the metadata-free display copy. Originals go only on
/// request, by their own link.
pub(super) fn pack(
    store: &EvidenceStore,
    row: evidence::EvidenceRow,
    redaction: Option<evidence::RedactionRow>,
) -> anyhow::Result<PackedEvidence> {
    let (display, thumb) = evidence::copy_shown(&row, redaction.as_ref())
        .ok_or_else(|| anyhow::anyhow!("evidence {} has no copies yet", row.id))?;
    if row.display_kind.is_none() {
        anyhow::bail!("evidence {} has no display copy yet", row.id);
    }
    let bytes = store.read(BlobKind::Display, &sha(display)?)?;
    let thumbnail = store.read(BlobKind::Thumbnail, &sha(thumb)?)?;
    Ok(PackedEvidence {
        row,
        bytes,
        redaction,
        thumbnail,
    })
}

/// In the handoff's transaction: the handoff row, the transition with its audit entry (naming
/// the package), the acknowledgement deadline and the regulator's email, if the case is still
/// as the officer saw it.
fn record(
    conn: &mut db::DbConnection,
    ctx: &HandoffContext,
    req: &Request,
    p: &Stored,
    now: chrono::NaiveDateTime,
) -> Result<HandoffId, WorkflowError> {
    let case = cases::find_by_number(conn, &req.number)?.ok_or(diesel::result::Error::NotFound)?;
    if case.version != req.version {
        return Err(WorkflowError::Conflict);
    }
    let regulator = regulators::get(conn, req.regulator_id)?;
    let (seq, officer_id) = (p.seq, req.officer_id);
    let id = handoffs::insert(conn, &p.row(case.id, req, now))?;
    let detail = json!({
        "handoff": seq,
        "regulator": regulator.name,
        "package_sha256": p.sha256,
        "package_bytes": p.size,
    });
    let actor = Actor::Officer(officer_id);
    change_status(
        conn,
        &case,
        Transition::HandOff,
        actor,
        detail,
        None,
        &ctx.links,
    )?;
    // The acknowledgement clock: flagged in the queue after 5 working days.
    let cal = db::calendar::current(conn)?;
    queue::set_deadlines(
        conn,
        case.id,
        &Deadlines::acknowledgement(&cal, china_date(now)),
    )?;
    super::platform_notices::create_for_handoff(conn, &case, id, now)?;
    let outbox_id = enqueue_handoff_mail(
        conn,
        ctx,
        &case,
        &regulator,
        id,
        seq,
        p.size,
        &p.sha256,
        p.evidence_count,
        false,
        now,
    )?;
    handoffs::set_outbox(conn, id, outbox_id)?;
    tracing::info!(case = %case.case_number, handoff = %id, package = %p.sha256, "case handed off");
    Ok(id)
}

fn sha(s: &str) -> anyhow::Result<Sha256Hex> {
    Sha256Hex::parse(s).ok_or_else(|| anyhow::anyhow!("stored hash {s} is malformed"))
}

#[allow(clippy::too_many_arguments)]
fn enqueue_handoff_mail(
    conn: &mut db::DbConnection,
    ctx: &HandoffContext,
    case: &cases::CaseRow,
    regulator: &regulators::RegulatorRow,
    handoff_id: HandoffId,
    seq: i32,
    size: i64,
    package_sha: &str,
    evidence_count: usize,
    reminder: bool,
    now: chrono::NaiveDateTime,
) -> Result<MailId, WorkflowError> {
    let summary_lines = summary_lines(case);
    let file_name = format!("{}-H{seq}.zip", case.case_number);
    let composed = HandoffEmail {
        reminder,
        regulator_name: regulator.name.clone(),
        case_number: case.case_number.clone(),
        summary_lines,
        is_complaint: case.is_complaint,
        evidence_count,
        package_url: ctx.link(handoff_id, LinkAction::Package, now),
        acknowledge_url: ctx.link(handoff_id, LinkAction::Acknowledge, now),
        outcome_url: ctx.link(handoff_id, LinkAction::Outcome, now),
        // The moment the links stop working, in China time with its offset.
        links_expire_on: crate::domain::china_time::format_with_offset(
            &(now + LinkAction::Package.lifetime()),
        ),
        attachment: (size <= ATTACH_LIMIT).then(|| (package_sha.to_string(), file_name)),
        key_fingerprint: fingerprint(&ctx.key.verifying_key()),
    }
    .compose()?;
    Ok(mail::enqueue(
        conn,
        Some(case.id),
        &regulator.email,
        &composed,
        now,
    )?)
}

/// The case in a few lines for the handoff email (zh-CN).
fn summary_lines(case: &cases::CaseRow) -> Vec<(String, String)> {
    let m = messages(Lang::ZhCn);
    let region = RegionCode::parse(&case.region_code)
        .and_then(|c| divisions().region(&c))
        .map(|r| r.full_name())
        .unwrap_or_default();
    vec![
        ("平台".to_string(), m.platform(case.platform).to_string()),
        ("店铺".to_string(), case.shop_name.clone()),
        ("店铺链接或 ID".to_string(), case.shop_ref.clone()),
        ("商家所在地".to_string(), region),
        (
            "问题类型".to_string(),
            m.category(case.category).to_string(),
        ),
    ]
}

/// Sends the handoff email again (an officer's "resend"), with fresh links.
pub fn resend(
    conn: &mut db::DbConnection,
    ctx: &HandoffContext,
    handoff_id: HandoffId,
    officer_id: OfficerId,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        let h = handoffs::get(conn, handoff_id)?;
        let case = cases::get(conn, h.case_id)?;
        let regulator = regulators::get(conn, h.regulator_id)?;
        let count = evidence::for_case(conn, case.id)?.len();
        let now = db::now();
        let outbox_id = enqueue_handoff_mail(
            conn,
            ctx,
            &case,
            &regulator,
            h.id,
            h.seq,
            h.package_size,
            &h.package_sha256,
            count,
            false,
            now,
        )?;
        handoffs::set_outbox(conn, h.id, outbox_id)?;
        audit::append(
            conn,
            &audit::NewAuditEntry {
                case_id: case.id,
                actor: Actor::Officer(officer_id),
                action: crate::domain::audit::AuditAction::HandoffResent,
                detail: &json!({ "handoff": h.seq, "regulator": regulator.name }),
                visibility: Visibility::OfficersOnly,
                at: now,
            },
        )?;
        Ok(())
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegulatorAnswer {
    Done,
    AlreadyDone,
}

/// The regulator's acknowledgement: the handoff records it; a handed-off case moves to acknowledged.
pub fn acknowledge(
    conn: &mut db::DbConnection,
    handoff_id: HandoffId,
    links: &Links,
) -> Result<RegulatorAnswer, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let h = handoffs::get(conn, handoff_id)?;
        let now = db::now();
        if !handoffs::acknowledge(conn, h.id, now)? {
            return Ok(RegulatorAnswer::AlreadyDone);
        }
        let case = cases::get(conn, h.case_id)?;
        super::platform_notices::on_acknowledged(conn, case.id, now)?;
        let answer = RegulatorStep {
            actor: Actor::Regulator(h.id),
            transition: Transition::Acknowledge,
            otherwise: AuditAction::HandoffAcknowledged,
            detail: json!({ "handoff": h.seq }),
            message: None,
        };
        answer.record(conn, &case, now, links)?;
        Ok(RegulatorAnswer::Done)
    })
}

/// What a regulator reported: the outcome, its details, and for a decision the document number
/// and whether it has been made public.
#[derive(Debug, Clone)]
pub struct OutcomeReport {
    pub outcome: Outcome,
    pub details: String,
    pub document_number: String,
    pub published: bool,
}

impl OutcomeReport {
    /// An outcome with details only (as an officer records one told another way).
    pub fn plain(outcome: Outcome, details: &str) -> Self {
        Self {
            outcome,
            details: details.to_string(),
            document_number: String::new(),
            published: false,
        }
    }
}

/// The outcome, from the regulator's link or an officer: recorded on the handoff, the case
/// closed; a published penalty or warning with a document number becomes a record candidate.
pub fn record_outcome(
    conn: &mut db::DbConnection,
    handoff_id: HandoffId,
    report: &OutcomeReport,
    actor: Actor,
    links: &Links,
) -> Result<RegulatorAnswer, WorkflowError> {
    let outcome = report.outcome;
    let document_number = crate::domain::record::clean_document_number(&report.document_number);
    let details: String = report
        .details
        .replace("\r\n", "\n")
        .trim()
        .chars()
        .take(5000)
        .collect();
    db::write_transaction(conn, |conn| {
        let h = handoffs::get(conn, handoff_id)?;
        let now = db::now();
        let recorded = handoffs::RecordedOutcome {
            outcome,
            details: &details,
            document_number: document_number.as_deref(),
            published: report.published,
        };
        if !handoffs::record_outcome(conn, h.id, &recorded, now)? {
            return Ok(RegulatorAnswer::AlreadyDone);
        }
        let recorded = handoffs::get(conn, h.id)?;
        super::record::candidate_from_outcome(conn, &recorded, now)?;
        let case = cases::get(conn, h.case_id)?;
        super::platform_notices::on_outcome(conn, case.id, now)?;
        cases::set_closed_reason(conn, case.id, ClosedReason::Outcome(outcome))?;
        let m = messages(case.language);
        let message = if details.is_empty() {
            m.t(&format!("outcome.{}", outcome.as_str())).to_string()
        } else {
            format!(
                "{}\n{details}",
                m.t(&format!("outcome.{}", outcome.as_str()))
            )
        };
        let answer = RegulatorStep {
            actor,
            transition: Transition::Close,
            otherwise: AuditAction::Outcome,
            detail: json!({
                "handoff": h.seq,
                "outcome": outcome.as_str(),
                "details": details,
                "document_number": document_number,
                "published": report.published,
            }),
            message: Some(message),
        };
        answer.record(conn, &case, now, links)?;
        Ok(RegulatorAnswer::Done)
    })
}

/// What a regulator's answer does to the case: the transition where the case's status allows
/// it (the reporter is told), else only an entry in the trail (a second handoff's answer, a case
/// an officer closed first).
struct RegulatorStep {
    actor: Actor,
    transition: Transition,
    otherwise: AuditAction,
    detail: serde_json::Value,
    message: Option<String>,
}

impl RegulatorStep {
    fn record(
        self,
        conn: &mut db::DbConnection,
        case: &cases::CaseRow,
        now: chrono::NaiveDateTime,
        links: &Links,
    ) -> Result<(), WorkflowError> {
        if case.status.apply(self.transition).is_ok() {
            let message = self.message.as_deref();
            change_status(
                conn,
                case,
                self.transition,
                self.actor,
                self.detail,
                message,
                links,
            )?;
        } else {
            let entry = audit::NewAuditEntry {
                case_id: case.id,
                actor: self.actor,
                action: self.otherwise,
                detail: &self.detail,
                visibility: Visibility::AlsoReporter,
                at: now,
            };
            audit::append(conn, &entry)?;
            cases::mark_activity(conn, case.id, now)?;
        }
        Ok(())
    }
}

/// Five working days are at least a week: only handoffs older than this are read as candidates
/// for a reminder, then each is counted exactly by `acknowledgement_overdue`.
pub(super) const REMINDER_CANDIDATES_OLDER_THAN: chrono::TimeDelta = chrono::TimeDelta::days(5);

/// Whether a handoff made at `handed_off_at` has gone unacknowledged past its 5 working days.
pub(super) fn acknowledgement_overdue(
    cal: &crate::domain::workdays::Calendar,
    handed_off_at: chrono::NaiveDateTime,
    now: chrono::NaiveDateTime,
) -> bool {
    cal.add_working_days(china_date(handed_off_at), ACKNOWLEDGE_WORKING_DAYS) < china_date(now)
}

/// Sends one reminder for each handoff not acknowledged within 5 working days (a campaign's
/// cases with their campaign, in one email).
pub async fn send_reminders(pool: &DbPool, ctx: &HandoffContext) -> Result<usize, WorkflowError> {
    let ctx = ctx.clone();
    db::run_with(pool, move |conn| {
        let now = db::now();
        let cal = db::calendar::current(conn)?;
        let mut sent = 0;
        for h in handoffs::due_for_reminder(conn, now - REMINDER_CANDIDATES_OLDER_THAN)? {
            if !acknowledgement_overdue(&cal, h.created_at, now) {
                continue;
            }
            db::write_transaction(conn, |conn| {
                if !handoffs::mark_reminded(conn, h.id, now)? {
                    return Ok::<_, WorkflowError>(());
                }
                let case = cases::get(conn, h.case_id)?;
                let regulator = regulators::get(conn, h.regulator_id)?;
                let count = evidence::for_case(conn, case.id)?.len();
                let outbox_id = enqueue_handoff_mail(
                    conn,
                    &ctx,
                    &case,
                    &regulator,
                    h.id,
                    h.seq,
                    h.package_size,
                    &h.package_sha256,
                    count,
                    true,
                    now,
                )?;
                handoffs::set_outbox(conn, h.id, outbox_id)?;
                audit::append(
                    conn,
                    &audit::NewAuditEntry {
                        case_id: case.id,
                        actor: Actor::System,
                        action: crate::domain::audit::AuditAction::HandoffReminder,
                        detail: &json!({ "handoff": h.seq }),
                        visibility: Visibility::OfficersOnly,
                        at: now,
                    },
                )?;
                Ok(())
            })?;
            sent += 1;
        }
        // Campaigns are reminded of as a whole: one email for all their cases.
        sent += super::campaign_handoff::send_reminders(conn, &ctx, &cal, now)?;
        Ok(sent)
    })
    .await
}

/// The delivery state of a handoff's latest email: (attempts, sent at, last error).
pub fn delivery(
    conn: &mut db::DbConnection,
    h: &handoffs::HandoffRow,
) -> diesel::QueryResult<Option<outbox::Delivery>> {
    match h.outbox_id {
        Some(id) => outbox::delivery(conn, id).map(Some),
        None => Ok(None),
    }
}
