//! Redacting a screenshot: rectangles drawn with the mouse (JavaScript) or typed as
//! coordinates (without it) become a blacked-out copy that reporters and regulators see.

use crate::db::{self, audit, cases, evidence};
use crate::domain::CaseNumber;
use crate::domain::CaseStatus;
use crate::domain::EvidenceId;
use crate::domain::audit::Actor;
use crate::domain::audit::Visibility;
use crate::error::AppError;
use crate::evidence::redact::{Rect, RectError, redact};
use crate::evidence::{BlobKind, Sha256Hex};
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

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
    Ok(db::run(&state.pool, move |conn| {
        // An unconfirmed report is unreachable for officers, its evidence as much as its page.
        let case = cases::find_by_number(conn, &number)?
            .filter(|c| c.status != CaseStatus::Unconfirmed)
            .ok_or(diesel::result::Error::NotFound)?;
        let row = evidence::get(conn, case.id, evidence_id)?;
        let current = evidence::latest_redaction(conn, row.id)?;
        Ok((case, row, current))
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
    let (case, row, current) = load(&state, number, evidence_id).await?;
    if !may_redact(&case, &officer) {
        return Err(AppError::Forbidden("review.not_yours"));
    }
    let width = u32::try_from(row.width).unwrap_or(0);
    let height = u32::try_from(row.height).unwrap_or(0);
    let rects = match Rect::parse_lines(&form.rects, width, height) {
        Ok(r) => r,
        Err(e) => {
            let m = ctx.m;
            let problem = match e {
                RectError::Malformed { line } => m.t1("redact.malformed", line),
                RectError::Outside { line } => m.t1("redact.outside", line),
                RectError::Empty => m.t("redact.empty").to_string(),
                RectError::TooMany => m.t("redact.too_many").to_string(),
            };
            let shown = current.as_ref().map(rects_of).unwrap_or_default();
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RedactPage {
                    overlays: overlays(&shown, row.width, row.height),
                    rects_text: form.rects.chars().take(10_000).collect(),
                    may_redact: true,
                    case_number: case.case_number,
                    evidence: row,
                    current,
                    problem: Some(problem),
                    officer,
                    ctx,
                },
            );
        }
    };

    // Always from the unredacted display copy: a new redaction replaces the last one.
    let store = state.store.clone();
    let display_sha = Sha256Hex::parse(&row.display_sha256).ok_or(AppError::NotFound)?;
    let kind = row.display_kind;
    let rects_for_image = rects.clone();
    let (display_sha, thumb_sha, tw, th) = web::block(move || -> anyhow::Result<_> {
        let display = store.read(BlobKind::Display, &display_sha)?;
        let out = redact(&display, kind, &rects_for_image).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (d, _) = store.put_bytes(BlobKind::Display, &out.display)?;
        let (t, _) = store.put_bytes(BlobKind::Thumbnail, &out.thumbnail)?;
        Ok((d, t, out.thumbnail_width, out.thumbnail_height))
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::Internal)?;

    let (case_id, officer_id, position) = (case.id, officer.id, row.position);
    let rects_json = serde_json::to_string(&rects).map_err(AppError::internal)?;
    db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let now = db::now();
            let size = (
                i32::try_from(tw).unwrap_or(0),
                i32::try_from(th).unwrap_or(0),
            );
            evidence::add_redaction(
                conn,
                evidence_id,
                officer_id,
                &rects_json,
                display_sha.as_str(),
                thumb_sha.as_str(),
                size,
                now,
            )?;
            let detail = json!({
                "position": position,
                "rects": rects,
                "redacted_sha256": display_sha.as_str(),
            });
            audit::append(
                conn,
                &audit::NewAuditEntry {
                    case_id,
                    actor: Actor::Officer(officer_id),
                    action: crate::domain::audit::AuditAction::EvidenceRedacted,
                    detail: &detail,
                    visibility: Visibility::OfficersOnly,
                    at: now,
                },
            )?;
            Ok::<_, db::DbError>(())
        })
    })
    .await?;
    tracing::info!(case = %case.case_number, evidence = %evidence_id, "evidence redacted");
    Ok(see_other(&format!(
        "/officer/cases/{}/evidence/{evidence_id}/redact",
        case.case_number
    )))
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
    let (kind, sha, mime) = match variant.as_str() {
        "thumb" => (BlobKind::Thumbnail, current.thumb_sha256, "image/jpeg"),
        _ => (
            BlobKind::Display,
            current.display_sha256,
            row.display_kind.mime(),
        ),
    };
    crate::web::serve_blob(&state, kind, &sha, mime, None).await
}
