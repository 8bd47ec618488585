//! Heartbeats: every `run-beat` reports itself every few seconds, in Redis (a hash
//! `<namespace>:instance:<id>` with a TTL, indexed by the sorted set `<namespace>:instances`,
//! which expires an hour after the last heartbeat of any instance)
//! or, without Redis, in the database table `stockura_beat_instances`. `beat status` and
//! `diagnose` read them back.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;
use uuid::Uuid;

use super::leader::{Lease, leader_key};
use crate::config::Redacted;
use crate::domain::instance::{BeatInstance, Role};
use crate::store::{AnyStore, InstanceStore, StoreError};
use crate::sync::redis_conn::{self, SyncError};

/// How long an index entry outlives its heartbeat before writers prune it; also the TTL of the
/// index itself, renewed by every heartbeat, so that schedulers that were killed leave nothing
/// behind for longer.
const PRUNE_AFTER_MS: i64 = 3_600_000;

/// The hash of one instance.
pub fn instance_key(namespace: &str, id: Uuid) -> String {
    format!("{namespace}:instance:{id}")
}

/// The index of instances (member: id, score: heartbeat time in ms).
pub fn index_key(namespace: &str) -> String {
    format!("{namespace}:instances")
}

/// Where heartbeats go and are read from.
#[derive(Debug, Clone)]
pub enum Registry {
    /// Redis, under a namespace.
    Redis {
        /// The Redis.
        url: Redacted,
        /// The key namespace (default `stockura:beat`).
        namespace: String,
    },
    /// The database.
    Database(AnyStore),
}

/// A failure to write or read heartbeats.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Redis failed.
    #[error(transparent)]
    Redis(#[from] SyncError),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] StoreError),
    /// No answer in time.
    #[error("{place} did not answer within {} ms", timeout.as_millis())]
    Timeout {
        /// Where the heartbeats were read.
        place: String,
        /// The wait.
        timeout: Duration,
    },
}

impl crate::error::Classify for RegistryError {
    fn kind(&self) -> crate::error::ErrorKind {
        match self {
            Self::Redis(e) => e.kind(),
            Self::Database(e) => e.kind(),
            Self::Timeout { .. } => crate::error::ErrorKind::Unavailable,
        }
    }
    fn hint(&self) -> Option<String> {
        match self {
            Self::Redis(e) => e.hint(),
            Self::Database(e) => e.hint(),
            Self::Timeout { .. } => Some("check that Redis and the database are running".into()),
        }
    }
}

/// What the scheduler loop reports about itself; the heartbeat task adds the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// Schedules in the plan.
    pub schedules: u64,
    /// When it last dispatched a batch.
    pub last_tick_at: Option<DateTime<Utc>>,
    /// That batch's lag in milliseconds.
    pub lag_ms: Option<i64>,
    /// The change version the plan was loaded at.
    pub change_version: i64,
}

/// The unchanging part of an instance's heartbeat.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The instance id (also the leadership token).
    pub instance_id: Uuid,
    /// The host name.
    pub host: String,
    /// The process id.
    pub pid: u32,
    /// When the process started.
    pub started_at: DateTime<Utc>,
    /// `redis`, `postgres` or `file`.
    pub leadership: String,
}

fn field<'a>(map: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    map.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

