//! Every migration can be undone and done again.

use crate::helpers::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use reviewwatch::db::{self, schema};

#[tokio::test]
async fn every_migration_runs_down_and_up_again_on_a_fresh_database() {
    let storage = Storage::fresh();
    let url = storage.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let pool = db::connect(&url, 1).expect("a fresh database, migrated");
        assert_backend(&pool);
        let mut conn = pool.get().unwrap();
        db::redo_all_migrations(&mut conn).expect("every migration goes down and up again");

        // The schema is whole again: every table answers, and the app's own queries work.
        assert_eq!(db::cases::count(&mut conn).unwrap(), 0);
        assert_eq!(db::outbox::pending_count(&mut conn).unwrap(), 0);
        let counts: Vec<i64> = vec![
            schema::instance_secrets::table
                .count()
                .get_result(&mut conn)
                .unwrap(),
            schema::case_number_counters::table
                .count()
                .get_result(&mut conn)
                .unwrap(),
            schema::evidence::table
                .count()
                .get_result(&mut conn)
                .unwrap(),
            schema::audit_events::table
                .count()
                .get_result(&mut conn)
                .unwrap(),
            schema::email_tokens::table
                .count()
                .get_result(&mut conn)
                .unwrap(),
        ];
        assert!(counts.iter().all(|&n| n == 0), "{counts:?}");
        let key = db::secrets::get_or_create(&mut conn, "receipt_hmac").unwrap();
        assert_eq!(
            db::secrets::get_or_create(&mut conn, "receipt_hmac").unwrap(),
            key
        );
        // Running the migrations again finds nothing to do.
        db::run_migrations(&mut conn).unwrap();
        drop(conn);
        drop(pool);
    })
    .await
    .unwrap();
    drop(storage);
}

/// Rows as the schema before the closed-set checks held them: every status, both roles, an
/// outcome, a dismissal, and an officer's closing note copied into `closed_reason`.
const FILLED_BY_THE_PREVIOUS_SCHEMA: &str = "
INSERT INTO officers (id, email, name, role, password_hash, active, created_at, password_changed_at)
    VALUES (1, 'sup@example.gov.cn', '王主管', 'supervisor', 'x', true, '2026-11-30 01:00:00', '2026-11-30 01:00:00'),
           (2, 'li@example.gov.cn', '李明', 'officer', 'x', true, '2026-11-30 01:00:00', '2026-11-30 01:00:00');
INSERT INTO regulators (id, name, kind, region_code, email, active, created_at)
    VALUES (1, '广州市番禺区市场监督管理局', 'market', '440113', 'amr@example.gov.cn', true, '2026-11-30 01:00:00');
";

fn old_case(id: i64, status: &str, closed_reason: Option<&str>, language: &str) -> String {
    let reason = closed_reason.map_or("NULL".to_string(), |r| format!("'{r}'"));
    format!(
        "INSERT INTO cases (id, case_number, status, platform, shop_name, shop_ref, shop_key, \
         region_code, province_code, category, seen_on, description, language, \
         consent_share_contact, is_complaint, receipt_hash, created_at, last_activity_at, \
         closed_reason, version, assigned_officer_id) VALUES ({id}, 'RW-2026-{id:06}', '{status}', \
         'taobao', '某旗舰店', 'shop{id}', 'shop{id}', '440113', '440000', 'cashback_for_review', \
         '2026-11-28', '好评返现卡', '{language}', false, false, 'h{id}', '2026-11-30 02:00:00', \
         '2026-11-30 02:00:00', {reason}, 3, 2);"
    )
}

