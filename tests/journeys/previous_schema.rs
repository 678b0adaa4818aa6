//! A database the previous code filled (`tests/fixtures/previous-schema/sqlite.sql`, written at
//! 78fd6ad by `seed-demo` and the portal's own pages) is migrated by this code and still holds:
//! every audit chain verifies, what was written is there, and a package built from it now (with
//! the audit times' RFC 3339 form beside the hashed ones) verifies.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use reviewwatch::db::{self, audit, cases, findings, handoffs, notes, regulators, schema};
use reviewwatch::domain::CaseStatus;
use reviewwatch::domain::audit::hashed_at;
use reviewwatch::domain::china_time;
use reviewwatch::handoff::contents::{self, PackageInput};
use reviewwatch::handoff::signing::{PortalKey, fingerprint};
use reviewwatch::handoff::{package, verify};
use std::collections::BTreeSet;

const PREVIOUS: &str = include_str!("../fixtures/previous-schema/sqlite.sql");

/// A fresh SQLite file holding the fixture, migrated by this code; its pool.
fn previous_database(dir: &std::path::Path) -> db::DbPool {
    let path = dir.join("previous.sqlite3");
    let url = path.to_str().expect("a UTF-8 path").to_string();
    let mut conn = diesel::SqliteConnection::establish(&url).expect("a new SQLite file");
    conn.batch_execute(PREVIOUS)
        .expect("the previous code's dump loads");
    drop(conn);
    // `connect` runs every migration newer than the fixture's.
    db::connect(&url, 1).expect("the previous database is migrated")
}

