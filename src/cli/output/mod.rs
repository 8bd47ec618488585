//! Every table and every JSON document stockura prints, and the error report.
//!
//! Commands return an [`Output`]; [`emit`] renders it on stdout. The JSON forms are a stable
//! contract (the README lists the fields): add fields, never rename or remove them.

mod apply;
mod beat;
mod check;
mod diagnose;
mod error;
mod history;
mod schedule;
mod sync;
mod table;
mod task;

use std::borrow::Cow;
use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

pub use apply::ApplyView;
pub use beat::BeatStatusView;
pub use error::{report_error, report_usage_error};
pub use history::HistoryRow;
pub use schedule::ScheduleView;
pub use sync::{ReceivedEvent, print_event};
pub use table::Layout;
pub use task::TaskView;

use super::args::OutputFormat;
use crate::domain::Schedule;
use crate::domain::params::escape_unprintable;
use crate::domain::task::Violation;
use crate::error::ErrorKind;
use crate::store::MigrationReport;
use crate::sync::diagnose::Report;
use apply::{apply_json, apply_text};
use beat::beat_status_table;
use check::check_text;
use diagnose::diagnosis_text;
use history::{history_table, recent_table};
use schedule::{detail_table, list_table};
use table::local;
use task::{task_list_table, task_table};

/// What a command produced.
#[derive(Debug)]
pub enum Output {
    /// `schedule add`.
    Created(ScheduleView),
    /// `schedule update`.
    Updated(ScheduleView),
    /// `schedule add --if-not-exists` that found a schedule doing the same job: nothing written.
    Existing(ScheduleView),
    /// `schedule update` that would change nothing: nothing written.
    Unchanged(ScheduleView),
    /// `schedule list`.
    List(Vec<ScheduleView>),
    /// `schedule show`.
    Show {
        /// The schedule.
        schedule: ScheduleView,
        /// Its next fire times.
        upcoming: Vec<DateTime<Tz>>,
        /// Its newest runs, newest first, with their results.
        recent: Vec<HistoryRow>,
    },
    /// `schedule delete`: what was deleted.
    Deleted(Vec<ScheduleView>),
    /// `schedule enable` / `disable`: the schedules afterwards.
    Toggled {
        /// Whether they were enabled.
        enabled: bool,
        /// The schedules.
        schedules: Vec<ScheduleView>,
        /// How many of them already were in that state (not written).
        unchanged: usize,
    },
    /// `schedule next`.
    Next {
        /// Fire times in their zone.
        times: Vec<DateTime<Tz>>,
    },
    /// `task define`.
    TaskDefined {
        /// The definition as stored.
        task: TaskView,
        /// Created (else replaced).
        created: bool,
        /// Schedules that no longer match (only with `--force`).
        invalid_schedules: usize,
    },
    /// `task list`.
    TaskList(Vec<TaskView>),
    /// `task show`.
    TaskShow {
        /// The definition.
        task: TaskView,
        /// Its schedules.
        schedules: Vec<ScheduleView>,
    },
    /// `task delete`: what was deleted.
    TaskDeleted(TaskView),
    /// `task validate`.
    Validation {
        /// The task.
        task_name: String,
        /// Whether the task has a schema at all.
        has_schema: bool,
        /// Every violation; empty when valid.
        violations: Vec<Violation>,
    },
    /// `sync monitor`, after its events were printed as they came.
    Monitored {
        /// How many arrived.
        events: usize,
    },
    /// `run-beat`, after it stopped.
    BeatStopped(crate::beat::runner::Stats),
    /// `schedule trigger`.
    Triggered {
        /// The schedule.
        schedule: Schedule,
        /// The Celery task id sent.
        task_id: uuid::Uuid,
        /// Its result, with `--wait`.
        result: Option<crate::sync::results::TaskResult>,
    },
    /// `history`.
    History(Vec<HistoryRow>),
    /// `beat status`.
    BeatStatus(BeatStatusView),
    /// `diagnose`.
    Diagnosis {
        /// The checks.
        report: Report,
        /// `--strict`: warnings fail too.
        strict: bool,
    },
    /// `migrate`.
    Migrated {
        /// What was done.
        report: MigrationReport,
        /// The database, redacted.
        url: String,
    },
    /// `schedule export`: the document, printed as is whatever the output format.
    Document(String),
    /// `apply`: the plan, and what was written.
    Applied(ApplyView),
    /// `check`.
    Check(crate::cli::check::CheckReport),
}

