//! The officer's case page: everything reported, the evidence, related cases, the verified
//! audit trail, notes and messages, and the forms for every action. Shown for the case, and again
//! for an action that was refused, with the refusal above the forms.

use crate::db::{self, audit, cases, evidence, handoffs, notes, officers, queue, regulators};
use crate::domain::audit::ChainBreak;
use crate::domain::region::divisions;
use crate::domain::{CaseNumber, CaseStatus, DismissReason, RegionCode, china_date};
use crate::domain::{OfficerId, RegulatorId, audit::ActorKind};
use crate::error::AppError;
use crate::handoff::routing::{self, Proposal};
use crate::i18n::Messages;
use crate::web::context::PageContext;
use crate::web::filters;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render};
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use std::collections::HashMap;

pub struct TrailItem {
    pub seq: i32,
    /// The machine name of the action (`evidence_redacted`), for scripts and tests.
    pub code: String,
    pub at: String,
    pub actor: String,
    /// What happened, with its facts, as sentences in the officer's language.
    pub sentence: String,
    pub hash: String,
}

pub struct EvidenceView {
    pub row: evidence::EvidenceRow,
    pub redaction: Option<evidence::RedactionRow>,
    pub size: String,
    /// Other cases holding the same original (same SHA-256) or the same screenshot (same
    /// perceptual hash).
    pub seen_elsewhere: Vec<String>,
    /// What OCR read from it (officers only), or why it read nothing; `None` until it has run.
    pub text: Option<crate::db::evidence_texts::EvidenceTextRow>,
}

#[derive(Template)]
#[template(path = "pages/officer/case.html")]
pub struct OfficerCasePage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub case: cases::CaseRow,
    pub status: CaseStatus,
    pub platform_name: String,
    pub category_label: String,
    pub region_name: String,
    pub assignee: Option<String>,
    pub deadlines: Option<queue::DeadlineRow>,
    /// Each date falls in a year counted without the official notice: (decide by, accept by).
    pub provisional: (bool, bool),
    /// The finding the case was substantiated with (what the regulator reads).
    pub finding: Option<crate::db::findings::FindingView>,
    /// Regulators' requests for original evidence files, newest first.
    pub original_requests: Vec<OriginalRequestView>,
    pub overdue: bool,
    pub evidence: Vec<EvidenceView>,
    pub related: Vec<crate::web::related_cases::RelatedCaseView>,
    /// The page of every case against this case's merchant.
    pub merchant_href: String,
    pub trail: Vec<TrailItem>,
    pub chain: Result<(), ChainBreak>,
    pub notes: Vec<notes::NoteView>,
    pub messages: Vec<notes::MessageView>,
    pub officers: Vec<officers::OfficerRow>,
    pub reasons: &'static [DismissReason],
    pub problem: Option<String>,
    pub handoffs: Vec<HandoffView>,
    pub proposals: Vec<Proposal>,
    pub all_regulators: Vec<regulators::RegulatorRow>,
    /// The campaign the case belongs to, if any, and the campaigns it could join.
    pub campaigns: crate::web::campaign_view::CaseCampaigns,
    /// The case's notice to the platform, once it was handed off.
    pub platform_notice: Option<crate::web::platform_notice_view::NoticeView>,
}

/// A regulator's request for an original, as the officer decides on it.
pub struct OriginalRequestView {
    pub row: crate::db::originals::OriginalRequestRow,
    pub position: i32,
    pub name: String,
    pub handoff_seq: i32,
}

impl OriginalRequestView {
    pub fn is_open(&self) -> bool {
        self.row.status == crate::domain::original::OriginalRequestStatus::Requested
    }

    pub fn state_key(&self) -> String {
        format!("originals.state_{}", self.row.status)
    }
}

/// A handoff as the officer sees it: where it went, whether the mail went out, what came back.
pub struct HandoffView {
    pub row: handoffs::HandoffRow,
    pub regulator_name: String,
    pub attempts: i32,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
}

type HandoffData = (
    Vec<HandoffView>,
    Vec<Proposal>,
    Vec<regulators::RegulatorRow>,
);

fn load_handoffs(
    conn: &mut db::DbConnection,
    case: &cases::CaseRow,
) -> Result<HandoffData, db::DbError> {
    let mut views = Vec::new();
    for (row, regulator_name) in handoffs::for_case(conn, case.id)? {
        let delivery = crate::workflow::handoff::delivery(conn, &row)?;
        let (attempts, sent_at, last_error) = delivery.unwrap_or((0, None, None));
        views.push(HandoffView {
            regulator_name,
            attempts,
            sent_at: sent_at.as_ref().map(filters::china_time),
            last_error,
            row,
        });
    }
    let proposals = routing::proposals_for(conn, case.category, &case.region_code, case.platform)?;
    let all: Vec<regulators::RegulatorRow> = regulators::all(conn)?
        .into_iter()
        .filter(|r| r.active)
        .collect();
    Ok((views, proposals, all))
}