fn time(map: &HashMap<String, String>, name: &str) -> Option<DateTime<Utc>> {
    field(map, name)
        .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Reads an instance hash; `None` when it is not one.
fn from_hash(map: &HashMap<String, String>) -> Option<BeatInstance> {
    Some(BeatInstance {
        instance_id: field(map, "instance_id")?.parse().ok()?,
        host: field(map, "host").unwrap_or_default().to_string(),
        pid: field(map, "pid").and_then(|v| v.parse().ok()).unwrap_or(0),
        version: field(map, "version").unwrap_or_default().to_string(),
        started_at: time(map, "started_at")?,
        role: field(map, "role")?.parse().ok()?,
        leadership: field(map, "leadership").unwrap_or_default().to_string(),
        schedules: field(map, "schedules")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        last_tick_at: time(map, "last_tick_at"),
        lag_ms: field(map, "lag_ms").and_then(|v| v.parse().ok()),
        change_version: field(map, "change_version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        heartbeat_at: time(map, "heartbeat_at")?,
        expires_at: time(map, "expires_at")?,
    })
}

fn to_hash(i: &BeatInstance) -> Vec<(&'static str, String)> {
    let t = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    vec![
        ("instance_id", i.instance_id.to_string()),
        ("host", i.host.clone()),
        ("pid", i.pid.to_string()),
        ("version", i.version.clone()),
        ("started_at", t(i.started_at)),
        ("role", i.role.as_str().to_string()),
        ("leadership", i.leadership.clone()),
        ("schedules", i.schedules.to_string()),
        ("last_tick_at", i.last_tick_at.map(t).unwrap_or_default()),
        (
            "lag_ms",
            i.lag_ms.map(|v| v.to_string()).unwrap_or_default(),
        ),
        ("change_version", i.change_version.to_string()),
        ("heartbeat_at", t(i.heartbeat_at)),
        ("expires_at", t(i.expires_at)),
    ]
}

impl Registry {
    /// `redis` or `database`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Redis { .. } => "redis",
            Self::Database(_) => "database",
        }
    }

    /// Where, for messages.
    pub fn describe(&self) -> String {
        match self {
            Self::Redis { url, namespace } => format!("Redis at {url} (namespace {namespace})"),
            Self::Database(_) => "the database (stockura_beat_instances)".into(),
        }
    }

    /// Writes one heartbeat, valid until `expires_at`.
    pub async fn put(&self, i: &BeatInstance, timeout: Duration) -> Result<(), RegistryError> {
        match self {
            Self::Redis { url, namespace } => {
                let mut conn = redis_conn::connect(url, timeout).await?;
                let key = instance_key(namespace, i.instance_id);
                let index = index_key(namespace);
                let now_ms = i.heartbeat_at.timestamp_millis();
                let ttl_ms = (i.expires_at - i.heartbeat_at).num_milliseconds().max(1);
                let mut pipe = redis::pipe();
                pipe.atomic()
                    .hset_multiple(&key, &to_hash(i))
                    .ignore()
                    .pexpire(&key, ttl_ms)
                    .ignore()
                    .zadd(&index, i.instance_id.to_string(), now_ms)
                    .ignore()
                    .zrembyscore(&index, "-inf", now_ms - PRUNE_AFTER_MS)
                    .ignore()
                    .pexpire(&index, PRUNE_AFTER_MS)
                    .ignore();
                pipe.query_async::<()>(&mut conn)
                    .await
                    .map_err(|e| redis_conn::command_error(url, timeout, e))?;
                Ok(())
            }
            Self::Database(store) => Ok(store.put_instance(i).await?),
        }
    }

    /// Removes an instance's heartbeat.
    pub async fn remove(&self, id: Uuid, timeout: Duration) -> Result<(), RegistryError> {
        match self {
            Self::Redis { url, namespace } => {
                let mut conn = redis_conn::connect(url, timeout).await?;
                let mut pipe = redis::pipe();
                pipe.del(instance_key(namespace, id))
                    .ignore()
                    .zrem(index_key(namespace), id.to_string())
                    .ignore();
                pipe.query_async::<()>(&mut conn)
                    .await
                    .map_err(|e| redis_conn::command_error(url, timeout, e))?;
                Ok(())
            }
            Self::Database(store) => Ok(store.delete_instance(id).await?),
        }
    }

    /// Every recorded instance (live or expired) and, with Redis, the owner of the leadership
    /// key.
    pub async fn read(
        &self,
        timeout: Duration,
    ) -> Result<(Vec<BeatInstance>, Option<Uuid>), RegistryError> {
        match self {
            Self::Redis { url, namespace } => {
                let mut conn = redis_conn::connect(url, timeout).await?;
                let err = |e| redis_conn::command_error(url, timeout, e);
                let (ids, owner): (Vec<String>, Option<String>) = redis::pipe()
                    .zrange(index_key(namespace), 0, -1)
                    .get(leader_key(namespace))
                    .query_async(&mut conn)
                    .await
                    .map_err(err)?;
                let mut pipe = redis::pipe();
                for id in &ids {
                    pipe.hgetall(format!("{namespace}:instance:{id}"));
                }
                let hashes: Vec<HashMap<String, String>> = if ids.is_empty() {
                    Vec::new()
                } else {
                    pipe.query_async(&mut conn).await.map_err(err)?
                };
                let instances = hashes.iter().filter_map(from_hash).collect();
                Ok((instances, owner.and_then(|o| o.parse().ok())))
            }
            Self::Database(store) => Ok((store.list_instances().await?, None)),
        }
    }
}

