//! Platform notices (平台反馈): a handed-off case told to the platform that hosts the fake
//! reviews, and the platform's answer.
//!
//! The notice is created with the case's first handoff and waits, so that no merchant under
//! investigation is tipped off: it goes when the regulator acknowledges, or 5 working days after
//! the handoff, unless the regulator held it (then when it is released or the outcome recorded).
//! A platform without a desk never blocks anything: its notices wait, listed for supervisors,
//! until a desk is added. Each step is one transaction with its audit entry and its emails.

use super::handoff::HandoffContext;
use super::{ActingOfficer, Links, WorkflowError};
use crate::db::{self, DbConnection, audit, cases, findings, platform_desks, platform_notices};
use crate::domain::audit::{Actor, AuditAction, Visibility};
use crate::domain::ids::{HandoffId, PlatformNoticeId};
use crate::domain::platform_desk::normalize_domain;
use crate::domain::platform_notice::{self, PlatformAnswer, PlatformResponse};
use crate::domain::{CaseNumber, Lang, Platform, china_date};
use crate::handoff::links;
use crate::i18n::{Messages, messages};
use crate::mail::{
    self,
    messages::{OfficerEmail, OfficerNotice, PlatformAnswerEmail, PlatformNoticeEmail},
};
use chrono::NaiveDateTime;
use serde_json::json;

/// In the handoff's transaction: the case's notice, created at its first handoff (a second
/// handoff to another regulator does not tell the platform again).
pub fn create_for_handoff(
    conn: &mut DbConnection,
    case: &cases::CaseRow,
    handoff_id: HandoffId,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let cal = db::calendar::current(conn)?;
    let desk = desk_for(conn, case)?.map(|d| d.id);
    let not_before = platform_notice::send_after(&cal, now);
    platform_notices::create_once(conn, case.id, handoff_id, desk, not_before, now)?;
    Ok(())
}

/// The active desk that covers a case: its platform's, or for "other" the desk (of a platform
/// or a search engine) of the domain its shop link names.
fn desk_for(
    conn: &mut DbConnection,
    case: &cases::CaseRow,
) -> Result<Option<platform_desks::DeskRow>, WorkflowError> {
    if case.platform != Platform::Other {
        return Ok(platform_desks::for_platform(conn, case.platform, None)?);
    }
    let domains = [Some(case.shop_ref.as_str()), case.product_url.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(normalize_domain);
    for domain in domains {
        if let Some(d) = platform_desks::for_domain(conn, &domain)? {
            return Ok(Some(d));
        }
    }
    Ok(None)
}

/// In the acknowledgement's transaction: the notice may go from now.
pub fn on_acknowledged(
    conn: &mut DbConnection,
    case_id: crate::domain::CaseId,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    platform_notices::bring_forward(conn, case_id, now)?;
    Ok(())
}

/// In the outcome's transaction: a held notice is released (the investigation is over).
pub fn on_outcome(
    conn: &mut DbConnection,
    case_id: crate::domain::CaseId,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    if platform_notices::release(conn, case_id, now)? {
        entry(
            conn,
            case_id,
            Actor::System,
            AuditAction::PlatformNoticeReleased,
            json!({ "with": "outcome" }),
            now,
        )?;
    }
    Ok(())
}

/// What the regulator asked of the notice through its handoff link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegulatorNoticeStep {
    Hold,
    Release,
}

/// The regulator holds the notice of handoff `handoff_id`'s case, or releases it. False when
/// there was nothing to do (sent already, not held, held already).
pub fn regulator_step(
    conn: &mut DbConnection,
    handoff_id: HandoffId,
    step: RegulatorNoticeStep,
) -> Result<bool, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let h = db::handoffs::get(conn, handoff_id)?;
        let now = db::now();
        let (changed, action) = match step {
            RegulatorNoticeStep::Hold => (
                platform_notices::hold(conn, h.case_id, now)?,
                AuditAction::PlatformNoticeHeld,
            ),
            RegulatorNoticeStep::Release => (
                platform_notices::release(conn, h.case_id, now)?,
                AuditAction::PlatformNoticeReleased,
            ),
        };
        if changed {
            let detail = json!({ "handoff": h.seq });
            entry(conn, h.case_id, Actor::Regulator(h.id), action, detail, now)?;
        }
        Ok(changed)
    })
}

