//! Schedules: `schedule add`, `update`, `list`, `show`, `delete`, `enable`, `disable`, `next`,
//! and the lists of other commands.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use super::table::{Field, Fit, Grid, Layout, fields_table, local, local_in};
use super::{utc_text, zoned_text};
use crate::domain::Schedule;
use crate::domain::schedule::NextRuns;

/// A schedule as printed: the stored fields plus the effective zone and the next run.
#[derive(Debug, Clone)]
pub struct ScheduleView {
    /// The row.
    pub schedule: Schedule,
    /// The zone its cron is evaluated in; `None` when the stored zone is unknown.
    pub timezone: Option<Tz>,
    /// Whether the zone is the default (`CELERY_TIMEZONE`) rather than the schedule's own.
    pub default_timezone: bool,
    /// The next fire time; `None` when disabled, broken, or never again.
    pub next_run_at: Option<DateTime<Tz>>,
    /// What keeps the row from running as stored (see [`Schedule::problems`]).
    pub problems: Vec<String>,
    /// The Celery status of its latest dispatched run (`SUCCESS`, `FAILURE`, `PENDING`, …):
    /// read by `schedule list` when a Redis result backend is configured, else `None`.
    pub last_result_status: Option<String>,
}

impl ScheduleView {
    /// Computes the view at `now`.
    pub fn new(schedule: &Schedule, default_tz: Tz, now: DateTime<Utc>) -> Self {
        Self::with(&mut NextRuns::default(), schedule.clone(), default_tz, now)
    }

    /// Views of many schedules (taken, not copied), sharing parsed expressions.
    pub fn many(schedules: Vec<Schedule>, default_tz: Tz, now: DateTime<Utc>) -> Vec<Self> {
        let mut next = NextRuns::default();
        schedules
            .into_iter()
            .map(|s| Self::with(&mut next, s, default_tz, now))
            .collect()
    }

    fn with(next: &mut NextRuns, schedule: Schedule, default_tz: Tz, now: DateTime<Utc>) -> Self {
        let problems = if schedule.unreadable.is_empty()
            && next.zone(&schedule, default_tz).is_some()
            && next.is_valid(&schedule)
        {
            Vec::new()
        } else {
            schedule.problems()
        };
        Self {
            timezone: next.zone(&schedule, default_tz),
            default_timezone: schedule.timezone.is_none(),
            next_run_at: next.next_run(&schedule, now, default_tz),
            problems,
            schedule,
            last_result_status: None,
        }
    }

    /// The effective zone's name, or the stored (unknown) one.
    pub fn timezone_name(&self) -> String {
        match (&self.timezone, &self.schedule.timezone) {
            (Some(tz), _) => tz.name().to_string(),
            (None, Some(stored)) => stored.clone(),
            (None, None) => String::new(),
        }
    }

    /// The documented JSON object.
    pub fn to_json(&self) -> Value {
        let s = &self.schedule;
        json!({
            "id": s.id,
            "name": s.name,
            "task_name": s.task_name,
            "cron_expression": s.cron_expression,
            "timezone": self.timezone_name(),
            "enabled": s.enabled,
            "args": s.args,
            "kwargs": s.kwargs,
            "description": s.description,
            "category": s.category,
            "tags": s.tags,
            "execution_policy": s.execution_policy.as_str(),
            "auto_generated_name": s.auto_generated_name,
            "options": s.options.to_json(),
            "last_run_at": s.last_run_at.map(utc_text),
            "total_run_count": s.total_run_count,
            "next_run_at": self.next_run_at.map(|t| zoned_text(&t)),
            "created_at": utc_text(s.created_at),
            "updated_at": utc_text(s.updated_at),
            "problems": self.problems,
            "last_result_status": self.last_result_status,
        })
    }
}

pub(super) fn short_id(v: &ScheduleView) -> String {
    v.schedule.id.simple().to_string()[..8].to_string()
}

