//! `reviewwatch backup`: a copy of the database (SQLite) with every evidence file and the key.

use crate::helpers::*;
use reqwest::StatusCode;

fn files_under(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                files_under(&e.path())
            } else {
                1
            }
        })
        .sum()
}

fn run_backup(app: &TestApp, to: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_reviewwatch"))
        .args(["backup", "--to"])
        .arg(to)
        .env("DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", app.database_url())
        .env("RUST_LOG", "warn")
        .output()
        .expect("the reviewwatch binary runs")
}

#[tokio::test]
async fn a_backup_holds_the_cases_every_evidence_file_and_the_signing_key() {
    let app = spawn_app().await;
    let reply = app
        .submit_report(
            &ReportFields::zh_cn(),
            vec![("截图1.png", png_screenshot(41), "image/png")],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "problems: {:?}",
        reply.problems()
    );

    // The screenshot's copies, which a background job makes.
    app.run_due_jobs().await;
    let scratch = tempfile::tempdir().expect("tempdir");
    let to = scratch.path().join("backup");
    let out = run_backup(&app, &to);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "backup failed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The original, its display copy and its thumbnail, as the portal keeps them.
    assert_eq!(
        files_under(&to.join("evidence")),
        files_under(&app.data_dir.join("evidence"))
    );
    assert_eq!(files_under(&to.join("evidence")), 3);
    assert!(to.join("signing-key.pem").exists());

    if app.database_url().starts_with("postgres") {
        assert!(
            stdout.contains("pg_dump"),
            "PostgreSQL backups say how to dump the database: {stdout}"
        );
    } else {
        use diesel::prelude::*;
        let copy = to.join("reviewwatch.sqlite3");
        let mut conn =
            diesel::SqliteConnection::establish(&copy.to_string_lossy()).expect("the copy opens");
        let cases: i64 = reviewwatch::db::schema::cases::table
            .count()
            .get_result(&mut conn)
            .expect("counts");
        assert_eq!(cases, 1, "the copy holds the filed case");
    }

    // A backup never writes over an earlier one.
    let again = run_backup(&app, &to);
    assert!(
        !again.status.success(),
        "a second backup into the same folder is refused"
    );
}
