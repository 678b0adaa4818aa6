//! The baseline: a bare actix-web + askama server, started as this binary with
//! `--bare-server <kind> <port> <bytes> [database]`:
//! - `static`: renders a page of `bytes` bytes on every request;
//! - `lookup`: reads one case by primary key (a random id among the seeded rows) from the
//!   database (a SQLite file, or a `postgres://` URL: the portal's own database, so that the
//!   ceiling pays the same round trip), then renders a page of `bytes` bytes with it.
//!
//! No sessions, no logging, no middleware: what actix-web, askama and one indexed read cost on
//! this machine.

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use askama::Template;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use reviewwatch::db::schema::cases;

#[derive(Template)]
#[template(
    source = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{{ title }}</title></head>\n<body><main><h1>{{ title }}</h1><p>{{ status }} · {{ shop }}</p>\n{% for line in lines %}<p>{{ line }}</p>\n{% endfor %}</main></body></html>\n",
    ext = "html"
)]
struct Page<'a> {
    title: &'a str,
    status: &'a str,
    shop: &'a str,
    lines: &'a [String],
}

/// The database of the lookup page.
enum Db {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Postgres(Pool<ConnectionManager<PgConnection>>),
}

impl Db {
    fn open(database: &str) -> anyhow::Result<Self> {
        fn pool<C: diesel::r2d2::R2D2Connection + 'static>(
            database: &str,
        ) -> anyhow::Result<Pool<ConnectionManager<C>>> {
            Ok(Pool::builder()
                .max_size(8)
                .test_on_check_out(false)
                .build(ConnectionManager::new(database))?)
        }
        Ok(
            if database.starts_with("postgres://") || database.starts_with("postgresql://") {
                Db::Postgres(pool(database)?)
            } else {
                Db::Sqlite(pool(database)?)
            },
        )
    }

    fn max_id(&self) -> anyhow::Result<i64> {
        let q = cases::table.select(diesel::dsl::max(cases::id));
        let max: Option<i64> = match self {
            Db::Sqlite(p) => q.first(&mut p.get()?)?,
            Db::Postgres(p) => q.first(&mut p.get()?)?,
        };
        Ok(max.unwrap_or(1))
    }
}

struct Shared {
    lines: Vec<String>,
    pool: Option<Db>,
    max_id: i64,
}

/// Filler lines that bring a page rendered with `sample` to `bytes` (within a few bytes).
fn filler(bytes: usize, title: &str, status: &str, shop: &str) -> anyhow::Result<Vec<String>> {
    let empty = Page {
        title,
        status,
        shop,
        lines: &[],
    }
    .render()?
    .len();
    let mut missing = bytes.saturating_sub(empty);
    let mut lines = Vec::new();
    // Each line costs its text plus "<p></p>\n".
    while missing > 8 {
        let n = (missing - 8).min(100);
        lines.push(
            "ReviewWatch bare baseline page text "
                .chars()
                .cycle()
                .take(n)
                .collect(),
        );
        missing -= n + 8;
    }
    Ok(lines)
}

type Row = (String, String, String);

fn lookup(db: &Db, id: i64) -> anyhow::Result<Option<Row>> {
    let q = cases::table
        .find(id)
        .select((cases::case_number, cases::status, cases::shop_name));
    Ok(match db {
        Db::Sqlite(p) => q.first::<Row>(&mut p.get()?).optional()?,
        Db::Postgres(p) => q.first::<Row>(&mut p.get()?).optional()?,
    })
}

async fn page(shared: web::Data<Shared>) -> HttpResponse {
    let row = match &shared.pool {
        None => None,
        Some(_) => {
            let id = rand::random_range(1..=shared.max_id.max(1));
            let shared = shared.clone();
            match web::block(move || match &shared.pool {
                Some(db) => lookup(db, id),
                None => Ok(None),
            })
            .await
            {
                Ok(Ok(row)) => row,
                _ => return HttpResponse::InternalServerError().finish(),
            }
        }
    };
    let (title, status, shop) = row.unwrap_or_else(|| {
        (
            "ReviewWatch 虚假评价举报平台".to_string(),
            String::new(),
            String::new(),
        )
    });
    match (Page {
        title: &title,
        status: &status,
        shop: &shop,
        lines: &shared.lines,
    })
    .render()
    {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let kind = args
        .first()
        .context("--bare-server <kind> <port> <bytes>")?;
    let port: u16 = args.get(1).context("a port")?.parse()?;
    let bytes: usize = args.get(2).context("a page size")?.parse()?;
    let (pool, max_id) = match kind.as_str() {
        "static" => (None, 0),
        "lookup" => {
            let database = args
                .get(3)
                .context("lookup needs the database (a SQLite file or a postgres:// URL)")?;
            let db = Db::open(database)?;
            let max_id = db.max_id()?;
            (Some(db), max_id)
        }
        other => anyhow::bail!("unknown bare server kind {other}"),
    };
    let sample = match &pool {
        Some(p) => lookup(p, max_id / 2 + 1)?.unwrap_or_default(),
        None => (
            "ReviewWatch 虚假评价举报平台".into(),
            String::new(),
            String::new(),
        ),
    };
    let lines = filler(bytes, &sample.0, &sample.1, &sample.2)?;
    let shared = web::Data::new(Shared {
        lines,
        pool,
        max_id,
    });
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/", web::get().to(page))
        })
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })?;
    Ok(())
}
