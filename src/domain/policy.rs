//! Execution policies: what the scheduler does with a slot while the schedule's previous run is
//! still running. Pure logic: what is running is found out by the beat (`beat::policy`) and
//! handed in.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::ExecutionPolicy;

/// Why the previous run of a schedule counts as running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Running {
    /// (a) The worker-side lock `task_lock:<task>:<md5>` exists in Redis.
    Lock {
        /// The lock key.
        key: String,
    },
    /// (b) The last dispatched task has no final result yet and was sent recently.
    Unfinished {
        /// Its Celery task id.
        task_id: Uuid,
        /// When it was sent.
        dispatched_at: DateTime<Utc>,
        /// The state the result backend reports (`PENDING` when it has no key).
        state: String,
    },
}

impl Running {
    /// The reason recorded in the history.
    pub fn reason(&self) -> String {
        match self {
            Self::Lock { key } => {
                format!("previous run still running: the worker lock {key} is held")
            }
            Self::Unfinished {
                task_id,
                dispatched_at,
                state,
            } => format!(
                "previous run still running: task {task_id}, sent at {}, has no final result ({state})",
                dispatched_at.to_rfc3339()
            ),
        }
    }
}

/// The detail of a slot skipped because a run is already held.
pub const ALREADY_QUEUED: &str = "one run already queued";

/// What to do with a due slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Send it now.
    Send,
    /// Record it `skipped` with this reason; send nothing.
    Skip(String),
    /// Record it `deferred` with this reason and hold it until the previous run finishes.
    Defer(String),
}

/// Decides a slot of a schedule with `policy`. `running` is what the checks found (`None`
/// when the previous run is over, or nothing ran yet); `held` says whether a deferred run of
/// this schedule is already waiting.
pub fn decide(policy: ExecutionPolicy, running: Option<&Running>, held: bool) -> Decision {
    match policy {
        ExecutionPolicy::Allow => Decision::Send,
        ExecutionPolicy::Skip => match running {
            Some(r) => Decision::Skip(r.reason()),
            None => Decision::Send,
        },
        ExecutionPolicy::Queue if held => Decision::Skip(ALREADY_QUEUED.to_string()),
        ExecutionPolicy::Queue => match running {
            Some(r) => Decision::Defer(r.reason()),
            None => Decision::Send,
        },
    }
}

/// Whether a policy needs the running checks at all.
pub fn needs_check(policy: ExecutionPolicy) -> bool {
    policy != ExecutionPolicy::Allow
}

/// Check (b): a task without a final result counts as running only while it was sent less
/// than `timeout` ago, so a lost result cannot block a schedule forever.
pub fn unfinished(
    is_final: bool,
    dispatched_at: DateTime<Utc>,
    now: DateTime<Utc>,
    timeout: Duration,
) -> bool {
    !is_final && now - dispatched_at < timeout
}

/// The detail of a deferred run once it is sent.
pub fn deferred_detail(slot: DateTime<Utc>, sent: DateTime<Utc>) -> String {
    let delay = (sent - slot).num_milliseconds().max(0) as f64 / 1000.0;
    format!("deferred: sent {delay:.3} s after its slot, once the previous run finished")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn policies_decide() {
        let lock = Running::Lock {
            key: "task_lock:t:99914b932bd37a50b983c5e7c90ae93b".into(),
        };
        assert_eq!(
            decide(ExecutionPolicy::Allow, Some(&lock), true),
            Decision::Send
        );
        assert_eq!(decide(ExecutionPolicy::Skip, None, false), Decision::Send);
        match decide(ExecutionPolicy::Skip, Some(&lock), false) {
            Decision::Skip(reason) => {
                assert!(reason.contains("worker lock task_lock:t:"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(decide(ExecutionPolicy::Queue, None, false), Decision::Send);
        assert!(matches!(
            decide(ExecutionPolicy::Queue, Some(&lock), false),
            Decision::Defer(_)
        ));
        // While one run is held, every later slot is skipped, running or not.
        for running in [None, Some(&lock)] {
            assert_eq!(
                decide(ExecutionPolicy::Queue, running, true),
                Decision::Skip(ALREADY_QUEUED.into())
            );
        }
        assert!(!needs_check(ExecutionPolicy::Allow));
        assert!(needs_check(ExecutionPolicy::Skip) && needs_check(ExecutionPolicy::Queue));
    }

    #[test]
    fn unfinished_runs_expire() {
        let sent = at("2026-01-01T00:00:00Z");
        let hour = Duration::hours(1);
        assert!(unfinished(false, sent, at("2026-01-01T00:59:59Z"), hour));
        assert!(!unfinished(false, sent, at("2026-01-01T01:00:00Z"), hour));
        assert!(!unfinished(true, sent, at("2026-01-01T00:00:01Z"), hour));
        let r = Running::Unfinished {
            task_id: Uuid::nil(),
            dispatched_at: sent,
            state: "PENDING".into(),
        };
        assert_eq!(
            r.reason(),
            "previous run still running: task 00000000-0000-0000-0000-000000000000, sent at 2026-01-01T00:00:00+00:00, has no final result (PENDING)"
        );
        assert_eq!(
            deferred_detail(sent, at("2026-01-01T00:00:07.25Z")),
            "deferred: sent 7.250 s after its slot, once the previous run finished"
        );
    }
}
