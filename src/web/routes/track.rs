//! The reporter's case: opened with the case number and receipt code, then status, timeline,
//! evidence, and withdrawal.

use crate::db::{self, audit, cases, evidence, notes, queue, tokens};
use crate::domain::CaseId;
use crate::domain::EvidenceId;
use crate::domain::lang::Lang;
use crate::domain::place_pinyin;
use crate::domain::region::divisions;
use crate::domain::workdays::Calendar;
use crate::domain::{CaseNumber, CaseStatus, ReceiptCode, RegionCode};
use crate::error::AppError;
use crate::evidence::BlobKind;
use crate::i18n::Messages;
use crate::web::client::client_ip;
use crate::web::context::PageContext;
use crate::web::filters;
use crate::web::reporter_session;
use crate::web::upload::{self, Checked, EvidenceIntake, KeptEvidence, ReceivedForm};
use crate::web::{AppState, render, see_other, serve_blob};
use crate::workflow::{reply, track, withdraw};
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "pages/track/form.html")]
pub struct TrackFormPage {
    pub ctx: PageContext,
    pub case_number: String,
    pub problem: Option<String>,
}

pub async fn show_track_form(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &TrackFormPage {
            ctx,
            case_number: String::new(),
            problem: None,
        },
    )
}

#[derive(Deserialize)]
pub struct TrackForm {
    #[serde(default)]
    case_number: String,
    #[serde(default)]
    receipt_code: String,
}

pub async fn open_tracked_case(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<TrackForm>,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req, state.settings.trust_proxy_headers);
    state.limits.track.check(ip).await?;
    let form = form.into_inner();
    let number = CaseNumber::parse(&form.case_number);
    let code = ReceiptCode::parse(&form.receipt_code);
    let opened = match (number, code) {
        (Some(number), Some(code)) => {
            let key = state.keys.receipt.clone();
            db::run(&state.pool, move |conn| {
                track::open_case(conn, &number, &code, &key)
            })
            .await?
        }
        _ => None,
    };
    match opened {
        Some(case_id) => {
            reporter_session::open_case(&session, &state.pool, case_id).await?;
            Ok(see_other("/track/case"))
        }
        None => {
            // One answer for a malformed pair, an unknown number and a wrong code alike.
            let problem = Some(ctx.m.t("track.no_match").to_string());
            render(
                StatusCode::NOT_FOUND,
                &TrackFormPage {
                    ctx,
                    case_number: form.case_number.trim().chars().take(40).collect(),
                    problem,
                },
            )
        }
    }
}

/// One line of the reporter's timeline.
pub struct TimelineItem {
    pub at: String,
    pub text: String,
}

pub struct EvidenceItem {
    pub id: EvidenceId,
    /// Changes when the image shown changes (a redaction), so browsers fetch the new one.
    pub version: String,
    pub name: String,
    /// False while the copies are being made: a placeholder stands for the thumbnail.
    pub ready: bool,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub size: String,
}

#[derive(Template)]
#[template(path = "pages/track/case.html")]
pub struct TrackedCasePage {
    pub ctx: PageContext,
    pub case: cases::CaseRow,
    pub status: CaseStatus,
    pub platform_name: String,
    pub category_label: String,
    pub region_name: String,
    /// The region's names in pinyin, on English pages only (empty otherwise).
    pub region_pinyin: String,
    pub timeline: Vec<TimelineItem>,
    pub evidence: Vec<EvidenceItem>,
    pub csrf: String,
    pub confirm_withdraw: bool,
    pub messages: Vec<notes::MessageView>,
    /// Problems with a reply just sent (shown above the reply form).
    pub reply_problems: Vec<String>,
    /// The text of a reply sent back for correction, in its box again.
    pub reply_message: String,
    pub max_files: usize,
    /// The dates the portal has promised the reporter, while the case is on a clock.
    pub deadline: Option<ReporterDeadline>,
    /// What the platform answered to the case's notice.
    pub platform_answer: Option<crate::web::platform_notice_view::AnswerView>,
    /// What happens next, in plain words (`next_step`).
    pub next_step: String,
}