impl OfficerCasePage {
    /// Where the shortcuts' on/off form comes back to: this case.
    pub fn shortcuts_back(&self) -> String {
        format!("/officer/cases/{}", self.case.case_number)
    }

    pub fn outcomes(&self) -> &'static [crate::domain::outcome::Outcome] {
        crate::domain::outcome::Outcome::ALL
    }

    pub fn is_proposed(&self, regulator_id: &RegulatorId) -> bool {
        self.proposals
            .iter()
            .any(|p| p.regulator.id == *regulator_id)
    }

    pub fn basis_key(&self, p: &Proposal) -> &'static str {
        match p.basis {
            routing::Basis::MerchantRegion { .. } => "handoff.basis_merchant",
            routing::Basis::PlatformDomicile => "handoff.basis_platform",
        }
    }

    pub fn assigned_to(&self, officer_id: &OfficerId) -> bool {
        self.case.assigned_officer_id == Some(*officer_id)
    }

    pub fn may_work(&self) -> bool {
        self.case
            .may_be_worked_by(self.officer.id, self.officer.is_supervisor())
    }

    pub fn can(&self, action: &str) -> bool {
        use crate::domain::Transition as T;
        let s = self.status;
        let fits = |t: T| s.apply(t).is_ok();
        let unconfirmed = s == CaseStatus::Unconfirmed;
        match action {
            // Taking is for unassigned cases; a supervisor moves an assigned one with "assign".
            "take" => !unconfirmed && fits(T::Take) && self.case.assigned_officer_id.is_none(),
            "assign" => self.officer.is_supervisor() && fits(T::Take),
            "request_info" => self.may_work() && fits(T::RequestInfo),
            "resume" => self.may_work() && fits(T::Resume),
            "dismiss" => {
                (self.may_work() || self.case.assigned_officer_id.is_none())
                    && fits(T::Dismiss(DismissReason::Spam))
            }
            "substantiate" => self.may_work() && fits(T::Substantiate),
            "close" => self.may_work() && fits(T::Close),
            "extend" => {
                self.may_work()
                    && self
                        .deadlines
                        .as_ref()
                        .is_some_and(|d| d.extended_reason.is_none())
                    && matches!(
                        s,
                        CaseStatus::Submitted | CaseStatus::InReview | CaseStatus::AwaitingReporter
                    )
            }
            "note" => !unconfirmed,
            "hand_off" => self.may_work() && fits(T::HandOff),
            _ => false,
        }
    }
}

/// Shows the case page for `number`, with `problem` above the forms and `status_code`.
pub async fn show(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    number: CaseNumber,
    problem: Option<String>,
    status_code: StatusCode,
) -> Result<HttpResponse, AppError> {
    let m = ctx.m;
    let loaded = db::run(&state.pool, move |conn| read(conn, m, &number)).await?;
    render(status_code, &page_of(ctx, officer, loaded, problem))
}

/// A refused action: shown on the case page itself, with the case as it is now, and the
/// refusal's status. Server errors and unknown cases go to the error page instead.
pub async fn show_refusal(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    number: CaseNumber,
    err: AppError,
) -> Result<HttpResponse, AppError> {
    let status = actix_web::ResponseError::status_code(&err);
    if status.is_server_error() || status == StatusCode::NOT_FOUND {
        return Err(err);
    }
    let message = ctx.m.t(err.message_key()).to_string();
    show(ctx, officer, state, number, Some(message), status).await
}

/// Everything the case page shows, read in one go.
struct Loaded {
    case: cases::CaseRow,
    evidence: Vec<EvidenceView>,
    related: Vec<crate::web::related_cases::RelatedCaseView>,
    trail: Vec<audit::AuditRow>,
    notes: Vec<notes::NoteView>,
    messages: Vec<notes::MessageView>,
    officers: Vec<officers::OfficerRow>,
    deadlines: Option<queue::DeadlineRow>,
    handoffs: HandoffData,
    calendar: std::sync::Arc<crate::domain::workdays::Calendar>,
    finding: Option<crate::db::findings::FindingView>,
    original_requests: Vec<OriginalRequestView>,
    campaigns: crate::web::campaign_view::CaseCampaigns,
    platform_notice: Option<crate::web::platform_notice_view::NoticeView>,
}

