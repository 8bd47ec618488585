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

use super::args::OutputFormat;
use crate::domain::Schedule;
use crate::domain::params::escape_unprintable;
use crate::domain::schedule::NextRuns;
use crate::domain::task::{TaskDefinition, Violation};
use crate::error::{self, ErrorKind};
use crate::store::MigrationReport;
use crate::sync::diagnose::{Report, Status};

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
    /// `schedule list`.
    List(Vec<ScheduleView>),
    /// `schedule show`.
    Show {
        /// The schedule.
        schedule: ScheduleView,
        /// Its next fire times.
        upcoming: Vec<DateTime<Tz>>,
    },
    /// `schedule delete`: what was deleted.
    Deleted(Vec<ScheduleView>),
    /// `schedule enable` / `disable`: the schedules afterwards.
    Toggled {
        /// Whether they were enabled.
        enabled: bool,
        /// The schedules.
        schedules: Vec<ScheduleView>,
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
        OutputFormat::Table => {
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
        OutputFormat::Table => to_text(out),
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
        Output::Created(v) | Output::Updated(v) => v.to_json(),
        Output::List(views) | Output::Deleted(views) => many(views),
        Output::Toggled { schedules, .. } => many(schedules),
        Output::Show { schedule, upcoming } => {
            let mut doc = schedule.to_json();
            doc["upcoming"] = upcoming.iter().map(zoned_text).collect();
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

fn new_table() -> Table {
    let mut table = Table::new();
    if std::io::stdout().is_terminal() {
        table.load_preset(presets::UTF8_FULL_CONDENSED);
        // Fit the terminal, unless it reports no usable width (some pseudo-terminals say 0).
        match table.width() {
            Some(width) if width >= 40 => {
                table
                    .set_width(width)
                    .set_content_arrangement(ContentArrangement::Dynamic);
            }
            _ => {
                table.force_no_tty();
            }
        }
    } else {
        table.load_preset(presets::NOTHING);
    }
    table
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

fn list_table(views: &[ScheduleView]) -> String {
    let mut table = new_table();
    table.set_header(vec![
        "ID", "NAME", "TASK", "CRON", "TIMEZONE", "ENABLED", "POLICY", "CATEGORY", "TAGS",
        "NEXT RUN", "LAST RUN",
    ]);
    for v in views {
        let s = &v.schedule;
        table.add_row(vec![
            short_id(v),
            s.name.clone(),
            s.task_name.clone(),
            s.cron_expression.clone(),
            v.timezone_name(),
            if s.enabled { "yes" } else { "no" }.to_string(),
            s.execution_policy.to_string(),
            s.category.clone().unwrap_or_default(),
            s.tags.join(","),
            v.next_run_at
                .as_ref()
                .map(local)
                .unwrap_or_else(|| "-".into()),
            s.last_run_at
                .map(|t| local_in(t, v.timezone))
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    format!("{table}\n")
}

fn detail_table(v: &ScheduleView) -> Table {
    let s = &v.schedule;
    let mut table = new_table();
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
    let rows: Vec<(&str, String)> = vec![
        ("id", s.id.to_string()),
        ("name", name),
        ("task", s.task_name.clone()),
        ("cron", s.cron_expression.clone()),
        ("timezone", zone),
        ("enabled", if s.enabled { "yes" } else { "no" }.into()),
        ("policy", s.execution_policy.to_string()),
        ("category", s.category.clone().unwrap_or_else(|| "-".into())),
        (
            "tags",
            if s.tags.is_empty() {
                "-".into()
            } else {
                s.tags.join(", ")
            },
        ),
        ("args", Value::Array(s.args.clone()).to_string()),
        ("kwargs", kwargs),
        ("options", s.options.to_json().to_string()),
        (
            "description",
            s.description.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "next run",
            v.next_run_at
                .as_ref()
                .map(local)
                .unwrap_or_else(|| "-".into()),
        ),
        (
            "last run",
            s.last_run_at
                .map(|t| local_in(t, v.timezone))
                .unwrap_or_else(|| "-".into()),
        ),
        ("total runs", s.total_run_count.to_string()),
        ("created", utc_text(s.created_at)),
        ("updated", utc_text(s.updated_at)),
    ];
    let mut rows = rows;
    if !v.problems.is_empty() {
        rows.push(("problems", v.problems.join("\n")));
    }
    for (k, value) in rows {
        table.add_row(vec![k.to_string(), value]);
    }
    table
}

fn task_table(t: &TaskView) -> Table {
    let mut table = new_table();
    let task = &t.task;
    let rows: Vec<(&str, String)> = vec![
        ("task", task.task_name.clone()),
        (
            "category",
            task.category.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "description",
            task.description.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "schema",
            if task.parameter_schema.is_some() {
                "yes"
            } else {
                "no"
            }
            .into(),
        ),
        ("schedules", t.schedule_count.to_string()),
        ("created", utc_text(task.created_at)),
        ("updated", utc_text(task.updated_at)),
    ];
    for (k, v) in rows {
        table.add_row(vec![k.to_string(), v]);
    }
    table
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

fn beat_status_table(view: &BeatStatusView) -> String {
    if view.group.instances.is_empty() {
        return format!(
            "No scheduler is running (no live heartbeat in {}).\n",
            view.source
        );
    }
    let mut table = new_table();
    table.set_header(vec![
        "INSTANCE",
        "ROLE",
        "HOST",
        "PID",
        "VERSION",
        "STARTED (UTC)",
        "HEARTBEAT",
        "SCHEDULES",
        "LAST TICK (UTC)",
        "LAG",
        "CHANGE VERSION",
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
        table.add_row(vec![
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
    let mut text = format!("{table}\n");
    if view.group.leader.is_none() {
        text.push_str("No leader is alive: nothing is being dispatched.\n");
    }
    text
}

fn history_table(rows: &[HistoryRow]) -> String {
    let mut table = new_table();
    table.set_header(vec![
        "SLOT (UTC)",
        "SCHEDULE",
        "TASK",
        "TRIGGER",
        "STATUS",
        "RESULT",
        "RUNTIME",
        "TASK ID",
        "DETAIL",
    ]);
    for row in rows {
        let r = &row.run.run;
        let result = match &row.result {
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
        };
        table.add_row(vec![
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
    format!("{table}\n")
}

fn diagnosis_text(report: &Report, strict: bool) -> String {
    let mark = |s: Status| match s {
        Status::Ok => "✓ ok  ",
        Status::Warn => "! warn",
        Status::Fail => "✗ FAIL",
        Status::Skip => "- skip",
    };
    let mut table = new_table();
    for c in &report.checks {
        table.add_row(vec![
            mark(c.status).to_string(),
            c.name.to_string(),
            c.summary.clone(),
            format!("{} ms", c.duration_ms),
        ]);
    }
    let mut text = format!("{table}\n");
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

/// The human form of an output.
pub fn to_text(out: &Output) -> String {
    match out {
        Output::Created(v) => format!(
            "Created schedule '{}' ({}).\n{}\n",
            v.schedule.name,
            v.schedule.id,
            detail_table(v)
        ),
        Output::Updated(v) => format!(
            "Updated schedule '{}' ({}).\n{}\n",
            v.schedule.name,
            v.schedule.id,
            detail_table(v)
        ),
        Output::List(views) if views.is_empty() => "No schedules match.\n".into(),
        Output::List(views) => list_table(views),
        Output::Show { schedule, upcoming } => {
            let mut text = format!("{}\n", detail_table(schedule));
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
            text
        }
        Output::Deleted(views) => format!(
            "Deleted {}.\n{}",
            plural(views.len(), "schedule"),
            list_table(views)
        ),
        Output::Toggled { enabled, schedules } => format!(
            "{} {}.\n{}",
            if *enabled { "Enabled" } else { "Disabled" },
            plural(schedules.len(), "schedule"),
            list_table(schedules)
        ),
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
                "{} the definition of task {}.\n{}\n",
                if *created { "Created" } else { "Replaced" },
                task.task.task_name,
                task_table(task)
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
        Output::TaskList(tasks) => {
            let mut table = new_table();
            table.set_header(vec![
                "TASK",
                "CATEGORY",
                "DESCRIPTION",
                "SCHEMA",
                "SCHEDULES",
            ]);
            for t in tasks {
                table.add_row(vec![
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
            format!("{table}\n")
        }
        Output::TaskShow { task, schedules } => {
            let mut text = format!("{}\n", task_table(task));
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
                    list_table(schedules)
                ));
            }
            text
        }
        Output::Monitored { .. } | Output::BeatStopped(_) => String::new(),
        Output::Document(text) => text.clone(),
        Output::Applied(view) => apply_text(view),
        Output::Triggered {
            schedule,
            task_id,
            result,
        } => {
            let mut text = format!(
                "Sent '{}' ({}) as task {task_id}.\n",
                schedule.name, schedule.task_name
            );
            if let Some(r) = result {
                text.push_str(&format!("Result: {} {}\n", r.status, r.result));
            }
            text
        }
        Output::History(rows) if rows.is_empty() => "No runs match.\n".into(),
        Output::History(rows) => history_table(rows),
        Output::BeatStatus(view) => beat_status_table(view),
        Output::Diagnosis { report, strict } => diagnosis_text(report, *strict),
        Output::TaskDeleted(task) => {
            format!("Deleted the definition of task {}.\n", task.task.task_name)
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
    let (kind, hint) = error::classify(err);
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
            let doc = json!({"error": {
                "kind": kind.name(), "code": kind.code(), "message": message, "causes": causes, "hint": hint,
            }});
            writeln!(stderr, "{doc}")
        }
        OutputFormat::Table => {
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
}
