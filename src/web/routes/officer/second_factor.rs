//! An officer's second factor: turning TOTP on (QR code and secret, confirmed with a code, ten
//! recovery codes shown once), off (with the password or a code), new recovery codes; and, for
//! supervisors, requiring it of everyone.

use crate::domain::officer::MAX_PASSWORD_CHARS;
use crate::domain::second_factor::{RecoveryCode, SubmittedCode, TotpSecret};
use crate::error::AppError;
use crate::i18n::Messages;
use crate::web::context::PageContext;
use crate::web::officer_session::{CurrentOfficer, SECOND_FACTOR_SETUP, SettingUpOfficer};
use crate::web::password_check::{self, check_password, refusal_message, too_many};
use crate::web::{AppState, render, see_other};
use crate::workflow::WorkflowError;
use crate::workflow::second_factor::{self as sf, CodeCheckOutcome, Enabling, Overview, State};
use crate::workflow::sign_in::Check;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/officer/second_factor.html")]
pub struct SecondFactorPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub overview: Overview,
    /// While a secret waits for its code: the QR code (inline SVG) and the secret as text.
    pub setup: Option<SetupView>,
    /// Recovery codes just made, shown this once.
    pub recovery_codes: Vec<String>,
    pub notice: Option<String>,
    pub problem: Option<String>,
}

pub struct SetupView {
    pub qr_svg: String,
    pub secret: String,
}

impl SecondFactorPage {
    pub fn is_on(&self) -> bool {
        matches!(self.overview.state, State::On { .. })
    }

    pub fn recovery_codes_left(&self) -> i64 {
        match self.overview.state {
            State::On {
                recovery_codes_left,
            } => recovery_codes_left,
            _ => 0,
        }
    }
}

