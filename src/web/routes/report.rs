//! Filing a report: the form, its submission with screenshots, and the receipt shown once.

use crate::db::reporter_sessions;
use crate::domain::CaseId;
use crate::domain::{Category, FieldError, Platform, ReceiptCode, ReportForm};
use crate::error::AppError;
use crate::evidence::Rejection;
use crate::evidence::intake::Intake;
use crate::i18n::Messages;
use crate::web::client::client_ip;
use crate::web::context::PageContext;
use crate::web::form_token::{self, FormTokenError};
use crate::web::reporter_session::{self, ReceiptOnce};
use crate::web::upload::{self, UploadProblem};
use crate::web::{AppState, render, see_other, take_in_uploads};
use crate::workflow::file::{Filing, file_report};
use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

#[derive(Template)]
#[template(path = "pages/report/new.html")]
pub struct ReportFormPage {
    pub ctx: PageContext,
    pub form: ReportForm,
    /// Problems with the submission as a whole or its files, listed at the top.
    pub problems: Vec<String>,
    pub field_errors: Vec<(&'static str, String)>,
    pub form_token: String,
    pub platforms: &'static [Platform],
    pub categories: &'static [Category],
    pub today: String,
    pub max_files: usize,
}

impl ReportFormPage {
    fn new(ctx: PageContext, form: ReportForm, token: String) -> Self {
        Self {
            ctx,
            form,
            problems: Vec::new(),
            field_errors: Vec::new(),
            form_token: token,
            platforms: Platform::ALL,
            categories: Category::ALL,
            today: china_today().format("%Y-%m-%d").to_string(),
            max_files: crate::evidence::EvidenceLimits::default().max_files,
        }
    }

    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.field_errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    pub fn has_errors(&self) -> bool {
        !self.problems.is_empty() || !self.field_errors.is_empty()
    }

    /// Whether a select option is the one chosen.
    pub fn chosen(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "platform" => &self.form.platform,
            "category" => &self.form.category,
            "language" => &self.form.language,
            _ => return false,
        };
        current == value
    }
}

fn china_today() -> chrono::NaiveDate {
    crate::domain::china_time::today()
}

fn now_secs() -> i64 {
    Utc::now().timestamp()
}

pub async fn show_report_form(
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = ReportForm {
        language: ctx.lang.as_str().to_string(),
        ..ReportForm::default()
    };
    let token = form_token::issue(&state.keys.form, now_secs());
    render(StatusCode::OK, &ReportFormPage::new(ctx, form, token))
}

pub(crate) fn rejection_message(m: &Messages, name: &str, r: &Rejection) -> String {
    match r {
        Rejection::Empty => m.t1("upload.empty", name),
        Rejection::TooLarge { .. } => m.t1("upload.too_large", name),
        Rejection::NotAnImage { detected } => m.t2(
            "upload.not_an_image",
            name,
            m.t(&format!("upload.detected.{detected}")),
        ),
        Rejection::TooManyPixels { width, height, .. } => {
            m.t2("upload.too_many_pixels", name, format!("{width}×{height}"))
        }
        Rejection::Broken { .. } => m.t1("upload.broken", name),
    }
}

pub(crate) fn upload_problem_message(m: &Messages, p: &UploadProblem) -> String {
    match p {
        UploadProblem::FileTooLarge { name } => m.t1("upload.too_large", name),
        UploadProblem::TooManyFiles { count } => m.t1("upload.too_many_files", count),
        UploadProblem::FieldTooLong => m.t("upload.field_too_long").to_string(),
        UploadProblem::BadText => m.t("upload.bad_text").to_string(),
    }
}