#[tokio::test]
async fn a_database_filled_by_the_previous_schema_gains_its_checks_and_keeps_its_rows() {
    use reviewwatch::domain::CaseStatus;
    use reviewwatch::domain::status::ClosedReason;
    let storage = Storage::fresh();
    let url = storage.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let pool = db::pool_without_migrating(&url, 1).expect("a pool");
        assert_backend(&pool);
        let mut conn = pool.get().unwrap();
        db::run_migrations_through(&mut conn, "2026-12-02-000010").expect("the previous schema");
        let mut fill = FILLED_BY_THE_PREVIOUS_SCHEMA.to_string();
        let reasons = [
            ("dismissed", Some("duplicate")),
            ("closed", Some("penalty")),
            ("closed", Some("商家已整改，结案。")),
        ];
        let mut expected = Vec::new();
        for (i, status) in CaseStatus::ALL.iter().enumerate() {
            let (status, reason) = reasons
                .iter()
                .find(|(s, _)| *s == status.as_str())
                .copied()
                .unwrap_or((status.as_str(), None));
            let lang = if i % 2 == 0 { "zh-CN" } else { "en" };
            fill += &old_case(i as i64 + 1, status, reason, lang);
            expected.push(i as i64 + 1);
        }
        fill += &old_case(100, "closed", Some("商家已整改，结案。"), "zh-CN");
        fill += "INSERT INTO handoffs (id, case_id, regulator_id, seq, folder, package_sha256, \
                 package_size, created_by, created_at, outcome, outcome_details, outcome_at) \
                 VALUES (1, 6, 1, 1, 'RW-2026-000006-H1', 'abc', 10, 2, '2026-11-30 03:00:00', \
                 'penalty', '罚款', '2026-11-30 04:00:00');";
        conn.batch_execute(&fill)
            .expect("rows of the previous schema");

        db::run_migrations(&mut conn).expect("the checks are added to filled tables");

        // Every row reads back, typed, as it was.
        for (i, status) in CaseStatus::ALL.iter().enumerate() {
            let row = db::cases::get(&mut conn, reviewwatch::domain::CaseId(i as i64 + 1))
                .expect("the case reads");
            assert_eq!(row.status, *status);
            assert_eq!(
                row.assigned_officer_id,
                Some(reviewwatch::domain::OfficerId(2))
            );
        }
        let closed_by_officer =
            db::cases::get(&mut conn, reviewwatch::domain::CaseId(100)).unwrap();
        assert_eq!(
            closed_by_officer.closed_reason,
            Some(ClosedReason::ClosedByOfficer)
        );
        let officers = db::officers::list_active(&mut conn).expect("officers read");
        assert_eq!(officers.len(), 2);
        let handoff = db::handoffs::get(&mut conn, reviewwatch::domain::HandoffId(1)).unwrap();
        assert_eq!(
            handoff.outcome,
            Some(reviewwatch::domain::outcome::Outcome::Penalty)
        );

        // The closed sets are checked by the database itself now.
        for bad in [
            "UPDATE cases SET status = 'bogus' WHERE id = 1",
            "UPDATE cases SET language = 'fr' WHERE id = 1",
            "UPDATE cases SET closed_reason = 'because' WHERE id = 1",
            "UPDATE officers SET role = 'admin' WHERE id = 1",
            "UPDATE handoffs SET outcome = 'fined' WHERE id = 1",
        ] {
            assert!(conn.batch_execute(bad).is_err(), "refused: {bad}");
        }
        // Foreign keys still hold after the rebuild (SQLite) and were never touched (PostgreSQL).
        assert!(
            conn.batch_execute("UPDATE cases SET assigned_officer_id = 99 WHERE id = 1")
                .is_err(),
            "an unknown officer is refused"
        );

        // Open sets are checked in code: an audit action no code knows is a loud error on read.
        conn.batch_execute(
            "INSERT INTO audit_events (case_id, seq, at, actor_kind, actor_id, action, detail, \
             visible_to_reporter, prev_hash, hash) VALUES (1, 1, '2026-11-30 02:00:00', 'system', \
             NULL, 'teleported', '{}', false, 'x', 'y')",
        )
        .expect("the table takes any action keyword");
        let err = db::audit::for_case(&mut conn, reviewwatch::domain::CaseId(1))
            .expect_err("an unknown action does not read as a default");
        assert!(format!("{err:?}").contains("teleported"), "{err:?}");
        drop(conn);
        drop(pool);
    })
    .await
    .unwrap();
    drop(storage);
}
