//! Every table and every JSON document stockura prints, and the error report.
//!
//! Commands return an [`Output`]; [`emit`] renders it on stdout. The JSON forms are a stable
//! contract (the README lists the fields): add fields, never rename or remove them.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::{Value, json};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::args::OutputFormat;
use crate::domain::Schedule;
use crate::domain::diagnosis::{Report, Status};
use crate::domain::params::escape_unprintable;
use crate::domain::schedule::NextRuns;
use crate::domain::task::{TaskDefinition, Violation};
use crate::error::ErrorKind;
use crate::store::MigrationReport;

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

/// What `apply` planned and did.
#[derive(Debug, Clone)]
pub struct ApplyView {
    /// The document's label (its path, or `stdin`).
    pub file: String,
    /// The plan.
    pub plan: crate::domain::apply::Plan,
    /// `--dry-run`.
    pub dry_run: bool,
    /// Whether the plan was written.
    pub applied: bool,
    /// Whether the plan was already printed (before the confirmation).
    pub plan_shown: bool,
    /// The schedules written, in plan order (deletions left out).
    pub written: Vec<Schedule>,
    /// `CELERY_TIMEZONE`.
    pub timezone: Tz,
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

/// A task definition as printed.
#[derive(Debug, Clone)]
pub struct TaskView {
    /// The definition.
    pub task: TaskDefinition,
    /// How many schedules use the task.
    pub schedule_count: i64,
}

impl TaskView {
    /// The documented JSON object.
    pub fn to_json(&self) -> Value {
        let t = &self.task;
        json!({
            "id": t.id,
            "task_name": t.task_name,
            "category": t.category,
            "description": t.description,
            "parameter_schema": t.parameter_schema,
            "schedule_count": self.schedule_count,
            "created_at": utc_text(t.created_at),
            "updated_at": utc_text(t.updated_at),
        })
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

/// A change event as `sync monitor` received it.
#[derive(Debug, Clone)]
pub struct ReceivedEvent {
    /// `redis` or `postgres`.
    pub source: &'static str,
    /// The channel it came on.
    pub channel: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// The parsed message (a string when it was not JSON).
    pub event: Value,
}

/// Prints one received event at once: a JSON line, or a human line. Returns `false` when
/// stdout was closed (`stockura sync monitor | head -1`): the caller stops, successfully.
pub fn print_event(e: &ReceivedEvent, format: OutputFormat) -> std::io::Result<bool> {
    let line = match format {
        OutputFormat::Json => json!({
            "source": e.source, "channel": e.channel, "received_at": utc_text(e.received_at), "event": e.event,
        })
        .to_string(),
        OutputFormat::Table | OutputFormat::Wide => {
            let field = |k: &str| e.event.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            let kind = match e.source {
                "postgres" => "version_bumped".to_string(),
                _ => e.event.get("event_type").and_then(Value::as_str).unwrap_or("unknown").to_string(),
            };
            let subject = match (field("name"), field("task_name"), field("schedule_id")) {
                (name, task, id) if !name.is_empty() => format!("{name} ({}) {task}", id.get(..8).unwrap_or(&id)),
                (_, task, _) if !task.is_empty() => task,
                _ => String::new(),
            };
            let version = e.event.get("version").map(|v| format!(" v{v}")).unwrap_or_default();
            let raw = if e.event.is_string() { format!(" {}", e.event) } else { String::new() };
            let line = format!("{}  {:<8}  {kind:<24} {subject}{version}{raw}", e.received_at.format("%H:%M:%S%.3f"), e.source);
            // Anyone can publish on the channel: what it says is shown, never acted upon.
            escape(line.trim_end()).into_owned()
        }
    };
    match write_stdout(format!("{line}\n").as_bytes()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e),
    }
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
fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
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

/// How tables are laid out: fitted to a width or shown whole, with borders or plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The width to fit, in terminal columns; `None` shows every column whole.
    pub width: Option<usize>,
    /// Box-drawing borders (stdout is a terminal) rather than plain aligned columns.
    pub borders: bool,
}

impl Layout {
    /// The layout of `format` on this process's stdout. `--output table` fits `COLUMNS` when it
    /// is a positive number, else the terminal's width when stdout is a terminal; a pipe
    /// without `COLUMNS` gets every column, as `--output wide` always does.
    pub fn detect(format: OutputFormat) -> Self {
        let terminal = std::io::stdout().is_terminal();
        let width = match format {
            OutputFormat::Table => env_columns().or_else(|| {
                terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
            }),
            OutputFormat::Wide | OutputFormat::Json => None,
        };
        Self {
            width: width.filter(|w| *w > 0),
            borders: terminal,
        }
    }
}

/// `COLUMNS`, when it is a positive whole number.
fn env_columns() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()?
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|w| *w > 0)
}

