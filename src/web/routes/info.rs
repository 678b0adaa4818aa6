//! The public privacy notice and help pages: who runs the portal, what it keeps and for how long
//! (the periods this instance applies), and how reporting, statuses and deadlines work.

use crate::config::Settings;
use crate::domain::deadlines::{
    ACKNOWLEDGE_WORKING_DAYS, COMPLAINT_ACCEPT_DAYS, EXTENSION_DAYS, REPORT_DECIDE_DAYS,
    REPORTER_ANSWER_DAYS,
};
use crate::domain::{CaseStatus, Category};
use crate::error::AppError;
use crate::i18n::Messages;
use crate::web::context::PageContext;
use crate::web::{AppState, render};
use crate::workflow::purge::UNCONFIRMED_RETENTION;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

/// How long each kind of data is kept, in words, from the settings this instance runs with.
pub struct RetentionText {
    pub reporter_ip: String,
    pub contact: String,
    pub unconfirmed: String,
}

impl RetentionText {
    fn of(settings: &Settings, m: &Messages) -> Self {
        let days = |n: u32, key: &str| {
            if n == 0 {
                m.t("privacy.kept_no_limit").to_string()
            } else {
                m.t1(key, n)
            }
        };
        Self {
            reporter_ip: days(settings.retain_reporter_ip_days, "privacy.keep_ip_days"),
            contact: days(settings.retain_contact_days, "privacy.keep_contact_days"),
            unconfirmed: m.t1(
                "privacy.keep_unconfirmed_days",
                UNCONFIRMED_RETENTION.num_days(),
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/info/privacy.html")]
pub struct PrivacyPage {
    pub ctx: PageContext,
    pub retention: RetentionText,
    /// Where to write about one's personal information.
    pub contact: String,
}

/// `GET /privacy`: the privacy notice (PIPL Art. 13 and 17).
pub async fn show_privacy(
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let retention = RetentionText::of(&state.settings, ctx.m);
    let contact = state
        .settings
        .privacy_contact
        .clone()
        .unwrap_or_else(|| state.settings.mail_from.clone());
    render(
        StatusCode::OK,
        &PrivacyPage {
            ctx,
            retention,
            contact,
        },
    )
}

/// The deadlines a case runs under, in words, from the constants the deadline rules count with.
pub struct DeadlineText {
    pub accept: String,
    pub decide: String,
    pub reporter_answer: String,
    pub acknowledge: String,
}

impl DeadlineText {
    fn of(m: &Messages) -> Self {
        Self {
            accept: m.t1("help.deadline_accept", COMPLAINT_ACCEPT_DAYS),
            decide: m.t2("help.deadline_decide", REPORT_DECIDE_DAYS, EXTENSION_DAYS),
            reporter_answer: m.t1("help.deadline_reporter_answer", REPORTER_ANSWER_DAYS),
            acknowledge: m.t1("help.deadline_acknowledge", ACKNOWLEDGE_WORKING_DAYS),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/info/help.html")]
pub struct HelpPage {
    pub ctx: PageContext,
    pub categories: &'static [Category],
    pub statuses: &'static [CaseStatus],
    pub deadlines: DeadlineText,
}

/// `GET /help`: how reporting works, what each category and status means, the deadlines.
pub async fn show_help(ctx: PageContext) -> Result<HttpResponse, AppError> {
    let deadlines = DeadlineText::of(ctx.m);
    render(
        StatusCode::OK,
        &HelpPage {
            ctx,
            categories: Category::ALL,
            statuses: CaseStatus::ALL,
            deadlines,
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::domain::{CaseStatus, Category, Lang};
    use crate::i18n::messages;

    #[test]
    fn every_category_and_status_is_explained_in_both_languages() {
        for lang in Lang::ALL {
            let m = messages(lang);
            for c in Category::ALL {
                assert_ne!(m.category_explained(*c), "?", "{lang:?} category {c}");
            }
            for s in CaseStatus::ALL {
                assert_ne!(m.status_explained(*s), "?", "{lang:?} status {s}");
            }
        }
    }
}
