//! Handing a whole campaign to a regulator as one package: every member substantiated first;
//! the package written to disk as a stream, one case at a time (`CAMPAIGN-<id>-H<n>/` with
//! `campaign.json`, `summary.html`, one folder per case in the case package's layout, one
//! `SHA256SUMS` and its signature); then, in one transaction, the campaign handoff, a handoff
//! row and the `handed_off` step for each member (its reporter is told), and one email to the
//! regulator. The regulator acknowledges the whole campaign by one signed link and records an
//! outcome for each case by that case's own link.

use super::campaign_contents;
use super::campaign_facts;
use super::handoff::{
    ATTACH_LIMIT, HandoffContext, REMINDER_CANDIDATES_OLDER_THAN, acknowledgement_overdue, pack,
};
use super::{ActingOfficer, Links, WorkflowError, change_status};
use crate::db::{
    self, DbPool, audit, campaigns, cases, evidence, handoffs, notes, queue, regulators,
};
use crate::domain::audit::{Actor, AuditAction, Visibility};
use crate::domain::campaign::{CampaignEventAction, package_folder};
use crate::domain::deadlines::Deadlines;
use crate::domain::{CampaignHandoffId, CampaignId, CaseId, RegulatorId, Transition, china_date};
use crate::handoff::campaign_package::{CampaignPackageWriter, WrittenPackage};
use crate::handoff::contents::{self, PackageInput};
use crate::handoff::links::{self, LinkAction};
use crate::handoff::signing::fingerprint;
use crate::i18n::messages;
use crate::mail::{self, messages::CampaignHandoffEmail};
use chrono::NaiveDateTime;
use serde_json::json;

/// One member as the officer saw it when handing off: it must be so still when recorded.
#[derive(Clone)]
struct Member {
    case_id: CaseId,
    version: i32,
    /// The seq of this case's handoff row.
    seq: i32,
}

/// What the handoff was checked against, before the package is written.
struct Plan {
    campaign_id: CampaignId,
    seq: i32,
    folder: String,
    regulator_id: RegulatorId,
    officer: ActingOfficer,
    members: Vec<Member>,
}

/// What the package held, for the rows and the email.
struct Built {
    written: WrittenPackage,
    evidence_count: usize,
    merchant_count: usize,
    contact_count: usize,
}

/// Hands campaign `campaign_id` to `regulator_id`. Returns the campaign handoff's id.
pub async fn hand_off(
    pool: &DbPool,
    ctx: &HandoffContext,
    campaign_id: CampaignId,
    officer: ActingOfficer,
    regulator_id: RegulatorId,
) -> Result<CampaignHandoffId, WorkflowError> {
    let plan = db::run_with(pool, move |conn| {
        plan(conn, campaign_id, officer, regulator_id)
    })
    .await?;
    let now = db::now();
    let build_ctx = ctx.clone();
    let (plan, built) = db::run_with(pool, move |conn| {
        let built = write_package(conn, &build_ctx, &plan, now)?;
        Ok::<_, WorkflowError>((plan, built))
    })
    .await?;
    let tx_ctx = ctx.clone();
    let (sha, created) = (built.written.sha256.clone(), built.written.created);
    let result = db::run_with(pool, move |conn| {
        db::write_transaction(conn, |conn| record(conn, &tx_ctx, &plan, &built, now))
    })
    .await;
    if result.is_err() && created {
        // Written for this handoff alone: it goes with it.
        let packages = ctx.packages.clone();
        let _ = tokio::task::spawn_blocking(move || packages.remove(&sha)).await;
    }
    result
}