/// What a column gives up when its table is wider than the layout. Columns are taken by rank,
/// highest first, until one does not fit; the table keeps its column order.
#[derive(Debug, Clone, Copy)]
enum Fit {
    /// Always shown, whole: ids and names are never cut or wrapped.
    Always,
    /// Shown whole, or not at all.
    Whole(u8),
    /// Free text: shown whole when it fits, else cut with an ellipsis to the room left when
    /// that is at least this many columns (and the header's width), else not shown.
    Shorten(u8, usize),
}

impl Fit {
    fn rank(self) -> Option<u8> {
        match self {
            Fit::Always => None,
            Fit::Whole(rank) | Fit::Shorten(rank, _) => Some(rank),
        }
    }
}

/// A table before it is laid out: its columns and rows of cells as stored. Cells are escaped
/// ([`escape`]) when rendered, so each is one line.
struct Grid {
    /// Each column's header and fit.
    columns: Vec<(&'static str, Fit)>,
    /// Whether the headers are printed.
    header: bool,
    /// The cells, one per column.
    rows: Vec<Vec<String>>,
}

impl Grid {
    fn new(columns: Vec<(&'static str, Fit)>) -> Self {
        Self {
            columns,
            header: true,
            rows: Vec::new(),
        }
    }

    fn headless(fits: Vec<Fit>) -> Self {
        Self {
            header: false,
            ..Self::new(fits.into_iter().map(|f| ("", f)).collect())
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.columns.len());
        self.rows.push(cells);
    }

    fn render(&self, layout: Layout) -> String {
        let rows: Vec<Vec<Cow<'_, str>>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| escape(c)).collect())
            .collect();
        let header: Vec<usize> = self
            .columns
            .iter()
            .map(|(h, _)| if self.header { h.width() } else { 0 })
            .collect();
        let natural: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].width())
                    .max()
                    .unwrap_or(0)
                    .max(header[i])
            })
            .collect();
        let widths: Vec<Option<usize>> = match layout.width {
            Some(limit) => {
                let fits: Vec<Fit> = self.columns.iter().map(|(_, f)| *f).collect();
                fit_columns(&fits, &natural, &header, limit, layout.borders)
            }
            None => natural.iter().copied().map(Some).collect(),
        };
        let kept: Vec<(usize, usize)> = widths
            .iter()
            .enumerate()
            .filter_map(|(i, w)| w.map(|w| (i, w)))
            .collect();
        let mut table = new_table(layout);
        if self.header {
            table.set_header(kept.iter().map(|(i, _)| self.columns[*i].0));
        }
        for row in &rows {
            table.add_row(kept.iter().map(|(i, w)| shorten(&row[*i], *w)));
        }
        finish(&table)
    }
}

/// Which columns fit in `limit` terminal columns and how wide each is (`None`: left out).
/// `natural` is each column's widest cell or header, `header` its header's width.
fn fit_columns(
    fits: &[Fit],
    natural: &[usize],
    header: &[usize],
    limit: usize,
    borders: bool,
) -> Vec<Option<usize>> {
    // Plain: one space either side of each cell, the last line end trimmed. Borders: `│ a ┆ b │`.
    let frame = |n: usize| {
        if borders {
            3 * n + 1
        } else {
            (2 * n).saturating_sub(1)
        }
    };
    let mut widths: Vec<Option<usize>> = fits
        .iter()
        .zip(natural)
        .map(|(f, w)| matches!(f, Fit::Always).then_some(*w))
        .collect();
    let mut order: Vec<usize> = (0..fits.len())
        .filter(|i| fits[*i].rank().is_some())
        .collect();
    // Stable: equal ranks keep the column order.
    order.sort_by_key(|i| std::cmp::Reverse(fits[*i].rank()));
    for i in order {
        let used =
            frame(widths.iter().flatten().count() + 1) + widths.iter().flatten().sum::<usize>();
        let room = limit.saturating_sub(used);
        widths[i] = match fits[i] {
            _ if natural[i] <= room => Some(natural[i]),
            Fit::Shorten(_, min) if room >= min.max(header[i]) => Some(room),
            // The first column that does not fit ends the table: a less useful one never
            // shows where a more useful one did not fit, and a wider terminal never hides a
            // column a narrower one shows.
            _ => break,
        };
    }
    widths
}