/// A reply the reporter must correct: what was wrong, and the text they typed (kept, so that a
/// bad attachment never costs them their answer).
#[derive(Default)]
pub struct ReplyDraft {
    pub problems: Vec<String>,
    pub message: String,
}

impl ReplyDraft {
    fn refused(problems: Vec<String>, message: String) -> Self {
        Self { problems, message }
    }
}

pub struct ReporterDeadline {
    pub decide_by: chrono::NaiveDate,
    pub accept_by: Option<chrono::NaiveDate>,
    /// Each date counted on a year without the official notice (it may still move):
    /// (decide by, accept by).
    pub provisional: (bool, bool),
    /// The clock stands while the case waits for the reporter.
    pub paused: bool,
}

impl TrackedCasePage {
    pub fn explain_key(&self) -> String {
        format!("case.explain.{}", self.status.as_str())
    }
}

fn timeline_text(
    m: &Messages,
    row: &audit::AuditRow,
    names: &std::collections::HashMap<i64, String>,
) -> String {
    let detail = row.detail_json();
    match row.action.as_str() {
        // Older entries hold the name; newer ones its position (the name stays on the file).
        "evidence_added" => m.t1(
            "timeline.evidence_added",
            detail["name"]
                .as_str()
                .or_else(|| {
                    detail["position"]
                        .as_i64()
                        .and_then(|p| names.get(&p))
                        .map(String::as_str)
                })
                .unwrap_or(""),
        ),
        "filed" => m.t("timeline.filed").to_string(),
        "request_info" => m.t("timeline.request_info").to_string(),
        "contact_erased" => m.t("timeline.contact_erased").to_string(),
        "platform_notice_sent" => m.t("platform_notice.timeline_sent").to_string(),
        "platform_response" => m.t1(
            "platform_notice.timeline_answered",
            m.t(&format!(
                "platform_notice.response_label.{}",
                detail["response"].as_str().unwrap_or_default()
            )),
        ),
        "deadlines_recounted" => m.t2(
            "timeline.deadlines_recounted",
            detail["calendar_year"].as_i64().unwrap_or_default(),
            detail["decide_by"]["to"].as_str().unwrap_or_default(),
        ),
        _ => match detail["to"].as_str().and_then(CaseStatus::parse) {
            Some(to) => m.t1("timeline.status_changed", m.status(to)),
            None => m.t("timeline.updated").to_string(),
        },
    }
}

/// Everything the reporter's case page shows, read in one go: each evidence file with the
/// thumbnail of its latest redaction, if it has one.
struct Loaded {
    case: cases::CaseRow,
    trail: Vec<audit::AuditRow>,
    files: Vec<(evidence::EvidenceRow, Option<String>)>,
    messages: Vec<notes::MessageView>,
    deadline: Option<(queue::DeadlineRow, Arc<Calendar>)>,
    notice: Option<db::platform_notices::NoticeRow>,
}

/// The session's record and its case, with what hangs off it; `None` when the record is no
/// longer live (revoked or expired).
async fn read_open_case(state: &AppState, token: String) -> Result<Option<Loaded>, AppError> {
    let calendar = state.official_years.clone();
    Ok(state
        .read_briefly(move |conn| {
            db::read_together(conn, |conn| {
                match db::case_page::live_case_page(conn, &token, db::now())? {
                    Some(page) => read_case(conn, page, &calendar).map(Some),
                    None => Ok(None),
                }
            })
        })
        .await?)
}