/// `schedule list` and the lists of other commands. Narrow, the columns go in this order:
/// policy, last run, tags, category, timezone, task, next run, cron, enabled; ID and NAME stay.
pub(super) fn list_table(views: &[ScheduleView], layout: Layout) -> String {
    let mut columns = vec![
        ("ID", Fit::Always),
        ("NAME", Fit::Always),
        ("TASK", Fit::Whole(6)),
        ("CRON", Fit::Whole(8)),
        ("TIMEZONE", Fit::Whole(5)),
        ("ENABLED", Fit::Whole(9)),
        ("POLICY", Fit::Whole(1)),
        ("CATEGORY", Fit::Whole(4)),
        ("TAGS", Fit::Whole(3)),
        ("NEXT RUN", Fit::Whole(7)),
        ("LAST RUN", Fit::Whole(2)),
    ];
    // Only when results were read (a Redis result backend is configured).
    let results = views.iter().any(|v| v.last_result_status.is_some());
    if results {
        columns.push(("LAST RESULT", Fit::Whole(2)));
    }
    let mut grid = Grid::new(columns);
    for v in views {
        let s = &v.schedule;
        let mut cells = vec![
            short_id(v),
            s.name.clone(),
            s.task_name.clone(),
            s.cron_expression.clone(),
            v.timezone_name(),
            if s.enabled { "yes" } else { "no" }.to_string(),
            s.execution_policy.to_string(),
            s.category.clone().unwrap_or_default(),
            s.tags.join(","),
            if v.problems.is_empty() {
                v.next_run_at
                    .as_ref()
                    .map(local)
                    .unwrap_or_else(|| "-".into())
            } else {
                "cannot run".into()
            },
            s.last_run_at
                .map(|t| local_in(t, v.timezone))
                .unwrap_or_else(|| "-".into()),
        ];
        if results {
            cells.push(v.last_result_status.clone().unwrap_or_else(|| "-".into()));
        }
        grid.row(cells);
    }
    grid.render(layout)
}

pub(super) fn detail_table(v: &ScheduleView, layout: Layout) -> String {
    let s = &v.schedule;
    let zone = match (v.timezone.is_some(), v.default_timezone) {
        (true, true) => format!("{} (default)", v.timezone_name()),
        (true, false) => v.timezone_name(),
        (false, _) => format!("{} (unknown zone)", v.timezone_name()),
    };
    let name = if s.auto_generated_name {
        format!("{} (generated)", s.name)
    } else {
        s.name.clone()
    };
    let kwargs = serde_json::to_string_pretty(&s.kwargs).unwrap_or_default();
    let mut rows: Vec<(&str, Field)> = vec![
        ("id", Field::Whole(s.id.to_string())),
        ("name", Field::Whole(name)),
        ("task", Field::Whole(s.task_name.clone())),
        ("cron", Field::Whole(s.cron_expression.clone())),
        ("timezone", Field::Whole(zone)),
        (
            "enabled",
            Field::Whole(if s.enabled { "yes" } else { "no" }.into()),
        ),
        ("policy", Field::Whole(s.execution_policy.to_string())),
        (
            "category",
            Field::Whole(s.category.clone().unwrap_or_else(|| "-".into())),
        ),
        (
            "tags",
            Field::Names(if s.tags.is_empty() {
                "-".into()
            } else {
                s.tags.join(", ")
            }),
        ),
        (
            "args",
            Field::Text(Value::Array(s.args.clone()).to_string()),
        ),
        (
            "kwargs",
            Field::Lines(kwargs.lines().map(str::to_string).collect()),
        ),
        ("options", Field::Text(s.options.to_json().to_string())),
        (
            "description",
            Field::Text(s.description.clone().unwrap_or_else(|| "-".into())),
        ),
        (
            "next run",
            Field::Whole(
                v.next_run_at
                    .as_ref()
                    .map(local)
                    .unwrap_or_else(|| "-".into()),
            ),
        ),
        (
            "last run",
            Field::Whole(
                s.last_run_at
                    .map(|t| local_in(t, v.timezone))
                    .unwrap_or_else(|| "-".into()),
            ),
        ),
        ("total runs", Field::Whole(s.total_run_count.to_string())),
        ("created", Field::Whole(utc_text(s.created_at))),
        ("updated", Field::Whole(utc_text(s.updated_at))),
    ];
    if !v.problems.is_empty() {
        rows.push(("problems", Field::Lines(v.problems.clone())));
    }
    fields_table(rows, layout)
}
