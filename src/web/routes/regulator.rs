//! The regulator's pages, reached only through the signed links in the handoff email: download
//! the package, acknowledge receipt (a page with a button, then POST), record the outcome.

use crate::db::{self, cases, handoffs, regulators};
use crate::domain::audit::Actor;
use crate::domain::outcome::Outcome;
use crate::domain::{EvidenceId, HandoffId};
use crate::error::AppError;
use crate::handoff::links::{self, LinkAction, LinkError};
use crate::web::context::PageContext;
use crate::web::{AppState, render, serve_package};
use crate::workflow::handoff::{self, RegulatorAnswer};
use crate::workflow::platform_notices::{self, JustDue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

type LinkPath = web::Path<(HandoffId, String, i64, String)>;

#[derive(Template)]
#[template(path = "pages/regulator.html")]
pub struct RegulatorPage {
    pub ctx: PageContext,
    pub action: &'static str,
    pub handoff: handoffs::HandoffRow,
    pub case_number: String,
    pub regulator_name: String,
    pub path: String,
    pub done: Option<bool>,
    pub outcomes: &'static [Outcome],
    /// The case's evidence files, for asking for an original.
    pub files: Vec<OriginalChoice>,
    /// How many originals were just asked for, or why the request was refused.
    pub originals_asked: Option<usize>,
    pub originals_problem: Option<String>,
    /// The case's platform notice, for holding or releasing it.
    pub notice: Option<crate::db::platform_notices::NoticeRow>,
    /// What the notice form just did: `held` or `released`.
    pub notice_result: Option<&'static str>,
}

pub struct OriginalChoice {
    pub id: EvidenceId,
    pub position: i32,
    pub name: String,
    /// The latest request for it under this handoff: requested, approved or refused.
    pub state: Option<crate::domain::original::OriginalRequestStatus>,
}

impl OriginalChoice {
    pub fn state_key(&self) -> Option<String> {
        self.state.map(|s| format!("originals.state_{s}"))
    }

    pub fn is_pending(&self) -> bool {
        self.state == Some(crate::domain::original::OriginalRequestStatus::Requested)
    }
}

/// What the originals or notice form just did, for the page.
#[derive(Default)]
struct OriginalsResult {
    asked: Option<usize>,
    problem: Option<String>,
    notice: Option<&'static str>,
}

impl RegulatorPage {
    /// Where the case's platform notice stands, for the regulator: `none`, `sent`, `held` or
    /// `pending` (it may still be held).
    pub fn notice_state(&self) -> &'static str {
        use crate::domain::platform_notice::NoticeState as S;
        match self.notice.as_ref().map(|n| n.clock().state(db::now())) {
            None | Some(S::Withdrawn) => "none",
            Some(S::Sent | S::Overdue | S::Answered) => "sent",
            Some(S::Held) => "held",
            Some(S::Scheduled | S::WaitingForDesk) => "pending",
        }
    }

    pub fn notice_sent_at(&self) -> String {
        self.notice
            .as_ref()
            .and_then(|n| n.sent_at.as_ref())
            .map(crate::web::filters::china_time)
            .unwrap_or_default()
    }

    pub fn outcome_key(&self, o: &Outcome) -> String {
        format!("outcome.{}", o.as_str())
    }
}

/// Checks the link; a forged or expired one is refused with its own page and status.
fn check(state: &AppState, path: &LinkPath, want: LinkAction) -> Result<(), AppError> {
    let (id, action, expires, sig) = (path.0, &path.1, path.2, &path.3);
    if LinkAction::parse(action) != Some(want) {
        return Err(AppError::NotFound);
    }
    match links::check(
        &state.keys.handoff_links,
        id,
        want,
        expires,
        sig,
        chrono::Utc::now().timestamp(),
    ) {
        Ok(()) => Ok(()),
        Err(LinkError::Forged) => Err(AppError::Forbidden("handoff.link_forged")),
        Err(LinkError::Expired) => Err(AppError::Gone("handoff.link_expired")),
    }
}