impl Output {
    /// The process exit code: 3 for parameters that failed `task validate`, else 0.
    pub fn exit_code(&self) -> std::process::ExitCode {
        match self {
            Self::Validation { violations, .. } if !violations.is_empty() => {
                ErrorKind::InvalidInput.exit_code()
            }
            Self::Diagnosis { report, strict } if !report.passes(*strict) => {
                ErrorKind::CheckFailed.exit_code()
            }
            Self::BeatStatus(view) if view.group.leader.is_none() => {
                ErrorKind::CheckFailed.exit_code()
            }
            Self::Check(report) if !report.ok => ErrorKind::CheckFailed.exit_code(),
            _ => std::process::ExitCode::SUCCESS,
        }
    }
}

/// `text` as it may reach a terminal: each character the domain refuses on write
/// ([`crate::domain::params::is_unprintable`]: control characters, line separators,
/// bidirectional overrides) written as a visible escape (`\n`, `\t`, `\x1b`, `\u{202e}`),
/// everything else as is. Rows written by another program can hold them; printed raw,
/// `\x1b[2J` would clear the screen.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_unprintable(text, false)
}

/// Like [`escape`], keeping line ends: for messages that are several lines on purpose.
pub fn escape_but_lines(text: &str) -> Cow<'_, str> {
    escape_unprintable(text, true)
}

/// An instant in UTC with microseconds: `2026-11-22T11:20:52.123456Z`.
pub fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// An instant in a zone with its offset: `2026-03-08T03:00:00-04:00`.
pub fn zoned_text(t: &DateTime<Tz>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Renders the output on stdout.
pub fn emit(out: &Output, format: OutputFormat) -> std::io::Result<()> {
    if let Output::Monitored { .. } = out {
        // Its events were printed as they arrived.
        return Ok(());
    }
    if let Output::Document(text) = out {
        return quiet_when_closed(write_stdout(text.as_bytes()));
    }
    let text = match format {
        OutputFormat::Json => return write_json(out),
        OutputFormat::Table | OutputFormat::Wide => render(out, Layout::detect(format)),
    };
    quiet_when_closed(write_stdout(text.as_bytes()))
}

/// The JSON document of an output on stdout, as `serde_json::to_string_pretty` spells it. A list
/// of schedules is written one object at a time: built whole, 100,000 schedules held their rows,
/// a `Value` tree and the text at once (635 MB).
fn write_json(out: &Output) -> std::io::Result<()> {
    /// A list of schedules serialised lazily, one view's object at a time.
    struct Views<'a>(&'a [ScheduleView]);
    impl serde::Serialize for Views<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.iter().map(ScheduleView::to_json))
        }
    }
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = match out {
        Output::List(views) | Output::Deleted(views) => {
            serde_json::to_writer_pretty(&mut stdout, &Views(views))
        }
        Output::Toggled { schedules, .. } => {
            serde_json::to_writer_pretty(&mut stdout, &Views(schedules))
        }
        other => serde_json::to_writer_pretty(&mut stdout, &to_json(other)),
    }
    .map_err(std::io::Error::from)
    .and_then(|()| stdout.write_all(b"\n"))
    .and_then(|()| stdout.flush());
    quiet_when_closed(written)
}

/// Writes `bytes` on stdout and flushes. A closed pipe comes back as
/// [`std::io::ErrorKind::BrokenPipe`]; [`quiet_when_closed`] makes it a success.
pub(super) fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes).and_then(|()| stdout.flush())
}

/// A reader that stopped reading (`stockura schedule list | head -1`, `stockura completions bash
/// | head -1`) is not an error: what it wanted was written, the command succeeds quietly.
fn quiet_when_closed(written: std::io::Result<()>) -> std::io::Result<()> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Prints text that is not a table (a completion script, a list of files) on stdout; a closed
/// pipe is a quiet success.
pub fn print_raw(bytes: &[u8]) -> std::io::Result<()> {
    quiet_when_closed(write_stdout(bytes))
}

