//! The reporter's side of the session cookie: the session on the case they opened with its
//! receipt code (a `reporter_sessions` record the cookie names by a token, so it can be revoked),
//! the CSRF token of their forms, and the receipt shown after filing until the code is saved.

use crate::db::{self, DbPool, reporter_sessions};
use crate::domain::CaseId;
use crate::error::AppError;
use actix_session::Session;
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// A reporter who leaves the case page alone this long must enter the code again.
const INACTIVITY_SECS: i64 = 2 * 3600;
/// However active, a reporter session ends this long after it began.
pub const SESSION_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(12);

// A new key for the record-backed session: a cookie of the older form opens nothing.
const CASE_KEY: &str = "reporter_session";
const CSRF_KEY: &str = "csrf";
const RECEIPT_KEY: &str = "receipt_once";
const FILED_KEY: &str = "filed_receipt";
const BROWSER_KEY: &str = "browser";

/// The session token (its hash is a `reporter_sessions` row) and the last activity.
#[derive(Serialize, Deserialize)]
struct OpenCase {
    token: String,
    last_seen: i64,
}

/// The receipt shown after filing, until the reporter says they saved the code.
#[derive(Clone, Serialize, Deserialize)]
pub struct ReceiptOnce {
    pub case_number: String,
    pub receipt_code: String,
    pub has_email: bool,
    /// The report is about 刷单 fraud: the receipt tells the reporter to call 110 / 96110.
    #[serde(default)]
    pub call_police_first: bool,
}

impl ReceiptOnce {
    /// The code's groups of four, each shown whole (a line never breaks inside one).
    pub fn code_groups(&self) -> Vec<&str> {
        self.receipt_code.split('-').collect()
    }
}