async fn page(
    ctx: PageContext,
    state: &AppState,
    path: &LinkPath,
    action: &'static str,
    done: Option<bool>,
) -> Result<HttpResponse, AppError> {
    page_with(
        ctx,
        state,
        path,
        action,
        done,
        OriginalsResult::default(),
        StatusCode::OK,
    )
    .await
}

async fn page_with(
    ctx: PageContext,
    state: &AppState,
    path: &LinkPath,
    action: &'static str,
    done: Option<bool>,
    originals: OriginalsResult,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let id = path.0;
    let (h, case_number, regulator_name, files, notice) = db::run(&state.pool, move |conn| {
        let h = handoffs::get(conn, id)?;
        let case = cases::get(conn, h.case_id)?;
        let r = regulators::get(conn, h.regulator_id)?;
        let requests = crate::db::originals::for_case(conn, case.id)?;
        let files = crate::db::evidence::for_case(conn, case.id)?
            .into_iter()
            .map(|f| OriginalChoice {
                state: requests
                    .iter()
                    .find(|(r, ..)| r.handoff_id == h.id && r.evidence_id == f.id)
                    .map(|(r, ..)| r.status),
                id: f.id,
                position: f.position,
                name: f.original_name,
            })
            .collect();
        let notice = crate::db::platform_notices::of_case(conn, case.id)?;
        Ok((h, case.case_number, r.name, files, notice))
    })
    .await?;
    let link = format!("/handoff/{}/{}/{}/{}", path.0, path.1, path.2, path.3);
    render(
        status,
        &RegulatorPage {
            ctx,
            action,
            handoff: h,
            case_number,
            regulator_name,
            path: link,
            done,
            outcomes: Outcome::ALL,
            files,
            originals_asked: originals.asked,
            originals_problem: originals.problem,
            notice,
            notice_result: originals.notice,
        },
    )
}

/// The regulator asks for originals, from its acknowledge or outcome page (the same signed
/// link): `evidence_id` (repeated) and `reason`.
pub async fn request_originals(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: LinkPath,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let action = match LinkAction::parse(&path.1) {
        Some(a @ LinkAction::Acknowledge) | Some(a @ LinkAction::Outcome) => a,
        _ => return Err(AppError::NotFound),
    };
    check(&state, &path, action)?;
    let mut ids = Vec::new();
    let mut reason = String::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "evidence_id" => ids.push(
                v.parse::<EvidenceId>()
                    .map_err(|_| AppError::BadRequest("error.bad_request"))?,
            ),
            "reason" => reason = v.into_owned(),
            _ => {}
        }
    }
    let id = path.0;
    let links = state.links.clone();
    let asked = db::run_with(&state.pool, move |conn| {
        crate::workflow::originals::request(conn, id, &ids, &reason, &links)
    })
    .await;
    let name = if action == LinkAction::Acknowledge {
        "acknowledge"
    } else {
        "outcome"
    };
    let (result, status) = match asked {
        Ok(n) => {
            state.wake_mailer();
            (
                OriginalsResult {
                    asked: Some(n),
                    ..Default::default()
                },
                StatusCode::OK,
            )
        }
        Err(crate::workflow::WorkflowError::Invalid(key)) => (
            OriginalsResult {
                problem: Some(ctx.m.t(key).to_string()),
                ..Default::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e.into()),
    };
    page_with(ctx, &state, &path, name, None, result, status).await
}

pub async fn show(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: LinkPath,
) -> Result<HttpResponse, AppError> {
    match LinkAction::parse(&path.1) {
        Some(LinkAction::Package) => {
            check(&state, &path, LinkAction::Package)?;
            let id = path.0;
            let h = db::run(&state.pool, move |conn| Ok(handoffs::get(conn, id)?)).await?;
            serve_package(&state, &h, Actor::Regulator(h.id)).await
        }
        Some(LinkAction::Acknowledge) => {
            check(&state, &path, LinkAction::Acknowledge)?;
            page(ctx, &state, &path, "acknowledge", None).await
        }
        Some(LinkAction::Outcome) => {
            check(&state, &path, LinkAction::Outcome)?;
            page(ctx, &state, &path, "outcome", None).await
        }
        _ => Err(AppError::NotFound),
    }
}

