//! Mails per second: the portal's mail worker sending its outbox to an SMTP listener on
//! loopback (a minimal sink in this process, as the journeys' tests run one).

use crate::servers::{Process, RssSampler};
use anyhow::bail;
use mailin_embedded::{Handler, Response, Server, response};
use reviewwatch::config::Settings;
use reviewwatch::domain::Lang;
use reviewwatch::mail::messages::ConfirmEmail;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Counts whole messages, when each arrived and to whom.
#[derive(Clone, Default)]
pub(crate) struct Sink {
    arrivals: Arc<Mutex<Vec<Instant>>>,
    recipients: Arc<Mutex<Vec<String>>>,
    /// The recipients of the message being received (each connection has its handler clone).
    to: Vec<String>,
}

impl Handler for Sink {
    fn rcpt(&mut self, to: &str) -> Response {
        self.to.push(to.to_lowercase());
        response::OK
    }

    fn data_end(&mut self) -> Response {
        if let Ok(mut a) = self.arrivals.lock() {
            a.push(Instant::now());
        }
        if let Ok(mut r) = self.recipients.lock() {
            r.append(&mut self.to);
        }
        response::OK
    }
}

impl Sink {
    /// Every recipient of every whole message so far, once per message.
    pub(crate) fn recipients(&self) -> Vec<String> {
        self.recipients
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    fn received(&self) -> (usize, Option<Instant>, Option<Instant>) {
        match self.arrivals.lock() {
            Ok(a) => (a.len(), a.first().copied(), a.last().copied()),
            Err(_) => (0, None, None),
        }
    }
}

pub(crate) fn start_sink() -> anyhow::Result<(u16, Sink)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let sink = Sink::default();
    let mut server = Server::new(sink.clone());
    server
        .with_name("sink.bench")
        .with_num_threads(8)
        .with_tcp_listener(listener);
    std::thread::Builder::new()
        .name("smtp-sink".into())
        .spawn(move || {
            let _ = server.serve();
        })?;
    Ok((port, sink))
}

pub struct MailFigures {
    pub mails: usize,
    pub per_second: f64,
    pub seconds: f64,
    pub rss_peak_mib: f64,
}

/// Queues `n` confirmation mails (as filing reports with an email address does) in a fresh
/// database, then starts the portal with the sink as its SMTP server and waits for all of them.
pub async fn measure(config: &crate::Config) -> anyhow::Result<MailFigures> {
    let n = config.mails;
    eprintln!("== mail: {n} mails to an SMTP listener on loopback");
    let run_dir = config.data_root.join("mail-run");
    if run_dir.exists() {
        std::fs::remove_dir_all(&run_dir)?;
    }
    let data_dir = run_dir.join("data");
    std::fs::create_dir_all(&data_dir)?;
    {
        let settings = Settings::for_data_dir(data_dir.clone());
        let (pool, _) = reviewwatch::startup::open_database(&settings).await?;
        reviewwatch::db::run(&pool, move |conn| {
            let now = reviewwatch::db::now();
            diesel::Connection::transaction::<_, diesel::result::Error, _>(conn, |conn| {
                for i in 0..n {
                    let number = format!("RW-2026-{:06}", 900_000 + i);
                    let mail = ConfirmEmail {
                        lang: Lang::ZhCn,
                        case_number: number.clone(),
                        receipt_code: format!("BENCH-{i:06}-CODE"),
                        confirm_url: format!(
                            "http://127.0.0.1/confirm/{:064x}",
                            i as u128 * 0x9E37_79B9_7F4A_7C15
                        ),
                        track_url: "http://127.0.0.1/track".into(),
                        expires_hours: 72,
                    }
                    .compose()
                    .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
                    reviewwatch::mail::enqueue(
                        conn,
                        None,
                        &format!("reporter{i}@example.cn"),
                        &mail,
                        now,
                    )?;
                }
                Ok(())
            })?;
            Ok(())
        })
        .await?;
    }
    let (port, sink) = start_sink()?;
    let smtp = format!("smtp://127.0.0.1:{port}");
    let portal = Process::portal(&data_dir, None, Some(&smtp), &run_dir.join("serve.log")).await?;
    let rss = RssSampler::start(portal.pid());
    let deadline = Instant::now() + Duration::from_secs(60 + n as u64);
    loop {
        let (got, first, last) = sink.received();
        if got >= n {
            let seconds = match (first, last) {
                (Some(f), Some(l)) => l.duration_since(f).as_secs_f64(),
                _ => 0.0,
            };
            let figures = MailFigures {
                mails: n,
                per_second: (n.saturating_sub(1)) as f64 / seconds.max(f64::MIN_POSITIVE),
                seconds,
                rss_peak_mib: rss.finish(),
            };
            eprintln!(
                "   {:.0} mails/s ({n} in {:.1} s)",
                figures.per_second, figures.seconds
            );
            return Ok(figures);
        }
        if Instant::now() > deadline {
            bail!("only {got} of {n} mails arrived");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
