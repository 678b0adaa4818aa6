//! The queue: every case an officer may work on, filtered, searched and paged by keyset.

use crate::db::queue::{Assignee, Cursor, QueueFilter, QueueRow, Sort};
use crate::db::{self, queue};
use crate::domain::OfficerId;
use crate::domain::region::{Division, divisions};
use crate::domain::search_term::SearchTerm;
use crate::domain::{CaseStatus, Category, Platform, RegionCode, china_date};
use crate::error::AppError;
use crate::web::context::PageContext;
use crate::web::officer_session::CurrentOfficer;
use crate::web::queue_export;
pub use crate::web::queue_item::QueueItem;
use crate::web::queue_item::queue_item;
use crate::web::{AppState, render, see_other};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate, NaiveTime, TimeDelta};
use serde::Deserialize;

pub const PAGE_SIZE: i64 = 50;

/// The queue's query string, as typed or linked. Unknown or malformed values are ignored, so a
/// hand-edited URL shows a wider queue instead of an error.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub after: String,
}

impl QueueQuery {
    /// The query string of these filters with a new cursor (for the next page's link).
    pub fn with_after(&self, after: &str) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", &self.status),
            ("platform", &self.platform),
            ("category", &self.category),
            ("province", &self.province),
            ("city", &self.city),
            ("assignee", &self.assignee),
            ("overdue", &self.overdue),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if !after.is_empty() {
            s.append_pair("after", after);
        }
        s.finish()
    }

    /// The same filters with another status (for the sidebar's links).
    pub fn with_status(&self, status: &str) -> String {
        QueueQuery {
            status: status.to_string(),
            after: String::new(),
            ..self.clone()
        }
        .with_after("")
    }

    fn filter(&self, officer_id: OfficerId, today: NaiveDate) -> QueueFilter {
        let statuses = match self.status.as_str() {
            "" | "open" => Vec::new(),
            // Unconfirmed reports have not entered the queue: no view shows them.
            "all" => CaseStatus::ALL
                .iter()
                .copied()
                .filter(|s| *s != CaseStatus::Unconfirmed)
                .collect(),
            s => CaseStatus::parse(s)
                .filter(|s| *s != CaseStatus::Unconfirmed)
                .map(|s| vec![s])
                .unwrap_or_default(),
        };
        let region = |code: &str| RegionCode::parse(code).map(|c| c.to_string());
        // A year no case can be filed in is as malformed as no date: far-off years would
        // overflow the arithmetic below, and PostgreSQL refuses years before 4713 BC.
        let day_start = |s: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| (1..=9999).contains(&d.year()))
                .and_then(|d| crate::domain::china_time::to_utc(d.and_time(NaiveTime::MIN)))
        };
        QueueFilter {
            statuses,
            platform: Platform::parse(&self.platform),
            category: Category::parse(&self.category),
            province_code: region(&self.province),
            city_code: region(&self.city),
            assignee: match self.assignee.as_str() {
                "me" => Assignee::Officer(officer_id),
                "nobody" => Assignee::Nobody,
                _ => Assignee::Anyone,
            },
            overdue_on: (self.overdue == "1").then_some(today),
            filed_from: day_start(&self.from),
            filed_until: day_start(&self.to).and_then(|t| t.checked_add_signed(TimeDelta::days(1))),
            search: SearchTerm::parse(&self.q).ok().flatten(),
            sort: self.sort(),
            after: parse_cursor(&self.after),
        }
    }
}

impl QueueQuery {
    /// The order asked for; the overdue view lists the most overdue first unless told otherwise.
    pub fn sort(&self) -> Sort {
        match self.sort.as_str() {
            "activity" => Sort::Activity,
            "newest" => Sort::Newest,
            "oldest" => Sort::Oldest,
            "deadline" => Sort::Deadline,
            _ if self.overdue == "1" => Sort::Deadline,
            _ => Sort::Activity,
        }
    }

