//! `reviewwatch backup` and `reviewwatch restore`.
//!
//! A backup is one folder: a consistent copy of the SQLite database (`VACUUM INTO`, safe while
//! the portal runs), every evidence file and handoff package from the portal's storage (the data
//! folder or object storage: each object copied piece by piece), and the signing key. On
//! PostgreSQL the database is left to `pg_dump`, which does it better.
//!
//! A restore puts such a folder back into a new deployment: the SQLite database into an empty
//! data folder, and every file into the storage — each checked against the SHA-256 its name
//! carries, so a damaged backup is found, not restored.

use crate::config::Settings;
use crate::db::{self, DbConnection};
use crate::storage::{Sha256Hex, Storage, StorageKey};
use anyhow::Context;
use diesel::RunQueryDsl;
use std::path::{Path, PathBuf};

/// What the storage holds that a backup copies: evidence and packages (key prefixes).
const STORED: [&str; 2] = ["evidence", "packages"];
/// Where the signing key sits in object storage (see `startup::signing_key`).
pub const STORED_SIGNING_KEY: &str = "keys/signing-key.pem";
const KEY_FILE: &str = "signing-key.pem";
const DATABASE_FILE: &str = "reviewwatch.sqlite3";

pub struct BackupReport {
    pub folder: PathBuf,
    pub database: Option<PathBuf>,
    pub files: u64,
    pub bytes: u64,
}

fn storage_of(settings: &Settings) -> anyhow::Result<Storage> {
    settings
        .storage()
        .map_err(|e| anyhow::anyhow!("STORAGE_URL: {e}"))
}

fn path_in(folder: &Path, key: &StorageKey) -> PathBuf {
    let mut path = folder.to_path_buf();
    path.extend(key.parts());
    path
}

/// Copies every stored object under `STORED` into `folder`, in the storage's key layout;
/// returns (files, bytes).
fn copy_out(storage: &Storage, folder: &Path) -> anyhow::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    for prefix in STORED {
        let listed = storage
            .list(prefix)
            .with_context(|| format!("cannot list {prefix} in {}", storage.describe()))?;
        for object in listed {
            let dest = path_in(folder, &object.key);
            if let Some(dir) = dest.parent() {
                crate::private_fs::create_dir_all(dir)?;
            }
            bytes += storage
                .fetch_to(&object.key, &dest)
                .with_context(|| format!("cannot copy {}", object.key))?;
            crate::private_fs::restrict_file(&dest)?;
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
    let db_copy = folder.join(DATABASE_FILE);
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
    let storage = storage_of(settings)?;
    let key_file = settings.signing_key_file.clone();
    let key_path = settings.signing_key_path();
    let out = folder.clone();
    let (files, bytes) = tokio::task::spawn_blocking(move || {
        let (mut files, mut bytes) = copy_out(&storage, &out)?;
        let key_copy = out.join(KEY_FILE);
        let stored_key =
            StorageKey::parse(STORED_SIGNING_KEY).ok_or_else(|| anyhow::anyhow!("bad key name"))?;
        if key_file.is_none() && !storage.is_local() {
            match storage.fetch_to(&stored_key, &key_copy) {
                Ok(n) => {
                    bytes += n;
                    files += 1;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).context("cannot copy the signing key"),
            }
        } else if key_path.exists() {
            bytes += std::fs::copy(&key_path, &key_copy)?;
            files += 1;
        }
        crate::private_fs::restrict_file(&key_copy)?;
        Ok::<_, anyhow::Error>((files, bytes))
    })
    .await??;
    Ok(BackupReport {
        database: copied.then_some(db_copy),
        folder,
        files,
        bytes,
    })
}

pub struct RestoreReport {
    pub database: Option<PathBuf>,
    pub files: u64,
    pub bytes: u64,
}

/// Every file under `folder/<prefix>`, as (key, path).
fn backed_up_files(folder: &Path) -> anyhow::Result<Vec<(StorageKey, PathBuf)>> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = STORED.iter().map(|p| folder.join(p)).collect();
    while let Some(dir) = stack.pop() {
        if !dir.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(folder)?
                .iter()
                .map(|p| p.to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let key = StorageKey::parse(&relative).ok_or_else(|| {
                anyhow::anyhow!("{} is not a file a backup holds", path.display())
            })?;
            out.push((key, path));
        }
    }
    Ok(out)
}

/// The SHA-256 a stored file's name carries: the last part, without `.zip`.
fn named_sha(key: &StorageKey) -> anyhow::Result<Sha256Hex> {
    let name = key.parts().last().unwrap_or_default();
    Sha256Hex::parse(name.strip_suffix(".zip").unwrap_or(name))
        .ok_or_else(|| anyhow::anyhow!("{key}: the name is not a SHA-256"))
}

/// Puts a backup (`backup`'s folder) into the deployment `settings` describe: the SQLite
/// database into place (only where there is none: a restore never writes over a database),
/// every file into the storage, checked against its name's SHA-256, and the signing key where
/// the portal reads it (unless one is there). PostgreSQL's database comes back with
/// `pg_restore`, before or after.
pub async fn restore(settings: &Settings, from: &Path) -> anyhow::Result<RestoreReport> {
    if !from.is_dir() {
        anyhow::bail!("{} is not a backup folder", from.display());
    }
    let db_copy = from.join(DATABASE_FILE);
    let database = if settings.database_url.starts_with("postgres") {
        None
    } else {
        let target = PathBuf::from(
            settings
                .database_url
                .strip_prefix("sqlite://")
                .unwrap_or(&settings.database_url),
        );
        if !db_copy.is_file() {
            anyhow::bail!("{} holds no SQLite database", from.display());
        }
        if target.exists() {
            anyhow::bail!(
                "{} exists: a restore goes into a new data folder, never over a database",
                target.display()
            );
        }
        if let Some(dir) = target.parent() {
            crate::private_fs::create_dir_all(dir)?;
        }
        std::fs::copy(&db_copy, &target)
            .with_context(|| format!("cannot write {}", target.display()))?;
        crate::private_fs::restrict_file(&target)?;
        Some(target)
    };
    let storage = storage_of(settings)?;
    let (from, key_path) = (from.to_path_buf(), settings.signing_key_path());
    let key_in_storage = settings.signing_key_file.is_none() && !storage.is_local();
    let (files, bytes) = tokio::task::spawn_blocking(move || {
        let (mut files, mut bytes) = (0, 0);
        for (key, path) in backed_up_files(&from)? {
            let sha = named_sha(&key)?;
            storage
                .put_file(&key, &path, &sha)
                .with_context(|| format!("{}: not restored", path.display()))?;
            bytes += std::fs::metadata(&path)?.len();
            files += 1;
        }
        let key_copy = from.join(KEY_FILE);
        if key_copy.is_file() {
            let pem = std::fs::read(&key_copy)?;
            if key_in_storage {
                let stored = StorageKey::parse(STORED_SIGNING_KEY)
                    .ok_or_else(|| anyhow::anyhow!("bad key name"))?;
                storage.put_bytes(&stored, &pem)?;
            } else if !key_path.exists() {
                if let Some(dir) = key_path.parent() {
                    crate::private_fs::create_dir_all(dir)?;
                }
                crate::private_fs::create_private_file(&key_path)?;
                std::fs::write(&key_path, &pem)?;
            }
        }
        Ok::<_, anyhow::Error>((files, bytes))
    })
    .await??;
    Ok(RestoreReport {
        database,
        files,
        bytes,
    })
}
