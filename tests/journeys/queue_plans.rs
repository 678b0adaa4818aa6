//! The queue at scale (issue 14): with 100,000 demo cases and fresh statistics, every view of
//! `/officer/cases` — each filter, their combinations, every sort, a deep keyset page and
//! Chinese search of two characters and more — runs on an index: no full scan of the cases and
//! no sort of every match (a search sorts only its capped candidates, PostgreSQL a selective
//! filter's few matches, at most as many as a search's cap). Then a supervisor reads
//! the same views as pages: the sidebar's counters agree with the cases, a two-character search
//! finds its cases, a common phrase says its list was capped, a one-character search says why
//! it was not run, and each view's result count is exact up to 1,000 and capped beyond,
//! counted on the page's own index.

use crate::helpers::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use reviewwatch::db::queue::{self, Assignee, Cursor, QueueFilter, Sort};
use reviewwatch::db::schema::cases;
use reviewwatch::domain::search_term::SearchTerm;
use reviewwatch::domain::{CaseId, CaseStatus, Category, OfficerId, Platform};
use reviewwatch::seed::{self, Options};

const CASES: usize = 100_000;

fn base() -> QueueFilter {
    QueueFilter {
        statuses: Vec::new(),
        platform: None,
        category: None,
        province_code: None,
        city_code: None,
        assignee: Assignee::Anyone,
        overdue_on: None,
        filed_from: None,
        filed_until: None,
        search: None,
        sort: Sort::Activity,
        after: None,
    }
}

fn substring(s: &str) -> Option<SearchTerm> {
    Some(SearchTerm::Substring(s.into()))
}

/// Every view the bench measures, and the combinations officers use.
fn views(
    officer: OfficerId,
    today: chrono::NaiveDate,
    middle: (CaseId, chrono::NaiveDateTime, chrono::NaiveDateTime),
) -> Vec<(String, QueueFilter)> {
    let all: Vec<CaseStatus> = CaseStatus::ALL
        .iter()
        .copied()
        .filter(|s| *s != CaseStatus::Unconfirmed)
        .collect();
    let (mid_id, mid_activity, mid_created) = middle;
    let gd = Some("440000".to_string());
    let mut v: Vec<(&str, QueueFilter)> = vec![
        ("default", base()),
        (
            "status=all",
            QueueFilter {
                statuses: all.clone(),
                ..base()
            },
        ),
        (
            "status=submitted",
            QueueFilter {
                statuses: vec![CaseStatus::Submitted],
                ..base()
            },
        ),
        (
            "status=closed",
            QueueFilter {
                statuses: vec![CaseStatus::Closed],
                ..base()
            },
        ),
        (
            "sort=newest",
            QueueFilter {
                sort: Sort::Newest,
                ..base()
            },
        ),
        (
            "sort=oldest",
            QueueFilter {
                sort: Sort::Oldest,
                ..base()
            },
        ),
        (
            "status=all&sort=oldest",
            QueueFilter {
                statuses: all.clone(),
                sort: Sort::Oldest,
                ..base()
            },
        ),
        (
            "sort=deadline",
            QueueFilter {
                sort: Sort::Deadline,
                ..base()
            },
        ),
        (
            "overdue=1",
            QueueFilter {
                overdue_on: Some(today),
                sort: Sort::Deadline,
                ..base()
            },
        ),
        (
            "platform",
            QueueFilter {
                platform: Some(Platform::Pinduoduo),
                ..base()
            },
        ),
        (
            "category",
            QueueFilter {
                category: Some(Category::CashbackForReview),
                ..base()
            },
        ),
        (
            "province",
            QueueFilter {
                province_code: gd.clone(),
                ..base()
            },
        ),
        (
            "city",
            QueueFilter {
                city_code: Some("440100".into()),
                ..base()
            },
        ),
        (
            "platform&category&province",
            QueueFilter {
                platform: Some(Platform::Pinduoduo),
                category: Some(Category::CashbackForReview),
                province_code: gd.clone(),
                ..base()
            },
        ),
        (
            "platform&category&province&status=all&sort=oldest",
            QueueFilter {
                statuses: all.clone(),
                platform: Some(Platform::Pinduoduo),
                category: Some(Category::CashbackForReview),
                province_code: gd.clone(),
                sort: Sort::Oldest,
                ..base()
            },
        ),
        (
            "assignee=nobody",
            QueueFilter {
                assignee: Assignee::Nobody,
                ..base()
            },
        ),
        (
            "assignee=me",
            QueueFilter {
                assignee: Assignee::Officer(officer),
                ..base()
            },
        ),
        (
            "assignee=nobody&status=submitted",
            QueueFilter {
                assignee: Assignee::Nobody,
                statuses: vec![CaseStatus::Submitted],
                ..base()
            },
        ),
        (
            "overdue=1&platform",
            QueueFilter {
                overdue_on: Some(today),
                sort: Sort::Deadline,
                platform: Some(Platform::Taobao),
                ..base()
            },
        ),
        (
            "from&to",
            QueueFilter {
                statuses: all.clone(),
                filed_from: Some(mid_created - chrono::TimeDelta::days(7)),
                filed_until: Some(mid_created),
                sort: Sort::Newest,
                ..base()
            },
        ),
        (
            "deep page by activity",
            QueueFilter {
                statuses: all.clone(),
                after: Some(Cursor {
                    at: mid_activity,
                    id: mid_id,
                }),
                ..base()
            },
        ),
        (
            "deep page by filing",
            QueueFilter {
                sort: Sort::Oldest,
                after: Some(Cursor {
                    at: mid_created,
                    id: mid_id,
                }),
                ..base()
            },
        ),
        (
            "q=好评返现",
            QueueFilter {
                search: substring("好评返现"),
                ..base()
            },
        ),
        (
            "q=体验官",
            QueueFilter {
                search: substring("体验官"),
                ..base()
            },
        ),
        (
            "q=旗舰店",
            QueueFilter {
                search: substring("旗舰店"),
                ..base()
            },
        ),
        (
            "q=返现",
            QueueFilter {
                search: Some(SearchTerm::Pair("返现".into())),
                ..base()
            },
        ),
        (
            "q=好评返现&platform&status=all&sort=oldest",
            QueueFilter {
                search: substring("好评返现"),
                platform: Some(Platform::Pinduoduo),
                statuses: all,
                sort: Sort::Oldest,
                ..base()
            },
        ),
    ];
    v.drain(..).map(|(n, f)| (n.to_string(), f)).collect()
}

