//! Filing a report: the form, its submission with screenshots, and the receipt, shown until the
//! reporter says they saved the code.

use crate::db::reporter_sessions;
use crate::domain::CaseId;
use crate::domain::{Category, FieldError, Platform, ReceiptCode, ReportForm, ValidReport};
use crate::error::AppError;
use crate::evidence::Rejection;
use crate::evidence::held::HeldFile;
use crate::web::client::client_ip;
use crate::web::context::PageContext;
use crate::web::form_token::{self, FormTokenError};
use crate::web::held_uploads::{self, Kept};
use crate::web::reporter_session::{self, ReceiptOnce};
use crate::web::upload::{
    self, Checked, EvidenceIntake, KeptEvidence, ReceivedFile, ReceivedForm, UploadProblem,
};
use crate::web::{AppState, render, see_other};
use crate::workflow::file::{Filed, Filing, file_report};
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
    /// Screenshots that passed when the form was refused, held for an hour: each offered as a
    /// checked `keep_upload` box, so the resubmission files them without choosing them again.
    pub held: Vec<HeldFile>,
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
            held: Vec::new(),
        }
    }

    /// How big a held file is, as the form's previews say it.
    pub fn size_of(&self, file: &HeldFile) -> String {
        let size = file.size as f64;
        if size < 1_048_576.0 {
            format!("{:.1} KiB", size / 1024.0)
        } else {
            format!("{:.1} MiB", size / 1_048_576.0)
        }
    }

    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.field_errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    /// The attributes that tie a field to its error message, for screen readers: empty when the
    /// field has no error.
    pub fn invalid_attrs(&self, field: &str) -> String {
        match self.error_for(field) {
            Some(_) => format!(" aria-invalid=\"true\" aria-describedby=\"{field}-error\""),
            None => String::new(),
        }
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
    session: Session,
) -> Result<HttpResponse, AppError> {
    reporter_session::ensure_browser_id(&session)?;
    let form = ReportForm {
        language: ctx.lang.as_str().to_string(),
        ..ReportForm::default()
    };
    let token = form_token::issue(&state.keys.form, now_secs());
    render(StatusCode::OK, &ReportFormPage::new(ctx, form, token))
}

/// A report form as sent: its fields, and the token it was issued with.
struct SentReport {
    form: ReportForm,
    token: String,
    /// The token's hash: the token files this report and no other.
    token_hash: String,
}

impl SentReport {
    fn read(fields: &[(String, String)]) -> Self {
        let mut form = ReportForm::default();
        let mut token = String::new();
        for (name, value) in fields {
            if name == "form_token" {
                token = value.clone();
            } else {
                form.set(name, value.clone());
            }
        }
        let token_hash = reporter_sessions::form_token_hash(&token);
        Self {
            form,
            token,
            token_hash,
        }
    }
}

/// A report refused: the form again, listing every problem, and its status. A file too large
/// makes it 413; else a form sent back too fast, 429; anything else, 422.
struct Refusal {
    page: ReportFormPage,
    too_fast: bool,
    too_large: bool,
}

