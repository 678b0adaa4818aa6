//! `reviewwatch backup`: a consistent copy of the SQLite database (`VACUUM INTO`, safe while the
//! portal runs) with the evidence, the handoff packages and the signing key, in one folder. On
//! PostgreSQL the files are copied and the database is left to `pg_dump`, which does it better.

use crate::config::Settings;
use crate::db::{self, DbConnection};
use anyhow::Context;
use diesel::RunQueryDsl;
use std::path::{Path, PathBuf};

pub struct BackupReport {
    pub folder: PathBuf,
    pub database: Option<PathBuf>,
    pub files: u64,
    pub bytes: u64,
}

/// Copies `from` into `to` recursively; returns (files, bytes).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    if !from.exists() {
        return Ok((0, 0));
    }
    crate::private_fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            let (f, b) = copy_tree(&entry.path(), &target)?;
            files += f;
            bytes += b;
        } else {
            bytes += std::fs::copy(entry.path(), &target)?;
            crate::private_fs::restrict_file(&target)?;
            files += 1;
        }
    }
    Ok((files, bytes))
}

pub async fn backup(settings: &Settings, to: Option<PathBuf>) -> anyhow::Result<BackupReport> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let folder = to.unwrap_or_else(|| settings.data_dir.join("backups").join(&stamp));
    if folder.exists() && std::fs::read_dir(&folder)?.next().is_some() {
        anyhow::bail!("{} is not empty: choose a new folder", folder.display());
    }
    crate::private_fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let (pool, _) = crate::startup::open_database(settings).await?;
    let db_copy = folder.join("reviewwatch.sqlite3");
    let target = db_copy.to_string_lossy().into_owned();
    let copied = db::run(&pool, move |conn| match conn {
        DbConnection::Sqlite(c) => {
            // VACUUM INTO writes a consistent snapshot, even while the portal writes.
            diesel::sql_query("VACUUM INTO ?")
                .bind::<diesel::sql_types::Text, _>(&target)
                .execute(c)?;
            Ok(true)
        }
        DbConnection::Postgres(_) => Ok(false),
    })
    .await?;
    if copied {
        crate::private_fs::restrict_file(&db_copy)?;
    }
    let (mut files, mut bytes) = (0, 0);
    for dir in ["evidence", "packages"] {
        let (f, b) = copy_tree(&settings.data_dir.join(dir), &folder.join(dir))?;
        files += f;
        bytes += b;
    }
    let key = settings.signing_key_path();
    if key.exists() {
        bytes += std::fs::copy(&key, folder.join("signing-key.pem"))?;
        crate::private_fs::restrict_file(&folder.join("signing-key.pem"))?;
        files += 1;
    }
    Ok(BackupReport {
        database: copied.then_some(db_copy),
        folder,
        files,
        bytes,
    })
}