/// Writes this instance's heartbeat every `every` until `stop`, then removes it. The role is
/// read from the lease (leader only while it is valid), the rest from the loop's snapshot.
pub fn spawn(
    registry: Registry,
    identity: Identity,
    every: Duration,
    lease: watch::Receiver<Lease>,
    snapshot: watch::Receiver<Snapshot>,
    mut stop: watch::Receiver<bool>,
    timeout: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let ttl = chrono::Duration::from_std(every * 3).unwrap_or(chrono::Duration::seconds(30));
        let mut failing = false;
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut lease = lease;
        loop {
            tokio::select! {
                _ = stop.changed() => {
                    if *stop.borrow() { break; }
                    continue;
                }
                // A change of role is reported at once.
                changed = lease.changed() => {
                    if changed.is_err() { break; }
                }
                _ = ticker.tick() => {}
            }
            let now = Utc::now();
            let s = snapshot.borrow().clone();
            let role = if lease.borrow().valid() {
                Role::Leader
            } else {
                Role::Standby
            };
            let beat = BeatInstance {
                instance_id: identity.instance_id,
                host: identity.host.clone(),
                pid: identity.pid,
                version: env!("CARGO_PKG_VERSION").to_string(),
                started_at: identity.started_at,
                role,
                leadership: identity.leadership.clone(),
                schedules: s.schedules,
                last_tick_at: s.last_tick_at,
                lag_ms: s.lag_ms,
                change_version: s.change_version,
                heartbeat_at: now,
                expires_at: now + ttl,
            };
            match tokio::time::timeout(timeout, registry.put(&beat, timeout)).await {
                Ok(Ok(())) if failing => {
                    tracing::info!(to = %registry.describe(), "heartbeats written again");
                    failing = false;
                }
                Ok(Err(e)) if !failing => {
                    tracing::warn!(to = %registry.describe(), error = %e, "cannot write the heartbeat; retrying");
                    failing = true;
                }
                Err(_) if !failing => {
                    tracing::warn!(to = %registry.describe(), "writing the heartbeat timed out; retrying");
                    failing = true;
                }
                _ => {}
            }
        }
        let _ = tokio::time::timeout(timeout, registry.remove(identity.instance_id, timeout)).await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_round_trip() {
        let t = DateTime::parse_from_rfc3339("2026-01-01T00:00:00.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let i = BeatInstance {
            instance_id: Uuid::from_u128(7),
            host: "web-1".into(),
            pid: 42,
            version: "0.1.0".into(),
            started_at: t,
            role: Role::Leader,
            leadership: "redis".into(),
            schedules: 10,
            last_tick_at: None,
            lag_ms: Some(3),
            change_version: 5,
            heartbeat_at: t,
            expires_at: t + chrono::Duration::seconds(10),
        };
        let map: HashMap<String, String> = to_hash(&i)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(from_hash(&map), Some(i));
        assert_eq!(from_hash(&HashMap::new()), None);
        assert_eq!(
            instance_key("stockura:beat", Uuid::from_u128(7)),
            "stockura:beat:instance:00000000-0000-0000-0000-000000000007"
        );
    }
}