fn read(
    conn: &mut db::DbConnection,
    m: &Messages,
    number: &CaseNumber,
) -> Result<Loaded, db::DbError> {
    let case = cases::find_by_number(conn, number)?
        // Unconfirmed reports are not in the queue yet, and their address may not be the reporter's.
        .filter(|c| c.status != CaseStatus::Unconfirmed)
        .ok_or(diesel::result::Error::NotFound)?;
    let related = crate::web::related_cases::load(conn, &case)?;
    let mut evidence = Vec::new();
    for row in evidence::for_case(conn, case.id)? {
        evidence.push(EvidenceView {
            // Read off the screenshot links `related` already found: no second lookup.
            seen_elsewhere: crate::web::related_cases::cases_with_screenshot(&related, row.id),
            redaction: evidence::latest_redaction(conn, row.id)?,
            text: crate::db::evidence_texts::get(conn, row.id)?,
            size: filters::human_bytes(row.byte_size),
            row,
        });
    }
    Ok(Loaded {
        campaigns: crate::web::campaign_view::for_case(conn, &case, &related)?,
        platform_notice: crate::web::platform_notice_view::of_case(conn, m, case.id)?,
        evidence,
        related,
        trail: audit::for_case(conn, case.id)?,
        notes: notes::notes_for(conn, case.id)?,
        messages: notes::messages_for(conn, case.id)?,
        // Everyone who ever acted, for the trail's names; the assign list keeps the active.
        officers: officers::list_all(conn)?,
        deadlines: queue::deadlines_of(conn, case.id)?,
        handoffs: load_handoffs(conn, &case)?,
        calendar: db::calendar::current(conn)?,
        finding: crate::db::findings::of_case(conn, case.id)?,
        original_requests: crate::db::originals::for_case(conn, case.id)?
            .into_iter()
            .map(|(row, position, name, handoff_seq)| OriginalRequestView {
                row,
                position,
                name,
                handoff_seq,
            })
            .collect(),
        case,
    })
}

/// The audit trail as officers read it: who (by name), what (a sentence with its facts), when.
fn trail_items(
    m: &Messages,
    trail: &[audit::AuditRow],
    names: &HashMap<OfficerId, String>,
) -> Vec<TrailItem> {
    trail
        .iter()
        .map(|r| TrailItem {
            seq: r.seq,
            code: r.action.to_string(),
            at: filters::china_time(&r.at),
            actor: match (r.actor_kind, r.actor_id) {
                (ActorKind::Officer, Some(id)) => names
                    .get(&OfficerId(id))
                    .cloned()
                    .unwrap_or_else(|| m.t("trail.actor.officer").to_string()),
                (kind, _) => m.t(&format!("trail.actor.{kind}")).to_string(),
            },
            sentence: crate::web::trail_words::audit_sentence(m, r.action, &r.detail_json(), names),
            hash: r.hash.chars().take(12).collect(),
        })
        .collect()
}

fn page_of(
    ctx: PageContext,
    officer: CurrentOfficer,
    loaded: Loaded,
    problem: Option<String>,
) -> OfficerCasePage {
    let Loaded {
        case,
        evidence,
        related,
        trail,
        notes: case_notes,
        messages,
        officers: officer_list,
        deadlines,
        handoffs,
        calendar,
        finding,
        original_requests,
        campaigns,
        platform_notice,
    } = loaded;
    let (handoff_list, proposals, all_regulators) = handoffs;
    let m = ctx.m;
    let status = case.status;
    let chain = audit::verify(&trail);
    let names: HashMap<OfficerId, String> = officer_list
        .iter()
        .map(|o| (o.id, o.name.clone()))
        .collect();
    let trail = trail_items(m, &trail, &names);
    let officer_list: Vec<officers::OfficerRow> =
        officer_list.into_iter().filter(|o| o.active).collect();
    let today = china_date(db::now());
    let overdue = deadlines
        .as_ref()
        .is_some_and(|d| d.paused_since.is_none() && d.deadlines().is_overdue(status, today));
    let platform_name = m.platform_label(case.platform, case.platform_other.as_deref());
    OfficerCasePage {
        campaigns,
        platform_notice,
        status,
        platform_name,
        category_label: m.category(case.category).to_string(),
        region_name: RegionCode::parse(&case.region_code)
            .and_then(|c| divisions().region(&c))
            .map(|r| format!("{} ({})", r.full_name(), r.code))
            .unwrap_or_else(|| case.region_code.clone()),
        assignee: case
            .assigned_officer_id
            .and_then(|id| names.get(&id).cloned()),
        finding,
        original_requests,
        provisional: deadlines.as_ref().map_or((false, false), |d| {
            (
                calendar.is_provisional(d.decide_by),
                d.accept_by.is_some_and(|a| calendar.is_provisional(a)),
            )
        }),
        deadlines,
        overdue,
        evidence,
        related,
        merchant_href: crate::web::routes::officer::merchants::href(
            &crate::db::merchants::identity_of(&case),
        ),
        trail,
        chain,
        notes: case_notes,
        messages,
        officers: officer_list,
        reasons: DismissReason::ALL,
        problem,
        handoffs: handoff_list,
        proposals,
        all_regulators,
        case,
        officer,
        ctx,
    }
}