/// The regulator's acknowledgement, with the notice held first when it asked for that in the
/// same form.
pub fn acknowledge_holding(
    conn: &mut DbConnection,
    handoff_id: HandoffId,
    hold: bool,
    links: &Links,
) -> Result<super::handoff::RegulatorAnswer, WorkflowError> {
    if hold {
        regulator_step(conn, handoff_id, RegulatorNoticeStep::Hold)?;
    }
    super::handoff::acknowledge(conn, handoff_id, links)
}

/// One pass of the sender (the background job): every due notice, then the reminders. Returns
/// how many emails it queued.
pub async fn send_due_and_remind(
    pool: &db::DbPool,
    ctx: &HandoffContext,
    now: NaiveDateTime,
) -> Result<usize, WorkflowError> {
    let ctx = ctx.clone();
    db::run_with(pool, move |conn| {
        Ok(send_due(conn, &ctx, now, None)? + send_reminders(conn, &ctx, now)?)
    })
    .await
}

/// What a request just let go: the notice of a handoff's case (acknowledged, released, outcome),
/// those of a campaign handoff's cases, or the notices that waited for a desk just added.
#[derive(Debug, Clone, Copy)]
pub enum JustDue {
    Handoff(HandoffId),
    CampaignHandoff(crate::domain::CampaignHandoffId),
    WaitingForDesk,
}

/// Sends, right after the step, the notices it let go (not every due notice, and no reminders:
/// that is the background pass's work). A failure is only logged: the background pass sends them.
pub async fn send_now(pool: &db::DbPool, ctx: &HandoffContext, which: JustDue) {
    let ctx = ctx.clone();
    let sent = db::run_with(pool, move |conn| {
        let cases = match which {
            JustDue::Handoff(id) => Some(vec![db::handoffs::get(conn, id)?.case_id]),
            JustDue::CampaignHandoff(id) => Some(
                db::handoffs::of_campaign_handoff(conn, id)?
                    .into_iter()
                    .map(|(h, _)| h.case_id)
                    .collect(),
            ),
            JustDue::WaitingForDesk => None,
        };
        send_due(conn, &ctx, db::now(), cases.as_deref())
    })
    .await;
    if let Err(e) = sent {
        tracing::warn!(error = %e, "platform notices wait for the next pass of the sender");
    }
}

/// Sends every notice whose time has come (of `cases`, when given) and that has a desk (looking
/// the desk up again for those that had none). Returns how many went.
pub fn send_due(
    conn: &mut DbConnection,
    ctx: &HandoffContext,
    now: NaiveDateTime,
    cases: Option<&[crate::domain::CaseId]>,
) -> Result<usize, WorkflowError> {
    let mut sent = 0;
    for notice in platform_notices::due(conn, now, cases)? {
        if !notice.clock().due(now) {
            continue;
        }
        let went = db::write_transaction(conn, |conn| send_one(conn, ctx, notice.id, now))?;
        sent += usize::from(went);
    }
    Ok(sent)
}

/// Sends one due notice, if it has (or now finds) a desk and nobody sent it first.
fn send_one(
    conn: &mut DbConnection,
    ctx: &HandoffContext,
    id: PlatformNoticeId,
    now: NaiveDateTime,
) -> Result<bool, WorkflowError> {
    let notice = platform_notices::get(conn, id)?;
    let case = cases::get(conn, notice.case_id)?;
    let desk = match notice.desk_id {
        Some(d) => platform_desks::get(conn, d)?,
        None => match desk_for(conn, &case)? {
            Some(d) => {
                platform_notices::set_desk(conn, id, d.id)?;
                d
            }
            None => return Ok(false),
        },
    };
    let cal = db::calendar::current(conn)?;
    let due_on = platform_notice::answer_due_on(&cal, now, ctx.platform_answer_working_days);
    if !platform_notices::mark_sent(conn, id, now, due_on)? {
        return Ok(false);
    }
    let mail_id = enqueue_notice(conn, ctx, &case, &desk, id, due_on, false, now)?;
    platform_notices::set_outbox(conn, id, mail_id)?;
    let detail = json!({ "desk": desk.name, "answer_due_on": due_on.to_string() });
    entry(
        conn,
        case.id,
        Actor::System,
        AuditAction::PlatformNoticeSent,
        detail,
        now,
    )?;
    tracing::info!(case = %case.case_number, notice = %id, "platform notice sent");
    Ok(true)
}