/// What no queue view may do at scale, read off one plan line.
fn forbidden(line: &str, searching: bool) -> Option<&'static str> {
    let l = line.trim();
    let sqlite_scan = |table: &str| {
        l.strip_prefix("SCAN ").is_some_and(|rest| {
            rest.split_whitespace().next() == Some(table)
                && !rest.contains("USING")
                && !rest.contains("VIRTUAL TABLE")
        })
    };
    if sqlite_scan("cases") || l.contains("Seq Scan on cases") {
        return Some("a full scan of the cases");
    }
    if sqlite_scan("case_deadlines") || l.contains("Seq Scan on case_deadlines") {
        return Some("a full scan of the deadlines");
    }
    if l.contains("Seq Scan on case_search") {
        return Some("a full scan of the search texts");
    }
    let sorts = l.contains("USE TEMP B-TREE FOR ORDER BY")
        || (l.starts_with("Sort ") && !l.starts_with("Sort Key") && !l.starts_with("Sort Method"))
        || l.starts_with("->  Sort ")
        || l.starts_with("Incremental Sort");
    if sorts && !searching && !few_rows(l) {
        return Some("a sort of every match");
    }
    None
}

/// A sort PostgreSQL expects to take at most as many rows as a search's capped candidates: a
/// selective filter (a city, a platform with a province and a category) is best read from its
/// bitmap and its few matches sorted; walking an index in page order would read most of the
/// table to find them. Its cost does not grow with the table but with the matches.
fn few_rows(line: &str) -> bool {
    line.split("rows=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|rows| rows <= reviewwatch::db::case_search::SEARCH_CAP)
}

#[tokio::test]
async fn every_queue_view_runs_on_an_index_at_a_hundred_thousand_cases() {
    let storage = Storage::fresh();
    let settings = storage.settings();
    let summary = seed::seed_demo(
        &settings,
        Options {
            cases: CASES,
            seed: seed::DEFAULT_SEED,
            images: 4,
        },
        |_, _, _| {},
    )
    .await
    .expect("the demo data is written");
    let app = spawn_app_on(storage, |_| {}).await;
    let mut conn = app.db();
    diesel::sql_query("ANALYZE")
        .execute(&mut conn)
        .expect("ANALYZE");

    let supervisor = summary
        .logins
        .iter()
        .find(|l| l.name == "王主管")
        .expect("the demo supervisor");
    let today = reviewwatch::domain::china_time::today();
    let middle: (CaseId, chrono::NaiveDateTime, chrono::NaiveDateTime) = cases::table
        .order(cases::id.asc())
        .offset(CASES as i64 / 2)
        .select((cases::id, cases::last_activity_at, cases::created_at))
        .first(&mut conn)
        .expect("a case in the middle");

    let mut failures = Vec::new();
    for (name, filter) in views(supervisor.id, today, middle) {
        let plan = queue::explain_page(&mut conn, &filter, 51).expect("EXPLAIN");
        let searching = filter.search.is_some();
        for line in &plan {
            if let Some(why) = forbidden(line, searching) {
                failures.push(format!("{name}: {why}: {line}\n  plan: {plan:#?}"));
            }
        }
        let page = queue::page(&mut conn, &filter, 51).expect("the page");
        if name.starts_with("q=") {
            assert!(!page.rows.is_empty(), "{name} finds demo cases");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The officer's desk, for the officer with the most cases: the queue's views of their cases
    // by status (a page's statement each: the desk counts nothing), and the desk's own
    // statements (the changes since a week ago read from the trails of at most `NEWS_CASES`
    // cases, sorted like a search's capped candidates).
    let assigned: Vec<Option<OfficerId>> = cases::table
        .filter(cases::assigned_officer_id.is_not_null())
        .select(cases::assigned_officer_id)
        .limit(20_000)
        .load(&mut conn)
        .expect("assignees");
    let busiest = assigned
        .iter()
        .flatten()
        .max_by_key(|id| assigned.iter().filter(|a| a.as_ref() == Some(id)).count())
        .copied()
        .unwrap_or(supervisor.id);
    for (name, statuses, sort) in reviewwatch::web::desk_view::views() {
        let filter = QueueFilter {
            statuses,
            assignee: Assignee::Officer(busiest),
            sort,
            ..base()
        };
        let plan = queue::explain_rows(&mut conn, &filter, 21).expect("EXPLAIN");
        for line in &plan {
            if let Some(why) = forbidden(line, false) {
                failures.push(format!("desk {name}: {why}: {line}\n  plan: {plan:#?}"));
            }
        }
    }
    let now = chrono::Utc::now().naive_utc();
    let since = now - chrono::TimeDelta::days(7);
    for (name, plan) in
        reviewwatch::db::desk::explain(&mut conn, busiest, since, now).expect("EXPLAIN")
    {
        for line in &plan {
            if let Some(why) = forbidden(line, name == "news") {
                failures.push(format!("desk {name}: {why}: {line}\n  plan: {plan:#?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The sidebar's counters agree with the cases themselves.
    let counted: Vec<(CaseStatus, i64)> = cases::table
        .group_by(cases::status)
        .select((cases::status, diesel::dsl::count_star()))
        .load(&mut conn)
        .expect("counts");
    let mut kept = queue::status_counts(&mut conn).expect("counters");
    kept.retain(|(_, n)| *n != 0);
    let (mut counted, mut kept) = (counted, kept);
    counted.sort_by_key(|(s, _)| s.as_str());
    kept.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(
        kept, counted,
        "the counters hold what a count of every case finds"
    );

    // A supervisor reads the same views as pages.
    let visitor = app.visitor();
    let reply = visitor
        .log_in(
            &supervisor.email,
            supervisor.password.as_deref().expect("a new password"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let common = visitor.get("/officer/cases?status=all&q=好评返现").await;
    assert_eq!(common.status, StatusCode::OK);
    assert_eq!(common.texts_of("#queue tbody tr").len(), 50);
    let note = common
        .text_of("#search-capped")
        .expect("the page says the list was capped");
    assert!(note.contains("1000"), "{note}");
    let pair = visitor.get("/officer/cases?status=all&q=返现").await;
    assert!(
        !pair.texts_of("#queue tbody tr").is_empty(),
        "a two-character search finds cases"
    );
    assert!(pair.text_of("#search-too-short").is_none());
    let short = visitor.get("/officer/cases?q=返").await;
    assert_eq!(short.status, StatusCode::OK);
    assert!(short.text_of("#search-too-short").is_some());
    let overdue = visitor.get("/officer/cases?overdue=1").await;
    assert_eq!(
        overdue
            .attr_of("select[name=sort] option[selected]", "value")
            .as_deref(),
        Some("deadline"),
        "the overdue view lists the most overdue first"
    );
    // The result count: capped past 1,000, exact below (the count runs on the page's index).
    let sidebar = visitor.get("/officer/cases").await;
    assert_eq!(
        sidebar.attr_of("#queue-count", "data-count").as_deref(),
        Some("1001")
    );
    let said = sidebar.text_of("#queue-count").expect("a count");
    assert!(said.contains("1,000+"), "{said}");
    let few: i64 = cases::table
        .filter(cases::city_code.eq("440100"))
        .filter(cases::platform.eq(Platform::Pinduoduo))
        .filter(cases::status.eq_any(queue::WORKING_STATUSES))
        .count()
        .get_result(&mut conn)
        .expect("a count");
    let narrow = visitor
        .get("/officer/cases?city=440100&platform=pinduoduo")
        .await;
    assert_eq!(
        narrow.attr_of("#queue-count", "data-count"),
        Some(few.min(queue::COUNT_CAP + 1).to_string())
    );
    let submitted = counted
        .iter()
        .find(|(s, _)| *s == CaseStatus::Submitted)
        .map(|(_, n)| n.to_string())
        .expect("submitted cases");
    assert_eq!(
        sidebar.text_of("#status-counts li[data-status=submitted] span"),
        Some(submitted)
    );
}
