//! The officer's case: its page (built in `web::case_page`), the actions on it, and its evidence
//! files (each original download audited).

use crate::db;
use crate::domain::{CaseNumber, DismissReason};
use crate::domain::{EvidenceId, OfficerId};
use crate::error::AppError;
use crate::evidence::BlobKind;
use crate::web::case_page::{self, show_refusal};
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, see_other, serve_blob};
use crate::workflow::evidence::open_for_officer;
use crate::workflow::review::{self, ReviewAction};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

fn parse_number(raw: &str) -> Result<CaseNumber, AppError> {
    CaseNumber::parse(raw).ok_or(AppError::NotFound)
}

pub async fn show_case(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    number: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = parse_number(&number)?;
    case_page::show(ctx, officer, &state, number, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: i32,
    #[serde(default)]
    officer_id: Option<OfficerId>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    body: String,
}

pub async fn act_on_case(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let (raw_number, action_name) = path.into_inner();
    let number = parse_number(&raw_number)?;
    let form = form.into_inner();
    let action = match action_name.as_str() {
        "take" => ReviewAction::Take,
        "assign" => ReviewAction::Assign {
            officer_id: form
                .officer_id
                .ok_or(AppError::BadRequest("review.unknown_officer"))?,
        },
        "request_info" => ReviewAction::RequestInfo {
            message: form.message,
        },
        "resume" => ReviewAction::Resume,
        "dismiss" => ReviewAction::Dismiss {
            reason: DismissReason::parse(&form.reason)
                .ok_or(AppError::BadRequest("review.reason_required"))?,
            message: form.message,
        },
        "substantiate" => ReviewAction::Substantiate {
            note: form.note,
            finding: form.finding,
        },
        "note" => ReviewAction::Note { body: form.body },
        "extend" => ReviewAction::Extend {
            reason: form.reason,
        },
        "close" => ReviewAction::Close { note: form.note },
        _ => return Err(AppError::NotFound),
    };
    let acting = officer.acting();
    let links = state.links.clone();
    let version = form.version;
    let result = db::run_with(&state.pool, move |conn| {
        review::perform(conn, &number, version, acting, &action, &links)
    })
    .await;
    match result {
        Ok(_) => {
            state.wake_mailer();
            Ok(see_other(&format!("/officer/cases/{number}")))
        }
        Err(e) => show_refusal(ctx, officer, &state, number, e.into()).await,
    }
}

/// Evidence for officers: thumbnail, display copy, or the original (each original download is
/// audited).
pub async fn serve_evidence(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    path: web::Path<(String, EvidenceId, String)>,
) -> Result<HttpResponse, AppError> {
    let (raw_number, evidence_id, variant) = path.into_inner();
    let number = parse_number(&raw_number)?;
    let original = variant == "original";
    let acting = officer.acting();
    let row = db::run_with(&state.pool, move |conn| {
        open_for_officer(conn, acting, &number, evidence_id, original)
    })
    .await
    .map_err(AppError::from)?;
    // Copies not made yet are not there (the page shows that they are being made).
    let copies = row.copies();
    let (kind, sha, content_type) = match (variant.as_str(), copies) {
        ("thumb", Some(c)) => (
            BlobKind::Thumbnail,
            c.thumb_sha256.to_string(),
            "image/jpeg",
        ),
        ("display", Some(c)) => (
            BlobKind::Display,
            c.display_sha256.to_string(),
            c.display_kind.mime(),
        ),
        ("original", _) => (BlobKind::Original, row.sha256.clone(), row.kind.mime()),
        _ => return Err(AppError::NotFound),
    };
    let attachment = original.then(|| {
        format!(
            "{}-{}.{}",
            raw_number.trim(),
            row.position,
            row.kind.extension()
        )
    });
    serve_blob(&state, kind, &sha, content_type, attachment).await
}