#[tokio::test]
async fn every_audit_chain_written_by_the_previous_code_still_verifies_after_migrating() {
    let dir = tempfile::tempdir().unwrap();
    tokio::task::spawn_blocking(move || {
        let pool = previous_database(dir.path());
        let mut conn = pool.get().unwrap();

        // What was written is there: 40 demo cases and the 4 the pages filed, in every status.
        assert_eq!(cases::count(&mut conn).unwrap(), 44);
        let ids: Vec<reviewwatch::domain::CaseId> = schema::cases::table
            .select(schema::cases::id)
            .order(schema::cases::id.asc())
            .load(&mut conn)
            .unwrap();
        let statuses: BTreeSet<String> = ids
            .iter()
            .map(|&id| {
                cases::get(&mut conn, id)
                    .unwrap()
                    .status
                    .as_str()
                    .to_string()
            })
            .collect();
        let all: BTreeSet<String> = CaseStatus::ALL
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        assert_eq!(statuses, all, "every status is in the fixture");

        // Every chain, with the app's own check; and the RFC 3339 form of every time agrees
        // with the form the hash covers, to the microsecond.
        let mut entries = 0;
        for &id in &ids {
            let trail = audit::for_case(&mut conn, id).unwrap();
            assert!(!trail.is_empty(), "case {id} has a trail");
            assert_eq!(audit::verify(&trail), Ok(()), "the chain of case {id}");
            for row in &trail {
                let rfc = china_time::utc_rfc3339_micros(&row.at);
                assert_eq!(rfc, format!("{}Z", hashed_at(&row.at)));
                assert_eq!(china_time::parse_rfc3339(&rfc), Some(row.at));
            }
            entries += trail.len();
        }
        assert!(entries > 200, "{entries} entries");

        // The handoffs: one waiting, one acknowledged, one with its outcome; the original asked
        // for and the redactions.
        let rows: Vec<handoffs::HandoffRow> = schema::handoffs::table
            .select(handoffs::HandoffRow::as_select())
            .order(schema::handoffs::id.asc())
            .load(&mut conn)
            .unwrap();
        assert_eq!(rows.len(), 3);
        let waiting = rows
            .iter()
            .find(|h| cases::get(&mut conn, h.case_id).unwrap().status == CaseStatus::HandedOff)
            .expect("a handed-off case");
        let case = cases::get(&mut conn, waiting.case_id).unwrap();
        assert_eq!(waiting.seq, 1);
        assert_eq!(waiting.folder, format!("{}-H1", case.case_number));
        assert_eq!(waiting.package_sha256.len(), 64);
        assert!(waiting.acknowledged_at.is_none() && waiting.outbox_id.is_some());
        let regulator = regulators::get(&mut conn, waiting.regulator_id).unwrap();
        assert_eq!(regulator.region_code.as_deref(), Some("440113"));
        assert!(
            rows.iter()
                .any(|h| h.acknowledged_at.is_some() && h.outcome.is_none())
        );
        assert!(
            rows.iter()
                .any(|h| h.outcome.map(|o| o.as_str()) == Some("penalty"))
        );
        let trail = audit::for_case(&mut conn, case.id).unwrap();
        let handed: Vec<&audit::AuditRow> = trail
            .iter()
            .filter(|r| r.action.as_str() == "hand_off")
            .collect();
        assert_eq!(handed.len(), 1);
        assert!(
            handed[0].detail.contains(&waiting.package_sha256),
            "the trail names the package"
        );
        let originals: i64 = schema::original_requests::table
            .count()
            .get_result(&mut conn)
            .unwrap();
        let redactions: i64 = schema::evidence_redactions::table
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!((originals, redactions), (1, 2));

        // A package built now from that case: case.json keeps each `at` as hashed, adds its
        // RFC 3339 form, and `reviewwatch verify`'s check accepts it.
        let key_dir = tempfile::tempdir().unwrap();
        let key = PortalKey::load_or_create(&key_dir.path().join("k.pem")).unwrap();
        let messages = notes::messages_for(&mut conn, case.id).unwrap();
        let finding = findings::of_case(&mut conn, case.id).unwrap();
        let fp = fingerprint(&key.verifying_key());
        let now = db::now();
        let files = contents::files(PackageInput {
            case: &case,
            seq: 2,
            regulator: &regulator,
            evidence: Vec::new(),
            messages: &messages,
            trail: &trail,
            chain_intact: audit::verify(&trail).is_ok(),
            finding: finding.as_ref(),
            portal_url: "http://127.0.0.1",
            key_fingerprint: &fp,
            generated_at: now,
        })
        .unwrap();
        let json: serde_json::Value = serde_json::from_slice(
            &files
                .iter()
                .find(|f| f.path == "case.json")
                .expect("case.json")
                .bytes,
        )
        .unwrap();
        let listed = json["audit_trail"]["entries"].as_array().unwrap();
        assert_eq!(listed.len(), trail.len());
        for (entry, row) in listed.iter().zip(&trail) {
            assert_eq!(entry["at"], hashed_at(&row.at).as_str(), "byte-identical");
            assert_eq!(
                entry["at_rfc3339"],
                china_time::utc_rfc3339_micros(&row.at).as_str()
            );
            assert_eq!(entry["hash"], row.hash.as_str());
        }
        let zip = package::build(&format!("{}-H2", case.case_number), files, &key, now).unwrap();
        let report = verify::verify_bytes(&zip, &key.verifying_key());
        assert!(report.is_valid(), "{:?}", report.findings);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn cases_filed_before_merchants_were_kept_are_read_by_the_chains_job() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let pool = tokio::task::spawn_blocking(move || previous_database(&path))
        .await
        .unwrap();
    let without = |pool: &db::DbPool| {
        let mut conn = pool.get().unwrap();
        schema::cases::table
            .filter(schema::cases::merchant_key.is_null())
            .count()
            .get_result::<i64>(&mut conn)
            .unwrap()
    };
    assert_eq!(
        without(&pool),
        44,
        "no case of the previous code has a merchant yet"
    );

    let read = reviewwatch::workflow::merchants::index_earlier_cases(&pool)
        .await
        .unwrap();
    assert_eq!(read, 44);
    assert_eq!(without(&pool), 0);
    // Each key is the one filing would write today.
    let mut conn = pool.get().unwrap();
    assert!(db::merchants::without_key(&mut conn, 1).unwrap().is_empty());
    let rows: Vec<cases::CaseRow> = schema::cases::table
        .select(cases::CaseRow::as_select())
        .load(&mut conn)
        .unwrap();
    for case in rows {
        let expected =
            reviewwatch::domain::merchant::identify(case.platform, &case.shop_ref, &case.shop_name);
        assert_eq!(case.merchant_key, Some(expected.key_string()));
    }
    drop(conn);
    // Running again finds nothing to do.
    assert_eq!(
        reviewwatch::workflow::merchants::index_earlier_cases(&pool)
            .await
            .unwrap(),
        0
    );
}
