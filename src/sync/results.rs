//! The Celery result backend on Redis: `celery-task-meta-<task id>` string keys.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use redis::AsyncCommands;
use serde_json::Value;
use uuid::Uuid;

use super::redis_conn::{self, SyncError};
use crate::config::Redacted;

/// A task's state as the result backend tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskResult {
    /// `SUCCESS`, `FAILURE`, `REVOKED`, `STARTED`, … or `PENDING` when there is no key.
    pub status: String,
    /// The stored `result` (the return value, or the exception for failures).
    pub result: Value,
    /// When the worker finished.
    pub date_done: Option<DateTime<Utc>>,
}

impl TaskResult {
    /// Whether the task will not change state any more.
    pub fn is_final(&self) -> bool {
        matches!(self.status.as_str(), "SUCCESS" | "FAILURE" | "REVOKED")
    }

    /// The state of a task the backend has no key for.
    pub fn pending() -> Self {
        Self {
            status: "PENDING".into(),
            result: Value::Null,
            date_done: None,
        }
    }

    /// Reads a stored result document; unreadable text counts as `PENDING`.
    pub fn parse(text: &str) -> Self {
        let Ok(doc) = serde_json::from_str::<Value>(text) else {
            return Self::pending();
        };
        let date_done = doc
            .get("date_done")
            .and_then(Value::as_str)
            .and_then(parse_date);
        Self {
            status: doc
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("PENDING")
                .to_string(),
            result: doc.get("result").cloned().unwrap_or(Value::Null),
            date_done,
        }
    }
}

/// Celery writes `date_done` with or without an offset (naive means UTC).
fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// How many results one MGET reads: each answers well within the Redis timeout.
pub const FETCH_CHUNK: usize = 10_000;

/// Reads the results of any number of tasks, one MGET per [`FETCH_CHUNK`].
pub async fn fetch_many(
    url: &Redacted,
    ids: &[Uuid],
    timeout: Duration,
) -> Result<std::collections::HashMap<Uuid, TaskResult>, SyncError> {
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(FETCH_CHUNK) {
        found.extend(chunk.iter().copied().zip(fetch(url, chunk, timeout).await?));
    }
    Ok(found)
}

/// Reads the results of many tasks in one MGET.
pub async fn fetch(
    url: &Redacted,
    ids: &[Uuid],
    timeout: Duration,
) -> Result<Vec<TaskResult>, SyncError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = redis_conn::connect(url, timeout).await?;
    let keys: Vec<String> = ids
        .iter()
        .map(|id| format!("celery-task-meta-{id}"))
        .collect();
    let values: Vec<Option<String>> = conn
        .mget(&keys)
        .await
        .map_err(|e| redis_conn::command_error(url, timeout, e))?;
    Ok(values
        .into_iter()
        .map(|v| v.map_or_else(TaskResult::pending, |t| TaskResult::parse(&t)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_parse() {
        let r = TaskResult::parse(
            r#"{"status": "SUCCESS", "result": "ok", "traceback": null, "children": [], "date_done": "2026-01-01T00:00:01.500000+00:00", "task_id": "x"}"#,
        );
        assert_eq!((r.status.as_str(), r.is_final()), ("SUCCESS", true));
        assert_eq!(
            r.date_done.unwrap().to_rfc3339(),
            "2026-01-01T00:00:01.500+00:00"
        );
        let naive = TaskResult::parse(
            r#"{"status": "STARTED", "result": {"pid": 1}, "date_done": "2026-01-01T00:00:01"}"#,
        );
        assert!(!naive.is_final());
        assert!(naive.date_done.is_some());
        assert_eq!(TaskResult::parse("garbage").status, "PENDING");
    }
}