/// The page's reads with the calendar of the dates it shows: read only when a date shown falls
/// in a year whose calendar was provisional when last read (a statement more).
fn read_case(
    conn: &mut db::DbConnection,
    page: db::case_page::CasePage,
    calendar: &db::calendar::OfficialYears,
) -> Result<Loaded, db::DbError> {
    let db::case_page::CasePage {
        live: (case, deadline, notice),
        trail,
        files,
        messages,
    } = page;
    // The calendar only while the page shows a date (see `reporter_deadline`).
    let deadline = match deadline.filter(|_| shows_deadline(case.status)) {
        Some(d) => {
            let dates: Vec<NaiveDate> = [Some(d.decide_by), d.accept_by]
                .into_iter()
                .flatten()
                .collect();
            let calendar = calendar.to_flag(conn, &dates)?;
            Some((d, calendar))
        }
        None => None,
    };
    Ok(Loaded {
        case,
        trail,
        files,
        messages,
        deadline,
        notice,
    })
}

/// Whether the reporter is promised a date: only while the case is with the officers (after
/// handoff the date is the regulator's).
fn shows_deadline(status: CaseStatus) -> bool {
    matches!(
        status,
        CaseStatus::Submitted | CaseStatus::InReview | CaseStatus::AwaitingReporter
    )
}

/// The dates promised to the reporter (see `shows_deadline`).
fn reporter_deadline(
    case: &cases::CaseRow,
    deadline: Option<(queue::DeadlineRow, Arc<Calendar>)>,
) -> Option<ReporterDeadline> {
    deadline
        .filter(|_| shows_deadline(case.status))
        .map(|(row, cal)| ReporterDeadline {
            decide_by: row.decide_by,
            accept_by: row
                .accept_by
                .filter(|_| case.status == CaseStatus::Submitted),
            provisional: (
                cal.is_provisional(row.decide_by),
                row.accept_by.is_some_and(|a| cal.is_provisional(a)),
            ),
            paused: row.paused_since.is_some(),
        })
}

/// The regulator the case was last handed to and when (China time), from the trail the page
/// already reads.
fn last_handoff(trail: &[audit::AuditRow]) -> Option<(String, String)> {
    trail.iter().rev().find_map(|r| {
        let detail = r.detail_json();
        let to_regulator = detail["to"].as_str() == Some(CaseStatus::HandedOff.as_str());
        let name = detail["regulator"].as_str().filter(|_| to_regulator)?;
        Some((name.to_string(), filters::china_time(&r.at)))
    })
}

/// What happens next, for the reporter: the expected decision date while the officers have the
/// case, the regulator once it is handed off, the outcome or the reason once it is over.
fn next_step(
    m: &Messages,
    case: &cases::CaseRow,
    trail: &[audit::AuditRow],
    deadline: Option<&ReporterDeadline>,
) -> String {
    use crate::domain::status::ClosedReason;
    let key = |k: &str| format!("case.next.{k}");
    match (case.status, deadline, case.closed_reason) {
        (CaseStatus::Submitted | CaseStatus::InReview, Some(d), _) => {
            m.t1(&key(&format!("{}_by", case.status.as_str())), d.decide_by)
        }
        (CaseStatus::HandedOff | CaseStatus::Acknowledged, _, _) => match last_handoff(trail) {
            Some((regulator, at)) => m.t2(&key(case.status.as_str()), regulator, at),
            None => m.t(&key("with_regulator")).to_string(),
        },
        (CaseStatus::Closed, _, Some(ClosedReason::Outcome(o))) => m.t2(
            &key("outcome"),
            m.t(&format!("outcome.{}", o.as_str())),
            m.t(&key(&format!("outcome_plain.{}", o.as_str()))),
        ),
        (CaseStatus::Dismissed, _, Some(ClosedReason::Dismissed(r))) => {
            m.t1(&key("dismissed_because"), m.dismiss_reason(r))
        }
        (status, _, _) => m.t(&key(status.as_str())).to_string(),
    }
}

