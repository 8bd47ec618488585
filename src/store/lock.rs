//! Leadership locks kept by the database when there is no Redis: a session advisory lock on
//! Postgres, an exclusive lock on a file beside the database on SQLite. The scheduler's
//! leadership (`beat::leader`) holds one through [`AnyStore::leader_lock`](super::AnyStore::leader_lock)
//! without knowing which.

use std::path::PathBuf;
use std::time::Duration;

use super::StoreError;
use super::postgres::{AdvisoryLock, PgStore};

/// A lock that at most one process holds at a time.
#[derive(Debug)]
pub struct LeaderLock(Kind);

#[derive(Debug)]
enum Kind {
    Advisory {
        store: PgStore,
        key: i64,
        /// The session holding (or trying for) the lock.
        session: Option<AdvisoryLock>,
    },
    File {
        path: PathBuf,
        /// Open (and locked) while held.
        file: Option<std::fs::File>,
    },
}

impl LeaderLock {
    pub(super) fn advisory(store: PgStore, key: i64) -> Self {
        Self(Kind::Advisory {
            store,
            key,
            session: None,
        })
    }

    pub(super) fn file(path: PathBuf) -> Self {
        Self(Kind::File { path, file: None })
    }

    /// `postgres` or `file`, as heartbeats report it.
    pub fn kind(&self) -> &'static str {
        match &self.0 {
            Kind::Advisory { .. } => "postgres",
            Kind::File { .. } => "file",
        }
    }

    /// A line for the logs.
    pub fn describe(&self) -> String {
        match &self.0 {
            Kind::Advisory { key, .. } => format!("Postgres advisory lock {key}"),
            Kind::File { path, .. } => format!("lock file {}", path.display()),
        }
    }

    /// Takes the lock if it is free, or checks that it is still held; `Ok(true)` while this
    /// process holds it. A session that does not answer within `timeout` is dropped (the server
    /// releases its lock when the session ends). `token` is written into the lock file, for
    /// whoever looks at it.
    pub async fn attempt(&mut self, token: &str, timeout: Duration) -> Result<bool, StoreError> {
        match &mut self.0 {
            Kind::Advisory {
                store,
                key,
                session,
            } => {
                if session.is_none() {
                    *session = Some(store.advisory_lock(*key).await?);
                }
                let held = session.as_mut().expect("opened above");
                match tokio::time::timeout(timeout, held.try_acquire()).await {
                    Ok(Ok(got)) => Ok(got),
                    Ok(Err(e)) => {
                        *session = None;
                        Err(e)
                    }
                    Err(_) => {
                        *session = None;
                        Err(StoreError::NoAnswer {
                            what: format!("the leadership lock within {} ms", timeout.as_millis()),
                        })
                    }
                }
            }
            Kind::File { path, file } => {
                if file.is_some() {
                    return Ok(true);
                }
                let cannot = |source| StoreError::LockFile {
                    path: path.display().to_string(),
                    source,
                };
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .read(true)
                    .write(true)
                    .open(&*path)
                    .map_err(cannot)?;
                match f.try_lock() {
                    Ok(()) => {
                        use std::io::Write as _;
                        let mut g = &f;
                        let _ = g.set_len(0);
                        let _ = writeln!(g, "{token} pid {}", std::process::id());
                        *file = Some(f);
                        Ok(true)
                    }
                    Err(std::fs::TryLockError::WouldBlock) => Ok(false),
                    Err(std::fs::TryLockError::Error(source)) => Err(cannot(source)),
                }
            }
        }
    }

    /// Gives the lock up (waiting at most `timeout` for the server), so that another process
    /// takes it at its next attempt.
    pub async fn release(&mut self, timeout: Duration) {
        match &mut self.0 {
            Kind::Advisory { session, .. } => {
                if let Some(held) = session.take() {
                    let _ = tokio::time::timeout(timeout, held.release()).await;
                }
            }
            Kind::File { file, .. } => {
                if let Some(f) = file.take() {
                    let _ = f.set_len(0);
                    let _ = f.unlock();
                }
            }
        }
    }
}
