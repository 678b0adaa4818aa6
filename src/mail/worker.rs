//! The mail worker: claims due mail from the outbox, sends it, and on failure schedules a retry
//! with exponential backoff. Mail is only marked sent after the transport accepted it, so a crash
//! or a down server delays mail and never loses it.

use super::transport::Transport;
use crate::db::{self, DbPool, outbox};
use chrono::TimeDelta;
use lettre::message::Mailbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tracing::Instrument;

/// How long a claimed mail is reserved for the worker that claimed it.
const LEASE: TimeDelta = TimeDelta::minutes(5);
/// How often the worker looks for due mail when nobody wakes it.
const POLL: Duration = Duration::from_secs(2);

/// The delay before attempt `attempts + 1`: 15 s, 30 s, 1 min, … at most 1 h. Never gives up.
pub fn backoff(attempts: i32) -> TimeDelta {
    let exp = attempts.clamp(0, 20) as u32;
    let secs = 15i64.saturating_mul(1i64 << exp.min(12));
    TimeDelta::seconds(secs.min(3600))
}

pub struct MailWorker {
    pub pool: DbPool,
    pub transport: Transport,
    pub from: Mailbox,
    pub host: String,
    pub wakeup: Arc<Notify>,
    /// Where handoff packages are kept, for attachments.
    pub packages: crate::storage::PackageStore,
    /// How many mails are on their way at once (`SMTP_CONNECTIONS`). Each send waits on the SMTP
    /// server's answers to MAIL, RCPT, DATA and the message (a few round trips; on loopback
    /// also a delayed ACK of ~40 ms for the message's last line, lettre leaves Nagle on): one at
    /// a time, that bounds the outbox at ~22 mails a second. The transport keeps as many
    /// connections, one for each send under way.
    pub sends_at_once: usize,
}

impl MailWorker {
    pub async fn run(self) {
        tracing::info!(transport = self.transport.describe(), "mail worker started");
        let worker = Arc::new(self);
        let sends = Arc::new(tokio::sync::Semaphore::new(worker.sends_at_once.max(1)));
        loop {
            // A free place first, so that a mail is claimed only when it can go at once.
            let Ok(place) = sends.clone().acquire_owned().await else {
                return;
            };
            match worker.claim().await {
                Ok(Some(mail)) => {
                    let worker = worker.clone();
                    tokio::spawn(async move {
                        worker.send_claimed(mail).await;
                        drop(place);
                    });
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "mail worker could not reach the outbox"),
            }
            drop(place);
            tokio::select! {
                _ = worker.wakeup.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// The oldest due mail, leased to this worker; `None` when there is none.
    async fn claim(&self) -> Result<Option<outbox::MailRow>, db::DbError> {
        db::run(&self.pool, |conn| {
            Ok(outbox::claim_due(conn, db::now(), LEASE)?)
        })
        .await
    }

    /// Sends a claimed mail and records the outcome. When the outcome cannot be recorded the
    /// lease runs out and the mail is claimed again: sent twice at worst, never lost.
    async fn send_claimed(&self, mail: outbox::MailRow) {
        let span = tracing::info_span!("send_mail", outbox_id = %mail.id, kind = %mail.kind, case_id = ?mail.case_id.map(|c| c.get()));
        // Instrumented, not entered: an entered span held across `.await` would also tag the
        // log lines of whatever else runs on this thread meanwhile.
        if let Err(e) = self.deliver(mail).instrument(span).await {
            tracing::warn!(error = %e, "mail worker could not record a sending in the outbox");
        }
    }

    async fn deliver(&self, mail: outbox::MailRow) -> Result<(), db::DbError> {
        let (id, scrub, attempts) = (mail.id, mail.scrub_after_send, mail.attempts);
        match self
            .transport
            .send(&self.from, &mail, &self.host, &self.packages)
            .await
        {
            Ok(()) => {
                db::run(&self.pool, move |conn| {
                    Ok(outbox::mark_sent(conn, id, scrub, db::now())?)
                })
                .await?;
                tracing::info!("mail sent");
            }
            Err(e) => {
                let retry_at = db::now() + backoff(attempts);
                let error = e.to_string();
                tracing::warn!(error = %error, attempts = attempts + 1, %retry_at, "mail not sent; will retry");
                db::run(&self.pool, move |conn| {
                    Ok(outbox::mark_failed(conn, id, &error, retry_at)?)
                })
                .await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped_at_an_hour() {
        assert_eq!(backoff(0), TimeDelta::seconds(15));
        assert_eq!(backoff(1), TimeDelta::seconds(30));
        assert_eq!(backoff(3), TimeDelta::seconds(120));
        assert_eq!(backoff(20), TimeDelta::hours(1));
        assert_eq!(backoff(-1), TimeDelta::seconds(15));
    }
}
