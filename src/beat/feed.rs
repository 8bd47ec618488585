//! Change feeds: the Redis channel and the database's notifications (Postgres NOTIFY), turned
//! into [`Change`]s for the loop.
//! A lost connection is logged once, retried with backoff, and followed by a [`Change::Resync`].

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::config::Redacted;
use crate::store::AnyStore;
use crate::sync::redis_conn;

/// What the loop hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A schedule was created, changed or deleted.
    Schedule(Uuid),
    /// A task definition changed.
    Task(String),
    /// The durable change version moved (Postgres NOTIFY) and anything may have changed.
    Version(i64),
    /// The durable change version moved to `version` by one schedule statement that changed
    /// exactly the schedules `ids` (Postgres NOTIFY, migration 0008).
    Rows {
        /// The version this statement produced.
        version: i64,
        /// The schedules it inserted, updated or deleted (possibly none).
        ids: Vec<Uuid>,
    },
    /// A feed reconnected: anything may have changed meanwhile.
    Resync,
}

/// Parses a change event from the Redis channel; `None` for messages the loop ignores
/// (diagnostic pings, unknown types, malformed text).
pub fn parse_event(payload: &str) -> Option<Change> {
    let event: Value = serde_json::from_str(payload).ok()?;
    let kind = event.get("event_type")?.as_str()?;
    match kind {
        "schedule_created" | "schedule_updated" | "schedule_deleted" => {
            Uuid::parse_str(event.get("schedule_id")?.as_str()?)
                .ok()
                .map(Change::Schedule)
        }
        "task_definition_updated" | "task_definition_deleted" => Some(Change::Task(
            event
                .get("task_name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )),
        _ => None,
    }
}

/// Parses the version trigger's NOTIFY payload (see migration 0008): `V` (anything changed),
/// `V:` (no row), `V:id,id` (those rows), `V:*` (too many rows to name). Anything unreadable
/// is a [`Change::Resync`].
pub fn parse_notify(payload: &str) -> Change {
    let (version, rest) = match payload.split_once(':') {
        Some((v, rest)) => (v, Some(rest)),
        None => (payload, None),
    };
    let Ok(version) = version.parse::<i64>() else {
        return Change::Resync;
    };
    match rest {
        None | Some("*") => Change::Version(version),
        Some("") => Change::Rows {
            version,
            ids: Vec::new(),
        },
        Some(list) => list
            .split(',')
            .map(Uuid::parse_str)
            .collect::<Result<Vec<_>, _>>()
            .map_or(Change::Version(version), |ids| Change::Rows {
                version,
                ids,
            }),
    }
}

const BACKOFF_START: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// Subscribes to the change channel for as long as `tx` is open, reconnecting with backoff.
pub fn spawn_redis(
    url: Redacted,
    channel: String,
    timeout: Duration,
    tx: mpsc::Sender<Change>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut backoff = BACKOFF_START;
        let mut outage = false;
        let mut first = true;
        loop {
            match redis_conn::subscribe(&url, &channel, timeout).await {
                Ok(pubsub) => {
                    if outage {
                        tracing::info!(redis = %url, %channel, "Redis connection restored; reloading every schedule");
                    } else {
                        tracing::debug!(redis = %url, %channel, "subscribed to change events");
                    }
                    if !first && tx.send(Change::Resync).await.is_err() {
                        return;
                    }
                    first = false;
                    backoff = BACKOFF_START;
                    let mut messages = pubsub.into_on_message();
                    while let Some(msg) = messages.next().await {
                        let payload: String = msg.get_payload().unwrap_or_default();
                        if let Some(change) = parse_event(&payload)
                            && tx.send(change).await.is_err()
                        {
                            return;
                        }
                    }
                    tracing::warn!(redis = %url, "lost the Redis connection of change events; retrying");
                    outage = true;
                }
                Err(e) => {
                    if !outage {
                        let cause = std::error::Error::source(&e)
                            .map(|c| format!(": {c}"))
                            .unwrap_or_default();
                        tracing::warn!(redis = %url, error = %format!("{e}{cause}"), "cannot subscribe to change events; retrying with backoff (the version poll still sees changes)");
                        outage = true;
                    }
                    first = false;
                }
            }
            if tx.is_closed() {
                return;
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    })
}

/// Listens for the database's change notifications (Postgres: the version trigger's NOTIFY)
/// for as long as `tx` is open; `None` when the database sends none (SQLite).
pub fn spawn_database(
    store: AnyStore,
    tx: mpsc::Sender<Change>,
) -> Option<tokio::task::JoinHandle<()>> {
    if !store.has_change_notifications() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut backoff = BACKOFF_START;
        let mut outage = false;
        loop {
            match store.listen_changes().await {
                Ok(None) => return,
                Ok(Some(mut listener)) => {
                    if outage {
                        tracing::info!("Postgres LISTEN restored");
                        if tx.send(Change::Resync).await.is_err() {
                            return;
                        }
                    }
                    backoff = BACKOFF_START;
                    loop {
                        match listener.recv().await {
                            Ok(note) => {
                                let change = parse_notify(&note.payload);
                                if tx.send(change).await.is_err() {
                                    return;
                                }
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "lost the Postgres LISTEN connection; retrying");
                                outage = true;
                                break;
                            }
                        }
                    }
                }
                Err(e) => {
                    if !outage {
                        tracing::warn!(error = %e, "cannot LISTEN on Postgres; retrying with backoff");
                        outage = true;
                    }
                }
            }
            if tx.is_closed() {
                return;
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_become_changes() {
        let id = "0b7e6a52-4f0c-4a0e-9d44-6f1f0a000001";
        let e = format!(
            r#"{{"event_type": "schedule_updated", "schedule_id": "{id}", "timestamp": "x"}}"#
        );
        assert_eq!(
            parse_event(&e),
            Some(Change::Schedule(Uuid::parse_str(id).unwrap()))
        );
        assert_eq!(
            parse_event(r#"{"event_type": "task_definition_deleted", "task_name": "t"}"#),
            Some(Change::Task("t".into()))
        );
        assert_eq!(parse_event(r#"{"event_type": "diagnostic_ping"}"#), None);
        assert_eq!(parse_event("not json"), None);
        assert_eq!(parse_notify("7"), Change::Version(7));
        assert_eq!(parse_notify("7:*"), Change::Version(7));
        assert_eq!(
            parse_notify("7:"),
            Change::Rows {
                version: 7,
                ids: vec![]
            }
        );
        assert_eq!(
            parse_notify(&format!("8:{id},{id}")),
            Change::Rows {
                version: 8,
                ids: vec![Uuid::parse_str(id).unwrap(); 2]
            }
        );
        assert_eq!(parse_notify("8:bad"), Change::Version(8));
        assert_eq!(parse_notify("x"), Change::Resync);
        assert_eq!(
            parse_event(r#"{"event_type": "schedule_created", "schedule_id": "nope"}"#),
            None
        );
    }
}