/// The timeline the reporter sees: the entries of the audit trail shown to them.
fn timeline(
    m: &Messages,
    trail: &[audit::AuditRow],
    files: &[(evidence::EvidenceRow, Option<String>)],
) -> Vec<TimelineItem> {
    let names: HashMap<i64, String> = files
        .iter()
        .map(|(f, _)| (i64::from(f.position), f.original_name.clone()))
        .collect();
    trail
        .iter()
        .filter(|r| r.visible_to_reporter)
        .map(|r| TimelineItem {
            at: filters::china_time(&r.at),
            text: timeline_text(m, r, &names),
        })
        .collect()
}

fn evidence_items(files: Vec<(evidence::EvidenceRow, Option<String>)>) -> Vec<EvidenceItem> {
    files
        .into_iter()
        .map(|(f, redacted_thumb)| {
            let (thumb_width, thumb_height) = f.thumb_size();
            EvidenceItem {
                id: f.id,
                version: redacted_thumb
                    .as_deref()
                    .or(f.thumb_sha256.as_deref())
                    .unwrap_or_default()
                    .chars()
                    .take(12)
                    .collect(),
                ready: f.copies().is_some(),
                name: f.original_name,
                thumb_width,
                thumb_height,
                size: filters::human_bytes(f.byte_size),
            }
        })
        .collect()
}

/// The region's names in Chinese, and in pinyin on English pages (empty otherwise).
fn region_names(m: &Messages, code: &str) -> (String, String) {
    let region = RegionCode::parse(code).and_then(|c| divisions().region(&c));
    let name = region
        .as_ref()
        .map_or_else(|| code.to_string(), |r| r.full_name());
    let pinyin = match (m.lang(), &region) {
        (Lang::En, Some(r)) => place_pinyin::region_pinyin(r),
        _ => String::new(),
    };
    (name, pinyin)
}

async fn load_case_page(
    ctx: PageContext,
    state: &AppState,
    session: &Session,
    confirm_withdraw: bool,
    reply: ReplyDraft,
    status_code: StatusCode,
) -> Result<HttpResponse, AppError> {
    let Some(open) = reporter_session::fresh_session(session)? else {
        return Ok(see_other("/track"));
    };
    let Some(loaded) = read_open_case(state, open.token().to_string()).await? else {
        reporter_session::forget_case(session);
        return Ok(see_other("/track"));
    };
    reporter_session::keep_alive(session, &open)?;
    let Loaded {
        case,
        trail,
        files,
        messages,
        deadline,
        notice,
    } = loaded;
    let m = ctx.m;
    let deadline = reporter_deadline(&case, deadline);
    let next_step = next_step(ctx.m, &case, &trail, deadline.as_ref());
    let status = case.status;
    let platform_name = m.platform_label(case.platform, case.platform_other.as_deref());
    let category_label = m.category(case.category).to_string();
    let (region_name, region_pinyin) = region_names(m, &case.region_code);
    let page = TrackedCasePage {
        timeline: timeline(m, &trail, &files),
        evidence: evidence_items(files),
        csrf: reporter_session::csrf_token(session)?,
        ctx,
        status,
        platform_name,
        category_label,
        region_name,
        region_pinyin,
        confirm_withdraw: confirm_withdraw && status.can_withdraw(),
        messages,
        reply_problems: reply.problems,
        reply_message: reply.message,
        max_files: state.evidence_limits.max_files,
        deadline,
        next_step,
        platform_answer: notice
            .as_ref()
            .and_then(|n| crate::web::platform_notice_view::answer_view(m, n)),
        case,
    };
    render(status_code, &page)
}

