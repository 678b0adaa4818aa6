//! Every migration can be undone and done again.

use crate::helpers::*;
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