impl Refusal {
    fn status(&self) -> StatusCode {
        if self.too_large {
            StatusCode::PAYLOAD_TOO_LARGE
        } else if self.too_fast {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// Holds the files that passed (an hour, for this browser) and shows the form again with
    /// each of them ticked to be kept.
    async fn hold_and_render(
        mut self,
        session: &Session,
        state: &AppState,
        passed: Vec<ReceivedFile>,
    ) -> Result<HttpResponse, AppError> {
        self.page.held = held_uploads::hold(session, state, passed).await?;
        render(self.status(), &self.page)
    }

    /// What reading the form found, the held screenshots that are gone, and too many files in
    /// all (those kept from a refused form count with those sent anew).
    fn note_upload_problems(&mut self, received: &ReceivedForm, held_gone: bool) {
        let m = self.page.ctx.m;
        if held_gone {
            self.page.problems.push(m.t("upload.held_gone").to_string());
        }
        for p in &received.problems {
            self.too_large |= p.is_too_large();
            self.page.problems.push(upload::problem_message(m, p));
        }
        let count = received.files.len();
        if count > self.page.max_files {
            let too_many = UploadProblem::TooManyFiles { count };
            self.page
                .problems
                .push(upload::problem_message(m, &too_many));
        }
    }

    fn refuse_files(&mut self, refused: &[(String, Rejection)]) {
        let m = self.page.ctx.m;
        for (name, r) in refused {
            self.too_large |= matches!(r, Rejection::TooLarge { .. });
            self.page
                .problems
                .push(upload::rejection_message(m, name, r));
        }
    }
}

/// Checks all but the files' contents: the form token, what reading the form found, the fields,
/// and that files came. Returns the refusal to show if anything is wrong, and the report if its
/// fields are valid.
fn review(
    ctx: PageContext,
    state: &AppState,
    sent: &SentReport,
    token_check: Result<(), FormTokenError>,
    received: &ReceivedForm,
    held_gone: bool,
) -> (Refusal, Option<ValidReport>) {
    let m = ctx.m;
    let token = form_token::issue(&state.keys.form, now_secs());
    let page = ReportFormPage::new(ctx, sent.form.clone(), token);
    let mut refusal = Refusal {
        page,
        too_fast: false,
        too_large: false,
    };
    match token_check {
        Ok(()) => {}
        Err(FormTokenError::TooFast) => {
            refusal
                .page
                .problems
                .push(m.t("report.too_fast").to_string());
            refusal.too_fast = true;
        }
        Err(FormTokenError::Invalid | FormTokenError::Expired) => {
            refusal
                .page
                .problems
                .push(m.t("report.form_expired").to_string());
        }
    }
    refusal.note_upload_problems(received, held_gone);
    let valid = match sent.form.validate(china_today()) {
        Ok(v) => Some(v),
        Err(errors) => {
            refusal.page.field_errors = errors
                .iter()
                .map(|e: &FieldError| (e.field, m.field_error(e)))
                .collect();
            None
        }
    };
    if no_files(received) {
        refusal
            .page
            .field_errors
            .push(("evidence", m.t("upload.none").to_string()));
    }
    (refusal, valid)
}

/// No file came, and none was left out for being too large or one too many.
fn no_files(received: &ReceivedForm) -> bool {
    let left_out =
        |p: &UploadProblem| p.is_too_large() || matches!(p, UploadProblem::TooManyFiles { .. });
    received.files.is_empty() && !received.problems.iter().any(left_out)
}

/// The case a form token filed, if it filed one.
async fn filed_with(state: &AppState, token_hash: &str) -> Result<Option<CaseId>, AppError> {
    let hash = token_hash.to_string();
    Ok(crate::db::run(&state.pool, move |conn| {
        Ok(reporter_sessions::case_filed_by(conn, &hash)?)
    })
    .await?)
}

pub async fn submit_report(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req, state.settings.trust_proxy_headers);
    state.limits.reports.check(ip).await?;
    let mut received = upload::receive_evidence(payload, &state, None).await?;
    let sent = SentReport::read(&received.fields);
    let (key, min_seconds) = (&state.keys.form, state.settings.min_form_seconds);
    let token_check = form_token::check(key, &sent.token, now_secs(), min_seconds);
    // A form token files one report: sent again (a double click, a reload, the back button), it
    // shows what the first sending filed instead of filing twice.
    if token_check.is_ok()
        && let Some(case_id) = filed_with(&state, &sent.token_hash).await?
    {
        let token = SentToken {
            hash: &sent.token_hash,
            token: &sent.token,
        };
        return show_already_filed(ctx, &state, &session, case_id, token).await;
    }
    // The screenshots a refusal held and the reporter kept ticked come first, as if sent anew.
    let kept_files = held_uploads::take_kept(&session, &state, &received.fields).await?;
    let held_gone = matches!(kept_files, Kept::Gone);
    if let Kept::Files(mut files) = kept_files {
        files.append(&mut received.files);
        received.files = files;
    }
    let (mut refusal, valid) = review(ctx, &state, &sent, token_check, &received, held_gone);
    // Files are checked even when the form has other problems, so every problem is told at once;
    // they are kept as evidence only for a report that is to be filed, else held for an hour.
    let keep = valid.is_some() && !refusal.page.has_errors();
    let intake = EvidenceIntake::of(&state);
    let kept = match upload::check_files(&intake, received.files, keep).await? {
        Checked::Passed(kept) => kept,
        Checked::Refused { refused, passed } => {
            refusal.refuse_files(&refused);
            return refusal.hold_and_render(&session, &state, passed).await;
        }
    };
    let Some(report) = valid.filter(|_| !refusal.page.has_errors()) else {
        return refusal
            .hold_and_render(&session, &state, kept.into_files())
            .await;
    };
    let ctx = refusal.page.ctx;
    let filing = Sending {
        ip: ip.to_string(),
        receipt: receipt_for(&state, &session, &sent.token)?,
        token: sent.token.clone(),
        token_hash: sent.token_hash.clone(),
    };
    file_and_show(ctx, &state, &session, kept, report, filing).await
}

/// What one sending of the form brings besides the report: where from, the receipt code it
/// files under, and its form token with its hash.
struct Sending {
    ip: String,
    receipt: ReceiptCode,
    token: String,
    token_hash: String,
}

/// The receipt code a form files under: derived from its token and this browser's id, so that
/// this browser is shown it again if the answer is lost (`recovered_receipt`); random for a
/// browser that keeps no cookie.
fn receipt_for(state: &AppState, session: &Session, token: &str) -> Result<ReceiptCode, AppError> {
    Ok(match reporter_session::browser_id(session)? {
        Some(browser) => ReceiptCode::derive(&state.keys.form, &format!("{token}:{browser}")),
        None => ReceiptCode::generate(),
    })
}

/// The receipt of the report this form filed, for the browser that sent it when the first
/// answer never arrived (a lost connection: its cookie never learnt the case): the code derived
/// again from the form token and this browser's id must be the case's. Any other browser gets
/// nothing.
async fn recovered_receipt(
    state: &AppState,
    session: &Session,
    case_id: CaseId,
    token: &str,
) -> Result<Option<ReceiptOnce>, AppError> {
    if token.is_empty() || reporter_session::browser_id(session)?.is_none() {
        return Ok(None);
    }
    let code = receipt_for(state, session, token)?;
    let case = crate::db::run(&state.pool, move |conn| {
        Ok(crate::db::cases::get(conn, case_id)?)
    })
    .await?;
    if !code.matches(&state.keys.receipt, &case.receipt_hash) {
        return Ok(None);
    }
    Ok(Some(ReceiptOnce {
        case_number: case.case_number.to_string(),
        receipt_code: code.to_string(),
        has_email: case.reporter_email.is_some(),
        call_police_first: case.category.call_police_first(),
    }))
}

/// Files the report and shows its receipt. If filing fails because the same form, sent twice at
/// once, was filed by the other sending, the answer is that one's receipt.
async fn file_and_show(
    ctx: PageContext,
    state: &AppState,
    session: &Session,
    kept: KeptEvidence,
    report: ValidReport,
    sending: Sending,
) -> Result<HttpResponse, AppError> {
    let (token, token_hash) = (sending.token.clone(), sending.token_hash.clone());
    let receipt = sending.receipt.clone();
    match file(state, kept, report.clone(), sending).await {
        Ok(filed) => show_new_receipt(state, session, &filed, &receipt, &report, &token_hash).await,
        Err(e) => match filed_with(state, &token_hash).await? {
            Some(case_id) => {
                // Sent twice at once: the other sending filed it.
                let sent = SentToken {
                    hash: &token_hash,
                    token: &token,
                };
                show_already_filed(ctx, state, session, case_id, sent).await
            }
            None => Err(e),
        },
    }
}

/// Files the report with its evidence (`workflow::file`), under a new receipt code.
async fn file(
    state: &AppState,
    kept: KeptEvidence,
    report: ValidReport,
    sending: Sending,
) -> Result<Filed, AppError> {
    let (links, key) = (state.links.clone(), state.keys.receipt.clone());
    let Sending {
        ip,
        receipt: receipt_for_db,
        token_hash: hash_for_db,
        ..
    } = sending;
    let filed = kept
        .record(move |conn, stored| {
            file_report(
                conn,
                &Filing {
                    report: &report,
                    evidence: stored,
                    receipt: &receipt_for_db,
                    receipt_key: &key,
                    reporter_ip: Some(&ip),
                    form_token_hash: &hash_for_db,
                    links: &links,
                },
            )
        })
        .await?;
    Ok(filed)
}

/// After filing: the mail goes out, this browser holds the case, and the receipt is shown once.
async fn show_new_receipt(
    state: &AppState,
    session: &Session,
    filed: &Filed,
    receipt: &ReceiptCode,
    report: &ValidReport,
    token_hash: &str,
) -> Result<HttpResponse, AppError> {
    state.wake_mailer();
    held_uploads::forget(session, state).await?;
    reporter_session::open_case(session, &state.pool, filed.case_id).await?;
    reporter_session::set_receipt(
        session,
        &ReceiptOnce {
            case_number: filed.number.to_string(),
            receipt_code: receipt.to_string(),
            has_email: report.email.is_some(),
            call_police_first: report.category.call_police_first(),
        },
        filed.case_id,
        token_hash,
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
    sent: SentToken<'_>,
) -> Result<HttpResponse, AppError> {
    let mut receipt =
        reporter_session::receipt_of_filing(session, &state.pool, case_id, sent.hash).await?;
    if receipt.is_none()
        && let Some(recovered) = recovered_receipt(state, session, case_id, sent.token).await?
    {
        // This browser holds the case again, and the receipt stays shown until saved.
        reporter_session::open_case(session, &state.pool, case_id).await?;
        reporter_session::set_receipt(session, &recovered, case_id, sent.hash)?;
        receipt = Some(recovered);
    }
    render(
        StatusCode::OK,
        &ReceiptPage {
            ctx,
            receipt,
            already_filed: true,
            csrf: reporter_session::csrf_token(session)?,
        },
    )
}

/// The form token a sending carried, and its hash: the hash finds the case and this browser's
/// receipt in its cookie, the token recovers a receipt whose first answer was lost.
struct SentToken<'a> {
    hash: &'a str,
    token: &'a str,
}

#[derive(Template)]
#[template(path = "pages/report/receipt.html")]
pub struct ReceiptPage {
    pub ctx: PageContext,
    pub receipt: Option<ReceiptOnce>,
    /// Shown for a form sent again, which filed nothing new.
    pub already_filed: bool,
    /// For the "I saved it" form.
    pub csrf: String,
}

/// The receipt of the report this browser just filed, shown again on every visit (a reload, the
/// other language) until the reporter says they saved the code.
pub async fn show_receipt(ctx: PageContext, session: Session) -> Result<HttpResponse, AppError> {
    let receipt = reporter_session::shown_receipt(&session)?;
    render(
        StatusCode::OK,
        &ReceiptPage {
            ctx,
            receipt,
            already_filed: false,
            csrf: reporter_session::csrf_token(&session)?,
        },
    )
}

/// The receipt as a picture to keep (`receipt_card`), while the receipt page shows the code.
pub async fn download_receipt_card(session: Session) -> Result<HttpResponse, AppError> {
    let receipt = reporter_session::shown_receipt(&session)?.ok_or(AppError::NotFound)?;
    let png = crate::web::receipt_card::card_png(&receipt.case_number, &receipt.receipt_code)
        .map_err(|e| AppError::internal(anyhow::anyhow!("receipt card: {e}")))?;
    let file_name = format!("{}.png", receipt.case_number);
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file_name}\""),
        ))
        .body(png))
}

#[derive(serde::Deserialize)]
pub struct SavedForm {
    csrf_token: String,
}

/// The reporter saved the code: the receipt page stops showing it.
pub async fn confirm_code_saved(
    session: Session,
    form: web::Form<SavedForm>,
) -> Result<HttpResponse, AppError> {
    reporter_session::check_csrf(&session, &form.csrf_token)?;
    reporter_session::forget_receipt(&session)?;
    Ok(see_other("/reports/receipt"))
}
