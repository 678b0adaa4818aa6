//! The reporter's side of the session cookie: which case they opened with its receipt code, the
//! CSRF token of their forms, and the receipt shown once after filing.

use crate::error::AppError;
use actix_session::Session;
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// A reporter who leaves the case page alone this long must enter the code again.
const INACTIVITY_SECS: i64 = 2 * 3600;

const CASE_KEY: &str = "reporter_case";
const CSRF_KEY: &str = "csrf";
const RECEIPT_KEY: &str = "receipt_once";

#[derive(Serialize, Deserialize)]
struct OpenCase {
    case_id: i64,
    last_seen: i64,
}

/// The receipt shown once after filing.
#[derive(Serialize, Deserialize)]
pub struct ReceiptOnce {
    pub case_number: String,
    pub receipt_code: String,
    pub has_email: bool,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn session_error(e: impl std::fmt::Display) -> AppError {
    AppError::internal(anyhow::anyhow!("session: {e}"))
}

/// Grants access to the case; a fresh session id, so a cookie planted earlier is worth nothing.
pub fn open_case(session: &Session, case_id: i64) -> Result<(), AppError> {
    session.renew();
    session
        .insert(
            CASE_KEY,
            OpenCase {
                case_id,
                last_seen: now(),
            },
        )
        .map_err(session_error)
}

/// The case the reporter opened, if the session is still fresh; refreshes its clock.
pub fn current_case(session: &Session) -> Result<Option<i64>, AppError> {
    let open: Option<OpenCase> = session.get(CASE_KEY).map_err(session_error)?;
    match open {
        Some(o) if now() - o.last_seen <= INACTIVITY_SECS => {
            session
                .insert(
                    CASE_KEY,
                    OpenCase {
                        case_id: o.case_id,
                        last_seen: now(),
                    },
                )
                .map_err(session_error)?;
            Ok(Some(o.case_id))
        }
        Some(_) => {
            session.remove(CASE_KEY);
            Ok(None)
        }
        None => Ok(None),
    }
}

pub fn close_case(session: &Session) {
    session.remove(CASE_KEY);
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

pub fn set_receipt(session: &Session, receipt: &ReceiptOnce) -> Result<(), AppError> {
    session.insert(RECEIPT_KEY, receipt).map_err(session_error)
}

/// The receipt, removed from the session as it is read: the code is shown once.
pub fn take_receipt(session: &Session) -> Result<Option<ReceiptOnce>, AppError> {
    let r = session.get(RECEIPT_KEY).map_err(session_error)?;
    session.remove(RECEIPT_KEY);
    Ok(r)
}
