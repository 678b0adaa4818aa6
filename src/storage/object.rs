//! S3-compatible object storage (`STORAGE_URL=s3://bucket/prefix`; endpoint, region and keys
//! from the usual `AWS_*` variables: `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint).
//!
//! The requests run on a small runtime of this store's own, so that a blocking caller (a
//! blocking thread of any runtime, a command) waits for them with a channel and never needs to
//! be inside a runtime itself. Files go up and come down in pieces: a package of hundreds of
//! megabytes is never held in memory whole.

use std::future::Future;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{
    BackoffConfig, ClientConfigKey, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
    WriteMultipart,
};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use super::{Sha256Hex, StorageKey, StoredObject, Unavailable};

/// Files up to this size go up in one request; larger ones in parts of `PART_BYTES`.
const SINGLE_PUT_BYTES: u64 = 8 << 20;
const PART_BYTES: usize = 8 << 20;
/// Parts in flight at once while uploading a large file.
const PARTS_IN_FLIGHT: usize = 2;

pub(super) struct ObjectBucket {
    store: Arc<dyn ObjectStore>,
    url: String,
    runtime: OwnRuntime,
}

impl std::fmt::Debug for ObjectBucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectBucket")
            .field("url", &self.url)
            .finish()
    }
}

/// The store's runtime, shut down without waiting when the last handle goes (dropping a
/// runtime from inside another one's task would panic).
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

fn stopped() -> io::Error {
    io::Error::other(Unavailable("the object storage client stopped".into()))
}

/// An object store error as an I/O error: a missing object is `NotFound`, anything else means
/// the store could not do it now (unreachable, refused, timed out) and is `Unavailable`.
fn io_error(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        other => io::Error::other(Unavailable(other.to_string())),
    }
}

