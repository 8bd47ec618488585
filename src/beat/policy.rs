//! The running checks behind the execution policies: (a) the worker-side lock in Redis,
//! (b) the last dispatched task's state in the result backend. The checks of every schedule due
//! at one instant go out together: one pipelined round trip per server (one in all when the
//! locks and the results live in the same Redis database).

use std::time::Duration;

use chrono::{DateTime, Utc};
use md5::{Digest, Md5};
use redis::aio::MultiplexedConnection;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::message::python_json_dumps_sorted;
use crate::config::Redacted;
use crate::domain::policy::{self, Running};
use crate::store::LastDispatch;
use crate::sync::redis_conn::{self, SyncError};
use crate::sync::results::TaskResult;

/// The worker-side lock key of a task and its kwargs: `task_lock:<task_name>:<md5 hex>`, the
/// md5 taken over the exact text of Python's `json.dumps(kwargs, sort_keys=True)`.
pub fn lock_key(task_name: &str, kwargs: &Map<String, Value>) -> String {
    let text = python_json_dumps_sorted(&Value::Object(kwargs.clone()));
    let digest = Md5::digest(text.as_bytes());
    let mut key = String::with_capacity(task_name.len() + 43);
    key.push_str("task_lock:");
    key.push_str(task_name);
    key.push(':');
    for b in digest {
        use std::fmt::Write as _;
        let _ = write!(key, "{b:02x}");
    }
    key
}

/// One schedule to check.
#[derive(Debug, Clone)]
pub struct CheckItem<'a> {
    /// The Celery task.
    pub task_name: &'a str,
    /// Its kwargs (for the lock key).
    pub kwargs: &'a Map<String, Value>,
    /// Its last dispatched task, if any.
    pub last: Option<LastDispatch>,
}

/// A Redis endpoint with a connection kept between checks and re-opened after a failure.
struct Endpoint {
    url: Redacted,
    conn: Option<MultiplexedConnection>,
}

impl Endpoint {
    async fn conn(&mut self, timeout: Duration) -> Result<&mut MultiplexedConnection, SyncError> {
        if self.conn.is_none() {
            self.conn = Some(redis_conn::connect(&self.url, timeout).await?);
        }
        self.conn.as_mut().ok_or(SyncError::Timeout {
            url: self.url.clone(),
            timeout,
        })
    }

    async fn query<T: redis::FromRedisValue>(
        &mut self,
        pipe: &redis::Pipeline,
        timeout: Duration,
    ) -> Result<T, SyncError> {
        let url = self.url.clone();
        let conn = self.conn(timeout).await?;
        match pipe.query_async(conn).await {
            Ok(v) => Ok(v),
            Err(e) => {
                self.conn = None;
                Err(redis_conn::command_error(&url, timeout, e))
            }
        }
    }
}

/// Finds out which schedules' previous runs are still running.
pub struct Checker {
    locks: Option<Endpoint>,
    results: Option<Endpoint>,
    /// The locks and the results are in the same Redis database: one pipeline for both.
    shared: bool,
    running_timeout: chrono::Duration,
    timeout: Duration,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("locks", &self.locks.as_ref().map(|e| e.url.to_string()))
            .field("results", &self.results.as_ref().map(|e| e.url.to_string()))
            .field("running_timeout", &self.running_timeout)
            .finish()
    }
}

impl Checker {
    /// Checks locks in the Redis at `locks` and results in the Redis result backend at
    /// `results`; either may be absent (that check is then not made).
    pub fn new(
        locks: Option<Redacted>,
        results: Option<Redacted>,
        running_timeout: chrono::Duration,
        timeout: Duration,
    ) -> Self {
        let shared = match (&locks, &results) {
            (Some(a), Some(b)) => a.expose() == b.expose(),
            _ => false,
        };
        Self {
            locks: locks.map(|url| Endpoint { url, conn: None }),
            results: if shared {
                None
            } else {
                results.map(|url| Endpoint { url, conn: None })
            },
            shared,
            running_timeout,
            timeout,
        }
    }

    /// Whether any check can be made at all.
    pub fn is_active(&self) -> bool {
        self.locks.is_some() || self.results.is_some()
    }

    /// Whether the result check (b) is made.
    pub fn checks_results(&self) -> bool {
        self.shared || self.results.is_some()
    }