/// `text` cut to `width` terminal columns, an ellipsis marking the cut.
fn shorten(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `text` wrapped to `width` terminal columns at spaces, its indentation repeated on each line;
/// a word wider than the width is split only when `split_words`.
fn wrap(text: &str, width: Option<usize>, split_words: bool) -> Vec<String> {
    let Some(width) = width.filter(|w| text.width() > *w) else {
        return vec![text.to_string()];
    };
    let body = text.trim_start_matches(' ');
    let indent = &text[..text.len() - body.len()];
    let (indent, width) = match width.checked_sub(indent.len()) {
        Some(w) if w >= 10 => (indent, w),
        _ => ("", width.max(1)),
    };
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in body.split(' ').filter(|w| !w.is_empty()) {
        let mut word = word.to_string();
        loop {
            let gap = usize::from(!line.is_empty());
            if line.width() + gap + word.width() <= width {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            if !split_words {
                lines.push(word);
                break;
            }
            // As many characters as fit (at least one) on a line of their own.
            let mut used = 0;
            let mut split = word.len();
            for (at, c) in word.char_indices() {
                let w = c.width().unwrap_or(0);
                if used + w > width && at > 0 {
                    split = at;
                    break;
                }
                used += w;
            }
            let tail = word.split_off(split);
            lines.push(std::mem::replace(&mut word, tail));
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines.into_iter().map(|l| format!("{indent}{l}")).collect()
}

/// A value in a detail table (label, value).
enum Field {
    /// Shown whole: ids, names, times.
    Whole(String),
    /// Names separated by spaces: wrapped between them, a name never split.
    Names(String),
    /// Free text: wrapped to the width, long words split.
    Text(String),
    /// Several lines of free text (pretty-printed JSON, a list of problems).
    Lines(Vec<String>),
}

/// A detail table: a label and a value per row. Fitted, free text wraps to the width left by
/// the labels (or by the widest value that cannot wrap); ids and names never wrap.
fn fields_table(fields: Vec<(&'static str, Field)>, layout: Layout) -> String {
    let label = fields.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    let unbreakable = fields
        .iter()
        .map(|(_, f)| match f {
            Field::Whole(s) => escape(s).width(),
            Field::Names(s) => escape(s).split(' ').map(str::width).max().unwrap_or(0),
            Field::Text(_) | Field::Lines(_) => 0,
        })
        .max()
        .unwrap_or(0);
    let frame = if layout.borders { 7 } else { 3 };
    let wrap_at = layout
        .width
        .map(|w| w.saturating_sub(label + frame).max(unbreakable).max(20));
    let mut table = new_table(layout);
    for (k, field) in fields {
        let lines: Vec<String> = match field {
            Field::Whole(s) => vec![escape(&s).into_owned()],
            Field::Names(s) => wrap(&escape(&s), wrap_at, false),
            Field::Text(s) => wrap(&escape(&s), wrap_at, true),
            Field::Lines(v) => v
                .iter()
                .flat_map(|l| wrap(&escape(l), wrap_at, true))
                .collect(),
        };
        table.add_row(vec![k.to_string(), lines.join("\n")]);
    }
    finish(&table)
}

fn new_table(layout: Layout) -> Table {
    let mut table = Table::new();
    table.load_preset(if layout.borders {
        presets::UTF8_FULL_CONDENSED
    } else {
        presets::NOTHING
    });
    // Laid out here: comfy-table never wraps a cell.
    table.set_content_arrangement(ContentArrangement::Disabled);
    table
}

/// The table's text, each line without trailing spaces.
fn finish(table: &Table) -> String {
    let mut text = String::new();
    for line in table.to_string().lines() {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// A UTC instant in a schedule's zone (UTC when the zone is unknown).
fn local_in(t: DateTime<Utc>, tz: Option<Tz>) -> String {
    local(&t.with_timezone(&tz.unwrap_or(Tz::UTC)))
}

fn local(t: &DateTime<Tz>) -> String {
    t.format("%Y-%m-%d %H:%M %Z").to_string()
}

fn short_id(v: &ScheduleView) -> String {
    v.schedule.id.simple().to_string()[..8].to_string()
}

/// `schedule list` and the lists of other commands. Narrow, the columns go in this order:
/// policy, last run, tags, category, timezone, task, next run, cron, enabled; ID and NAME stay.
fn list_table(views: &[ScheduleView], layout: Layout) -> String {
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

fn detail_table(v: &ScheduleView, layout: Layout) -> String {
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

fn task_table(t: &TaskView, layout: Layout) -> String {
    let task = &t.task;
    let rows: Vec<(&str, Field)> = vec![
        ("task", Field::Whole(task.task_name.clone())),
        (
            "category",
            Field::Whole(task.category.clone().unwrap_or_else(|| "-".into())),
        ),
        (
            "description",
            Field::Text(task.description.clone().unwrap_or_else(|| "-".into())),
        ),
        (
            "schema",
            Field::Whole(
                if task.parameter_schema.is_some() {
                    "yes"
                } else {
                    "no"
                }
                .into(),
            ),
        ),
        ("schedules", Field::Whole(t.schedule_count.to_string())),
        ("created", Field::Whole(utc_text(task.created_at))),
        ("updated", Field::Whole(utc_text(task.updated_at))),
    ];
    fields_table(rows, layout)
}

/// `task list`. Narrow, the columns go in this order: schema, description (cut to the room
/// left before it goes), schedules, category; TASK stays.
fn task_list_table(tasks: &[TaskView], layout: Layout) -> String {
    let mut grid = Grid::new(vec![
        ("TASK", Fit::Always),
        ("CATEGORY", Fit::Whole(4)),
        ("DESCRIPTION", Fit::Shorten(2, 16)),
        ("SCHEMA", Fit::Whole(1)),
        ("SCHEDULES", Fit::Whole(3)),
    ]);
    for t in tasks {
        grid.row(vec![
            t.task.task_name.clone(),
            t.task.category.clone().unwrap_or_default(),
            t.task.description.clone().unwrap_or_default(),
            if t.task.parameter_schema.is_some() {
                "yes"
            } else {
                "no"
            }
            .to_string(),
            t.schedule_count.to_string(),
        ]);
    }
    grid.render(layout)
}

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
    pub fn to_json(&self) -> Value {
        let r = &self.run.run;
        json!({
            "id": self.run.id,
            "schedule_id": r.schedule_id,
            "schedule_name": r.schedule_name,
            "task_name": r.task_name,
            "celery_task_id": r.celery_task_id,
            "scheduled_for": utc_text(r.scheduled_for),
            "dispatched_at": r.dispatched_at.map(utc_text),
            "trigger": r.trigger.as_str(),
            "status": r.status.as_str(),
            "detail": r.detail,
            "args": r.arguments.args(),
            "kwargs": r.arguments.kwargs(),
            "created_at": utc_text(self.run.created_at),
            "result_status": self.result.as_ref().map(|x| x.status.clone()),
            "result": self.result.as_ref().map(|x| x.result.clone()),
            "runtime_seconds": self.runtime_seconds(),
        })
    }
}

/// What `beat status` shows: the live schedulers, read from `source` at `now`.
#[derive(Debug, Clone)]
pub struct BeatStatusView {
    /// The live instances and the leader.
    pub group: crate::domain::instance::GroupStatus,
    /// `redis` or `database`.
    pub source: &'static str,
    /// The database's change version, when it could be read.
    pub database_version: Option<i64>,
    /// When that version was set.
    pub database_changed_at: Option<DateTime<Utc>>,
    /// When the heartbeats were read.
    pub now: DateTime<Utc>,
}

impl BeatStatusView {
    /// The documented JSON object.
    pub fn to_json(&self) -> Value {
        let t = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        json!({
            "leader": self.group.leader,
            "healthy": self.group.leader.is_some(),
            "source": self.source,
            "database_version": self.database_version,
            "database_changed_at": self.database_changed_at.map(t),
            "instances": self.group.instances.iter().map(|i| json!({
                "instance_id": i.instance_id,
                "host": i.host,
                "pid": i.pid,
                "version": i.version,
                "started_at": t(i.started_at),
                "role": if Some(i.instance_id) == self.group.leader { "leader" } else { "standby" },
                "reported_role": i.role.as_str(),
                "leadership": i.leadership,
                "schedules": i.schedules,
                "last_tick_at": i.last_tick_at.map(t),
                "lag_ms": i.lag_ms,
                "change_version": i.change_version,
                "heartbeat_at": t(i.heartbeat_at),
                "heartbeat_age_ms": (self.now - i.heartbeat_at).num_milliseconds().max(0),
                "expires_at": t(i.expires_at),
            })).collect::<Vec<_>>(),
        })
    }
}

/// `beat status`. Narrow, the columns go in this order: version, started, pid, last tick,
/// host, schedules, lag, change version, heartbeat, role; INSTANCE stays.
fn beat_status_table(view: &BeatStatusView, layout: Layout) -> String {
    if view.group.instances.is_empty() {
        return format!(
            "No scheduler is running (no live heartbeat in {}).\n",
            view.source
        );
    }
    let mut grid = Grid::new(vec![
        ("INSTANCE", Fit::Always),
        ("ROLE", Fit::Whole(10)),
        ("HOST", Fit::Whole(5)),
        ("PID", Fit::Whole(3)),
        ("VERSION", Fit::Whole(1)),
        ("STARTED (UTC)", Fit::Whole(2)),
        ("HEARTBEAT", Fit::Whole(9)),
        ("SCHEDULES", Fit::Whole(6)),
        ("LAST TICK (UTC)", Fit::Whole(4)),
        ("LAG", Fit::Whole(7)),
        ("CHANGE VERSION", Fit::Whole(8)),
    ]);
    for i in &view.group.instances {
        let role = if Some(i.instance_id) == view.group.leader {
            "leader"
        } else {
            "standby"
        };
        let seen = match view.database_version {
            Some(db) if db > i.change_version => format!("{} (database: {db})", i.change_version),
            _ => i.change_version.to_string(),
        };
        grid.row(vec![
            i.instance_id.to_string()[..8].to_string(),
            role.to_string(),
            i.host.clone(),
            i.pid.to_string(),
            i.version.clone(),
            i.started_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            format!(
                "{:.1}s ago",
                (view.now - i.heartbeat_at).num_milliseconds().max(0) as f64 / 1000.0
            ),
            i.schedules.to_string(),
            i.last_tick_at
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_else(|| "-".into()),
            i.lag_ms
                .map(|l| format!("{l} ms"))
                .unwrap_or_else(|| "-".into()),
            seen,
        ]);
    }
    let mut text = grid.render(layout);
    if view.group.leader.is_none() {
        text.push_str("No leader is alive: nothing is being dispatched.\n");
    }
    text
}

/// `check`: one line when all is well, else one row per problem and a count.
fn check_text(report: &crate::cli::check::CheckReport, layout: Layout) -> String {
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

/// A run's result as a table cell: the status, with the exception for a failure.
fn result_text(result: Option<&crate::sync::results::TaskResult>) -> String {
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
fn recent_table(rows: &[HistoryRow], layout: Layout) -> String {
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
fn history_table(rows: &[HistoryRow], layout: Layout) -> String {
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

fn diagnosis_text(report: &Report, strict: bool, layout: Layout) -> String {
    let mark = |s: Status| match s {
        Status::Ok => "✓ ok  ",
        Status::Warn => "! warn",
        Status::Fail => "✗ FAIL",
        Status::Skip => "- skip",
    };
    // Narrow, the duration goes, then the summary is cut (its whole text is repeated below
    // for a warning or a failure).
    let mut grid = Grid::headless(vec![
        Fit::Always,
        Fit::Always,
        Fit::Shorten(2, 20),
        Fit::Whole(1),
    ]);
    for c in &report.checks {
        grid.row(vec![
            mark(c.status).to_string(),
            c.name.to_string(),
            c.summary.clone(),
            format!("{} ms", c.duration_ms),
        ]);
    }
    let mut text = grid.render(layout);
    for c in report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Warn | Status::Fail))
    {
        text.push_str(&format!(
            "\n{} {}: {}\n",
            mark(c.status).trim(),
            c.name,
            c.summary
        ));
        for d in &c.details {
            text.push_str(&format!("    {d}\n"));
        }
        if let Some(h) = &c.hint {
            text.push_str(&format!("  hint: {h}\n"));
        }
    }
    let verdict = if report.passes(strict) {
        "all checks passed"
    } else {
        "diagnose failed"
    };
    text.push_str(&format!(
        "\n{verdict}{}\n",
        if strict {
            " (strict: warnings count)"
        } else {
            ""
        }
    ));
    text
}

fn plural(n: usize, noun: &str) -> String {
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

/// Prints a command-line usage error (from clap) as the JSON error object on stderr.
pub fn report_usage_error(detail: &str, message: &str) {
    let body = message.split("\n\nUsage:").next().unwrap_or_default();
    let first = body
        .trim_start_matches("error: ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let doc = json!({"error": {
        "kind": ErrorKind::Usage.name(), "code": ErrorKind::Usage.code(), "message": first,
        "causes": [detail], "hint": "run the command with --help to see its arguments",
    }});
    eprintln!("{doc}");
}

/// Prints an error on stderr: `error:`, `caused by:` lines and `hint:`, or one JSON object
/// with `--output json`. Returns the exit code.
pub fn report_error(err: &anyhow::Error, format: OutputFormat) -> ErrorKind {
    let (kind, hint) = super::classify::classify(err);
    let extra = super::classify::typed(err).and_then(|t| t.json_fields());
    let message = err.to_string();
    // Drivers often repeat their inner error in their own message: print each text once.
    let mut causes: Vec<String> = Vec::new();
    for cause in err.chain().skip(1).map(|c| c.to_string()) {
        if !message.contains(&cause) && !causes.iter().any(|c| c.contains(&cause)) {
            causes.push(cause);
        }
    }
    let mut stderr = std::io::stderr().lock();
    let _ = match format {
        OutputFormat::Json => {
            let mut doc = json!({"error": {
                "kind": kind.name(), "code": kind.code(), "message": message, "causes": causes, "hint": hint,
            }});
            if let (Some(extra), Some(obj)) = (extra, doc["error"].as_object_mut()) {
                obj.extend(extra);
            }
            writeln!(stderr, "{doc}")
        }
        OutputFormat::Table | OutputFormat::Wide => {
            let mut text = format!("error: {message}\n");
            for cause in &causes {
                text.push_str(&format!("caused by: {cause}\n"));
            }
            if let Some(hint) = &hint {
                text.push_str(&format!("hint: {hint}\n"));
            }
            // Messages quote names and paths, which can come from another program's rows.
            stderr.write_all(escape_but_lines(&text).as_bytes())
        }
    };
    kind
}

fn apply_counts(view: &ApplyView) -> Value {
    let (create, update, delete, tasks) = view.plan.counts();
    json!({
        "create": create,
        "update": update,
        "delete": delete,
        "tasks": tasks,
        "unchanged": view.plan.unchanged.len(),
    })
}

fn change_json(c: &crate::domain::apply::FieldChange) -> Value {
    json!({"field": c.field, "before": c.before, "after": c.after})
}

fn apply_json(view: &ApplyView) -> Value {
    use crate::domain::apply::Step;
    let written: std::collections::HashMap<&str, &Schedule> =
        view.written.iter().map(|s| (s.name.as_str(), s)).collect();
    let steps: Vec<Value> = view
        .plan
        .steps
        .iter()
        .map(|step| match step {
            Step::DefineTask {
                next,
                exists,
                changes,
            } => json!({
                "action": if *exists { "update_task" } else { "create_task" },
                "task": next.task_name,
                "changes": changes.iter().map(change_json).collect::<Vec<_>>(),
            }),
            Step::Create(new) => json!({
                "action": "create",
                "name": new.name.text(),
                "id": written.get(new.name.text()).map(|s| s.id.to_string()),
                "task": new.task_name,
                "changes": [],
            }),
            Step::Update {
                current, changes, ..
            } => json!({
                "action": "update",
                "name": current.name,
                "id": current.id.to_string(),
                "task": current.task_name,
                "changes": changes.iter().map(change_json).collect::<Vec<_>>(),
            }),
            Step::Delete(s) => json!({
                "action": "delete",
                "name": s.name,
                "id": s.id.to_string(),
                "task": s.task_name,
                "changes": [],
            }),
        })
        .collect();
    json!({
        "file": view.file,
        "source": view.plan.source,
        "dry_run": view.dry_run,
        "applied": view.applied,
        "steps": steps,
        "unchanged": view.plan.unchanged,
        "summary": apply_counts(view),
    })
}

fn show_value(v: &Option<Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(other) => other.to_string(),
    }
}

fn apply_text(view: &ApplyView) -> String {
    use crate::domain::apply::Step;
    use std::fmt::Write as _;
    let mut out = String::new();
    let (create, update, delete, tasks) = view.plan.counts();
    if !view.plan_shown {
        let source = view
            .plan
            .source
            .as_deref()
            .map(|s| format!(" (source: {s})"))
            .unwrap_or_default();
        let _ = writeln!(out, "Plan for {}{source}:", view.file);
        for step in &view.plan.steps {
            let changes = match step {
                Step::DefineTask {
                    next,
                    exists,
                    changes,
                } => {
                    let verb = if *exists { "~ task  " } else { "+ task  " };
                    let _ = writeln!(out, "  {verb}{}", escape(&next.task_name));
                    changes
                }
                Step::Create(new) => {
                    let _ = writeln!(
                        out,
                        "  + create  {}  ({}, {})",
                        escape(new.name.text()),
                        escape(&new.task_name),
                        escape(&new.cron_expression)
                    );
                    continue;
                }
                Step::Update {
                    current, changes, ..
                } => {
                    let _ = writeln!(
                        out,
                        "  ~ update  {}  ({})",
                        escape(&current.name),
                        current.id
                    );
                    changes
                }
                Step::Delete(s) => {
                    let _ = writeln!(
                        out,
                        "  - delete  {}  ({}, not in the file)",
                        escape(&s.name),
                        s.id
                    );
                    continue;
                }
            };
            for c in changes {
                let _ = writeln!(
                    out,
                    "      {}: {} -> {}",
                    c.field,
                    show_value(&c.before),
                    show_value(&c.after)
                );
            }
        }
        if !view.plan.unchanged.is_empty() {
            let _ = writeln!(out, "  = {} unchanged", view.plan.unchanged.len());
        }
    }
    if view.plan.is_empty() {
        let _ = writeln!(out, "No changes: the database matches {}.", view.file);
        return out;
    }
    let tasks = if tasks > 0 {
        format!(", {tasks} task definition(s)")
    } else {
        String::new()
    };
    let summary = format!("{create} to create, {update} to update, {delete} to delete{tasks}");
    if view.applied {
        let tasks = tasks.replace("task definition(s)", "task definition(s) written");
        let _ = writeln!(
            out,
            "Applied: {create} created, {update} updated, {delete} deleted{tasks}."
        );
    } else if view.dry_run {
        let _ = writeln!(out, "Dry run: {summary}; nothing was written.");
    } else {
        let _ = writeln!(out, "{summary}.");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_visible_and_leave_other_text_alone() {
        assert!(matches!(escape("plain 日本 é 🚀"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}[31mred"), "a\\x1b[31mred");
        assert_eq!(escape("x\ny\r\tz\0"), "x\\ny\\r\\tz\\0");
        assert_eq!(escape("\u{7f}\u{9b}2J"), "\\x7f\\u{9b}2J");
        assert_eq!(
            escape("a\u{202e}b\u{2066}c\u{2028}"),
            "a\\u{202e}b\\u{2066}c\\u{2028}"
        );
        assert_eq!(escape_but_lines("one\ntwo\u{1b}"), "one\ntwo\\x1b");
    }

    fn plain(width: usize) -> Layout {
        Layout {
            width: Some(width),
            borders: false,
        }
    }

    fn sample() -> Grid {
        let mut grid = Grid::new(vec![
            ("ID", Fit::Always),
            ("NAME", Fit::Always),
            ("NOTE", Fit::Shorten(2, 8)),
            ("WHEN", Fit::Whole(3)),
            ("LOW", Fit::Whole(1)),
        ]);
        grid.row(vec![
            "0c7138bb".into(),
            "a name that is long".into(),
            "free text that can be cut anywhere".into(),
            "2026-12-07 00:00 UTC".into(),
            "x".into(),
        ]);
        grid.row(vec![
            "dc0d52ef".into(),
            "b".into(),
            "".into(),
            "-".into(),
            "y".into(),
        ]);
        grid
    }

    #[test]
    fn columns_are_taken_by_rank_until_one_does_not_fit() {
        let widths = |limit, borders| {
            fit_columns(
                &[
                    Fit::Always,
                    Fit::Whole(3),
                    Fit::Shorten(2, 6),
                    Fit::Whole(1),
                ],
                &[8, 20, 30, 3],
                &[2, 4, 4, 3],
                limit,
                borders,
            )
        };
        // Plain: a space either side of each cell, the last one trimmed.
        assert_eq!(widths(70, false), [Some(8), Some(20), Some(30), Some(3)]);
        assert_eq!(widths(66, false), [Some(8), Some(20), Some(30), None]);
        assert_eq!(widths(40, false), [Some(8), Some(20), Some(7), None]);
        // The third column does not fit (5 columns left, 6 wanted): the fourth would (3), but
        // is never shown in its place.
        assert_eq!(widths(38, false), [Some(8), Some(20), None, None]);
        assert_eq!(widths(20, false), [Some(8), None, None, None]);
        // An id never goes, even wider than the limit.
        assert_eq!(widths(4, false), [Some(8), None, None, None]);
        // Borders: `│ a ┆ b │`.
        assert_eq!(widths(35, true), [Some(8), Some(20), None, None]);
        assert_eq!(widths(34, true), [Some(8), None, None, None]);
    }

    #[test]
    fn grids_fit_without_trailing_spaces_and_keep_ids_and_names() {
        for borders in [false, true] {
            for width in [20, 40, 50, 60, 80, 200] {
                let text = sample().render(Layout {
                    width: Some(width),
                    borders,
                });
                for line in text.lines() {
                    assert_eq!(line, line.trim_end(), "{text}");
                    // Only the ids and names, which never go, may overflow a very narrow width.
                    assert!(
                        line.width() <= width.max(if borders { 36 } else { 30 }),
                        "{width}:\n{text}"
                    );
                }
                assert!(
                    text.contains("0c7138bb") && text.contains("a name that is long"),
                    "{text}"
                );
            }
        }
        // WHEN ranks above NOTE: at 60 the note goes, at 70 it is cut to the room left, and
        // LOW, ranked last, never shows before the note is whole.
        assert_eq!(
            sample().render(plain(60)).lines().collect::<Vec<_>>(),
            [
                " ID        NAME                 WHEN",
                " 0c7138bb  a name that is long  2026-12-07 00:00 UTC",
                " dc0d52ef  b                    -",
            ]
        );
        assert_eq!(
            sample().render(plain(70)).lines().collect::<Vec<_>>(),
            [
                " ID        NAME                 NOTE              WHEN",
                " 0c7138bb  a name that is long  free text that …  2026-12-07 00:00 UTC",
                " dc0d52ef  b                                      -",
            ]
        );
        let wide = sample().render(Layout {
            width: None,
            borders: false,
        });
        assert!(wide.contains("free text that can be cut anywhere  2026-12-07 00:00 UTC  x"));
        assert!(wide.lines().next().unwrap().ends_with("LOW"));
    }

    #[test]
    fn cells_are_escaped_so_each_is_one_line() {
        let mut grid = Grid::new(vec![("NAME", Fit::Always), ("NOTE", Fit::Whole(1))]);
        grid.row(vec!["a\nb\u{1b}[31m".into(), "c\td".into()]);
        assert_eq!(
            grid.render(plain(80)),
            " NAME          NOTE\n a\\nb\\x1b[31m  c\\td\n"
        );
    }

    #[test]
    fn shortening_and_wrapping_count_terminal_columns() {
        assert_eq!(shorten("abcdef", 6), "abcdef");
        assert_eq!(shorten("abcdefg", 6), "abcde…");
        assert_eq!(shorten("日本語のテキスト", 7), "日本語…");
        assert_eq!(wrap("short", Some(10), true), ["short"]);
        assert_eq!(wrap("a b c", None, true), ["a b c"]);
        assert_eq!(
            wrap("one two three four five", Some(9), true),
            ["one two", "three", "four five"]
        );
        assert_eq!(
            wrap("x averyveryverylongword y", Some(6), true),
            ["x", "averyv", "eryver", "ylongw", "ord y"]
        );
        assert_eq!(
            wrap("tag-one, a-much-longer-tag-name", Some(12), false),
            ["tag-one,", "a-much-longer-tag-name"]
        );
        // Pretty-printed JSON keeps its indentation on every line it becomes.
        assert_eq!(
            wrap(
                r#"    "key": "a value that goes on and on""#,
                Some(24),
                true
            ),
            [r#"    "key": "a value that"#, r#"    goes on and on""#]
        );
    }

    #[test]
    fn detail_tables_wrap_free_text_and_never_names() {
        let name = "a_name_that_is_longer_than_the_terminal_is_wide_and_must_stay_whole";
        let text = fields_table(
            vec![
                ("name", Field::Whole(name.into())),
                ("description", Field::Text("word ".repeat(40))),
                ("tags", Field::Names("nightly, market-data, reports".into())),
            ],
            plain(50),
        );
        assert!(text.lines().any(|l| l.ends_with(name)), "{text}");
        // Free text wraps to the column the name made, not narrower.
        let widest = text.lines().map(UnicodeWidthStr::width).max().unwrap();
        assert_eq!(widest, " description  ".len() + name.len(), "{text}");
        assert!(
            text.lines().filter(|l| l.contains("word")).count() > 2,
            "{text}"
        );
        assert!(text.lines().all(|l| l == l.trim_end()), "{text}");
    }
}