/// Checks that the campaign can go: an active regulator, at least one member, every member
/// substantiated (or handed off before) and the officer allowed to work each.
fn plan(
    conn: &mut db::DbConnection,
    campaign_id: CampaignId,
    officer: ActingOfficer,
    regulator_id: RegulatorId,
) -> Result<Plan, WorkflowError> {
    campaigns::find(conn, campaign_id)?.ok_or(diesel::result::Error::NotFound)?;
    let regulator = regulators::get(conn, regulator_id)
        .map_err(|_| WorkflowError::Invalid("handoff.unknown_regulator"))?;
    if !regulator.active {
        return Err(WorkflowError::Invalid("handoff.unknown_regulator"));
    }
    let rows = campaigns::members(conn, campaign_id)?;
    if rows.is_empty() {
        return Err(WorkflowError::Invalid("campaign.empty"));
    }
    let mut members = Vec::with_capacity(rows.len());
    for case in rows {
        if case.status.apply(Transition::HandOff).is_err() {
            return Err(WorkflowError::NotAllowed("campaign.not_all_substantiated"));
        }
        officer.require_worker_of(&case)?;
        members.push(Member {
            seq: handoffs::next_seq(conn, case.id)?,
            case_id: case.id,
            version: case.version,
        });
    }
    let seq = campaigns::next_handoff_seq(conn, campaign_id)?;
    Ok(Plan {
        folder: package_folder(campaign_id, seq),
        campaign_id,
        seq,
        regulator_id,
        officer,
        members,
    })
}

/// Writes the package, one case at a time: never more than one case's files in memory.
fn write_package(
    conn: &mut db::DbConnection,
    ctx: &HandoffContext,
    plan: &Plan,
    now: NaiveDateTime,
) -> Result<Built, WorkflowError> {
    let facts = campaign_facts::load(conn, plan.campaign_id, plan.officer)?
        .ok_or(diesel::result::Error::NotFound)?;
    let regulator = regulators::get(conn, plan.regulator_id)?;
    let key_fingerprint = fingerprint(&ctx.key.verifying_key());
    // Written on this machine first (a stream, one case at a time), then kept in the storage.
    let mut writer = CampaignPackageWriter::create(&ctx.scratch_dir, &plan.folder, now)
        .map_err(WorkflowError::internal)?;
    let summary = campaign_contents::Summary {
        facts: &facts,
        seq: plan.seq,
        regulator: &regulator,
        portal_url: &ctx.links.base_url,
        key_fingerprint: &key_fingerprint,
        generated_at: now,
        handoff_seqs: plan.members.iter().map(|m| m.seq).collect(),
    };
    for file in campaign_contents::files(&summary)? {
        writer
            .add(&file.path, &file.bytes)
            .map_err(WorkflowError::internal)?;
    }
    let mut evidence_count = 0;
    for member in &plan.members {
        evidence_count += write_member(
            conn,
            ctx,
            &mut writer,
            member,
            &regulator,
            &key_fingerprint,
            now,
        )?;
    }
    let mut written = writer.finish(&ctx.key).map_err(WorkflowError::internal)?;
    let kept = ctx.packages.put_file(&written.path, &written.sha256);
    if let Err(e) = std::fs::remove_file(&written.path) {
        tracing::warn!(error = %e, "could not remove a campaign package's scratch copy");
    }
    written.created = kept.map_err(WorkflowError::internal)?;
    tracing::info!(campaign = %plan.campaign_id, package = %written.sha256, bytes = written.size, "campaign package written");
    Ok(Built {
        written,
        evidence_count,
        merchant_count: facts.merchants.len(),
        contact_count: facts.contacts.len(),
    })
}

