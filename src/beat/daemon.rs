//! The scheduler's coordination with other schedulers and other writers, wired from where it
//! lives: the change feeds the loop listens to, and — for a scheduler that competes with
//! others — its leadership and heartbeats.
//!
//! With `REDIS_URL`, leadership is a Redis key and heartbeats are Redis hashes; without it,
//! the database keeps both (a lock the store provides, and the instances table). Change events
//! come from the Redis channel (unless sync is disabled) and from the database's own
//! notifications where it sends them.

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::feed::{self, Change};
use super::heartbeat::{self, Identity, Registry, Snapshot};
use super::leader::{self, Leadership, Lease, Progress};
use crate::config::Redacted;
use crate::store::{AnyStore, StoreError};

/// Where the scheduler meets the others: from the settings.
#[derive(Debug, Clone)]
pub struct Coordination {
    /// `REDIS_URL`: leadership, heartbeats and change events; `None` leaves leadership and
    /// heartbeats to the database.
    pub redis_url: Option<Redacted>,
    /// The key namespace of leadership and heartbeats (`CELERY_BEAT_NAMESPACE`).
    pub namespace: String,
    /// The channel of change events, `None` when sync is disabled.
    pub channel: Option<String>,
    /// The deadline of one Redis command.
    pub redis_timeout: Duration,
}

/// Starts every change feed this configuration has, sending into `tx`: the Redis channel, and
/// the database's notifications (Postgres). Abort the handles to stop them.
pub fn spawn_feeds(
    c: &Coordination,
    store: &AnyStore,
    tx: &mpsc::Sender<Change>,
) -> Vec<JoinHandle<()>> {
    let mut feeds = Vec::new();
    if let (Some(url), Some(channel)) = (&c.redis_url, &c.channel) {
        feeds.push(feed::spawn_redis(
            url.clone(),
            channel.clone(),
            c.redis_timeout,
            tx.clone(),
        ));
    }
    feeds.extend(feed::spawn_database(store.clone(), tx.clone()));
    feeds
}

/// How leadership and heartbeats work for this configuration: with `REDIS_URL`, a Redis key
/// and Redis heartbeats; else the store's leadership lock, with heartbeats in the database.
pub fn leadership_for(
    c: &Coordination,
    store: &AnyStore,
    token: Uuid,
    lease: Duration,
) -> Result<(Leadership, Registry), StoreError> {
    let (backend, registry) = match &c.redis_url {
        Some(url) => (
            leader::Backend::Redis {
                url: url.clone(),
                key: leader::leader_key(&c.namespace),
                conn: None,
                held: false,
            },
            Registry::Redis {
                url: url.clone(),
                namespace: c.namespace.clone(),
            },
        ),
        None => (
            leader::Backend::Database(store.leader_lock(leader::advisory_key(&c.namespace))?),
            Registry::Database(store.clone()),
        ),
    };
    Ok((
        Leadership {
            backend,
            token,
            lease,
            timeout: c.redis_timeout,
            watchdog: None,
        },
        registry,
    ))
}

/// A scheduler's part in a group of schedulers: its leadership, then its heartbeats.
pub struct Membership {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    /// Held until [`Membership::start_heartbeats`].
    pending: Option<Heartbeats>,
    redis_timeout: Duration,
}

/// The heartbeats of a member, ready to start.
struct Heartbeats {
    registry: Registry,
    identity: Identity,
    every: Duration,
    lease: watch::Receiver<Lease>,
    snapshot: watch::Receiver<Snapshot>,
}

/// What the loop receives from [`Membership::join`].
pub struct Seat {
    /// The leadership's current lease.
    pub lease: watch::Receiver<Lease>,
    /// Where the loop publishes what heartbeats report.
    pub snapshot: watch::Sender<Snapshot>,
}

impl Membership {
    /// Starts competing for the leadership and waits (at most one lease) for the first
    /// attempt, which decides whether start-up catches up (leader) or stands by. `progress`
    /// is the loop's: a loop stuck longer than its stall limit gives the leadership up.
    pub async fn join(
        c: &Coordination,
        store: &AnyStore,
        instance_id: Uuid,
        lease: Duration,
        progress: Progress,
    ) -> Result<(Self, Seat), StoreError> {
        let (mut leadership, registry) = leadership_for(c, store, instance_id, lease)?;
        leadership.watchdog = Some((progress, leader::stall_limit(lease)));
        tracing::info!(instance = %instance_id, via = %leadership.backend.describe(), heartbeats = %registry.describe(), lease_ms = lease.as_millis() as u64, "leadership");
        let identity = Identity {
            instance_id,
            host: super::dispatch::hostname(),
            pid: std::process::id(),
            // Heartbeats are read by other processes against the wall clock (`beat status`,
            // `diagnose`): they carry wall-clock times, not the scheduling clock's.
            started_at: chrono::Utc::now(),
            leadership: leadership.backend.kind().to_string(),
        };
        let (stop, stop_rx) = watch::channel(false);
        let (lease_rx, lease_task) = leadership.spawn(stop_rx);
        let mut first = lease_rx.clone();
        let _ = tokio::time::timeout(lease, first.wait_for(|l| l.attempts > 0)).await;
        let (snapshot, snap_rx) = watch::channel(Snapshot::default());
        let every = (lease / 3).min(Duration::from_secs(5));
        Ok((
            Self {
                stop,
                tasks: vec![lease_task],
                pending: Some(Heartbeats {
                    registry,
                    identity,
                    every,
                    lease: lease_rx.clone(),
                    snapshot: snap_rx,
                }),
                redis_timeout: c.redis_timeout,
            },
            Seat {
                lease: lease_rx,
                snapshot,
            },
        ))
    }

    /// Starts the heartbeats: after the plan is loaded, so that the first one reports it.
    pub fn start_heartbeats(&mut self) {
        if let Some(h) = self.pending.take() {
            self.tasks.push(heartbeat::spawn(
                h.registry,
                h.identity,
                h.every,
                h.lease,
                h.snapshot,
                self.stop.subscribe(),
                self.redis_timeout,
            ));
        }
    }

    /// Gives the leadership up and removes the heartbeat (each given at most 5 s): once the
    /// batch in flight is done.
    pub async fn leave(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}
