//! `history`, and the recent runs under `schedule show`.

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::table::{Fit, Grid, Layout};
use super::utc_text;
use crate::cli::args::OutputFormat;

/// A run with its Celery result.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// The recorded run.
    pub run: crate::domain::run::Run,
    /// Its result, when it was sent and a result backend is configured.
    pub result: Option<crate::sync::results::TaskResult>,
}

impl HistoryRow {
    /// Seconds from dispatch to the worker's `date_done`.
    pub fn runtime_seconds(&self) -> Option<f64> {
        let done = self.result.as_ref()?.date_done?;
        let sent = self.run.run.dispatched_at?;
        Some((done - sent).num_microseconds()? as f64 / 1e6)
    }

    /// The documented JSON object: the table's columns plus the result.
    pub fn json(&self) -> HistoryJson<'_> {
        let r = &self.run.run;
        HistoryJson {
            id: self.run.id,
            schedule_id: r.schedule_id,
            schedule_name: &r.schedule_name,
            task_name: &r.task_name,
            celery_task_id: r.celery_task_id,
            scheduled_for: utc_text(r.scheduled_for),
            dispatched_at: r.dispatched_at.map(utc_text),
            trigger: r.trigger.as_str(),
            status: r.status.as_str(),
            detail: r.detail.as_deref(),
            args: r.arguments.args(),
            kwargs: r.arguments.kwargs(),
            created_at: utc_text(self.run.created_at),
            result_status: self.result.as_ref().map(|x| x.status.as_str()),
            result: self.result.as_ref().map(|x| &x.result),
            runtime_seconds: self.runtime_seconds(),
        }
    }
}

/// A recorded run: each element of `history`, and of `schedule show`'s `recent_runs`.
#[derive(Debug, Serialize)]
pub struct HistoryJson<'a> {
    /// The run's number in the history, increasing.
    pub id: i64,
    /// The schedule's id; null when the row has none (on SQLite, once the schedule was
    /// deleted; Postgres keeps it).
    pub schedule_id: Option<Uuid>,
    /// The schedule's name when the run was recorded.
    pub schedule_name: &'a str,
    /// The Celery task.
    pub task_name: &'a str,
    /// The id of the Celery task message; null when nothing was sent (missed, skipped, …).
    pub celery_task_id: Option<Uuid>,
    /// The slot the run is for (RFC 3339, UTC).
    pub scheduled_for: String,
    /// When the message was sent (RFC 3339, UTC); null when it was not.
    pub dispatched_at: Option<String>,
    /// `schedule`, `catchup` or `manual`.
    pub trigger: &'static str,
    /// `dispatched`, `missed`, `failed`, `dry_run`, `skipped`, `deferred` or `owed`.
    pub status: &'static str,
    /// Why, for a run that was not sent as planned; null otherwise.
    pub detail: Option<&'a str>,
    /// The positional arguments sent (or that would have been).
    pub args: Vec<Value>,
    /// The keyword arguments sent (or that would have been).
    pub kwargs: Map<String, Value>,
    /// When the row was written (RFC 3339, UTC).
    pub created_at: String,
    /// With `CELERY_RESULT_BACKEND`, for a sent run: `SUCCESS`, `FAILURE`, `REVOKED`,
    /// `STARTED`, or `PENDING` when the backend has no result; null otherwise.
    pub result_status: Option<&'a str>,
    /// The stored result (the return value, or the exception of a failure); null when
    /// `result_status` is.
    pub result: Option<&'a Value>,
    /// Seconds from `dispatched_at` to the worker's `date_done`; null without both.
    pub runtime_seconds: Option<f64>,
}

