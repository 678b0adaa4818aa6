//! The one markdown table (in a few sections) printed at the end of a run.

use crate::mail::MailFigures;
use crate::pages::{CONNECTIONS, PageFigures, THREADS};
use crate::queue::QueueFigures;
use crate::uploads::{CLIENTS, UploadFigures};
use std::fmt::Write;

pub struct Report {
    header: String,
    pub pages: Vec<PageFigures>,
    pub queues: Vec<QueueFigures>,
    pub uploads: Option<UploadFigures>,
    pub mail: Option<MailFigures>,
    notes: Vec<String>,
}

fn mark(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}

impl Report {
    pub fn new(config: &crate::Config) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let header = format!(
            "ReviewWatch load benchmark, {} UTC: {cores} cores, release build, wrk -t{THREADS} -c{CONNECTIONS} -d{}s, sizes {}",
            chrono::Utc::now().format("%Y-%m-%d %H:%M"),
            config.seconds,
            config
                .sizes
                .iter()
                .map(|n| crate::servers::thousands(*n))
                .collect::<Vec<_>>()
                .join(" / ")
        );
        Self {
            header,
            pages: Vec::new(),
            queues: Vec::new(),
            uploads: None,
            mail: None,
            notes: Vec::new(),
        }
    }

    pub fn note(&mut self, note: &str) {
        self.notes.push(note.to_string());
    }

    pub fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "\n### {}\n", self.header);
        if !self.pages.is_empty() {
            let _ = writeln!(
                o,
                "Pages (load from `wrk` in its own process; the bare pages are actix-web + askama of the same byte size, the case page's after one primary-key lookup among the seeded rows in the same database):\n"
            );
            let _ = writeln!(
                o,
                "| data | page | bytes | portal req/s | p50 ms | p99 ms | bare req/s | bare p99 ms | ratio | goal | met |"
            );
            let _ = writeln!(
                o,
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
            );
            for p in &self.pages {
                for r in &p.ratios {
                    let bad = if r.portal.bad > 0 {
                        format!(" ({} not 2xx/3xx)", r.portal.bad)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        o,
                        "| {} | {}{bad} | {} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2}× | {:.1}× | {} |",
                        p.dataset,
                        r.page,
                        r.bytes,
                        r.portal.rps,
                        r.portal.p50_ms,
                        r.portal.p99_ms,
                        r.bare.rps,
                        r.bare.p99_ms,
                        r.ratio(),
                        r.goal,
                        mark(r.bare.rps > 0.0 && r.ratio() >= r.goal)
                    );
                }
            }
            let _ = writeln!(o);
        }
        if !self.queues.is_empty() {
            let requests = self.queues[0].requests;
            let _ = writeln!(
                o,
                "Officer queue, a signed-in supervisor, {requests} requests per view one after another, whole page (p50 / p99 ms):\n"
            );
            let mut head = "| view |".to_string();
            let mut rule = "| --- |".to_string();
            for q in &self.queues {
                let _ = write!(head, " {} |", q.dataset);
                rule.push_str(" ---: |");
            }
            let _ = writeln!(o, "{head} goal p99 |\n{rule} ---: |");
            for (i, v) in self.queues[0].views.iter().enumerate() {
                let mut row = format!("| {} |", v.view);
                for q in &self.queues {
                    match q.views.get(i) {
                        Some(x) => {
                            let mut flag = if x.p99_ms > x.goal_p99_ms {
                                " **!**".to_string()
                            } else {
                                String::new()
                            };
                            if x.requests < q.requests {
                                flag.push_str(&format!(" ({} requests)", x.requests));
                            }
                            let _ = write!(row, " {:.1} / {:.1}{flag} |", x.p50_ms, x.p99_ms);
                        }
                        None => row.push_str(" — |"),
                    }
                }
                let _ = writeln!(o, "{row} {:.0} ms |", v.goal_p99_ms);
            }
            let _ = writeln!(
                o,
                "\n(**!**: p99 over the goal. A view over 2 s is requested 3 times only.)\n"
            );
        }
        if let Some(u) = &self.uploads {
            let _ = writeln!(
                o,
                "Report submission through the real form, {CLIENTS} clients at once, each report a 1170×2532 PNG and a 1080×2400 JPEG (fresh SQLite database):\n"
            );
            let _ = writeln!(
                o,
                "| reports | failed | reports/s | p50 ms | p99 ms | peak RSS MiB |"
            );
            let _ = writeln!(o, "| ---: | ---: | ---: | ---: | ---: | ---: |");
            let _ = writeln!(
                o,
                "| {} | {} | {:.2} | {:.0} | {:.0} | {:.0} |\n",
                u.reports,
                u.failed,
                u.per_second(),
                u.p50_ms,
                u.p99_ms,
                u.rss_peak_mib
            );
            if let Some(f) = &u.first_failure {
                let _ = writeln!(o, "First failure: {f}\n");
            }
            let _ = writeln!(
                o,
                "Where a file's time goes (the portal's functions on the same files in the bench process, median of 5; the request path is `evidence::intake::take_in`, the copies are the background job's `make_copies`):\n"
            );
            let _ = writeln!(
                o,
                "| file | bytes | type check ms | full decode ms | SHA-256 + write ms | request path ms | goal ms (decode + 2× hash & write) | met | copies, in the background job ms |"
            );
            let _ = writeln!(
                o,
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
            );
            for s in &u.splits {
                let _ = writeln!(
                    o,
                    "| {} | {} | {:.2} | {:.0} | {:.1} | {:.0} | {:.0} | {} | {:.0} |",
                    s.file,
                    s.bytes,
                    s.sniff_ms,
                    s.decode_ms,
                    s.hash_write_ms,
                    s.request_path_ms,
                    s.goal_ms(),
                    mark(s.request_path_ms <= s.goal_ms()),
                    s.copies_ms
                );
            }
            let _ = writeln!(o);
        }
        if let Some(m) = &self.mail {
            let _ = writeln!(
                o,
                "Mail: the portal's worker sending {} queued confirmation mails to an SMTP listener on loopback: **{:.0} mails/s** ({:.1} s from the first to the last; peak RSS {:.0} MiB).\n",
                m.mails, m.per_second, m.seconds, m.rss_peak_mib
            );
        }
        let mut rss = Vec::new();
        for p in &self.pages {
            rss.push(("serving pages", p.dataset.clone(), p.rss_peak_mib, 64.0));
        }
        for q in &self.queues {
            rss.push(("serving the queue", q.dataset.clone(), q.rss_peak_mib, 64.0));
        }
        if let Some(u) = &self.uploads {
            rss.push((
                "taking uploads",
                "SQLite, fresh".into(),
                u.rss_peak_mib,
                200.0,
            ));
        }
        if !rss.is_empty() {
            let _ = writeln!(
                o,
                "Peak RSS of the portal process (VmRSS sampled every 20 ms):\n"
            );
            let _ = writeln!(o, "| while | data | peak MiB | goal MiB | met |");
            let _ = writeln!(o, "| --- | --- | ---: | ---: | --- |");
            for (what, data, mib, goal) in rss {
                let _ = writeln!(
                    o,
                    "| {what} | {data} | {mib:.0} | {goal:.0} | {} |",
                    mark(mib <= goal)
                );
            }
            let _ = writeln!(o);
        }
        for n in &self.notes {
            let _ = writeln!(o, "- {n}");
        }
        o
    }
}