impl ObjectBucket {
    /// The bucket and prefix of `url` (`s3://bucket/prefix`), with the rest from `AWS_*`.
    /// Nothing is sent yet (see [`ObjectBucket::check`]).
    pub(super) fn open(url: &str, endpoint: Option<&str>) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
        if parsed.scheme() != "s3" {
            return Err(format!("{url}: only s3://bucket/prefix is understood"));
        }
        let bucket = parsed
            .host_str()
            .filter(|b| !b.is_empty())
            .ok_or_else(|| format!("{url} names no bucket"))?;
        let prefix = parsed.path().trim_matches('/');
        // A store that does not answer makes a request fail within ~15 s, so that an upload is
        // refused with a clear message rather than left hanging.
        let retry = RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: 3,
            retry_timeout: Duration::from_secs(15),
        };
        // The HTTPS client needs the process's TLS provider chosen: two are built in.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let mut builder = AmazonS3Builder::from_env();
        if let Some(endpoint) = endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        let s3 = builder
            .with_bucket_name(bucket)
            // Over the client options `AWS_*` gave (`AWS_ALLOW_HTTP` among them), not instead.
            .with_config(
                AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
                "5s",
            )
            .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "60s")
            .with_retry(retry)
            .build()
            .map_err(|e| format!("object storage {url}: {e}"))?;
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            let prefix = ObjectPath::parse(prefix)
                .map_err(|e| format!("{url}: the prefix is not a valid path: {e}"))?;
            Arc::new(PrefixStore::new(s3, prefix))
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("object-storage")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the object storage client: {e}"))?;
        Ok(Self {
            store,
            url: url.to_owned(),
            runtime: OwnRuntime(Some(runtime)),
        })
    }

    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// Runs `fut` on the store's runtime and waits for it (from any thread).
    fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = io::Result<T>> + Send + 'static,
    ) -> io::Result<T> {
        let Some(rt) = self.runtime.0.as_ref() else {
            return Err(stopped());
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        rt.spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv().unwrap_or_else(|_| Err(stopped()))
    }

    fn path(key: &StorageKey) -> ObjectPath {
        ObjectPath::from_iter(key.parts())
    }

    /// Whether the bucket answers (a listing of at most one page of the prefix).
    pub(super) fn check(&self) -> io::Result<()> {
        let store = self.store.clone();
        self.run(async move {
            store
                .list_with_delimiter(None)
                .await
                .map(|_| ())
                .map_err(io_error)
        })
    }

    pub(super) fn exists(&self, key: &StorageKey) -> io::Result<bool> {
        let (store, path) = (self.store.clone(), Self::path(key));
        self.run(async move { exists(&*store, &path).await })
    }

    pub(super) fn put_bytes(&self, key: &StorageKey, bytes: &[u8]) -> io::Result<bool> {
        let (store, path) = (self.store.clone(), Self::path(key));
        let payload = PutPayload::from(bytes.to_vec());
        self.run(async move {
            if exists(&*store, &path).await? {
                return Ok(false);
            }
            store.put(&path, payload).await.map_err(io_error)?;
            Ok(true)
        })
    }

    pub(super) fn put_file(
        &self,
        key: &StorageKey,
        src: &Path,
        sha: &Sha256Hex,
    ) -> io::Result<bool> {
        let (store, path) = (self.store.clone(), Self::path(key));
        let (src, sha) = (src.to_path_buf(), sha.clone());
        self.run(async move {
            let mut file = tokio::fs::File::open(&src).await?;
            if exists(&*store, &path).await? {
                // Still check the caller's claim, as the local folder does.
                let mut hasher = Sha256::new();
                let mut buf = vec![0u8; 256 << 10];
                loop {
                    let n = file.read(&mut buf).await?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                }
                super::check_sha(&Sha256Hex::from_digest(&hasher.finalize()), &sha)?;
                return Ok(false);
            }
            upload_file(&*store, &path, file, &sha).await?;
            Ok(true)
        })
    }

    pub(super) fn read(&self, key: &StorageKey) -> io::Result<Vec<u8>> {
        let (store, path) = (self.store.clone(), Self::path(key));
        self.run(async move {
            let got = store.get(&path).await.map_err(io_error)?;
            Ok(got.bytes().await.map_err(io_error)?.to_vec())
        })
    }

    /// Writes the object into `dest` (created or truncated) piece by piece; returns its size.
    pub(super) fn fetch_to(&self, key: &StorageKey, dest: &Path) -> io::Result<u64> {
        let (store, path, dest) = (self.store.clone(), Self::path(key), dest.to_path_buf());
        self.run(async move {
            use tokio::io::AsyncWriteExt;
            let got = store.get(&path).await.map_err(io_error)?;
            let mut out = tokio::fs::File::create(&dest).await?;
            let mut stream = got.into_stream();
            let mut written = 0u64;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(io_error)?;
                out.write_all(&chunk).await?;
                written += chunk.len() as u64;
            }
            out.flush().await?;
            Ok(written)
        })
    }

    pub(super) fn remove(&self, key: &StorageKey) -> io::Result<()> {
        let (store, path) = (self.store.clone(), Self::path(key));
        self.run(async move {
            match store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(io_error(e)),
            }
        })
    }

    pub(super) fn list(&self, prefix: &str) -> io::Result<Vec<StoredObject>> {
        let store = self.store.clone();
        let prefix = (!prefix.is_empty()).then(|| ObjectPath::from_iter(prefix.split('/')));
        self.run(async move {
            let mut listing = store.list(prefix.as_ref());
            let mut out = Vec::new();
            while let Some(meta) = listing.next().await {
                let meta = meta.map_err(io_error)?;
                if let Some(key) = StorageKey::parse(meta.location.as_ref()) {
                    out.push(StoredObject {
                        key,
                        size: meta.size,
                        modified: meta.last_modified,
                    });
                }
            }
            Ok(out)
        })
    }

    /// The object's size and its bytes as they arrive (for a download), read on the store's
    /// runtime and handed over four pieces ahead at most.
    pub(super) async fn stream(
        &self,
        key: &StorageKey,
    ) -> io::Result<(u64, BoxStream<'static, io::Result<Bytes>>)> {
        let Some(rt) = self.runtime.0.as_ref() else {
            return Err(stopped());
        };
        let (store, path) = (self.store.clone(), Self::path(key));
        let (head_tx, head_rx) = tokio::sync::oneshot::channel();
        let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(4);
        rt.spawn(async move {
            let got = match store.get(&path).await {
                Ok(got) => got,
                Err(e) => {
                    let _ = head_tx.send(Err(io_error(e)));
                    return;
                }
            };
            if head_tx.send(Ok(got.meta.size)).is_err() {
                return;
            }
            let mut pieces = got.into_stream();
            while let Some(piece) = pieces.next().await {
                let piece = piece.map_err(io_error);
                let failed = piece.is_err();
                // The receiver is gone when the download was abandoned: stop reading.
                if tx.send(piece).await.is_err() || failed {
                    break;
                }
            }
        });
        let size = head_rx.await.map_err(|_| stopped())??;
        let pieces = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|piece| (piece, rx))
        });
        Ok((size, pieces.boxed()))
    }
}

async fn exists(store: &dyn ObjectStore, path: &ObjectPath) -> io::Result<bool> {
    match store.head(path).await {
        Ok(_) => Ok(true),
        Err(object_store::Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(io_error(e)),
    }
}

/// Uploads `file`, checking on the way that its SHA-256 is `sha`: a small file in one request
/// after the check, a large one in parts, abandoned (nothing left under the name) on a
/// mismatch or a failure.
async fn upload_file(
    store: &dyn ObjectStore,
    path: &ObjectPath,
    mut file: tokio::fs::File,
    sha: &Sha256Hex,
) -> io::Result<()> {
    let size = file.metadata().await?.len();
    if size <= SINGLE_PUT_BYTES {
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        file.read_to_end(&mut bytes).await?;
        super::check_sha(&Sha256Hex::of_bytes(&bytes), sha)?;
        store
            .put(path, PutPayload::from(bytes))
            .await
            .map_err(io_error)?;
        return Ok(());
    }
    let upload = store.put_multipart(path).await.map_err(io_error)?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let sent: io::Result<()> = async {
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            writer
                .wait_for_capacity(PARTS_IN_FLIGHT)
                .await
                .map_err(io_error)?;
            writer.write(&buf[..n]);
        }
        Ok(())
    }
    .await;
    let checked =
        sent.and_then(|()| super::check_sha(&Sha256Hex::from_digest(&hasher.finalize()), sha));
    match checked {
        Ok(()) => writer.finish().await.map(|_| ()).map_err(io_error),
        Err(e) => {
            if let Err(abort) = writer.abort().await {
                tracing::warn!(error = %abort, "could not abandon an object storage upload");
            }
            Err(e)
        }
    }
}
