//! Redacting a screenshot: rectangles drawn with the mouse (JavaScript) or typed as
//! coordinates (without it) become a blacked-out copy that reporters and regulators see.

use crate::db::{self, cases, evidence};
use crate::domain::CaseNumber;
use crate::domain::CaseStatus;
use crate::domain::EvidenceId;
use crate::error::AppError;
use crate::evidence::BlobKind;
use crate::evidence::redact::{Rect, RectError};
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render, see_other, serve_blob};
use crate::workflow::redact::{self, Redaction};
use crate::workflow::{WorkflowError, screenshot_copies};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

/// A rectangle as a share of the image, for drawing it over the picture without JavaScript.
pub struct Overlay {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Template)]
#[template(path = "pages/officer/redact.html")]
pub struct RedactPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub case_number: String,
    pub evidence: evidence::EvidenceRow,
    pub current: Option<evidence::RedactionRow>,
    pub overlays: Vec<Overlay>,
    pub rects_text: String,
    pub problem: Option<String>,
    pub may_redact: bool,
}

fn overlays(rects: &[Rect], w: i32, h: i32) -> Vec<Overlay> {
    let (w, h) = (f64::from(w.max(1)), f64::from(h.max(1)));
    rects
        .iter()
        .map(|r| Overlay {
            left: f64::from(r.x) * 100.0 / w,
            top: f64::from(r.y) * 100.0 / h,
            width: f64::from(r.w) * 100.0 / w,
            height: f64::from(r.h) * 100.0 / h,
        })
        .collect()
}

fn rects_of(row: &evidence::RedactionRow) -> Vec<Rect> {
    serde_json::from_str(&row.rects).unwrap_or_default()
}

fn rects_text(rects: &[Rect]) -> String {
    rects
        .iter()
        .map(|r| format!("{},{},{},{}", r.x, r.y, r.w, r.h))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn load(
    state: &AppState,
    number: CaseNumber,
    evidence_id: EvidenceId,
) -> Result<
    (
        cases::CaseRow,
        evidence::EvidenceRow,
        Option<evidence::RedactionRow>,
    ),
    AppError,
> {
    let store = state.store.clone();
    Ok(db::run_with(&state.pool, move |conn| {
        // An unconfirmed report is unreachable for officers, its evidence as much as its page.
        let case = cases::find_by_number(conn, &number)?
            .filter(|c| c.status != CaseStatus::Unconfirmed)
            .ok_or(diesel::result::Error::NotFound)?;
        let row = evidence::get(conn, case.id, evidence_id)?;
        // Redacting works on the display copy: made now if the job has not made it yet.
        let row = screenshot_copies::make(conn, &store, row.id, db::now())?
            .ok_or(diesel::result::Error::NotFound)?;
        let current = evidence::latest_redaction(conn, row.id)?;
        Ok::<_, WorkflowError>((case, row, current))
    })
    .await?)
}

fn may_redact(case: &cases::CaseRow, officer: &CurrentOfficer) -> bool {
    case.status != CaseStatus::Unconfirmed
        && case.may_be_worked_by(officer.id, officer.is_supervisor())
}

pub async fn show_redaction(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(String, EvidenceId)>,
) -> Result<HttpResponse, AppError> {
    let (raw, evidence_id) = path.into_inner();
    let number = CaseNumber::parse(&raw).ok_or(AppError::NotFound)?;
    let (case, row, current) = load(&state, number, evidence_id).await?;
    let rects = current.as_ref().map(rects_of).unwrap_or_default();
    render(
        StatusCode::OK,
        &RedactPage {
            overlays: overlays(&rects, row.width, row.height),
            rects_text: rects_text(&rects),
            may_redact: may_redact(&case, &officer),
            case_number: case.case_number,
            evidence: row,
            current,
            problem: None,
            officer,
            ctx,
        },
    )
}

#[derive(Deserialize)]
pub struct RedactForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    rects: String,
}

pub async fn redact_evidence(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(String, EvidenceId)>,
    form: web::Form<RedactForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (raw, evidence_id) = path.into_inner();
    let number = CaseNumber::parse(&raw).ok_or(AppError::NotFound)?;
    let acting = officer.acting();
    let done = redact::redact_evidence(
        &state.pool,
        &state.store,
        acting,
        number,
        evidence_id,
        &form.rects,
    )
    .await?;
    match done {
        Redaction::Done { case_number } => Ok(see_other(&format!(
            "/officer/cases/{case_number}/evidence/{evidence_id}/redact"
        ))),
        Redaction::Refused(e) => {
            let (case, row, current) = load(&state, number, evidence_id).await?;
            let problem = match e {
                RectError::Malformed { line } => ctx.m.t1("redact.malformed", line),
                RectError::Outside { line } => ctx.m.t1("redact.outside", line),
                RectError::Empty => ctx.m.t("redact.empty").to_string(),
                RectError::TooMany => ctx.m.t("redact.too_many").to_string(),
            };
            let shown = current.as_ref().map(rects_of).unwrap_or_default();
            let page = RedactPage {
                overlays: overlays(&shown, row.width, row.height),
                rects_text: form.rects.chars().take(10_000).collect(),
                may_redact: true,
                case_number: case.case_number,
                evidence: row,
                current,
                problem: Some(problem),
                officer,
                ctx,
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

/// The latest redacted copy (display or thumbnail) for officers to check.
pub async fn serve_redacted(
    _officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(String, EvidenceId, String)>,
) -> Result<HttpResponse, AppError> {
    let (raw, evidence_id, variant) = path.into_inner();
    let number = CaseNumber::parse(&raw).ok_or(AppError::NotFound)?;
    let (_, row, current) = load(&state, number, evidence_id).await?;
    let current = current.ok_or(AppError::NotFound)?;
    let (kind, sha, mime) = match (variant.as_str(), row.display_kind) {
        ("thumb", _) => (BlobKind::Thumbnail, current.thumb_sha256, "image/jpeg"),
        (_, Some(display_kind)) => (
            BlobKind::Display,
            current.display_sha256,
            display_kind.mime(),
        ),
        // A redaction is made from the display copy: there is one.
        (_, None) => return Err(AppError::NotFound),
    };
    serve_blob(&state, kind, &sha, mime, None).await
}