pub async fn show_tracked_case(
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    load_case_page(
        ctx,
        &state,
        &session,
        false,
        ReplyDraft::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf_token: String,
    /// Present on the confirmation page's form: the reporter has seen what withdrawing means.
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    reason: String,
}

pub async fn withdraw_case(
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<WithdrawForm>,
) -> Result<HttpResponse, AppError> {
    reporter_session::check_csrf(&session, &form.csrf_token)?;
    let Some(case_id) = reporter_session::current_case(&session, &state.pool).await? else {
        return Ok(see_other("/track"));
    };
    if form.confirm != "yes" {
        return load_case_page(
            ctx,
            &state,
            &session,
            true,
            ReplyDraft::default(),
            StatusCode::OK,
        )
        .await;
    }
    let reason: String = form.reason.trim().chars().take(1000).collect();
    let links = state.links.clone();
    db::run_with(&state.pool, move |conn| {
        withdraw::withdraw(
            conn,
            case_id,
            (!reason.is_empty()).then_some(reason.as_str()),
            &links,
        )
    })
    .await
    .map_err(AppError::from)?;
    state.wake_mailer();
    // Withdrawing ended every session on the case (a copied cookie opens nothing now); this
    // browser, which just proved it held one, gets a fresh one to see the result.
    reporter_session::open_case(&session, &state.pool, case_id).await?;
    Ok(see_other("/track/case"))
}

#[derive(Deserialize)]
pub struct LeaveForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn leave_case(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<LeaveForm>,
) -> Result<HttpResponse, AppError> {
    reporter_session::check_csrf(&session, &form.csrf_token)?;
    reporter_session::close_case(&session, &state.pool).await?;
    Ok(see_other("/track"))
}

/// A thumbnail or display copy of the reporter's own evidence (never the original).
pub async fn serve_evidence(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(EvidenceId, String)>,
) -> Result<HttpResponse, AppError> {
    let (evidence_id, variant) = path.into_inner();
    let Some(case_id) = reporter_session::current_case(&session, &state.pool).await? else {
        return Err(AppError::NotFound);
    };
    let (row, redaction) = db::run(&state.pool, move |conn| {
        let row = evidence::get(conn, case_id, evidence_id)?;
        let redaction = evidence::latest_redaction(conn, row.id)?;
        Ok((row, redaction))
    })
    .await?;
    // Where an officer blacked out personal data, the reporter sees that copy too.
    // Copies not made yet are not there (the page shows that they are being made).
    let (shown, display_kind) = (
        evidence::copy_shown(&row, redaction.as_ref()),
        row.display_kind,
    );
    let (kind, sha, content_type) = match (variant.as_str(), shown, display_kind) {
        ("thumb", Some((_, thumb)), _) => (BlobKind::Thumbnail, thumb.to_string(), "image/jpeg"),
        ("display", Some((display, _)), Some(k)) => {
            (BlobKind::Display, display.to_string(), k.mime())
        }
        _ => return Err(AppError::NotFound),
    };
    serve_blob(&state, kind, &sha, content_type, None).await
}

#[derive(Deserialize)]
pub struct ReplyQuery {
    #[serde(default)]
    csrf_token: Option<String>,
}

fn field_value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

/// The reporter's answer to a request for more information: text and screenshots (multipart).
/// Everything that can be decided without the body is decided before a byte of it is read: the
/// session, the CSRF token (the form's action URL carries it), the rate limit and the case's
/// state. Only then is the body read, within `upload`'s caps.
pub async fn reply_to_case(
    req: HttpRequest,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    payload: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    let Some(case_id) = reporter_session::current_case(&session, &state.pool).await? else {
        return Ok(see_other("/track"));
    };
    let url_token = web::Query::<ReplyQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().csrf_token);
    if let Some(token) = &url_token {
        reporter_session::check_csrf(&session, token)?;
    }
    state
        .limits
        .replies
        .check(client_ip(&req, state.settings.trust_proxy_headers))
        .await?;
    let status = db::run(&state.pool, move |conn| {
        Ok(cases::get(conn, case_id)?.status)
    })
    .await?;
    if status != CaseStatus::AwaitingReporter {
        // The answer the workflow would give, without reading (let alone decoding) the files.
        let problems = vec![ctx.m.t("error.transition_refused").to_string()];
        let reply = ReplyDraft::refused(problems, String::new());
        return load_case_page(ctx, &state, &session, false, reply, StatusCode::CONFLICT).await;
    }
    let received = read_reply(&state, &session, payload, url_token.is_some()).await?;
    let message = field_value(&received.fields, "message").to_string();
    let m = ctx.m;
    let mut problems: Vec<String> = received
        .problems
        .iter()
        .map(|p| upload::problem_message(m, p))
        .collect();
    let keep = problems.is_empty();
    let kept = match upload::check_files(&EvidenceIntake::of(&state), received.files, keep).await? {
        Checked::Passed(kept) => Some(kept),
        Checked::Refused { refused, .. } => {
            let refusals = refused
                .iter()
                .map(|(n, r)| upload::rejection_message(m, n, r));
            problems.extend(refusals);
            None
        }
    };
    match kept {
        Some(kept) if problems.is_empty() => {
            record_reply(ctx, &state, &session, case_id, message, kept).await
        }
        _ => {
            let reply = ReplyDraft::refused(problems, message);
            load_case_page(ctx, &state, &session, false, reply, UNPROCESSABLE).await
        }
    }
}

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// Reads the answer's form. A page shown before the token moved into the action URL sends it in
/// the body only: it is then checked as the first file begins, so no file of a forged request
/// is ever kept.
async fn read_reply(
    state: &AppState,
    session: &Session,
    payload: actix_multipart::Multipart,
    token_in_url: bool,
) -> Result<ReceivedForm, AppError> {
    let body_token = |fields: &[(String, String)]| {
        reporter_session::check_csrf(session, field_value(fields, "csrf_token"))
    };
    let gate: Option<upload::FileGate<'_>> = if token_in_url {
        None
    } else {
        Some(&body_token)
    };
    let received = upload::receive_evidence(payload, state, gate).await?;
    if !token_in_url {
        reporter_session::check_csrf(session, field_value(&received.fields, "csrf_token"))?;
    }
    Ok(received)
}

