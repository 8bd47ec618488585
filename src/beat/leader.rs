//! Leadership: exactly one of the `run-beat` processes sharing a database dispatches.
//!
//! - Redis: the key `<namespace>:leader` (default `stockura:beat:leader`) is set with `NX` and
//!   a lease holding this process's token, and renewed every third of the lease by a
//!   compare-and-renew script. Standbys retry `SET NX` at the same pace.
//! - Postgres without Redis: a session advisory lock on a dedicated connection.
//! - SQLite: an exclusive lock on a file beside the database (one host).
//!
//! Every backend reports a lease: the leader may dispatch only until the instant its last
//! successful renewal was *sent* plus the lease, less a safety margin, so a leader that cannot
//! renew stops dispatching before its key can expire and another process take over. The slot
//! claims (see `dispatch`) keep a slot to one message even when two processes believe they lead.

use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use tokio::sync::watch;
use uuid::Uuid;

use crate::config::Redacted;
use crate::store::{LeaderLock, StoreError};
use crate::sync::redis_conn::{self, SyncError};

/// Renews the key only while it still holds this owner's token.
const RENEW: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
     return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/// Deletes the key only while it still holds this owner's token.
const RELEASE: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
     return redis.call('del', KEYS[1]) else return 0 end";

/// The leadership key in a namespace.
pub fn leader_key(namespace: &str) -> String {
    format!("{namespace}:leader")
}

/// The advisory lock number of a namespace on Postgres: the first 8 bytes of the md5 of the
/// leader key.
pub fn advisory_key(namespace: &str) -> i64 {
    use md5::{Digest, Md5};
    let digest = Md5::digest(leader_key(namespace).as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// What the leadership task last established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lease {
    /// Until when this process may dispatch; `None` while it is a standby.
    pub until: Option<Instant>,
    /// How many attempts were made (0 before the first one finished).
    pub attempts: u64,
}

impl Lease {
    /// Whether this process may dispatch at `now`.
    pub fn valid_at(&self, now: Instant) -> bool {
        self.until.is_some_and(|u| now < u)
    }

    /// Whether this process may dispatch now.
    pub fn valid(&self) -> bool {
        self.valid_at(Instant::now())
    }
}

/// How leadership is decided.
pub enum Backend {
    /// A Redis key with a lease.
    Redis {
        /// The Redis.
        url: Redacted,
        /// The key.
        key: String,
        /// Kept between attempts.
        conn: Option<MultiplexedConnection>,
        /// Whether the last attempt held the key.
        held: bool,
    },
    /// A lock the database keeps (see [`crate::store::AnyStore::leader_lock`]).
    Database(LeaderLock),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe().as_str())
    }
}

/// A failed attempt.
#[derive(Debug, thiserror::Error)]
pub enum LeaderError {
    /// Redis failed.
    #[error(transparent)]
    Redis(#[from] SyncError),
    /// The database's lock failed.
    #[error(transparent)]
    Database(#[from] StoreError),
}

impl crate::error::Classify for LeaderError {
    fn kind(&self) -> crate::error::ErrorKind {
        match self {
            Self::Redis(e) => e.kind(),
            Self::Database(e) => e.kind(),
        }
    }
    fn hint(&self) -> Option<String> {
        match self {
            Self::Redis(e) => e.hint(),
            Self::Database(e) => e.hint(),
        }
    }
}

impl Backend {
    /// `redis`, `postgres` or `file`, as heartbeats report it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Redis { .. } => "redis",
            Self::Database(lock) => lock.kind(),
        }
    }

    /// A line for the logs.
    pub fn describe(&self) -> String {
        match self {
            Self::Redis { url, key, .. } => format!("Redis key {key} at {url}"),
            Self::Database(lock) => lock.describe(),
        }
    }