/// One case's folder, as its own package would hold it. Returns how many evidence files.
fn write_member(
    conn: &mut db::DbConnection,
    ctx: &HandoffContext,
    writer: &mut CampaignPackageWriter,
    member: &Member,
    regulator: &regulators::RegulatorRow,
    key_fingerprint: &str,
    now: NaiveDateTime,
) -> Result<usize, WorkflowError> {
    let case = cases::get(conn, member.case_id)?;
    let mut packed = Vec::new();
    for row in evidence::for_case(conn, case.id)? {
        // A package never goes without a file: copies the job has not made yet are made now.
        let row = super::screenshot_copies::made(conn, &ctx.store, row, now)?;
        let redaction = evidence::latest_redaction(conn, row.id)?;
        packed.push(pack(&ctx.store, row, redaction).map_err(WorkflowError::Internal)?);
    }
    let count = packed.len();
    let messages = notes::messages_for(conn, case.id)?;
    let trail = audit::for_case(conn, case.id)?;
    let finding = crate::db::findings::of_case(conn, case.id)?;
    let input = PackageInput {
        case: &case,
        seq: member.seq,
        regulator,
        evidence: packed,
        messages: &messages,
        trail: &trail,
        chain_intact: audit::verify(&trail).is_ok(),
        finding: finding.as_ref(),
        portal_url: &ctx.links.base_url,
        key_fingerprint,
        generated_at: now,
    };
    for file in contents::files(input)? {
        let path = format!("{}/{}", case.case_number, file.path);
        writer
            .add(&path, &file.bytes)
            .map_err(WorkflowError::internal)?;
    }
    Ok(count)
}

/// In one transaction: the campaign handoff, each member's handoff row and `handed_off` step
/// (with its acknowledgement clock), the regulator's email and the campaign's timeline entry —
/// if every member is still as it was planned.
fn record(
    conn: &mut db::DbConnection,
    ctx: &HandoffContext,
    plan: &Plan,
    built: &Built,
    now: NaiveDateTime,
) -> Result<CampaignHandoffId, WorkflowError> {
    let rows = campaigns::members(conn, plan.campaign_id)?;
    let unchanged = rows.len() == plan.members.len()
        && rows
            .iter()
            .zip(&plan.members)
            .all(|(c, m)| c.id == m.case_id && c.version == m.version);
    if !unchanged {
        return Err(WorkflowError::Conflict);
    }
    let campaign = campaigns::get(conn, plan.campaign_id)?;
    let regulator = regulators::get(conn, plan.regulator_id)?;
    let p = &built.written;
    let id = campaigns::insert_handoff(
        conn,
        &campaigns::NewCampaignHandoff {
            campaign_id: plan.campaign_id,
            regulator_id: plan.regulator_id,
            seq: plan.seq,
            folder: &plan.folder,
            package_sha256: &p.sha256,
            package_size: p.size,
            case_count: i32::try_from(rows.len()).unwrap_or(i32::MAX),
            created_by: plan.officer.id,
            created_at: now,
        },
    )?;
    let cal = db::calendar::current(conn)?;
    let actor = Actor::Officer(plan.officer.id);
    for (case, member) in rows.iter().zip(&plan.members) {
        let _span = tracing::info_span!("case", case = %case.case_number).entered();
        let member_handoff = handoffs::insert(
            conn,
            &handoffs::NewHandoff {
                case_id: case.id,
                regulator_id: plan.regulator_id,
                seq: member.seq,
                folder: &plan.folder,
                package_sha256: &p.sha256,
                package_size: p.size,
                created_by: plan.officer.id,
                created_at: now,
                campaign_handoff_id: Some(id),
            },
        )?;
        super::platform_notices::create_for_handoff(conn, case, member_handoff, now)?;
        let detail = json!({
            "handoff": member.seq,
            "regulator": regulator.name,
            "package_sha256": p.sha256,
            "package_bytes": p.size,
            "campaign": plan.campaign_id,
            "campaign_handoff": plan.seq,
            "folder": format!("{}/{}", plan.folder, case.case_number),
        });
        change_status(
            conn,
            case,
            Transition::HandOff,
            actor,
            detail,
            None,
            &ctx.links,
        )?;
        queue::set_deadlines(
            conn,
            case.id,
            &Deadlines::acknowledgement(&cal, china_date(now)),
        )?;
    }
    let mail = CampaignMail {
        ctx,
        campaign: &campaign,
        regulator: &regulator,
        handoff: id,
        folder: &plan.folder,
        cases: &rows,
        built: Some(built),
        reminder: false,
    };
    let outbox_id = mail.enqueue(conn, now)?;
    campaigns::set_handoff_outbox(conn, id, outbox_id)?;
    campaigns::add_event(
        conn,
        &campaigns::NewEvent {
            campaign_id: plan.campaign_id,
            case_id: None,
            officer_id: Some(plan.officer.id),
            action: CampaignEventAction::HandedOff,
            detail: &json!({
                "seq": plan.seq,
                "regulator": regulator.name,
                "package_sha256": p.sha256,
                "cases": rows.len(),
            }),
            at: now,
        },
    )?;
    campaigns::touch(conn, plan.campaign_id, now)?;
    tracing::info!(campaign = %plan.campaign_id, handoff = %id, package = %p.sha256, "campaign handed off");
    Ok(id)
}

