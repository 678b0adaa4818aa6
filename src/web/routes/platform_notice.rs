//! A platform desk's page, reached only through the signed link in its notice email:
//! `/platform/{id}/{expires}/{sig}` shows the notice and takes the one `platform_response`;
//! `…/screenshots/{evidence}/{display|thumb}` serves the checked copies the reporter agreed to share.

use crate::db;
use crate::domain::EvidenceId;
use crate::domain::ids::PlatformNoticeId;
use crate::domain::platform_notice::{PlatformAnswer, PlatformResponse};
use crate::error::AppError;
use crate::handoff::links::{self, LinkError};
use crate::web::context::PageContext;
use crate::web::platform_notice_view::{self, NoticeView};
use crate::web::{AppState, render, serve_blob};
use crate::workflow::platform_notices::{self, Answered};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

type NoticePath = web::Path<(PlatformNoticeId, i64, String)>;

#[derive(Template)]
#[template(path = "pages/platform_notice.html")]
pub struct PlatformNoticePage {
    pub ctx: PageContext,
    pub path: String,
    pub view: NoticeView,
    pub statement: &'static str,
    pub responses: &'static [PlatformResponse],
    /// What the desk just did: `answered`, `already`, or nothing.
    pub result: Option<&'static str>,
    pub problem: Option<String>,
    pub form: ResponseForm,
}

impl PlatformNoticePage {
    pub fn response_key(&self, r: &PlatformResponse) -> String {
        format!("platform_notice.response_label.{r}")
    }

    pub fn chosen(&self, r: &PlatformResponse) -> bool {
        self.form.response == r.as_str()
    }

    pub fn due_on(&self) -> String {
        self.view
            .notice
            .answer_due_on
            .map(|d| d.to_string())
            .unwrap_or_default()
    }
}

/// The `platform_response` form, kept as typed when it is refused.
#[derive(Deserialize, Default, Clone)]
pub struct ResponseForm {
    #[serde(default)]
    pub response: String,
    #[serde(default)]
    pub reviews_removed_count: String,
    #[serde(default)]
    pub details: String,
}

/// Checks the link; a forged or expired one is refused with its own page and status.
fn check(state: &AppState, path: &NoticePath) -> Result<PlatformNoticeId, AppError> {
    let (id, expires, sig) = (path.0, path.1, &path.2);
    match links::notice_check(
        &state.keys.handoff_links,
        id,
        expires,
        sig,
        chrono::Utc::now().timestamp(),
    ) {
        Ok(()) => Ok(id),
        Err(LinkError::Forged) => Err(AppError::Forbidden("handoff.link_forged")),
        Err(LinkError::Expired) => Err(AppError::Gone("handoff.link_expired")),
    }
}

struct Shown {
    result: Option<&'static str>,
    problem: Option<String>,
    form: ResponseForm,
    status: StatusCode,
}

async fn page(
    ctx: PageContext,
    state: &AppState,
    path: &NoticePath,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let id = path.0;
    let m = ctx.m;
    let view = db::run(&state.pool, move |conn| {
        platform_notice_view::by_id(conn, m, id)
    })
    .await?;
    // A notice not sent yet has no link anyone was given: nothing to show.
    if view.notice.sent_at.is_none() {
        return Err(AppError::NotFound);
    }
    let page = PlatformNoticePage {
        path: format!("/platform/{}/{}/{}", path.0, path.1, path.2),
        view,
        statement: crate::domain::platform_notice::NOT_AN_ADMINISTRATIVE_FINDING,
        responses: PlatformResponse::ALL,
        result: shown.result,
        problem: shown.problem,
        form: shown.form,
        ctx,
    };
    render(shown.status, &page)
}

pub async fn show_notice(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: NoticePath,
) -> Result<HttpResponse, AppError> {
    check(&state, &path)?;
    let shown = Shown {
        result: None,
        problem: None,
        form: ResponseForm::default(),
        status: StatusCode::OK,
    };
    page(ctx, &state, &path, shown).await
}

/// The desk's answer: recorded once; a refused one comes back with what was typed and why.
pub async fn answer_notice(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: NoticePath,
    form: Option<web::Form<ResponseForm>>,
) -> Result<HttpResponse, AppError> {
    let id = check(&state, &path)?;
    let form = form.map(|f| f.into_inner()).unwrap_or_default();
    let parsed = PlatformAnswer::parse(&form.response, &form.reviews_removed_count, &form.details);
    let answer = match parsed {
        Ok(a) => a,
        Err(key) => {
            let problem = Some(ctx.m.t(key).to_string());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let shown = Shown {
                result: None,
                problem,
                form,
                status,
            };
            return page(ctx, &state, &path, shown).await;
        }
    };
    let links = state.links.clone();
    let done = db::run_with(&state.pool, move |conn| {
        platform_notices::answer(conn, id, &answer, &links)
    })
    .await;
    let (result, status) = match done {
        Ok(Answered::Recorded) => (Some("answered"), StatusCode::OK),
        Ok(Answered::AlreadyAnswered) => (Some("already"), StatusCode::CONFLICT),
        Err(crate::workflow::WorkflowError::NotAllowed(_)) => (None, StatusCode::GONE),
        Err(e) => return Err(e.into()),
    };
    state.wake_mailer();
    let shown = Shown {
        result,
        problem: None,
        form: ResponseForm::default(),
        status,
    };
    page(ctx, &state, &path, shown).await
}

/// A checked copy of a screenshot, for a desk whose notice shows it.
pub async fn screenshot(
    state: web::Data<AppState>,
    path: web::Path<(PlatformNoticeId, i64, String, EvidenceId, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, expires, sig, evidence_id, variant) = path.into_inner();
    let link = web::Path::from((id, expires, sig));
    check(&state, &link)?;
    let thumbnail = match variant.as_str() {
        "thumb" => true,
        "display" => false,
        _ => return Err(AppError::NotFound),
    };
    let store = state.store.clone();
    let copy = db::run_with(&state.pool, move |conn| {
        platform_notice_view::shared_copy(conn, &store, id, evidence_id, thumbnail)
    })
    .await?;
    let (kind, sha, content_type) = copy.ok_or(AppError::NotFound)?;
    serve_blob(&state, kind, &sha, content_type, None).await
}