/// Records the answer (`workflow::reply`); one the workflow refuses is shown on the case page.
async fn record_reply(
    ctx: PageContext,
    state: &AppState,
    session: &Session,
    case_id: CaseId,
    message: String,
    kept: KeptEvidence,
) -> Result<HttpResponse, AppError> {
    let (links, typed) = (state.links.clone(), message.clone());
    let result = kept
        .record(move |conn, stored| reply::answer(conn, case_id, &message, stored, &links))
        .await;
    match result {
        Ok(_) => {
            state.wake_mailer();
            Ok(see_other("/track/case"))
        }
        Err(e) => {
            let err = AppError::from(e);
            let status = actix_web::ResponseError::status_code(&err);
            if status.is_server_error() {
                return Err(err);
            }
            let reply = ReplyDraft::refused(vec![ctx.m.t(err.message_key()).to_string()], typed);
            load_case_page(ctx, state, session, false, reply, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "pages/track/link.html")]
pub struct AccessLinkPage {
    pub ctx: PageContext,
    pub case_number: Option<String>,
}

/// The case link in a status email: opens the case for this browser, changes nothing. It
/// answers with a page (not a redirect) so that the session cookie, set from an email client's
/// cross-site navigation, is sent with the next, same-site click.
pub async fn open_access_link(
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let found = db::run(&state.pool, move |conn| {
        let Some(row) = tokens::find(
            conn,
            crate::domain::email_token::TokenPurpose::Access,
            &token,
        )?
        else {
            return Ok(None);
        };
        if row.expires_at < db::now() {
            return Ok(None);
        }
        let case = cases::get(conn, row.case_id)?;
        // A case that is over opens only with its receipt code.
        if !case.status.is_open() {
            return Ok(None);
        }
        Ok(Some((row.case_id, case.case_number)))
    })
    .await?;
    match found {
        Some((case_id, case_number)) => {
            reporter_session::open_case(&session, &state.pool, case_id).await?;
            render(
                StatusCode::OK,
                &AccessLinkPage {
                    ctx,
                    case_number: Some(case_number),
                },
            )
        }
        None => render(
            StatusCode::GONE,
            &AccessLinkPage {
                ctx,
                case_number: None,
            },
        ),
    }
}
