//! `check`: whether every enabled schedule is healthy.

use serde::Serialize;
use uuid::Uuid;

use super::plural;
use super::table::{Fit, Grid, Layout};
use crate::domain::health::Problem;

/// `check`: the verdict on the selected schedules (exit 7 when one is unhealthy).
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Whether every checked schedule is healthy.
    pub ok: bool,
    /// Enabled schedules checked.
    pub checked: usize,
    /// How many of them are healthy.
    pub healthy: usize,
    /// `--grace`, in seconds: how long after its instant a slot may take to go out.
    pub grace_seconds: i64,
    /// `--failures`: how many of each schedule's latest results must not be failures.
    pub failures: u32,
    /// Whether results were read: `read`, `off` (`--failures 0`), `no result backend`, or
    /// `unreadable: <why>` (then failures are not judged).
    pub results: String,
    /// The unhealthy schedules, by name; empty when `ok`.
    pub unhealthy: Vec<Unhealthy>,
}

/// One unhealthy schedule.
#[derive(Debug, Clone, Serialize)]
pub struct Unhealthy {
    /// Schedule id.
    pub id: Uuid,
    /// Schedule name.
    pub name: String,
    /// Celery task name.
    pub task_name: String,
    /// Its `last_run_at` (RFC 3339, UTC); null when it never ran.
    pub last_run_at: Option<String>,
    /// The slot that should have gone out (RFC 3339, UTC); null when no slot is owed (it is
    /// unhealthy for another reason).
    pub due_slot: Option<String>,
    /// Every reason, in order: `{"kind", "message"}`, `kind` being `not_dispatched`,
    /// `failing` or `cannot_run`.
    pub problems: Vec<Problem>,
}

/// `check`: one line when all is well, else one row per problem and a count.
pub(super) fn check_text(report: &CheckReport, layout: Layout) -> String {
    let results = match report.results.as_str() {
        "read" if report.failures == 1 => ", the latest result not a failure".to_string(),
        "read" => format!(", the latest {} results not failures", report.failures),
        "off" => String::new(),
        other => format!("; results not judged ({other})"),
    };
    let rules = format!(
        "due slots sent within {}{results}",
        crate::domain::health::duration_text(chrono::Duration::seconds(report.grace_seconds))
    );
    if report.checked == 0 {
        return "No enabled schedule to check.\n".into();
    }
    if report.ok {
        return format!(
            "{} checked, all healthy: {rules}.\n",
            plural(report.checked, "enabled schedule")
        );
    }
    let mut grid = Grid::new(vec![
        ("SCHEDULE", Fit::Always),
        ("TASK", Fit::Whole(8)),
        ("PROBLEM", Fit::Always),
    ]);
    for u in &report.unhealthy {
        for p in &u.problems {
            grid.row(vec![u.name.clone(), u.task_name.clone(), p.message.clone()]);
        }
    }
    format!(
        "{}{} of {} unhealthy ({rules}).\n",
        grid.render(layout),
        report.unhealthy.len(),
        plural(report.checked, "enabled schedule")
    )
}