#[derive(Deserialize, Default)]
pub struct RegulatorForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    document_number: String,
    #[serde(default)]
    published: Option<String>,
    /// On the acknowledgement: hold the platform notice in the same step.
    #[serde(default)]
    hold_platform_notice: Option<String>,
}

pub async fn answer(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: LinkPath,
    form: Option<web::Form<RegulatorForm>>,
) -> Result<HttpResponse, AppError> {
    // Acknowledging needs no fields: a POST without a form body is fine.
    let form = form.map(|f| f.into_inner()).unwrap_or_default();
    let id = path.0;
    let links = state.links.clone();
    let (action, answer) = match LinkAction::parse(&path.1) {
        Some(LinkAction::Acknowledge) => {
            check(&state, &path, LinkAction::Acknowledge)?;
            let hold = form.hold_platform_notice.is_some();
            let a = db::run_with(&state.pool, move |conn| {
                platform_notices::acknowledge_holding(conn, id, hold, &links)
            })
            .await
            .map_err(AppError::from)?;
            ("acknowledge", a)
        }
        Some(LinkAction::Outcome) => {
            check(&state, &path, LinkAction::Outcome)?;
            let outcome = Outcome::parse(&form.outcome)
                .ok_or(AppError::BadRequest("handoff.outcome_required"))?;
            let report = handoff::OutcomeReport {
                outcome,
                details: form.details,
                document_number: form.document_number,
                published: form.published.is_some(),
            };
            let a = db::run_with(&state.pool, move |conn| {
                handoff::record_outcome(conn, id, &report, Actor::Regulator(id), &links)
            })
            .await
            .map_err(AppError::from)?;
            ("outcome", a)
        }
        _ => return Err(AppError::NotFound),
    };
    // An acknowledgement or an outcome may let the platform notice go: at once, not at the next
    // pass of the sender.
    platform_notices::send_now(&state.pool, &state.handoff, JustDue::Handoff(id)).await;
    state.wake_mailer();
    page(
        ctx,
        &state,
        &path,
        action,
        Some(answer == RegulatorAnswer::Done),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct NoticeForm {
    #[serde(default)]
    step: String,
}

/// The regulator holds the case's platform notice, or releases it (`step`: `hold`, `release`),
/// from its acknowledgement or outcome page.
pub async fn platform_notice_step(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: LinkPath,
    form: Option<web::Form<NoticeForm>>,
) -> Result<HttpResponse, AppError> {
    use crate::workflow::platform_notices::{RegulatorNoticeStep, regulator_step};
    let (action, name) = match LinkAction::parse(&path.1) {
        Some(a @ LinkAction::Acknowledge) => (a, "acknowledge"),
        Some(a @ LinkAction::Outcome) => (a, "outcome"),
        _ => return Err(AppError::NotFound),
    };
    check(&state, &path, action)?;
    let step = match form.map(|f| f.into_inner().step).as_deref() {
        Some("hold") => RegulatorNoticeStep::Hold,
        Some("release") => RegulatorNoticeStep::Release,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    let id = path.0;
    db::run_with(&state.pool, move |conn| regulator_step(conn, id, step))
        .await
        .map_err(AppError::from)?;
    if step == RegulatorNoticeStep::Release {
        platform_notices::send_now(&state.pool, &state.handoff, JustDue::Handoff(id)).await;
        state.wake_mailer();
    }
    let result = OriginalsResult {
        notice: Some(match step {
            RegulatorNoticeStep::Hold => "held",
            RegulatorNoticeStep::Release => "released",
        }),
        ..Default::default()
    };
    page_with(ctx, &state, &path, name, None, result, StatusCode::OK).await
}