/// The receipt of the report this browser filed, kept (in the encrypted cookie) with the hash of
/// the form token that filed it, so that sending that form again shows it instead of filing twice.
#[derive(Serialize, Deserialize)]
struct FiledReceipt {
    form_token_hash: String,
    case_id: CaseId,
    receipt: ReceiptOnce,
    /// The reporter said they saved the code: it is not shown again.
    #[serde(default)]
    code_saved: bool,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn session_error(e: impl std::fmt::Display) -> AppError {
    AppError::internal(anyhow::anyhow!("session: {e}"))
}

/// Grants access to the case: a session record, and a fresh session id, so a cookie planted
/// earlier is worth nothing.
pub async fn open_case(session: &Session, pool: &DbPool, case_id: CaseId) -> Result<(), AppError> {
    let token = db::run(pool, move |conn| {
        Ok(reporter_sessions::create(
            conn,
            case_id,
            db::now(),
            SESSION_LIFETIME,
        )?)
    })
    .await?;
    session.renew();
    session
        .insert(
            CASE_KEY,
            OpenCase {
                token,
                last_seen: now(),
            },
        )
        .map_err(session_error)
}

/// The case the reporter opened, if the session is still fresh and its record neither revoked
/// nor expired; refreshes its clock.
pub async fn current_case(session: &Session, pool: &DbPool) -> Result<Option<CaseId>, AppError> {
    let Some(open) = fresh_session(session)? else {
        return Ok(None);
    };
    let token = open.token().to_string();
    let live = db::run(pool, move |conn| {
        Ok(reporter_sessions::live_case(conn, &token, db::now())?)
    })
    .await?;
    match live {
        Some(case_id) => {
            keep_alive(session, &open)?;
            Ok(Some(case_id))
        }
        None => {
            forget(session);
            Ok(None)
        }
    }
}

/// The case session this cookie holds, read once per request.
pub struct FreshSession(OpenCase);

impl FreshSession {
    /// The token whose hash names the `reporter_sessions` record.
    pub fn token(&self) -> &str {
        &self.0.token
    }
}

/// The case session this cookie holds, if the reporter was active recently (a stale one is
/// forgotten). The caller asks the database whether its record is live
/// (`reporter_sessions::live_case`), then calls `keep_alive`, or `forget_case` when it is not.
pub fn fresh_session(session: &Session) -> Result<Option<FreshSession>, AppError> {
    let open: Option<OpenCase> = session.get(CASE_KEY).map_err(session_error)?;
    let Some(open) = open else {
        return Ok(None);
    };
    if now() - open.last_seen > INACTIVITY_SECS {
        forget(session);
        return Ok(None);
    }
    Ok(Some(FreshSession(open)))
}

/// The clock of inactivity is written back at most this often: a page read within the minute
/// sends no new cookie (encrypting and sending it again cost every page).
const KEEP_ALIVE_EVERY_SECS: i64 = 60;

/// Restarts the inactivity clock of the open case session (at most once a minute).
pub fn keep_alive(session: &Session, open: &FreshSession) -> Result<(), AppError> {
    if now() - open.0.last_seen >= KEEP_ALIVE_EVERY_SECS {
        session
            .insert(
                CASE_KEY,
                OpenCase {
                    token: open.0.token.clone(),
                    last_seen: now(),
                },
            )
            .map_err(session_error)?;
    }
    Ok(())
}

/// Drops what this cookie held about a case whose record is no longer live.
pub fn forget_case(session: &Session) {
    forget(session);
}

/// Ends the session: its record is revoked, so every copy of the cookie stops working.
pub async fn close_case(session: &Session, pool: &DbPool) -> Result<(), AppError> {
    let open: Option<OpenCase> = session.get(CASE_KEY).map_err(session_error)?;
    forget(session);
    if let Some(open) = open {
        db::run(pool, move |conn| {
            Ok(reporter_sessions::revoke(conn, &open.token, db::now())?)
        })
        .await?;
    }
    Ok(())
}

/// Drops what this cookie held about a case.
fn forget(session: &Session) {
    session.remove(CASE_KEY);
    session.remove(FILED_KEY);
    session.remove(RECEIPT_KEY);
}

/// This session's CSRF token, made on first use.
pub fn csrf_token(session: &Session) -> Result<String, AppError> {
    if let Some(t) = session.get::<String>(CSRF_KEY).map_err(session_error)? {
        return Ok(t);
    }
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    session.insert(CSRF_KEY, &token).map_err(session_error)?;
    Ok(token)
}

/// This browser's id, a random value its session cookie holds from the moment a report form is
/// shown: a report's receipt code is derived from it (`ReceiptCode::derive`), so that a form sent
/// again after a lost answer shows this browser, and only it, the code.
pub fn browser_id(session: &Session) -> Result<Option<String>, AppError> {
    session.get::<String>(BROWSER_KEY).map_err(session_error)
}

/// `browser_id`, made now if this browser had none.
pub fn ensure_browser_id(session: &Session) -> Result<String, AppError> {
    if let Some(id) = browser_id(session)? {
        return Ok(id);
    }
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let id = hex::encode(bytes);
    session.insert(BROWSER_KEY, &id).map_err(session_error)?;
    Ok(id)
}

/// Refuses a form whose CSRF token is missing or not this session's.
pub fn check_csrf(session: &Session, submitted: &str) -> Result<(), AppError> {
    let expected: Option<String> = session.get(CSRF_KEY).map_err(session_error)?;
    match expected {
        Some(e)
            if !submitted.is_empty() && constant_time_eq(e.as_bytes(), submitted.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(AppError::Forbidden("error.csrf")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Keeps the receipt of a report just filed by the form token with `form_token_hash`: shown on the
/// receipt page until the reporter says they saved the code, and to this browser if it sends that
/// form again.
pub fn set_receipt(
    session: &Session,
    receipt: &ReceiptOnce,
    case_id: CaseId,
    form_token_hash: &str,
) -> Result<(), AppError> {
    session
        .insert(RECEIPT_KEY, receipt)
        .map_err(session_error)?;
    session
        .insert(
            FILED_KEY,
            FiledReceipt {
                form_token_hash: form_token_hash.to_string(),
                case_id,
                receipt: receipt.clone(),
                code_saved: false,
            },
        )
        .map_err(session_error)
}

/// The receipt of the report this browser just filed, kept (in the encrypted cookie, never in the
/// database or a log) until the reporter says they saved the code: a reload or a language switch
/// shows it again.
pub fn shown_receipt(session: &Session) -> Result<Option<ReceiptOnce>, AppError> {
    session.get(RECEIPT_KEY).map_err(session_error)
}

/// The reporter saved the code: this browser stops showing it, on the receipt page and to a form
/// sent again.
pub fn forget_receipt(session: &Session) -> Result<(), AppError> {
    session.remove(RECEIPT_KEY);
    let filed: Option<FiledReceipt> = session.get(FILED_KEY).map_err(session_error)?;
    if let Some(mut filed) = filed {
        filed.code_saved = true;
        session.insert(FILED_KEY, filed).map_err(session_error)?;
    }
    Ok(())
}

/// The receipt of case `case_id`, filed by the form token with `form_token_hash`, when this
/// browser filed it and its session on that case is still live (not left, withdrawn or closed).
pub async fn receipt_of_filing(
    session: &Session,
    pool: &DbPool,
    case_id: CaseId,
    form_token_hash: &str,
) -> Result<Option<ReceiptOnce>, AppError> {
    let filed: Option<FiledReceipt> = session.get(FILED_KEY).map_err(session_error)?;
    let Some(filed) = filed.filter(|f| {
        f.case_id == case_id
            && !f.code_saved
            && constant_time_eq(f.form_token_hash.as_bytes(), form_token_hash.as_bytes())
    }) else {
        return Ok(None);
    };
    if current_case(session, pool).await? != Some(case_id) {
        return Ok(None);
    }
    Ok(Some(filed.receipt))
}