/// The JSON document of an output.
pub fn to_json(out: &Output) -> Value {
    let many =
        |views: &[ScheduleView]| Value::Array(views.iter().map(ScheduleView::to_json).collect());
    match out {
        Output::Created(v) | Output::Updated(v) | Output::Existing(v) | Output::Unchanged(v) => {
            v.to_json()
        }
        Output::List(views) | Output::Deleted(views) => many(views),
        Output::Toggled { schedules, .. } => many(schedules),
        Output::Show {
            schedule,
            upcoming,
            recent,
        } => {
            let mut doc = schedule.to_json();
            doc["upcoming"] = upcoming.iter().map(zoned_text).collect();
            doc["recent_runs"] = recent.iter().map(HistoryRow::to_json).collect();
            doc
        }
        Output::Next { times } => times.iter().map(zoned_text).collect(),
        Output::TaskDefined {
            task,
            created,
            invalid_schedules,
        } => {
            let mut doc = task.to_json();
            doc["action"] = json!(if *created { "created" } else { "replaced" });
            doc["invalid_schedules"] = json!(invalid_schedules);
            doc
        }
        Output::TaskList(tasks) => tasks.iter().map(TaskView::to_json).collect(),
        Output::TaskShow { task, schedules } => {
            let mut doc = task.to_json();
            doc["schedules"] = schedules.iter().map(ScheduleView::to_json).collect();
            doc
        }
        Output::TaskDeleted(task) => task.to_json(),
        Output::Monitored { events } => json!({"events": events}),
        Output::Document(text) => Value::String(text.clone()),
        Output::Applied(view) => apply_json(view),
        Output::BeatStopped(stats) => json!({
            "batches": stats.batches, "dispatched": stats.dispatched, "failed": stats.failed, "missed": stats.missed,
            "dry_run": stats.dry_run, "full_reloads": stats.full_reloads, "targeted_reloads": stats.targeted_reloads,
            "skipped": stats.skipped, "deferred": stats.deferred, "deferred_sent": stats.deferred_sent,
            "takeovers": stats.takeovers,
        }),
        Output::Triggered {
            schedule,
            task_id,
            result,
        } => json!({
            "schedule_id": schedule.id, "name": schedule.name, "task_name": schedule.task_name,
            "celery_task_id": task_id, "status": "dispatched",
            "result_status": result.as_ref().map(|r| r.status.clone()),
            "result": result.as_ref().map(|r| r.result.clone()),
        }),
        Output::History(rows) => rows.iter().map(HistoryRow::to_json).collect(),
        Output::BeatStatus(view) => view.to_json(),
        // Serialising plain fields cannot fail.
        Output::Check(report) => serde_json::to_value(report).unwrap_or(Value::Null),
        Output::Diagnosis { report, strict } => json!({
            "ok": report.passes(*strict),
            "checks": report.checks.iter().map(|c| json!({
                "name": c.name, "status": c.status.as_str(), "summary": c.summary, "details": c.details,
                "hint": c.hint, "duration_ms": c.duration_ms,
            })).collect::<Vec<_>>(),
        }),
        Output::Validation {
            task_name,
            violations,
            ..
        } => json!({
            "task_name": task_name,
            "valid": violations.is_empty(),
            "violations": violations.iter().map(|v| json!({"path": v.path, "message": v.message, "keyword": v.keyword})).collect::<Vec<_>>(),
        }),
        Output::Migrated { report, .. } => json!({
            "backend": report.backend.to_string(),
            "applied": report.applied,
            "version": report.version,
            "adopted_rows": report.adopted_rows,
        }),
    }
}

pub(super) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The human form of an output, laid out for this process's stdout as `--output table`.
pub fn to_text(out: &Output) -> String {
    render(out, Layout::detect(OutputFormat::Table))
}