    /// A search of one character, which no index serves: the page says so instead.
    pub fn search_too_short(&self) -> bool {
        SearchTerm::parse(&self.q).is_err()
    }
}

fn parse_cursor(s: &str) -> Option<Cursor> {
    let (micros, id) = s.split_once('.')?;
    let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
    Some(Cursor {
        at,
        id: id.parse().ok()?,
    })
}

fn cursor_of(row: &QueueRow, sort: Sort) -> String {
    format!(
        "{}.{}",
        row.sort_key(sort).and_utc().timestamp_micros(),
        row.id
    )
}

#[derive(Template)]
#[template(path = "pages/officer/queue.html")]
pub struct QueuePage {
    pub ctx: PageContext,
    pub officer: CurrentOfficer,
    pub query: QueueQuery,
    pub items: Vec<QueueItem>,
    pub counts: Vec<(CaseStatus, i64)>,
    pub open_count: i64,
    pub next: Option<String>,
    pub platforms: &'static [Platform],
    pub categories: &'static [Category],
    pub provinces: &'static [Division],
    /// For supervisors: years without the official notice, this year or (60 days ahead) the next.
    pub calendar_warning: Vec<i32>,
    /// The search found more cases than the queue lists (the newest `SEARCH_CAP`).
    pub search_capped: bool,
    /// How many cases the view holds, in words ("1,000+" past `COUNT_CAP`).
    pub count_line: String,
    /// The exact count, or `COUNT_CAP + 1` when there are more.
    pub count: i64,
    /// The officer's saved views of the queue.
    pub saved: Vec<crate::db::saved_filters::SavedFilterRow>,
}

impl QueuePage {
    /// Where the shortcuts' on/off form comes back to: this view.
    pub fn shortcuts_back(&self) -> String {
        format!(
            "/officer/cases?{}",
            self.query.with_after(&self.query.after)
        )
    }

    pub fn is(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "status" => &self.query.status,
            "platform" => &self.query.platform,
            "category" => &self.query.category,
            "province" => &self.query.province,
            "city" => &self.query.city,
            "assignee" => &self.query.assignee,
            "sort" => return self.query.sort().as_str() == value,
            _ => return false,
        };
        current == value
    }
}

/// A count with thousands separated ("12,345"), as both languages write figures in tables.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// "1 case", "12 cases", "1,000+ cases": exact up to the cap.
fn count_line(m: &crate::i18n::Messages, count: i64) -> String {
    if count > queue::COUNT_CAP {
        m.t1(
            "queue.count_many",
            format!("{}+", grouped(queue::COUNT_CAP)),
        )
    } else if count == 1 {
        m.t("queue.count_one").to_string()
    } else {
        m.t1("queue.count_many", grouped(count))
    }
}

/// The count of every status officers see (unconfirmed reports are not in the queue), and of
/// the open ones together.
fn status_counts(counts: &[(CaseStatus, i64)]) -> (Vec<(CaseStatus, i64)>, i64) {
    let counts: Vec<(CaseStatus, i64)> = CaseStatus::ALL
        .iter()
        .filter(|s| **s != CaseStatus::Unconfirmed)
        .map(|s| {
            (
                *s,
                counts
                    .iter()
                    .find(|(k, _)| k == s)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            )
        })
        .collect();
    let open_count = counts
        .iter()
        .filter(|(s, _)| queue::WORKING_STATUSES.contains(s))
        .map(|(_, n)| n)
        .sum();
    (counts, open_count)
}

