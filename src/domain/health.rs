//! Whether a schedule is healthy, as `stockura check` judges it: its latest due slot went out
//! (or was decided by its policy) within a grace, and its latest results are not failures.
//! Pure: the caller reads the schedule, its newest history rows and their results.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::cron;
use super::run::{Run, RunStatus, Trigger};
use super::schedule::Schedule;

/// A finished task's result, as the result backend tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// `SUCCESS`, `FAILURE` or `REVOKED`.
    pub status: String,
    /// When the worker finished.
    pub date_done: Option<DateTime<Utc>>,
    /// For a failure: the exception type and message, shortened.
    pub error: Option<String>,
}

/// What `check` is told to look for.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// How long after its instant a slot may take to go out.
    pub grace: Duration,
    /// How many of the latest results must not be failures (0: results are not looked at).
    pub failures: usize,
}

/// Why a schedule is unhealthy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The row cannot run as stored (bad cron, unknown zone, unreadable columns).
    CannotRun,
    /// A slot that was due did not go out within the grace.
    NotDispatched,
    /// One of the latest results is a failure.
    Failing,
}

/// One reason a schedule is unhealthy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// One sentence naming the slot or result.
    pub message: String,
}

/// The verdict on one schedule.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Health {
    /// The slot that was due last (its grace passed), if any was owed.
    pub due_slot: Option<DateTime<Utc>>,
    /// Every reason it is unhealthy; empty when healthy.
    pub problems: Vec<Problem>,
}