/// The human form of an output in a layout. Whatever a row holds, no control character
/// reaches the terminal (see [`escape`]), and no line ends in spaces.
pub fn render(out: &Output, layout: Layout) -> String {
    let text = render_raw(out, layout);
    let mut safe = String::with_capacity(text.len());
    for line in escape_but_lines(&text).lines() {
        safe.push_str(line.trim_end_matches(' '));
        safe.push('\n');
    }
    if !text.ends_with('\n') {
        safe.pop();
    }
    safe
}

fn render_raw(out: &Output, layout: Layout) -> String {
    match out {
        Output::Created(v) => format!(
            "Created schedule '{}' ({}).\n{}",
            escape(&v.schedule.name),
            v.schedule.id,
            detail_table(v, layout)
        ),
        Output::Updated(v) => format!(
            "Updated schedule '{}' ({}).\n{}",
            escape(&v.schedule.name),
            v.schedule.id,
            detail_table(v, layout)
        ),
        Output::Existing(v) => format!(
            "Schedule '{}' ({}) already does this job; nothing was written.\n{}",
            escape(&v.schedule.name),
            v.schedule.id,
            detail_table(v, layout)
        ),
        Output::Unchanged(v) => format!(
            "No changes: schedule '{}' ({}) already is as given; nothing was written.\n",
            escape(&v.schedule.name),
            v.schedule.id,
        ),
        Output::List(views) if views.is_empty() => "No schedules match.\n".into(),
        Output::List(views) => {
            let mut text = list_table(views, layout);
            let broken = views.iter().filter(|v| !v.problems.is_empty()).count();
            if broken > 0 {
                text.push_str(&format!(
                    "{} cannot run as stored (NEXT RUN shows `cannot run`): see \
                     `stockura schedule show REF` or `stockura diagnose --check schedules`\n",
                    plural(broken, "schedule")
                ));
            }
            text
        }
        Output::Show {
            schedule,
            upcoming,
            recent,
        } => {
            let mut text = detail_table(schedule, layout);
            if upcoming.is_empty() {
                text.push_str("No upcoming runs.\n");
            } else {
                text.push_str(&format!("Next {}:\n", plural(upcoming.len(), "run")));
                for t in upcoming {
                    text.push_str(&format!(
                        "  {}  ({})\n",
                        local(t),
                        utc_text(t.with_timezone(&Utc))
                    ));
                }
            }
            if recent.is_empty() {
                text.push_str("No runs recorded yet.\n");
            } else {
                text.push_str(&format!("Last {}:\n", plural(recent.len(), "run")));
                text.push_str(&recent_table(recent, layout));
            }
            text
        }
        Output::Deleted(views) => format!(
            "Deleted {}.\n{}",
            plural(views.len(), "schedule"),
            list_table(views, layout)
        ),
        Output::Toggled {
            enabled,
            schedules,
            unchanged,
        } => {
            let state = if *enabled { "enabled" } else { "disabled" };
            let changed = schedules.len() - unchanged;
            let head = match (changed, *unchanged) {
                (0, n) => format!(
                    "No changes: {} already {state}; nothing was written.",
                    if n == 1 {
                        "the schedule was".to_string()
                    } else {
                        format!("all {n} schedules were")
                    }
                ),
                (c, 0) => format!(
                    "{} {}.",
                    if *enabled { "Enabled" } else { "Disabled" },
                    plural(c, "schedule")
                ),
                (c, n) => format!(
                    "{} {}; {} already {state}.",
                    if *enabled { "Enabled" } else { "Disabled" },
                    plural(c, "schedule"),
                    if n == 1 {
                        "1 was".to_string()
                    } else {
                        format!("{n} were")
                    }
                ),
            };
            format!("{head}\n{}", list_table(schedules, layout))
        }
        Output::Next { times } if times.is_empty() => {
            "No fire times: the expression never fires again.\n".into()
        }
        Output::Next { times } => times
            .iter()
            .map(|t| format!("{}  ({})\n", zoned_text(t), utc_text(t.with_timezone(&Utc))))
            .collect(),
        Output::TaskDefined {
            task,
            created,
            invalid_schedules,
        } => {
            let mut text = format!(
                "{} the definition of task {}.\n{}",
                if *created { "Created" } else { "Replaced" },
                escape(&task.task.task_name),
                task_table(task, layout)
            );
            if *invalid_schedules > 0 {
                text.push_str(&format!(
                    "Note: {} no longer match the schema (--force); they fail validation when next updated.\n",
                    plural(*invalid_schedules, "schedule")
                ));
            }
            text
        }
        Output::TaskList(tasks) if tasks.is_empty() => "No task definitions.\n".into(),
        Output::TaskList(tasks) => task_list_table(tasks, layout),
        Output::TaskShow { task, schedules } => {
            let mut text = task_table(task, layout);
            match &task.task.parameter_schema {
                Some(schema) => {
                    text.push_str("Parameter schema:\n");
                    text.push_str(&serde_json::to_string_pretty(schema).unwrap_or_default());
                    text.push('\n');
                }
                None => text.push_str("No parameter schema: any kwargs are accepted.\n"),
            }
            if schedules.is_empty() {
                text.push_str("No schedules use this task.\n");
            } else {
                text.push_str(&format!(
                    "{}:\n{}",
                    plural(schedules.len(), "schedule"),
                    list_table(schedules, layout)
                ));
            }
            text
        }
        Output::Monitored { .. } => String::new(),
        Output::BeatStopped(stats) => format!(
            "{} ({}): {} dispatched, {} failed, {} missed, {} dry run, {} skipped, {} deferred ({} sent later), {} reload(s), {} takeover(s)\n",
            if stats.batches == 0 {
                "Nothing was due"
            } else {
                "Done"
            },
            if stats.batches == 1 {
                "1 batch".to_string()
            } else {
                format!("{} batches", stats.batches)
            },
            stats.dispatched,
            stats.failed,
            stats.missed,
            stats.dry_run,
            stats.skipped,
            stats.deferred,
            stats.deferred_sent,
            stats.full_reloads + stats.targeted_reloads,
            stats.takeovers,
        ),
        Output::Document(text) => text.clone(),
        Output::Applied(view) => apply_text(view),
        Output::Triggered {
            schedule,
            task_id,
            result,
        } => {
            let mut text = format!(
                "Sent '{}' ({}) as task {task_id}.\n",
                escape(&schedule.name),
                escape(&schedule.task_name)
            );
            if let Some(r) = result {
                text.push_str(&format!("Result: {} {}\n", r.status, r.result));
            }
            text
        }
        Output::History(rows) if rows.is_empty() => "No runs match.\n".into(),
        Output::History(rows) => history_table(rows, layout),
        Output::BeatStatus(view) => beat_status_table(view, layout),
        Output::Diagnosis { report, strict } => diagnosis_text(report, *strict, layout),
        Output::Check(report) => check_text(report, layout),
        Output::TaskDeleted(task) => {
            format!(
                "Deleted the definition of task {}.\n",
                escape(&task.task.task_name)
            )
        }
        Output::Validation {
            task_name,
            has_schema,
            violations,
        } => {
            if !has_schema {
                format!(
                    "valid: task {task_name} has no parameter schema, so any kwargs are accepted\n"
                )
            } else if violations.is_empty() {
                format!("valid: the parameters match the schema of task {task_name}\n")
            } else {
                let mut text = format!(
                    "invalid: {} against the schema of task {task_name}:\n",
                    plural(violations.len(), "problem")
                );
                for v in violations {
                    text.push_str(&format!("  {v}\n"));
                }
                text
            }
        }
        Output::Migrated { report, url } => {
            let mut text = String::new();
            if let Some(rows) = report.adopted_rows {
                text.push_str(&format!(
                    "Adopted the existing celery_beat_schedules table ({} kept).\n",
                    plural(rows as usize, "row")
                ));
            }
            for label in &report.applied {
                text.push_str(&format!("Applied {label}\n"));
            }
            if report.applied.is_empty() {
                text.push_str(&format!(
                    "{url} is up to date (schema version {}).\n",
                    report.version
                ));
            } else {
                text.push_str(&format!(
                    "{url} is now at schema version {}.\n",
                    report.version
                ));
            }
            text
        }
    }
}
