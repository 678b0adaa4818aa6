//! Acting on many cases from the queue: the ticked cases (each with the version the queue showed)
//! and a step — assign them, or dismiss them as duplicates with one message to every reporter.
//! A first post shows what will happen and asks for what the step needs; the second does it,
//! case by case, and lists what became of each.

use crate::db::{self, officers};
use crate::domain::{CaseStatus, DismissReason, OfficerId};
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::{AppState, render};
use crate::workflow::bulk::{self, Seen};
use crate::workflow::review::ReviewAction;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

/// The step asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStep {
    Assign,
    DismissDuplicate,
}

impl BulkStep {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "assign" => Some(BulkStep::Assign),
            "dismiss_duplicate" => Some(BulkStep::DismissDuplicate),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BulkStep::Assign => "assign",
            BulkStep::DismissDuplicate => "dismiss_duplicate",
        }
    }
}

/// The bulk form, read by hand: `case` repeats.
#[derive(Debug, Default)]
struct BulkForm {
    csrf: String,
    cases: Vec<Seen>,
    /// Checkbox values that name no case (a tampered form).
    unreadable: usize,
    step: Option<BulkStep>,
    officer_id: Option<OfficerId>,
    message: String,
    confirmed: bool,
}

fn parse_form(body: &[u8]) -> BulkForm {
    let mut f = BulkForm::default();
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "csrf_token" => f.csrf = v.into_owned(),
            "case" => match Seen::parse(&v) {
                Some(seen) => f.cases.push(seen),
                None => f.unreadable += 1,
            },
            "bulk_action" => f.step = BulkStep::parse(&v),
            "officer_id" => f.officer_id = v.trim().parse::<i64>().ok().map(OfficerId),
            "message" => f.message = v.into_owned(),
            "confirm" => f.confirmed = v == "1",
            _ => {}
        }
    }
    f
}

/// One case's result, as the officer reads it.
pub struct CaseResult {
    pub number: String,
    pub done: bool,
    /// The new status when done, else why not.
    pub status: Option<CaseStatus>,
    pub problem: String,
}

#[derive(Template)]
#[template(path = "pages/officer/bulk.html")]
pub struct BulkPage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub step: BulkStep,
    /// The chosen cases with their versions (the checkboxes' values), to confirm.
    pub chosen: Vec<(String, String)>,
    /// Officers to assign to (supervisors); empty for an officer, who takes the cases themselves.
    pub officers: Vec<officers::OfficerRow>,
    pub message: String,
    /// After the step: each case's result.
    pub results: Vec<CaseResult>,
    pub problem: Option<String>,
}

impl BulkPage {
    /// The message key of this step's `part` (`title`, `confirm`).
    pub fn key(&self, part: &str) -> String {
        format!("bulk.{part}_{}", self.step.as_str())
    }

    pub fn done_count(&self) -> usize {
        self.results.iter().filter(|r| r.done).count()
    }
}

fn action_of(
    step: BulkStep,
    f: &BulkForm,
    officer: &CurrentOfficer,
) -> Result<ReviewAction, AppError> {
    Ok(match step {
        // An officer takes the cases themselves; a supervisor gives them to anyone.
        BulkStep::Assign if !officer.is_supervisor() => ReviewAction::Take,
        BulkStep::Assign => ReviewAction::Assign {
            officer_id: f
                .officer_id
                .ok_or(AppError::BadRequest("review.unknown_officer"))?,
        },
        BulkStep::DismissDuplicate => ReviewAction::Dismiss {
            reason: DismissReason::Duplicate,
            message: f.message.clone(),
        },
    })
}

fn results_of(m: &crate::i18n::Messages, outcomes: Vec<bulk::Outcome>) -> Vec<CaseResult> {
    outcomes
        .into_iter()
        .map(|o| {
            let (done, status, problem) = match o.result {
                Ok(s) => (true, Some(s), String::new()),
                Err(e) => (
                    false,
                    None,
                    m.t(AppError::from(e).message_key()).to_string(),
                ),
            };
            CaseResult {
                number: o.number.to_string(),
                done,
                status,
                problem,
            }
        })
        .collect()
}

/// The page for `form`'s cases, before or after the step (the officers to assign to, for a
/// supervisor's confirmation only).
async fn page_for(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: &AppState,
    step: BulkStep,
    form: &BulkForm,
) -> Result<BulkPage, AppError> {
    let list_officers = officer.is_supervisor() && !form.confirmed;
    let officer_list = db::run(&state.pool, move |conn| {
        Ok(if list_officers {
            officers::list_active(conn)?
        } else {
            Vec::new()
        })
    })
    .await?;
    let chosen = form
        .cases
        .iter()
        .map(|c| {
            (
                c.number.to_string(),
                Seen::value(&c.number.to_string(), c.version),
            )
        })
        .collect();
    Ok(BulkPage {
        chosen,
        message: form.message.clone(),
        officers: officer_list,
        results: Vec::new(),
        problem: None,
        step,
        ctx,
        officer,
    })
}

pub async fn act_on_cases(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = parse_form(&body);
    officer.check_csrf(&form.csrf)?;
    let step = form.step.ok_or(AppError::BadRequest("bulk.unknown_step"))?;
    if form.unreadable > 0 {
        return Err(AppError::BadRequest("bulk.unreadable"));
    }
    let mut page = page_for(ctx, officer, &state, step, &form).await?;
    if !form.confirmed {
        if form.cases.is_empty() {
            page.problem = Some(page.ctx.m.t("bulk.none_chosen").to_string());
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
        return render(StatusCode::OK, &page);
    }
    let action = action_of(step, &form, &page.officer)?;
    let (acting, links, cases) = (page.officer.acting(), state.links.clone(), form.cases);
    let outcomes = db::run_with(&state.pool, move |conn| {
        bulk::perform_each(conn, &cases, acting, &action, &links)
    })
    .await;
    match outcomes {
        Ok(outcomes) => {
            state.wake_mailer();
            page.results = results_of(page.ctx.m, outcomes);
            render(StatusCode::OK, &page)
        }
        Err(e) => {
            let e = AppError::from(e);
            page.problem = Some(page.ctx.m.t(e.message_key()).to_string());
            render(actix_web::ResponseError::status_code(&e), &page)
        }
    }
}
