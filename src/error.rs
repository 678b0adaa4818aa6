//! `AppError`: every way a request can fail, its HTTP status, and the message key the error page
//! shows. The page itself is rendered in one place (`web::error_page`), in the reader's language.

use crate::db::DbError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A request the user can correct; the key names the message shown.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// A link that has expired or was already used.
    #[error("gone: {0}")]
    Gone(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("payload too large")]
    PayloadTooLarge,
    /// A form with more text fields, or more text, than any of our forms has.
    #[error("form too large")]
    FormTooLarge,
    /// The request body stopped arriving (`REQUEST_IDLE_TIMEOUT_SECONDS`).
    #[error("request body stalled")]
    RequestTimeout,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// The storage cannot take or give files now (object storage unreachable, the disk full):
    /// nothing was kept, and the user is asked to try again in a while.
    #[error("storage unavailable: {0}")]
    StorageUnavailable(std::io::Error),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The message key the error page shows (see `locales/*.toml`, table `error`).
    pub fn message_key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error.not_found",
            AppError::BadRequest(key)
            | AppError::Forbidden(key)
            | AppError::Gone(key)
            | AppError::Conflict(key) => key,
            AppError::PayloadTooLarge => "error.payload_too_large",
            AppError::FormTooLarge => "request_limits.form_too_large",
            AppError::RequestTimeout => "request_limits.stalled",
            AppError::TooManyRequests { .. } => "error.too_many_requests",
            AppError::StorageUnavailable(_) => "error.storage_unavailable",
            AppError::Db(DbError::Query(diesel::result::Error::NotFound)) => "error.not_found",
            AppError::Db(_) | AppError::Internal(_) => "error.internal",
        }
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(e.into())
    }

    /// A storage error: [`AppError::StorageUnavailable`] when the store cannot serve now (see
    /// [`crate::storage::is_unavailable`]), else an internal error.
    pub fn storage(e: std::io::Error) -> Self {
        if crate::storage::is_unavailable(&e) {
            AppError::StorageUnavailable(e)
        } else {
            AppError::Internal(e.into())
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::Db(DbError::Query(e))
    }
}

impl From<crate::workflow::WorkflowError> for AppError {
    fn from(e: crate::workflow::WorkflowError) -> Self {
        use crate::workflow::WorkflowError as W;
        match e {
            W::Db(d) => AppError::Db(d),
            W::Transition(t) => {
                tracing::info!(refused = %t, "transition refused");
                AppError::Conflict("error.transition_refused")
            }
            W::Conflict => AppError::Conflict("error.case_changed"),
            W::Render(r) => AppError::Internal(r.into()),
            W::NotAllowed(key) => AppError::Forbidden(key),
            W::Invalid(key) => AppError::BadRequest(key),
            W::Internal(e) => AppError::Internal(e),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::Db(DbError::Query(diesel::result::Error::NotFound)) => {
                StatusCode::NOT_FOUND
            }
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge | AppError::FormTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::StorageUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.status_code().is_server_error() {
            // The cause goes to the log only; the page says something went wrong, nothing more.
            tracing::error!(error = %self, detail = ?self, "request failed");
        }
        let mut res = HttpResponse::build(self.status_code());
        if let AppError::TooManyRequests { retry_after_secs } = self {
            res.insert_header(("Retry-After", retry_after_secs.to_string()));
        }
        if let AppError::StorageUnavailable(_) = self {
            res.insert_header(("Retry-After", "60"));
        }
        // The body is replaced by the localized error page (web::error_page).
        res.content_type("text/plain; charset=utf-8")
            .body(self.message_key())
    }
}
