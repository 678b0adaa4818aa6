//! An idle timeout on every request body: a body that sends nothing for the set time is cut with
//! 408, while a slow but steady one (a phone uploading 20 MiB at 200 KiB/s) is never cut.
//!
//! actix-web's `client_request_timeout` covers the request head only, and its extractors wait for
//! body bytes for ever; so the body stream itself is wrapped, once, for every route (multipart
//! and urlencoded alike). The clock runs only while a handler is waiting for the client: time
//! the handler spends on its own work between two reads is not counted against the client.

use crate::error::AppError;
use actix_web::HttpMessage;
use actix_web::HttpRequest;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::{PayloadError, UrlencodedError};
use actix_web::web::Bytes;
use futures_util::Stream;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The message of the I/O error a stalled body ends with; `is_stall` recognises it.
const STALLED: &str = "request body idle timeout";

/// A body stream that ends with a `TimedOut` error once it has been waited on for `idle`
/// without a byte.
pub struct IdleTimeout<S> {
    inner: S,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
    /// Whether the timer counts the current wait (reset on the first poll after each chunk).
    waiting: bool,
    done: bool,
}

impl<S> IdleTimeout<S> {
    pub fn new(inner: S, idle: Duration) -> Self {
        Self {
            inner,
            idle,
            timer: Box::pin(tokio::time::sleep(idle)),
            waiting: false,
            done: false,
        }
    }
}

impl<S> Stream for IdleTimeout<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if !this.waiting {
            let deadline = Instant::now() + this.idle;
            this.timer.as_mut().reset(deadline);
            this.waiting = true;
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(item) => {
                this.waiting = false;
                this.done = item.is_none();
                Poll::Ready(item)
            }
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.done = true;
                    tracing::info!(idle_secs = this.idle.as_secs(), "request body stalled");
                    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        STALLED,
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Wraps the request's body (if it has one) in the idle timeout.
pub fn guard_body(req: &mut ServiceRequest, idle: Duration) {
    let payload = req.take_payload();
    if matches!(payload, Payload::None) {
        req.set_payload(payload);
        return;
    }
    let guarded: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(IdleTimeout::new(payload, idle));
    req.set_payload(Payload::Stream { payload: guarded });
}

/// Whether `err`, or an error it was caused by, is a stalled body.
pub fn is_stall(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        let io = match e.downcast_ref::<PayloadError>() {
            Some(PayloadError::Io(io)) => Some(io),
            _ => e.downcast_ref::<std::io::Error>(),
        };
        if io.is_some_and(|io| {
            io.kind() == std::io::ErrorKind::TimedOut && io.to_string() == STALLED
        }) {
            return true;
        }
        current = e.source();
    }
    false
}

/// `FormConfig`'s error handler: a stalled urlencoded body is a 408 with our page; every other
/// problem keeps actix-web's own answer.
pub fn form_error(err: UrlencodedError, _req: &HttpRequest) -> actix_web::Error {
    if is_stall(&err) {
        AppError::RequestTimeout.into()
    } else {
        err.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[tokio::test]
    async fn a_steady_body_is_never_cut() {
        // 1 s in all, never 400 ms without a byte.
        let steady = futures_util::stream::unfold(0u32, |n| async move {
            if n == 10 {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            Some((Ok(Bytes::from_static(b"chunk")), n + 1))
        });
        let mut body = IdleTimeout::new(Box::pin(steady), Duration::from_millis(400));
        let mut chunks = 0;
        while let Some(chunk) = body.next().await {
            assert!(chunk.is_ok());
            chunks += 1;
        }
        assert_eq!(chunks, 10);
    }

    #[tokio::test]
    async fn a_stalled_body_ends_with_a_stall_seen_through_multipart() {
        let stalled = futures_util::stream::pending::<Result<Bytes, PayloadError>>();
        let mut body = IdleTimeout::new(stalled, Duration::from_millis(50));
        let seen = body.next().await.and_then(Result::err).map(|e| {
            let as_multipart = actix_multipart::MultipartError::Payload(e);
            is_stall(&as_multipart)
        });
        assert_eq!(seen, Some(true));
        assert!(
            body.next().await.is_none(),
            "the stream ends after the stall"
        );
        let other = actix_multipart::MultipartError::Payload(PayloadError::Incomplete(None));
        assert!(!is_stall(&other));
    }
}