/// The regulator's email for a campaign handoff (or its reminder).
struct CampaignMail<'a> {
    ctx: &'a HandoffContext,
    campaign: &'a campaigns::CampaignRow,
    regulator: &'a regulators::RegulatorRow,
    handoff: CampaignHandoffId,
    folder: &'a str,
    cases: &'a [cases::CaseRow],
    /// The package as just written (a reminder reads its size from the row).
    built: Option<&'a Built>,
    reminder: bool,
}

impl CampaignMail<'_> {
    fn link(&self, action: LinkAction, now: NaiveDateTime) -> String {
        let expires = (now + action.lifetime()).and_utc().timestamp();
        format!(
            "{}{}",
            self.ctx.links.base_url,
            links::campaign_path(&self.ctx.link_key, self.handoff, action, expires)
        )
    }

    fn enqueue(
        &self,
        conn: &mut db::DbConnection,
        now: NaiveDateTime,
    ) -> Result<crate::domain::MailId, WorkflowError> {
        let m = messages(crate::domain::Lang::ZhCn);
        let row = campaigns::get_handoff(conn, self.handoff)?;
        let evidence_count = match self.built {
            Some(b) => b.evidence_count,
            None => {
                let mut n = 0;
                for c in self.cases {
                    n += evidence::for_case(conn, c.id)?.len();
                }
                n
            }
        };
        let composed = CampaignHandoffEmail {
            reminder: self.reminder,
            regulator_name: self.regulator.name.clone(),
            campaign_name: self.campaign.name.clone(),
            folder: self.folder.to_string(),
            cases: self
                .cases
                .iter()
                .map(|c| {
                    let platform = m.platform_label(c.platform, c.platform_other.as_deref());
                    (c.case_number.clone(), platform, c.shop_name.clone())
                })
                .collect(),
            merchant_count: self.built.map_or(0, |b| b.merchant_count),
            contact_count: self.built.map_or(0, |b| b.contact_count),
            evidence_count,
            finding: self.campaign.finding.clone(),
            package_url: self.link(LinkAction::Package, now),
            acknowledge_url: self.link(LinkAction::Acknowledge, now),
            links_expire_on: crate::domain::china_time::format_with_offset(
                &(now + LinkAction::Package.lifetime()),
            ),
            package_size: human_size(row.package_size),
            attachment: (row.package_size <= ATTACH_LIMIT)
                .then(|| (row.package_sha256.clone(), format!("{}.zip", self.folder))),
            key_fingerprint: fingerprint(&self.ctx.key.verifying_key()),
        }
        .compose()?;
        Ok(mail::enqueue(
            conn,
            None,
            &self.regulator.email,
            &composed,
            now,
        )?)
    }
}

fn human_size(bytes: i64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes as f64 >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB)
    } else {
        format!("{:.0} KiB", (bytes as f64 / 1024.0).ceil())
    }
}