    /// What is running, aligned with `items` (`None`: not running). Lock first: a held lock
    /// is the stronger evidence.
    pub async fn check(
        &mut self,
        items: &[CheckItem<'_>],
        now: DateTime<Utc>,
    ) -> Result<Vec<Option<Running>>, SyncError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = items
            .iter()
            .map(|i| lock_key(i.task_name, i.kwargs))
            .collect();
        let with_result: Vec<(usize, LastDispatch)> = items
            .iter()
            .enumerate()
            .filter_map(|(n, i)| i.last.map(|l| (n, l)))
            .collect();
        let result_keys: Vec<String> = with_result
            .iter()
            .map(|(_, l)| format!("celery-task-meta-{}", l.celery_task_id))
            .collect();
        let mut locked = vec![false; items.len()];
        let mut states: Vec<Option<String>> = vec![None; result_keys.len()];
        let timeout = self.timeout;
        if self.shared {
            let mut pipe = redis::pipe();
            for k in &keys {
                pipe.exists(k);
            }
            if !result_keys.is_empty() {
                pipe.mget(&result_keys);
            }
            let endpoint = self.locks.as_mut().expect("shared implies locks");
            let mut values: Vec<redis::Value> = endpoint.query(&pipe, timeout).await?;
            if !result_keys.is_empty() {
                let last = values.pop().unwrap_or(redis::Value::Nil);
                states = redis::from_redis_value(last)
                    .map_err(|e| redis_conn::command_error(&endpoint.url, timeout, e.into()))?;
            }
            for (slot, v) in locked.iter_mut().zip(values) {
                *slot = redis::from_redis_value::<bool>(v).unwrap_or(false);
            }
        } else {
            let lock_query = async {
                let Some(endpoint) = self.locks.as_mut() else {
                    return Ok(None);
                };
                let mut pipe = redis::pipe();
                for k in &keys {
                    pipe.exists(k);
                }
                endpoint.query::<Vec<bool>>(&pipe, timeout).await.map(Some)
            };
            let result_query = async {
                let Some(endpoint) = self.results.as_mut() else {
                    return Ok(None);
                };
                if result_keys.is_empty() {
                    return Ok(None);
                }
                let mut pipe = redis::pipe();
                pipe.mget(&result_keys);
                endpoint
                    .query::<(Vec<Option<String>>,)>(&pipe, timeout)
                    .await
                    .map(|(v,)| Some(v))
            };
            let (l, r) = tokio::join!(lock_query, result_query);
            if let Some(l) = l? {
                locked = l;
            }
            if let Some(r) = r? {
                states = r;
            }
        }
        let mut out: Vec<Option<Running>> = keys
            .into_iter()
            .zip(&locked)
            .map(|(key, held)| held.then_some(Running::Lock { key }))
            .collect();
        if self.checks_results() {
            for ((n, last), state) in with_result.iter().zip(states) {
                if out[*n].is_some() {
                    continue;
                }
                let result = state.map_or_else(TaskResult::pending, |t| TaskResult::parse(&t));
                if policy::unfinished(
                    result.is_final(),
                    last.dispatched_at,
                    now,
                    self.running_timeout,
                ) {
                    out[*n] = Some(Running::Unfinished {
                        task_id: last.celery_task_id,
                        dispatched_at: last.dispatched_at,
                        state: result.status,
                    });
                }
            }
        }
        Ok(out)
    }
}

/// The last dispatch of each item from what the database and this process know, whichever is
/// later.
pub fn merge_last(db: Option<LastDispatch>, mine: Option<LastDispatch>) -> Option<LastDispatch> {
    match (db, mine) {
        (Some(a), Some(b)) => Some(if b.dispatched_at > a.dispatched_at {
            b
        } else {
            a
        }),
        (a, b) => a.or(b),
    }
}

/// Ids for the `LastDispatch` of a run this process just sent.
pub fn sent_now(schedule_id: Uuid, task_id: Uuid, at: DateTime<Utc>) -> LastDispatch {
    LastDispatch {
        schedule_id,
        celery_task_id: task_id,
        dispatched_at: at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md5_of(kwargs: &str) -> String {
        let map: Map<String, Value> = serde_json::from_str(kwargs).unwrap();
        lock_key("t", &map)
            .trim_start_matches("task_lock:t:")
            .to_string()
    }

    #[test]
    fn lock_keys_match_python() {
        // The vectors of the issue: md5 of json.dumps(kwargs, sort_keys=True).
        assert_eq!(md5_of("{}"), "99914b932bd37a50b983c5e7c90ae93b");
        assert_eq!(
            md5_of(r#"{"period_type": "daily"}"#),
            "6b618d4f7dab2cbb13b5c529956294cd"
        );
        assert_eq!(
            md5_of(
                r#"{"period_type": "custom", "from_date": "2026-01-01", "to_date": "2026-01-31", "codes": ["7203", "6758"]}"#
            ),
            "41216bb0f1b0f4a2559c464eaa443ac4"
        );
        assert_eq!(
            md5_of(r#"{"b": 1, "a": {"z": [1, 2.5, null, true], "y": "日本"}}"#),
            "2d3717fc713edb77b30576aed74c0a40"
        );
        assert_eq!(
            md5_of(r#"{"x": 1e20, "y": 0.1, "n": -0.0}"#),
            "8dc033470836689a61fa81c8be4522e2"
        );
        let map: Map<String, Value> = serde_json::from_str(r#"{"period_type": "daily"}"#).unwrap();
        assert_eq!(
            lock_key("app.tasks.fetch", &map),
            "task_lock:app.tasks.fetch:6b618d4f7dab2cbb13b5c529956294cd"
        );
    }

    #[test]
    fn dumps_text_is_pythons() {
        let v: Value = serde_json::from_str(
            r#"{"b": 1, "a": {"z": [1, 2.5, null, true], "y": "日本\u007f😀"}, "x": 1e20, "n": -0.0}"#,
        )
        .unwrap();
        assert_eq!(
            python_json_dumps_sorted(&v),
            r#"{"a": {"y": "\u65e5\u672c\u007f\ud83d\ude00", "z": [1, 2.5, null, true]}, "b": 1, "n": -0.0, "x": 1e+20}"#
        );
    }

    #[test]
    fn the_later_dispatch_wins() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let a = sent_now(Uuid::nil(), Uuid::from_u128(1), at("2026-01-01T00:00:00Z"));
        let b = sent_now(Uuid::nil(), Uuid::from_u128(2), at("2026-01-01T00:01:00Z"));
        assert_eq!(merge_last(Some(a), Some(b)), Some(b));
        assert_eq!(merge_last(Some(b), Some(a)), Some(b));
        assert_eq!(merge_last(None, Some(a)), Some(a));
        assert_eq!(merge_last(None, None), None);
    }
}