    /// Takes or keeps the leadership; `Ok(true)` while this process holds it.
    async fn attempt(
        &mut self,
        token: &str,
        lease: Duration,
        timeout: Duration,
    ) -> Result<bool, LeaderError> {
        match self {
            Self::Redis {
                url,
                key,
                conn,
                held,
            } => {
                if conn.is_none() {
                    *conn = Some(redis_conn::connect(url, timeout).await?);
                }
                let c = conn.as_mut().expect("connected above");
                let ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX);
                let result: Result<bool, redis::RedisError> = if *held {
                    redis::cmd("EVAL")
                        .arg(RENEW)
                        .arg(1)
                        .arg(key.as_str())
                        .arg(token)
                        .arg(ms)
                        .query_async::<i64>(c)
                        .await
                        .map(|n| n == 1)
                } else {
                    redis::cmd("SET")
                        .arg(key.as_str())
                        .arg(token)
                        .arg("NX")
                        .arg("PX")
                        .arg(ms)
                        .query_async::<Option<String>>(c)
                        .await
                        .map(|ok| ok.is_some())
                };
                match result {
                    Ok(now_held) => {
                        *held = now_held;
                        Ok(now_held)
                    }
                    Err(e) => {
                        *conn = None;
                        Err(redis_conn::command_error(url, timeout, e).into())
                    }
                }
            }
            Self::Database(lock) => Ok(lock.attempt(token, timeout).await?),
        }
    }

    /// Gives the leadership up, so that a standby takes over at its next attempt.
    async fn release(&mut self, token: &str, timeout: Duration) {
        match self {
            Self::Redis { url, key, held, .. } => {
                if !*held {
                    return;
                }
                *held = false;
                let released = async {
                    let mut c = redis_conn::connect(url, timeout).await.ok()?;
                    redis::cmd("EVAL")
                        .arg(RELEASE)
                        .arg(1)
                        .arg(key.as_str())
                        .arg(token)
                        .query_async::<i64>(&mut c)
                        .await
                        .ok()
                };
                let _ = tokio::time::timeout(timeout, released).await;
            }
            Self::Database(lock) => lock.release(timeout).await,
        }
    }
}