#[allow(clippy::too_many_arguments)]
fn enqueue_notice(
    conn: &mut DbConnection,
    ctx: &HandoffContext,
    case: &cases::CaseRow,
    desk: &platform_desks::DeskRow,
    id: PlatformNoticeId,
    due_on: chrono::NaiveDate,
    reminder: bool,
    now: NaiveDateTime,
) -> Result<crate::domain::MailId, WorkflowError> {
    let expires_at = now + platform_notice::LINK_LIFETIME;
    let path = links::notice_path(&ctx.link_key, id, expires_at.and_utc().timestamp());
    let screenshot_count = if case.consent_share_platform {
        db::evidence::for_case(conn, case.id)?.len()
    } else {
        0
    };
    let composed = PlatformNoticeEmail {
        reminder,
        desk_name: desk.name.clone(),
        case_number: case.case_number.clone(),
        summary_lines: summary_lines(messages(Lang::ZhCn), case),
        finding: findings::of_case(conn, case.id)?.map(|f| f.finding),
        notice_url: format!("{}{path}", ctx.links.base_url),
        answer_due_on: due_on.to_string(),
        link_expires_on: crate::domain::china_time::format_with_offset(&expires_at),
        screenshot_count,
    }
    .compose()?;
    Ok(mail::enqueue(
        conn,
        Some(case.id),
        &desk.email,
        &composed,
        now,
    )?)
}

/// What a notice says of the case, as (label, value) lines: the merchant and the listing, never
/// anything of the reporter (no order number, description, contact or receipt code).
pub fn summary_lines(m: &Messages, case: &cases::CaseRow) -> Vec<(String, String)> {
    let mut lines = vec![
        (
            m.t("field.platform").to_string(),
            m.platform_label(case.platform, case.platform_other.as_deref()),
        ),
        (m.t("field.shop_name").to_string(), case.shop_name.clone()),
        (m.t("field.shop_url").to_string(), case.shop_ref.clone()),
    ];
    if let Some(u) = &case.product_url {
        lines.push((m.t("field.product_url").to_string(), u.clone()));
    }
    lines.push((
        m.t("field.category").to_string(),
        m.category(case.category).to_string(),
    ));
    lines.push((m.t("field.seen_on").to_string(), case.seen_on.to_string()));
    lines
}

/// Reminds each desk, once, of a sent notice left unanswered past its deadline.
pub fn send_reminders(
    conn: &mut DbConnection,
    ctx: &HandoffContext,
    now: NaiveDateTime,
) -> Result<usize, WorkflowError> {
    let mut sent = 0;
    for notice in platform_notices::reminder_candidates(conn, china_date(now))? {
        let went = db::write_transaction(conn, |conn| {
            if !platform_notices::mark_reminded(conn, notice.id, now)? {
                return Ok::<_, WorkflowError>(false);
            }
            let case = cases::get(conn, notice.case_id)?;
            let Some(desk_id) = notice.desk_id else {
                return Ok(false);
            };
            let desk = platform_desks::get(conn, desk_id)?;
            let due_on = notice.answer_due_on.unwrap_or_else(|| china_date(now));
            let mail_id = enqueue_notice(conn, ctx, &case, &desk, notice.id, due_on, true, now)?;
            platform_notices::set_outbox(conn, notice.id, mail_id)?;
            let detail = json!({ "desk": desk.name, "answer_due_on": due_on.to_string() });
            entry(
                conn,
                case.id,
                Actor::System,
                AuditAction::PlatformNoticeReminder,
                detail,
                now,
            )?;
            Ok(true)
        })?;
        sent += usize::from(went);
    }
    Ok(sent)
}

/// What the desk's answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Recorded,
    /// It had answered before: the first answer stands.
    AlreadyAnswered,
}

/// The desk's answer through its link: recorded once, in the trail, and told to the officer and
/// the reporter. A withdrawn notice takes no answer.
pub fn answer(
    conn: &mut DbConnection,
    id: PlatformNoticeId,
    answer: &PlatformAnswer,
    links: &Links,
) -> Result<Answered, WorkflowError> {
    db::write_transaction(conn, |conn| {
        let notice = platform_notices::get(conn, id)?;
        if notice.withdrawn_at.is_some() {
            return Err(WorkflowError::NotAllowed(
                "platform_notice.withdrawn_no_answer",
            ));
        }
        let now = db::now();
        if !platform_notices::answer(conn, id, answer, now)? {
            return Ok(Answered::AlreadyAnswered);
        }
        let case = cases::get(conn, notice.case_id)?;
        let detail = json!({
            "response": answer.response.as_str(),
            "reviews_removed_count": answer.reviews_removed_count,
            "details": answer.details,
        });
        audit::append(
            conn,
            &audit::NewAuditEntry {
                case_id: case.id,
                actor: Actor::Platform(id),
                action: AuditAction::PlatformResponse,
                detail: &detail,
                visibility: Visibility::AlsoReporter,
                at: now,
            },
        )?;
        cases::mark_activity(conn, case.id, now)?;
        tell_officer(conn, &case, notice.handoff_id, links, now)?;
        tell_reporter(conn, &case, answer, links, now)?;
        tracing::info!(case = %case.case_number, notice = %id, response = answer.response.as_str(), "platform answered");
        Ok(Answered::Recorded)
    })
}