impl Health {
    /// Whether nothing is wrong.
    pub fn healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Judges `schedule` at `now`. `newest` are its newest history rows (any order); `results`
/// the finished results of its newest dispatched runs, newest first.
///
/// A slot is owed when it lies after the schedule's `updated_at` (a slot from before the
/// schedule existed, or from before it was last changed, enabled or paused included, is not
/// owed) and after the last slot of its cron that went out or that its policy decided
/// (`dispatched`, `skipped`, `deferred`, `dry_run`; without such a row, its `last_run_at`),
/// and its grace has passed. One such slot makes the schedule unhealthy: it was recorded
/// `missed`, `failed` or `owed`, or not at all.
pub fn assess(
    schedule: &Schedule,
    default_tz: Tz,
    now: DateTime<Utc>,
    newest: &[Run],
    results: &[Finished],
    rules: Rules,
) -> Health {
    let mut health = Health::default();
    let problems = schedule.run_problems();
    if !problems.is_empty() {
        health.problems.push(Problem {
            kind: ProblemKind::CannotRun,
            message: format!("cannot run as stored: {}", problems.join("; ")),
        });
        return health;
    }
    let (Ok(expr), Some(tz)) = (schedule.cron(), zone(schedule, default_tz)) else {
        return health;
    };
    // The newest slot of its cron that went out (on time, caught up or backfilled) or that
    // its policy decided. A manual run (`schedule trigger`) does not stand in for a slot.
    // Without such a row (history deleted by the retention, or written by another scheduler
    // before), `last_run_at` tells.
    let accounted = newest
        .iter()
        .filter(|r| {
            matches!(
                r.run.trigger,
                Trigger::Schedule | Trigger::Catchup | Trigger::Backfill
            ) && matches!(
                r.run.status,
                RunStatus::Dispatched
                    | RunStatus::Skipped
                    | RunStatus::Deferred
                    | RunStatus::DryRun
            )
        })
        .map(|r| r.run.scheduled_for)
        .max()
        .or(schedule.last_run_at);
    // Since when slots are owed: not from the epoch a `updated_at` another program left
    // unreadable stands in for (SQLite), when nothing else tells.
    let unread_version = schedule.unreadable.iter().any(|u| u.column == "updated_at");
    if unread_version && accounted.is_none() {
        return health;
    }
    let floor = accounted.map_or(schedule.updated_at, |t| t.max(schedule.updated_at));
    let due_by = now.checked_sub_signed(rules.grace).unwrap_or(now);
    if let Some(slot) = expr
        .next_after(floor, tz)
        .map(|t| t.with_timezone(&Utc))
        .filter(|slot| *slot < due_by)
    {
        health.due_slot = Some(slot);
        let recorded = newest
            .iter()
            .filter(|r| r.run.scheduled_for >= slot)
            .max_by_key(|r| (r.run.scheduled_for, r.id));
        let since = match schedule.last_run_at {
            Some(t) => format!("the last run was at {}", text(t)),
            None => "it never ran".to_string(),
        };
        let what = match recorded {
            Some(r) => {
                let detail = r
                    .run
                    .detail
                    .as_deref()
                    .map(|d| format!(": {}", shorten(d, 120)))
                    .unwrap_or_default();
                format!(
                    "the newest history row, slot {}, says {}{detail}",
                    text(r.run.scheduled_for),
                    r.run.status
                )
            }
            None => "nothing recorded it: is a scheduler running?".to_string(),
        };
        health.problems.push(Problem {
            kind: ProblemKind::NotDispatched,
            message: format!(
                "slot {} did not go out within {} ({since}); {what}",
                text(slot),
                duration_text(rules.grace)
            ),
        });
    }
    if let Some(failed) = results
        .iter()
        .take(rules.failures)
        .position(|r| r.status == "FAILURE")
    {
        let r = &results[failed];
        let when = r
            .date_done
            .map(|t| format!(" at {}", text(t)))
            .unwrap_or_default();
        let error = r
            .error
            .as_deref()
            .map(|e| format!(": {}", shorten(e, 160)))
            .unwrap_or_default();
        let which = if failed == 0 {
            "the latest result".to_string()
        } else {
            format!("result {} of the latest {}", failed + 1, rules.failures)
        };
        health.problems.push(Problem {
            kind: ProblemKind::Failing,
            message: format!("{which} is a failure{when}{error}"),
        });
    }
    health
}

fn zone(schedule: &Schedule, default_tz: Tz) -> Option<Tz> {
    match &schedule.timezone {
        Some(name) => cron::parse_timezone(name).ok(),
        None => Some(default_tz),
    }
}

fn text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A whole duration in its largest exact unit: `90s`, `5m`, `2h`, `3d`.
pub fn duration_text(d: Duration) -> String {
    let s = d.num_seconds();
    if s % 86_400 == 0 && s >= 86_400 {
        format!("{}d", s / 86_400)
    } else if s % 3600 == 0 && s >= 3600 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 && s >= 60 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

fn shorten(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        return text.to_string();
    }
    let mut out: String = text.chars().take(most.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::run::{NewRun, Trigger};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn schedule(cron: &str, updated: &str, last: Option<&str>) -> Schedule {
        Schedule {
            last_run_at: last.map(at),
            ..Schedule::example("s", cron, at(updated))
        }
    }

    fn row(s: &Schedule, slot: &str, status: RunStatus, detail: Option<&str>) -> Run {
        Run {
            id: 1,
            run: NewRun {
                schedule_id: Some(s.id),
                schedule_name: s.name.clone(),
                task_name: s.task_name.clone(),
                celery_task_id: None,
                scheduled_for: at(slot),
                dispatched_at: None,
                trigger: Trigger::Schedule,
                status,
                detail: detail.map(Into::into),
                arguments: crate::domain::schedule::Arguments::new(&[], &Default::default()),
                push_marker: None,
            },
            created_at: at(slot),
        }
    }

    const RULES: Rules = Rules {
        grace: Duration::seconds(60),
        failures: 1,
    };

    #[test]
    fn a_slot_is_owed_once_its_grace_passed() {
        let s = schedule(
            "*/5 * * * *",
            "2026-01-01T00:00:00Z",
            Some("2026-01-01T10:00:00Z"),
        );
        // 10:05 is due by 10:06.
        let h = assess(&s, Tz::UTC, at("2026-01-01T10:06:00Z"), &[], &[], RULES);
        assert!(h.healthy(), "{h:?}");
        let h = assess(&s, Tz::UTC, at("2026-01-01T10:06:01Z"), &[], &[], RULES);
        assert_eq!(h.due_slot, Some(at("2026-01-01T10:05:00Z")));
        assert_eq!(h.problems[0].kind, ProblemKind::NotDispatched);
        assert!(
            h.problems[0].message.contains("nothing recorded it"),
            "{}",
            h.problems[0].message
        );
        // The history says why.
        let missed = row(
            &s,
            "2026-01-01T10:05:00Z",
            RunStatus::Missed,
            Some("no scheduler ran"),
        );
        let h = assess(
            &s,
            Tz::UTC,
            at("2026-01-01T10:07:00Z"),
            &[missed],
            &[],
            RULES,
        );
        assert!(
            h.problems[0]
                .message
                .contains("says missed: no scheduler ran")
        );
    }

    #[test]
    fn slots_before_the_last_change_and_policy_decisions_are_not_owed() {
        // Created (or enabled) at 10:03: 10:00 was never owed, 10:05 is not due yet.
        let s = schedule("*/5 * * * *", "2026-01-01T10:03:00Z", None);
        assert!(assess(&s, Tz::UTC, at("2026-01-01T10:05:30Z"), &[], &[], RULES).healthy());
        // A slot its policy skipped counts as decided.
        let skipped = row(&s, "2026-01-01T10:05:00Z", RunStatus::Skipped, None);
        assert!(
            assess(
                &s,
                Tz::UTC,
                at("2026-01-01T10:09:00Z"),
                &[skipped],
                &[],
                RULES
            )
            .healthy()
        );
    }

    #[test]
    fn a_manual_run_does_not_stand_in_for_a_slot() {
        let s = schedule(
            "0 * * * *",
            "2026-01-01T00:00:00Z",
            Some("2026-01-01T10:20:00Z"),
        );
        let on_time = row(&s, "2026-01-01T09:00:00Z", RunStatus::Dispatched, None);
        let mut manual = row(&s, "2026-01-01T10:20:00Z", RunStatus::Dispatched, None);
        manual.run.trigger = Trigger::Manual;
        let h = assess(
            &s,
            Tz::UTC,
            at("2026-01-01T10:30:00Z"),
            &[on_time, manual],
            &[],
            RULES,
        );
        assert_eq!(h.due_slot, Some(at("2026-01-01T10:00:00Z")), "{h:?}");
    }

    #[test]
    fn a_backfilled_slot_went_out() {
        let s = schedule(
            "0 9 * * *",
            "2026-01-01T00:00:00Z",
            Some("2026-01-03T09:00:00Z"),
        );
        let before = row(&s, "2026-01-03T09:00:00Z", RunStatus::Dispatched, None);
        let mut backfilled = row(&s, "2026-01-04T09:00:00Z", RunStatus::Dispatched, None);
        backfilled.run.trigger = Trigger::Backfill;
        let now = at("2026-01-04T12:00:00Z");
        let h = assess(&s, Tz::UTC, now, std::slice::from_ref(&before), &[], RULES);
        assert_eq!(h.due_slot, Some(at("2026-01-04T09:00:00Z")), "{h:?}");
        let h = assess(&s, Tz::UTC, now, &[before, backfilled], &[], RULES);
        assert!(h.healthy(), "{h:?}");
    }

    #[test]
    fn failures_among_the_latest_results() {
        let s = schedule(
            "0 * * * *",
            "2026-01-01T00:00:00Z",
            Some("2026-01-01T10:00:00Z"),
        );
        let now = at("2026-01-01T10:30:00Z");
        let ok = Finished {
            status: "SUCCESS".into(),
            date_done: None,
            error: None,
        };
        let failed = Finished {
            status: "FAILURE".into(),
            date_done: Some(at("2026-01-01T09:00:05Z")),
            error: Some("ValueError 'bad'".into()),
        };
        let results = [ok.clone(), failed.clone()];
        assert!(assess(&s, Tz::UTC, now, &[], &results, RULES).healthy());
        let two = Rules {
            failures: 2,
            ..RULES
        };
        let h = assess(&s, Tz::UTC, now, &[], &results, two);
        assert_eq!(h.problems[0].kind, ProblemKind::Failing);
        assert_eq!(
            h.problems[0].message,
            "result 2 of the latest 2 is a failure at 2026-01-01T09:00:05Z: ValueError 'bad'"
        );
        let off = Rules {
            failures: 0,
            ..RULES
        };
        assert!(assess(&s, Tz::UTC, now, &[], &[failed], off).healthy());
    }

    #[test]
    fn a_row_that_cannot_run_is_unhealthy() {
        let s = schedule("0 25 * * *", "2026-01-01T00:00:00Z", None);
        let h = assess(&s, Tz::UTC, at("2026-01-02T00:00:00Z"), &[], &[], RULES);
        assert_eq!(h.problems[0].kind, ProblemKind::CannotRun);
    }
}