/// The regulator acknowledges the campaign: every member's handoff at once (each case moves to
/// acknowledged and its reporter is told). False if it was acknowledged before.
pub fn acknowledge(
    conn: &mut db::DbConnection,
    id: CampaignHandoffId,
    links: &Links,
) -> Result<bool, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let now = db::now();
        if !campaigns::acknowledge_handoff(conn, id, now)? {
            return Ok(false);
        }
        let h = campaigns::get_handoff(conn, id)?;
        for (member, _) in handoffs::of_campaign_handoff(conn, id)? {
            super::handoff::acknowledge(conn, member.id, links)?;
        }
        campaigns::add_event(
            conn,
            &campaigns::NewEvent {
                campaign_id: h.campaign_id,
                case_id: None,
                officer_id: None,
                action: CampaignEventAction::HandoffAcknowledged,
                detail: &json!({ "seq": h.seq }),
                at: now,
            },
        )?;
        Ok(true)
    })
}

/// Records, in each member's trail and the campaign's timeline, that the package was downloaded
/// by `officer`, or (`None`) by the regulator through its link.
pub fn record_package_download(
    conn: &mut db::DbConnection,
    id: CampaignHandoffId,
    officer: Option<crate::domain::OfficerId>,
) -> Result<(), WorkflowError> {
    db::write_transaction(conn, |conn| {
        let now = db::now();
        let h = campaigns::get_handoff(conn, id)?;
        for (member, _) in handoffs::of_campaign_handoff(conn, id)? {
            let who = match officer {
                Some(o) => Actor::Officer(o),
                None => Actor::Regulator(member.id),
            };
            audit::append(
                conn,
                &audit::NewAuditEntry {
                    case_id: member.case_id,
                    actor: who,
                    action: AuditAction::PackageDownloaded,
                    detail: &json!({ "handoff": member.seq, "sha256": h.package_sha256, "campaign_handoff": h.seq }),
                    visibility: Visibility::OfficersOnly,
                    at: now,
                },
            )?;
        }
        let by = if officer.is_some() {
            "officer"
        } else {
            "regulator"
        };
        campaigns::add_event(
            conn,
            &campaigns::NewEvent {
                campaign_id: h.campaign_id,
                case_id: None,
                officer_id: officer,
                action: CampaignEventAction::PackageDownloaded,
                detail: &json!({ "seq": h.seq, "by": by }),
                at: now,
            },
        )?;
        Ok(())
    })
}

/// One reminder for each campaign handoff not acknowledged within 5 working days; run by
/// `handoff::send_reminders` with the calendar and time it read.
pub(super) fn send_reminders(
    conn: &mut db::DbConnection,
    ctx: &HandoffContext,
    cal: &crate::domain::workdays::Calendar,
    now: NaiveDateTime,
) -> Result<usize, WorkflowError> {
    let mut sent = 0;
    let older = now - REMINDER_CANDIDATES_OLDER_THAN;
    for h in campaigns::handoffs_due_for_reminder(conn, older)? {
        if !acknowledgement_overdue(cal, h.created_at, now) {
            continue;
        }
        db::write_transaction(conn, |conn| {
            if !campaigns::mark_handoff_reminded(conn, h.id, now)? {
                return Ok::<_, WorkflowError>(());
            }
            let campaign = campaigns::get(conn, h.campaign_id)?;
            let regulator = regulators::get(conn, h.regulator_id)?;
            let mut members = Vec::new();
            for (m, _) in handoffs::of_campaign_handoff(conn, h.id)? {
                members.push(cases::get(conn, m.case_id)?);
            }
            let mail = CampaignMail {
                ctx,
                campaign: &campaign,
                regulator: &regulator,
                handoff: h.id,
                folder: &h.folder,
                cases: &members,
                built: None,
                reminder: true,
            };
            let outbox_id = mail.enqueue(conn, now)?;
            campaigns::set_handoff_outbox(conn, h.id, outbox_id)?;
            Ok(())
        })?;
        sent += 1;
    }
    Ok(sent)
}
