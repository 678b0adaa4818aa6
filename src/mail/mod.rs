//! Email: what each message says (askama, text and HTML, in the recipient's language), the
//! outbox they are queued in, the transports, and the worker that sends them.

pub mod messages;
pub mod transport;
pub mod worker;

use crate::db::{DbConnection, outbox};
use crate::domain::mail_kind::MailKind;
use crate::domain::{CaseId, MailId};
use chrono::NaiveDateTime;

/// A rendered email, ready for the outbox.
#[derive(Debug, Clone)]
pub struct Composed {
    pub kind: MailKind,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The body holds a secret (receipt code, single-use link): blanked in the outbox once sent.
    pub holds_secret: bool,
    /// A stored handoff package to attach: (SHA-256, file name).
    pub attachment: Option<(String, String)>,
}

/// Queues `mail` for `to` in the caller's transaction: it is sent if and only if the change that
/// caused it commits.
pub fn enqueue(
    conn: &mut DbConnection,
    case_id: Option<CaseId>,
    to: &str,
    mail: &Composed,
    now: NaiveDateTime,
) -> diesel::QueryResult<MailId> {
    outbox::insert(
        conn,
        &outbox::NewMail {
            case_id,
            kind: mail.kind,
            to_address: to,
            subject: &mail.subject,
            body_text: &mail.text,
            body_html: &mail.html,
            scrub_after_send: mail.holds_secret,
            created_at: now,
            next_attempt_at: now,
            attachment_sha256: mail.attachment.as_ref().map(|(sha, _)| sha.as_str()),
            attachment_name: mail.attachment.as_ref().map(|(_, name)| name.as_str()),
        },
    )
}