/// A run's result as a table cell: the status, with the exception for a failure.
pub(super) fn result_text(result: Option<&crate::sync::results::TaskResult>) -> String {
    match result {
        Some(x) if x.status == "FAILURE" => {
            let exc = x
                .result
                .get("exc_type")
                .and_then(Value::as_str)
                .unwrap_or("error");
            let msg = x
                .result
                .get("exc_message")
                .map(|m| m.to_string())
                .unwrap_or_default();
            format!("FAILURE {exc} {msg}")
        }
        Some(x) => x.status.clone(),
        None => "-".into(),
    }
}

/// A schedule's newest runs under `schedule show` (its name and task are above).
pub(super) fn recent_table(rows: &[HistoryRow], layout: Layout) -> String {
    let mut grid = Grid::new(vec![
        ("SLOT (UTC)", Fit::Always),
        ("TRIGGER", Fit::Whole(5)),
        ("STATUS", Fit::Always),
        ("RESULT", Fit::Shorten(7, 12)),
        ("RUNTIME", Fit::Whole(3)),
        ("DETAIL", Fit::Shorten(6, 16)),
    ]);
    for row in rows {
        let r = &row.run.run;
        grid.row(vec![
            r.scheduled_for.format("%Y-%m-%d %H:%M:%S").to_string(),
            r.trigger.to_string(),
            r.status.to_string(),
            result_text(row.result.as_ref()),
            row.runtime_seconds()
                .map(|s| format!("{s:.2}s"))
                .unwrap_or_else(|| "-".into()),
            r.detail.clone().unwrap_or_default(),
        ]);
    }
    grid.render(layout)
}

/// `history`. Narrow, the columns go in this order: runtime, task id, trigger, detail, result,
/// task, status (detail and result are cut to the room left before they go); SLOT and SCHEDULE
/// stay.
pub(super) fn history_table(rows: &[HistoryRow], layout: Layout) -> String {
    let mut grid = Grid::new(vec![
        ("SLOT (UTC)", Fit::Always),
        ("SCHEDULE", Fit::Always),
        ("TASK", Fit::Whole(8)),
        ("TRIGGER", Fit::Whole(5)),
        ("STATUS", Fit::Whole(9)),
        ("RESULT", Fit::Shorten(7, 12)),
        ("RUNTIME", Fit::Whole(3)),
        ("TASK ID", Fit::Whole(4)),
        ("DETAIL", Fit::Shorten(6, 16)),
    ]);
    for row in rows {
        let r = &row.run.run;
        let result = result_text(row.result.as_ref());
        grid.row(vec![
            r.scheduled_for.format("%Y-%m-%d %H:%M:%S").to_string(),
            r.schedule_name.clone(),
            r.task_name.clone(),
            r.trigger.to_string(),
            r.status.to_string(),
            result,
            row.runtime_seconds()
                .map(|s| format!("{s:.2}s"))
                .unwrap_or_else(|| "-".into()),
            r.celery_task_id
                .map(|id| id.simple().to_string()[..8].to_string())
                .unwrap_or_else(|| "-".into()),
            r.detail.clone().unwrap_or_default(),
        ]);
    }
    grid.render(layout)
}

/// `history`.
/// Runs of `history --follow` as they are read: one JSON object per line (`json`, `jsonl`),
/// the run ids (`name`), or table rows, with the header line only when `header`.
pub fn follow_text(rows: &[HistoryRow], format: OutputFormat, header: bool) -> String {
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => rows.iter().fold(String::new(), |mut s, r| {
            s.push_str(&serde_json::to_string(&r.json()).unwrap_or_default());
            s.push('\n');
            s
        }),
        OutputFormat::Name => rows.iter().map(|r| format!("{}\n", r.run.id)).collect(),
        OutputFormat::Table | OutputFormat::Wide => super::render(
            &super::Output::History(rows.to_vec()),
            Layout::detect(format).headers(header),
        ),
    }
}

pub(super) fn history_text(rows: &[HistoryRow], layout: Layout) -> String {
    if rows.is_empty() {
        return if layout.headers {
            "No runs match.\n".into()
        } else {
            String::new()
        };
    }
    history_table(rows, layout)
}
