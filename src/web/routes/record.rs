//! The public record (信用惩戒): `/record` (searchable, paged), its Atom feed and JSON export,
//! and merchants' correction requests. Only approved entries and withdrawal notes show.

use crate::db::{self, record};
use crate::domain::RecordEntryId;
use crate::domain::record::RecordStatus;
use crate::error::AppError;
use crate::web::client::client_ip;
use crate::web::context::PageContext;
use crate::web::form_token;
use crate::web::record_view::{self, GSXT_URL, PAGE_SIZE, PublicEntry};
use crate::web::{AppState, render};
use crate::workflow::WorkflowError;
use crate::workflow::record::{CorrectionRequest, request_correction};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/record/list.html")]
pub struct RecordPage {
    pub ctx: PageContext,
    pub q: String,
    pub entries: Vec<PublicEntry>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub gsxt: &'static str,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<u32>,
}

/// Public entries for search `q`, page `page` (from 1) of `size`: the entries, and whether
/// there is a next page.
async fn load(
    state: &AppState,
    q: Option<String>,
    page: u32,
    size: i64,
) -> Result<(Vec<record::RecordEntryRow>, bool), AppError> {
    let offset = i64::from(page.max(1) - 1) * size;
    let mut rows = db::run(&state.pool, move |conn| {
        let query = record_view::public_query(q.as_deref());
        Ok(record::public_page(conn, &query, offset, size + 1)?)
    })
    .await?;
    let more = rows.len() as i64 > size;
    rows.truncate(usize::try_from(size).unwrap_or(0));
    Ok((rows, more))
}

fn page_link(path: &str, q: &str, page: u32) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        s.append_pair("q", q);
    }
    s.append_pair("page", &page.to_string());
    format!("{path}?{}", s.finish())
}

pub async fn show_record(
    ctx: PageContext,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = record_view::clean_query(query.q.as_deref());
    let page = query.page.unwrap_or(1).max(1);
    let (rows, more) = load(&state, q.clone(), page, PAGE_SIZE).await?;
    let q = q.unwrap_or_default();
    let entries = rows.iter().map(|r| PublicEntry::of(ctx.m, r)).collect();
    render(
        StatusCode::OK,
        &RecordPage {
            prev: (page > 1).then(|| page_link("/record", &q, page - 1)),
            next: more.then(|| page_link("/record", &q, page + 1)),
            ctx,
            q,
            entries,
            gsxt: GSXT_URL,
        },
    )
}

/// `/record/data.json`: the public entries, 100 a page, newest first (docs/OPEN-DATA-RECORD.md).
pub async fn record_data(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = record_view::clean_query(query.q.as_deref());
    let page = query.page.unwrap_or(1).max(1);
    let (rows, more) = load(&state, q.clone(), page, 100).await?;
    let m = crate::i18n::messages(crate::domain::Lang::ZhCn);
    let q = q.unwrap_or_default();
    let body = serde_json::json!({
        "source": format!("{}/record", state.links.base_url),
        "check_at": GSXT_URL,
        "page": page,
        "next": more.then(|| format!("{}{}", state.links.base_url, page_link("/record/data.json", &q, page + 1))),
        "entries": rows.iter().map(|r| PublicEntry::of(m, r)).collect::<Vec<_>>(),
    });
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(body.to_string()))
}

/// `/record/feed.atom`: the 50 newest public entries and withdrawal notes, as Atom 1.0.
pub async fn record_feed(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (rows, _) = load(&state, None, 1, 50).await?;
    let m = crate::i18n::messages(crate::domain::Lang::ZhCn);
    let xml = crate::web::record_feed::atom(m, &state.links.base_url, &rows);
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(xml))
}

#[derive(Template)]
#[template(path = "pages/record/correction.html")]
pub struct CorrectionPage {
    pub ctx: PageContext,
    pub entry: PublicEntry,
    pub form: CorrectionForm,
    pub form_token: String,
    pub problem: Option<String>,
    pub sent: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    pub form_token: String,
    #[serde(default)]
    pub enterprise_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub what_is_wrong: String,
    #[serde(default)]
    pub document_number: String,
}

/// The entry, if the public may see it.
async fn public_entry(state: &AppState, id: RecordEntryId) -> Result<PublicEntry, AppError> {
    let row = db::run(&state.pool, move |conn| {
        Ok(record::get(conn, id).optional()?)
    })
    .await?;
    match row {
        Some(r) if r.status != RecordStatus::Candidate => Ok(PublicEntry::of(
            crate::i18n::messages(crate::domain::Lang::ZhCn),
            &r,
        )),
        _ => Err(AppError::NotFound),
    }
}

use diesel::OptionalExtension;

pub async fn show_correction(
    ctx: PageContext,
    state: web::Data<AppState>,
    path: web::Path<RecordEntryId>,
) -> Result<HttpResponse, AppError> {
    let entry = public_entry(&state, path.into_inner()).await?;
    let form_token = form_token::issue(&state.keys.form, chrono::Utc::now().timestamp());
    let page = CorrectionPage {
        ctx,
        entry,
        form: CorrectionForm::default(),
        form_token,
        problem: None,
        sent: false,
    };
    render(StatusCode::OK, &page)
}

/// Keeps the request and mails the supervisors (`workflow::record`).
async fn file_correction(
    state: &AppState,
    id: RecordEntryId,
    sent: CorrectionForm,
) -> Result<crate::domain::RecordCorrectionId, WorkflowError> {
    let links = state.links.clone();
    db::run_with(&state.pool, move |conn| {
        let req = CorrectionRequest {
            enterprise_name: &sent.enterprise_name,
            contact_email: &sent.contact_email,
            what_is_wrong: &sent.what_is_wrong,
            document_number: &sent.document_number,
        };
        request_correction(conn, id, &req, &links)
    })
    .await
}

pub async fn send_correction(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    path: web::Path<RecordEntryId>,
    form: web::Form<CorrectionForm>,
) -> Result<HttpResponse, AppError> {
    state
        .limits
        .reports
        .check(client_ip(&req, state.settings.trust_proxy_headers))
        .await?;
    let id = path.into_inner();
    let entry = public_entry(&state, id).await?;
    let form = form.into_inner();
    let now = chrono::Utc::now().timestamp();
    let checked = form_token::check(
        &state.keys.form,
        &form.form_token,
        now,
        state.settings.min_form_seconds,
    )
    .map_err(|_| WorkflowError::Invalid("record.form_stale"));
    let result = match checked {
        Ok(()) => file_correction(&state, id, form.clone()).await,
        Err(e) => Err(e),
    };
    let (status, problem) = match result {
        Ok(_) => {
            state.wake_mailer();
            (StatusCode::OK, None)
        }
        Err(WorkflowError::Invalid(key)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(ctx.m.t(key).to_string()),
        ),
        Err(e) => return Err(e.into()),
    };
    let form_token = form_token::issue(&state.keys.form, now);
    let sent = problem.is_none();
    render(
        status,
        &CorrectionPage {
            ctx,
            entry,
            form,
            form_token,
            problem,
            sent,
        },
    )
}

/// The public record's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/record", web::get().to(show_record))
        .route("/record/feed.atom", web::get().to(record_feed))
        .route("/record/data.json", web::get().to(record_data))
        .route("/record/{id}/correction", web::get().to(show_correction))
        .route("/record/{id}/correction", web::post().to(send_correction));
}