pub async fn show_queue(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let today = china_date(db::now());
    let filter = query.filter(officer.id, today);
    let sort = filter.sort;
    let me = officer.id;
    let (page, counts, cal, saved) = db::run(&state.pool, move |conn| {
        Ok((
            queue::page_with_count(conn, &filter, PAGE_SIZE + 1)?,
            queue::status_counts(conn)?,
            db::calendar::current(conn)?,
            crate::db::saved_filters::of_officer(conn, me)?,
        ))
    })
    .await?;
    let m = ctx.m;
    let count = page.count.unwrap_or_default();
    let rows = page.rows;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let rows = &rows[..rows.len().min(PAGE_SIZE as usize)];
    let next = has_more
        .then(|| rows.last().map(|r| query.with_after(&cursor_of(r, sort))))
        .flatten();
    let items = rows.iter().map(|r| queue_item(m, r, today, &cal)).collect();
    let (counts, open_count) = status_counts(&counts);
    let calendar_warning = if officer.is_supervisor() {
        cal.years_missing_notice(today)
    } else {
        Vec::new()
    };
    render(
        StatusCode::OK,
        &QueuePage {
            ctx,
            officer,
            query,
            items,
            counts,
            open_count,
            next,
            platforms: Platform::ALL,
            categories: Category::ALL,
            provinces: divisions().provinces(),
            calendar_warning,
            search_capped: page.search_capped,
            count_line: count_line(m, count),
            count,
            saved,
        },
    )
}

/// `GET /officer/queue/export.csv` and `.xlsx`, with the queue's own query string.
pub async fn export_queue(
    ctx: PageContext,
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    format: web::Path<String>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let format: &'static str = match format.as_str() {
        "csv" => "csv",
        "xlsx" => "xlsx",
        _ => return Err(AppError::NotFound),
    };
    let query = query.into_inner();
    let today = china_date(db::now());
    let req = crate::workflow::exports::ExportRequest {
        officer: officer.id,
        format,
        filter: query.filter(officer.id, today),
        view: QueueQuery {
            q: String::new(),
            after: String::new(),
            ..query.clone()
        }
        .with_after(""),
    };
    let (export, cal) = db::run_with(&state.pool, move |conn| {
        Ok::<_, crate::workflow::WorkflowError>((
            crate::workflow::exports::queue_view(conn, req)?,
            db::calendar::current(conn)?,
        ))
    })
    .await?;
    let m = ctx.m;
    let items: Vec<QueueItem> = export
        .rows
        .iter()
        .map(|r| queue_item(m, r, today, &cal))
        .collect();
    let rows = queue_export::table(m, &items, export.capped);
    let (body, content_type) = match format {
        "csv" => (
            queue_export::csv_of(&rows).map_err(AppError::Internal)?,
            "text/csv; charset=utf-8; header=present",
        ),
        _ => (
            queue_export::xlsx_of(&rows, m.t("export.sheet")).map_err(AppError::Internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    };
    let name = format!("reviewwatch-queue-{}.{format}", today.format("%Y%m%d"));
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

#[derive(Deserialize)]
pub struct SaveFilterForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    /// The queue's query string as the page showed it; stored in its canonical form.
    #[serde(default)]
    query: String,
}

/// Saves the queue view, then shows it.
pub async fn save_filter(
    officer: CurrentOfficer,
    state: web::Data<AppState>,
    form: web::Form<SaveFilterForm>,
) -> Result<HttpResponse, AppError> {
    officer.check_csrf(&form.csrf_token)?;
    let form = form.into_inner();
    let query = web::Query::<QueueQuery>::from_query(&form.query)
        .map(|q| q.into_inner().with_after(""))
        .map_err(|_| AppError::BadRequest("saved_filter.too_long"))?;
    let (id, q) = (officer.id, query.clone());
    db::run_with(&state.pool, move |conn| {
        crate::workflow::desk::save_filter(conn, id, &form.name, &q)
    })
    .await?;
    Ok(see_other(&format!("/officer/cases?{query}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_and_capped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
        let en = crate::i18n::messages(crate::domain::Lang::En);
        assert_eq!(count_line(en, 1), "1 case");
        assert_eq!(count_line(en, 1000), "1,000 cases");
        assert_eq!(count_line(en, 1001), "1,000+ cases");
        let zh = crate::i18n::messages(crate::domain::Lang::ZhCn);
        assert_eq!(count_line(zh, 1001), "共 1,000+ 件");
    }
}