/// The case's assignee hears of the answer; a case without one, the officer who handed it off.
fn tell_officer(
    conn: &mut DbConnection,
    case: &cases::CaseRow,
    handoff_id: HandoffId,
    links: &Links,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let officer_id = match case.assigned_officer_id {
        Some(o) => o,
        None => db::handoffs::get(conn, handoff_id)?.created_by,
    };
    let officer = db::officers::get(conn, officer_id)?;
    if !officer.active {
        return Ok(());
    }
    let composed = OfficerEmail {
        notice: OfficerNotice::PlatformAnswered,
        officer_name: officer.name.clone(),
        case_number: case.case_number.clone(),
        case_url: links.officer_case(&case.case_number),
    }
    .compose()?;
    mail::enqueue(conn, Some(case.id), &officer.email, &composed, now)?;
    Ok(())
}

/// The answer in one sentence of `m`'s language.
pub fn answer_sentence(m: &Messages, answer: &PlatformAnswer) -> String {
    match answer.response {
        PlatformResponse::ReviewsRemoved => m.t1(
            "platform_notice.said.reviews_removed",
            answer.reviews_removed_count.unwrap_or_default(),
        ),
        r => m.t(&format!("platform_notice.said.{r}")).to_string(),
    }
}

/// The reporter hears of the answer, in their language, if their address was confirmed.
fn tell_reporter(
    conn: &mut DbConnection,
    case: &cases::CaseRow,
    answer: &PlatformAnswer,
    links: &Links,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let Some(email) = &case.reporter_email else {
        return Ok(());
    };
    if case.submitted_at.is_none() {
        return Ok(());
    }
    let m = messages(case.language);
    let (track_url, holds_link) =
        super::reporter_link(conn, case, case.status.is_open(), links, now)?;
    let composed = PlatformAnswerEmail {
        lang: case.language,
        case_number: case.case_number.clone(),
        platform_name: m.platform_label(case.platform, case.platform_other.as_deref()),
        answer: answer_sentence(m, answer),
        details: (!answer.details.is_empty()).then(|| answer.details.clone()),
        track_url,
        holds_link,
    }
    .compose()?;
    mail::enqueue(conn, Some(case.id), email, &composed, now)?;
    Ok(())
}

/// An officer who may work the case takes its notice back, with a reason: its link then says
/// "withdrawn" and takes no answer.
pub fn withdraw(
    conn: &mut DbConnection,
    officer: ActingOfficer,
    number: &CaseNumber,
    reason: &str,
) -> Result<(), WorkflowError> {
    let reason: String = reason.trim().chars().take(1000).collect();
    if reason.is_empty() {
        return Err(WorkflowError::Invalid(
            "platform_notice.withdraw_reason_required",
        ));
    }
    db::write_transaction(conn, |conn| {
        let case = cases::find_by_number(conn, number)?.ok_or(diesel::result::Error::NotFound)?;
        officer.require_worker_of(&case)?;
        let now = db::now();
        if !platform_notices::withdraw(conn, case.id, &reason, now)? {
            return Err(WorkflowError::Invalid("platform_notice.cannot_withdraw"));
        }
        entry(
            conn,
            case.id,
            Actor::Officer(officer.id),
            AuditAction::PlatformNoticeWithdrawn,
            json!({ "reason": reason }),
            now,
        )
    })
}

/// One officers-only entry in the case's trail (the answer itself is also the reporter's).
fn entry(
    conn: &mut DbConnection,
    case_id: crate::domain::CaseId,
    actor: Actor,
    action: AuditAction,
    detail: serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), WorkflowError> {
    let visibility = if action == AuditAction::PlatformNoticeSent {
        Visibility::AlsoReporter
    } else {
        Visibility::OfficersOnly
    };
    audit::append(
        conn,
        &audit::NewAuditEntry {
            case_id,
            actor,
            action,
            detail: &detail,
            visibility,
            at: now,
        },
    )?;
    Ok(())
}