/// Whether the scheduler's loop is moving: it marks the start of each step (a batch, a poll, a
/// change) and goes idle while it waits for the next one. A step that lasts far longer than any
/// step can (every statement and broker call has a deadline) means the loop is stuck.
#[derive(Debug, Clone)]
pub struct Progress {
    epoch: Instant,
    /// Milliseconds after `epoch` when the current step began, plus one; 0 while idle.
    busy_since: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress {
    /// An idle loop.
    pub fn new() -> Self {
        Self {
            epoch: Instant::now(),
            busy_since: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
        }
    }

    /// A step begins now (or the current one moved on: a batch of a long catch-up).
    pub fn step(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        self.busy_since
            .store(ms + 1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The loop waits for its next step.
    pub fn idle(&self) {
        self.busy_since
            .store(0, std::sync::atomic::Ordering::Relaxed);
    }

    /// How long the current step has lasted; `None` while idle.
    pub fn busy_for(&self) -> Option<Duration> {
        let since = self
            .busy_since
            .load(std::sync::atomic::Ordering::Relaxed)
            .checked_sub(1)?;
        Some(
            self.epoch
                .elapsed()
                .saturating_sub(Duration::from_millis(since)),
        )
    }
}

/// How long one step of the loop may last before its leader gives the leadership up: three
/// leases, at least 30 s (the longest legitimate step, a catch-up batch of 200,000 rows on
/// SQLite, takes about 10 s on a small machine).
pub fn stall_limit(lease: Duration) -> Duration {
    (lease * 3).max(Duration::from_secs(30))
}

/// The leadership of one process: its token, lease and backend.
#[derive(Debug)]
pub struct Leadership {
    /// How leadership is decided.
    pub backend: Backend,
    /// This process's instance id, stored as the owner token.
    pub token: Uuid,
    /// The lease.
    pub lease: Duration,
    /// The wait for one attempt (at most a third of the lease).
    pub timeout: Duration,
    /// The loop this leadership serves, and how long one of its steps may last: a loop stuck
    /// longer than that (a call without a deadline, a bug) gives the leadership up, so a
    /// standby takes over, and takes part again once it moves.
    pub watchdog: Option<(Progress, Duration)>,
}

impl Leadership {
    /// The safety margin: a leader stops dispatching this long before its lease can end.
    pub fn margin(&self) -> Duration {
        (self.lease / 10).max(Duration::from_millis(100))
    }

    /// Runs the leadership until `stop` turns true, then releases it. Publishes every attempt's
    /// outcome on the returned channel.
    pub fn spawn(
        mut self,
        mut stop: watch::Receiver<bool>,
    ) -> (watch::Receiver<Lease>, tokio::task::JoinHandle<()>) {
        let (tx, rx) = watch::channel(Lease::default());
        let handle = tokio::spawn(async move {
            let every = self.lease / 3;
            let token = self.token.to_string();
            let timeout = self.timeout.min(every);
            let mut lease = Lease::default();
            let mut failing = false;
            let mut stalled = false;
            loop {
                // A stuck loop neither renews nor tries to lead: the leadership is released at
                // once (a standby need not wait for the lease to run out).
                let stuck = self
                    .watchdog
                    .as_ref()
                    .and_then(|(progress, limit)| progress.busy_for().filter(|b| b > limit));
                if let Some(busy) = stuck {
                    if !stalled {
                        tracing::error!(
                            event = "standby",
                            busy_s = busy.as_secs_f64(),
                            "the scheduler's loop has been stuck in one step; giving up the leadership so a standby takes over"
                        );
                        stalled = true;
                        self.backend.release(&token, timeout).await;
                        lease.until = None;
                        tx.send_replace(lease);
                    }
                    tokio::select! {
                        _ = stop.changed() => {}
                        () = tokio::time::sleep(every) => {}
                    }
                    if *stop.borrow() {
                        break;
                    }
                    continue;
                }
                if stalled {
                    tracing::info!(
                        "the scheduler's loop moves again; taking part in the leadership"
                    );
                    stalled = false;
                }
                let sent = Instant::now();
                let outcome = self.backend.attempt(&token, self.lease, timeout).await;
                lease.attempts += 1;
                let was = lease.valid();
                match outcome {
                    Ok(true) => {
                        lease.until = Some(sent + self.lease - self.margin());
                        if failing {
                            tracing::info!(via = %self.backend.describe(), "leadership backend reachable again");
                            failing = false;
                        }
                    }
                    Ok(false) => {
                        lease.until = None;
                        if failing {
                            tracing::info!(via = %self.backend.describe(), "leadership backend reachable again");
                            failing = false;
                        }
                    }
                    Err(e) => {
                        // Keep the lease until it runs out: a short blip does not interrupt a
                        // leader, a long one stops it before anyone else can take over.
                        if !failing {
                            tracing::warn!(via = %self.backend.describe(), error = %e, "cannot reach the leadership backend; retrying");
                            failing = true;
                        }
                        if !lease.valid() {
                            lease.until = None;
                        }
                    }
                }
                let now = lease.valid();
                if now && !was {
                    tracing::info!(event = "leader", via = %self.backend.describe(), "became the leader");
                } else if was && !now {
                    tracing::warn!(event = "standby", "lost the leadership; standing by");
                }
                tx.send_replace(lease);
                // Wake when the lease would run out too, to report it at once.
                let wake = match lease.until {
                    Some(u) => (sent + every).min(u),
                    None => sent + every,
                };
                tokio::select! {
                    _ = stop.changed() => {
                        if *stop.borrow() {
                            break;
                        }
                    }
                    () = tokio::time::sleep_until(wake.into()) => {}
                }
                if *stop.borrow() {
                    break;
                }
                // Expired while asleep (a paused process): say so before the next attempt.
                if lease.until.is_some() && !lease.valid() {
                    lease.until = None;
                    tracing::warn!(event = "standby", "the lease ran out; standing by");
                    tx.send_replace(lease);
                }
            }
            self.backend.release(&token, timeout).await;
            lease.until = None;
            tx.send_replace(lease);
        });
        (rx, handle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_namespace() {
        assert_eq!(leader_key("stockura:beat"), "stockura:beat:leader");
        assert_eq!(advisory_key("a"), advisory_key("a"));
        assert_ne!(advisory_key("a"), advisory_key("b"));
        let now = Instant::now();
        let lease = Lease {
            until: Some(now + Duration::from_secs(1)),
            attempts: 1,
        };
        assert!(lease.valid_at(now));
        assert!(!lease.valid_at(now + Duration::from_secs(1)));
        assert!(!Lease::default().valid_at(now));
    }
}