pub async fn submit_report(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req, state.settings.trust_proxy_headers);
    state.limits.reports.check(ip)?;

    let received = upload::receive(
        payload,
        &upload::UploadRules {
            file_field: "evidence",
            limits: &state.evidence_limits,
            tmp_dir: &state.settings.tmp_dir(),
            before_files: None,
        },
    )
    .await?;

    let mut form = ReportForm::default();
    let mut token = String::new();
    for (name, value) in &received.fields {
        if name == "form_token" {
            token = value.clone();
        } else {
            form.set(name, value.clone());
        }
    }
    let token_check = form_token::check(
        &state.keys.form,
        &token,
        now_secs(),
        state.settings.min_form_seconds,
    );
    // A form token files one report: sent again (a double click, a reload, the back button), it
    // shows what the first sending filed instead of filing twice.
    let token_hash = reporter_sessions::form_token_hash(&token);
    if token_check.is_ok() {
        let hash = token_hash.clone();
        let filed_before = crate::db::run(&state.pool, move |conn| {
            Ok(reporter_sessions::case_filed_by(conn, &hash)?)
        })
        .await?;
        if let Some(case_id) = filed_before {
            return show_already_filed(ctx, &state, &session, case_id, &token_hash).await;
        }
    }
    let m = ctx.m;
    let mut page = ReportFormPage::new(
        ctx,
        form.clone(),
        form_token::issue(&state.keys.form, now_secs()),
    );
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;

    match token_check {
        Ok(()) => {}
        Err(FormTokenError::TooFast) => {
            page.problems.push(m.t("report.too_fast").to_string());
            status = StatusCode::TOO_MANY_REQUESTS;
        }
        Err(FormTokenError::Invalid | FormTokenError::Expired) => {
            page.problems.push(m.t("report.form_expired").to_string());
        }
    }
    for p in &received.problems {
        if matches!(p, UploadProblem::FileTooLarge { .. }) {
            status = StatusCode::PAYLOAD_TOO_LARGE;
        }
        page.problems.push(upload_problem_message(m, p));
    }
    let valid = match form.validate(china_today()) {
        Ok(v) => Some(v),
        Err(errors) => {
            page.field_errors = errors
                .iter()
                .map(|e: &FieldError| (e.field, m.field_error(e)))
                .collect();
            None
        }
    };
    let too_many = received
        .problems
        .iter()
        .any(|p| matches!(p, UploadProblem::TooManyFiles { .. }));
    if received.files.is_empty()
        && !too_many
        && !received
            .problems
            .iter()
            .any(|p| matches!(p, UploadProblem::FileTooLarge { .. }))
    {
        page.field_errors
            .push(("evidence", m.t("upload.none").to_string()));
    }

    // Files are checked even when the form has other problems, so every problem is told at once.
    let checks_only = page.has_errors() || valid.is_none();
    let intake_result = take_in_uploads(&state, &received.files, checks_only).await?;

    let (stored, created) = match intake_result {
        Intake::Kept(stored, created) => (stored, created),
        Intake::Refused(refused) => {
            for (name, r) in &refused {
                if matches!(r, Rejection::TooLarge { .. }) {
                    status = StatusCode::PAYLOAD_TOO_LARGE;
                }
                page.problems.push(rejection_message(m, name, r));
            }
            return render(status, &page);
        }
    };
    let Some(report) = valid.filter(|_| !page.has_errors()) else {
        created.undo(&state.store);
        return render(status, &page);
    };
    // Temp files go once their bytes are kept (dropping them deletes them).
    drop(received.files);

    let receipt = ReceiptCode::generate();
    let (pool, links, key) = (
        state.pool.clone(),
        state.links.clone(),
        state.keys.receipt.clone(),
    );
    let ip_text = ip.to_string();
    let (report_for_db, stored_for_db, receipt_for_db, hash_for_db) = (
        report.clone(),
        stored.clone(),
        receipt.clone(),
        token_hash.clone(),
    );
    let filed = crate::db::run_with(&pool, move |conn| {
        file_report(
            conn,
            &Filing {
                report: &report_for_db,
                evidence: &stored_for_db,
                receipt: &receipt_for_db,
                receipt_key: &key,
                reporter_ip: Some(&ip_text),
                form_token_hash: &hash_for_db,
                links: &links,
            },
        )
    })
    .await;
    let filed = match filed {
        Ok(f) => f,
        Err(e) => {
            created.undo(&state.store);
            // The same form, sent twice at once: the other sending filed it.
            let hash = token_hash.clone();
            let filed_meanwhile = crate::db::run(&state.pool, move |conn| {
                Ok(reporter_sessions::case_filed_by(conn, &hash)?)
            })
            .await?;
            if let Some(case_id) = filed_meanwhile {
                return show_already_filed(page.ctx, &state, &session, case_id, &token_hash).await;
            }
            return Err(e.into());
        }
    };
    state.wake_mailer();
    reporter_session::open_case(&session, &state.pool, filed.case_id).await?;
    reporter_session::set_receipt(
        &session,
        &ReceiptOnce {
            case_number: filed.number.to_string(),
            receipt_code: receipt.to_string(),
            has_email: report.email.is_some(),
        },
        filed.case_id,
        &token_hash,
    )?;
    Ok(see_other("/reports/receipt"))
}

/// The answer to a report form sent again: the receipt of the report it filed, to the browser
/// that filed it while its session on that case lasts; to anyone else only that it was filed.
async fn show_already_filed(
    ctx: PageContext,
    state: &AppState,
    session: &Session,
    case_id: CaseId,
    token_hash: &str,
) -> Result<HttpResponse, AppError> {
    let receipt =
        reporter_session::receipt_of_filing(session, &state.pool, case_id, token_hash).await?;
    render(
        StatusCode::OK,
        &ReceiptPage {
            ctx,
            receipt,
            already_filed: true,
        },
    )
}

#[derive(Template)]
#[template(path = "pages/report/receipt.html")]
pub struct ReceiptPage {
    pub ctx: PageContext,
    pub receipt: Option<ReceiptOnce>,
    /// Shown for a form sent again, which filed nothing new.
    pub already_filed: bool,
}

pub async fn show_receipt(ctx: PageContext, session: Session) -> Result<HttpResponse, AppError> {
    let receipt = reporter_session::take_receipt(&session)?;
    render(
        StatusCode::OK,
        &ReceiptPage {
            ctx,
            receipt,
            already_filed: false,
        },
    )
}