/// The otpauth URI as a QR code, drawn on the server as SVG to be put inline in the page.
fn qr_svg(uri: &str, label: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg")?;
    let label = askama::filters::escape(label, askama::filters::Html)
        .ok()?
        .to_string();
    Some(svg[start..].replacen(
        "<svg ",
        &format!("<svg id=\"totp-qr\" role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

fn setup_view(
    ctx: &PageContext,
    officer: &CurrentOfficer,
    secret: &TotpSecret,
) -> Option<SetupView> {
    let uri = secret.otpauth_uri(&officer.email)?;
    Some(SetupView {
        qr_svg: qr_svg(&uri, ctx.m.t("second_factor.qr_label"))?,
        secret: secret.grouped(),
    })
}

/// The page as it stands now, with a notice, a problem or new recovery codes.
async fn page(
    state: &AppState,
    ctx: PageContext,
    officer: CurrentOfficer,
    problem: Option<String>,
) -> Result<SecondFactorPage, AppError> {
    let overview = sf::overview(&state.pool, officer.id).await?;
    let setup = match &overview.state {
        State::Pending(secret) => setup_view(&ctx, &officer, secret),
        _ => None,
    };
    Ok(SecondFactorPage {
        ctx,
        officer,
        overview,
        setup,
        recovery_codes: Vec::new(),
        notice: None,
        problem,
    })
}

fn shown(codes: &[RecoveryCode]) -> Vec<String> {
    codes.iter().map(RecoveryCode::display).collect()
}

pub async fn show_second_factor(
    ctx: PageContext,
    SettingUpOfficer(officer): SettingUpOfficer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let mut p = page(&state, ctx, officer, None).await?;
    if p.overview.required_for_everyone && !p.is_on() {
        p.notice = Some(p.ctx.m.t("second_factor.required_notice").to_string());
    }
    render(StatusCode::OK, &p)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// A new secret, shown as a QR code and as text, waiting for a code from the app.
pub async fn start_second_factor(
    SettingUpOfficer(officer): SettingUpOfficer,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let now = state.settings.clock.now();
    match sf::start_setup(&state.pool, officer.id, now).await {
        Ok(_) | Err(WorkflowError::Invalid(_)) => Ok(see_other(SECOND_FACTOR_SETUP)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

/// Turns the second factor on with a code from the app; shows the recovery codes once.
pub async fn enable_second_factor(
    ctx: PageContext,
    SettingUpOfficer(officer): SettingUpOfficer,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let m = ctx.m;
    let Ok(code) = SubmittedCode::parse_totp(&form.code) else {
        let problem = Some(m.t("second_factor.malformed_totp").to_string());
        let p = page(&state, ctx, officer, problem).await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    };
    let now = state.settings.clock.now();
    match sf::enable(&state.pool, officer.id, code, now).await? {
        Enabling::Enabled(codes) => {
            let mut p = page(&state, ctx, officer, None).await?;
            p.notice = Some(m.t("second_factor.enabled").to_string());
            p.recovery_codes = shown(&codes);
            render(StatusCode::OK, &p)
        }
        Enabling::WrongCode(_) => {
            let problem = Some(m.t("second_factor.wrong_code").to_string());
            let p = page(&state, ctx, officer, problem).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Enabling::NothingPending => Ok(see_other(SECOND_FACTOR_SETUP)),
    }
}

/// Ten new recovery codes, shown once; the earlier ones stop working.
pub async fn regenerate_recovery_codes(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let now = state.settings.clock.now();
    let codes = match sf::regenerate_recovery_codes(&state.pool, officer.id, now).await {
        Ok(codes) => codes,
        Err(WorkflowError::Invalid(_)) => return Ok(see_other(SECOND_FACTOR_SETUP)),
        Err(e) => return Err(e.into()),
    };
    let m = ctx.m;
    let mut p = page(&state, ctx, officer, None).await?;
    p.notice = Some(m.t("second_factor.regenerated").to_string());
    p.recovery_codes = shown(&codes);
    render(StatusCode::OK, &p)
}

#[derive(Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

/// Whether the officer proved it is them: their password, or else a current code; each checked
/// by the one throttled check. `Err` carries the page to answer with instead.
async fn confirm_identity(
    req: &HttpRequest,
    state: &AppState,
    m: &'static Messages,
    officer: &CurrentOfficer,
    form: &DisableForm,
) -> Result<Result<(), (StatusCode, String, u64)>, AppError> {
    let wrong = |key: &str| {
        Ok(Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            m.t(key).to_string(),
            0,
        )))
    };
    if !form.password.is_empty() {
        if form.password.chars().count() > MAX_PASSWORD_CHARS {
            return wrong("second_factor.wrong_password");
        }
        let email = officer.email.clone();
        return match check_password(req, state, email, form.password.clone()).await? {
            Check::Matched(_) => Ok(Ok(())),
            Check::Mismatched => wrong("second_factor.wrong_password"),
            Check::Refused(r) => {
                let (text, secs) = refusal_message(m, r);
                Ok(Err((StatusCode::TOO_MANY_REQUESTS, text, secs)))
            }
        };
    }
    let Ok(code) = SubmittedCode::parse(&form.code) else {
        return wrong("second_factor.malformed");
    };
    let attempt = password_check::attempt(req, state, officer.email.clone());
    let per_address = password_check::per_address(state);
    let now = state.settings.clock.now();
    match sf::check_code(&state.pool, attempt, per_address, officer.id, code, now).await? {
        CodeCheckOutcome::Right => Ok(Ok(())),
        CodeCheckOutcome::Wrong => wrong("second_factor.wrong_code"),
        CodeCheckOutcome::Throttled(r) => {
            let (text, secs) = refusal_message(m, r);
            Ok(Err((StatusCode::TOO_MANY_REQUESTS, text, secs)))
        }
    }
}

/// Turns the second factor off, with the password or a current code.
pub async fn disable_second_factor(
    req: HttpRequest,
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<DisableForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let m = ctx.m;
    if let Err((status, problem, secs)) = confirm_identity(&req, &state, m, &officer, &form).await?
    {
        let p = page(&state, ctx, officer, Some(problem)).await?;
        return if status == StatusCode::TOO_MANY_REQUESTS {
            too_many(&p, secs)
        } else {
            render(status, &p)
        };
    }
    match sf::disable(&state.pool, officer.id).await {
        Ok(()) => {
            let mut p = page(&state, ctx, officer, None).await?;
            p.notice = Some(m.t("second_factor.disabled").to_string());
            render(StatusCode::OK, &p)
        }
        Err(WorkflowError::Invalid(key)) => {
            let p = page(&state, ctx, officer, Some(m.t(key).to_string())).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct RequirementForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    required: String,
}

/// Supervisors require a second factor of every officer, or stop requiring it.
pub async fn set_requirement(
    ctx: PageContext,
    SettingUpOfficer(officer): SettingUpOfficer,
    state: web::Data<AppState>,
    form: web::Form<RequirementForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    officer.require_supervisor()?;
    let required = match form.required.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            let problem = Some(ctx.m.t("second_factor.requirement_invalid").to_string());
            let p = page(&state, ctx, officer, problem).await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    let now = state.settings.clock.now();
    sf::set_required_for_everyone(&state.pool, officer.acting(), required, now).await?;
    Ok(see_other(SECOND_FACTOR_SETUP))
}
