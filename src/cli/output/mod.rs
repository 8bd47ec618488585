//! Every table and every JSON document stockura prints, and the error report.
//!
//! Commands return an [`Output`]; [`emit`] renders it on stdout, as a table (or text) or, with
//! `--output json`, as the JSON document of its family. Errors are reported on stderr by
//! [`report_error`].
//!
//! # The JSON contract
//!
//! Other programs parse the JSON forms, so they are a stable contract: fields may be added,
//! never renamed or removed, and their order does not change. Each document is a
//! `#[derive(Serialize)]` type of its family's module, each field documented where it is
//! declared (what it means, when it is null); a field is never left out, it is null instead.
//! Serialisation keeps the declaration order (`serde_json` is built with `preserve_order`),
//! and a `#[serde(flatten)]` field puts the fields of a shared object first (`schedule show`
//! is a schedule plus `upcoming` and `recent_runs`). Documents on stdout are pretty-printed
//! with a final line end; the error report and `sync monitor`'s events are one line each.
//!
//! | command | document |
//! |---|---|
//! | `schedule add`, `update` | [`schedule::ScheduleJson`] |
//! | `schedule list`, `enable`, `disable`, `delete` | an array of [`schedule::ScheduleJson`] |
//! | `schedule show` | [`schedule::ShowJson`] |
//! | `schedule next` | an array of RFC 3339 instants with the zone's offset |
//! | `schedule trigger` | [`schedule::TriggeredJson`] |
//! | `schedule backfill` | [`backfill::BackfillJson`] |
//! | `schedule export` | the document itself, whatever `--output` says |
//! | `task define` | [`task::DefinedJson`] |
//! | `task list` | an array of [`task::TaskJson`] |
//! | `task show` | [`task::ShowJson`] |
//! | `task delete` | [`task::TaskJson`] |
//! | `task validate` | [`task::ValidationJson`] |
//! | `history` | an array of [`history::HistoryJson`] |
//! | `apply` | [`apply::ApplyJson`] |
//! | `check` | [`check::CheckReport`] |
//! | `diagnose` | [`diagnose::DiagnosisJson`] |
//! | `beat status` | [`beat::StatusJson`] |
//! | `run-beat` (when it stops) | [`beat::StoppedJson`] |
//! | `migrate` | [`migrate::MigratedJson`] |
//! | `sync monitor` | one [`sync::EventJson`] a line |
//! | any error (stderr) | [`error::ErrorJson`] |
//!
//! The integration tests keep every command's output as a snapshot (`tests/it/output.rs`).

pub mod apply;
pub mod backfill;
pub mod beat;
pub mod check;
pub mod diagnose;
pub mod error;
pub mod history;
pub mod migrate;
pub mod schedule;
pub mod sync;
mod table;
pub mod task;

use std::borrow::Cow;
use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

pub use apply::ApplyView;
pub use backfill::BackfillView;
pub use beat::BeatStatusView;
pub use error::{report_error, report_usage_error};
pub use history::HistoryRow;
pub use schedule::{ScheduleView, Toggle};
pub use sync::{ReceivedEvent, print_event};
pub use table::Layout;
pub use task::TaskView;

use super::args::OutputFormat;
use crate::domain::diagnosis::Report;
use crate::domain::params::escape_unprintable;
use crate::domain::task::Violation;
use crate::domain::{Schedule, Upcoming};
use crate::error::ErrorKind;
use crate::store::MigrationReport;
use check::CheckReport;

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
        /// Its next slots, with their send times.
        upcoming: Vec<Upcoming>,
        /// Its newest runs, newest first, with their results.
        recent: Vec<HistoryRow>,
    },
    /// `schedule delete`: what was deleted (with `--dry-run`: what would be).
    Deleted {
        /// The schedules.
        schedules: Vec<ScheduleView>,
        /// `--dry-run`: nothing was deleted.
        dry_run: bool,
    },
    /// `schedule enable`, `disable`, `pause`, `resume`: the schedules afterwards (with
    /// `--dry-run`: as they would be).
    Toggled {
        /// Which command.
        action: Toggle,
        /// The schedules.
        schedules: Vec<ScheduleView>,
        /// How many of them already were in that state (not written).
        unchanged: usize,
        /// `--dry-run`: nothing was written.
        dry_run: bool,
    },
    /// `schedule next`.
    Next {
        /// Slots in their zone, with their send times.
        times: Vec<Upcoming>,
        /// Whether the send times differ from the slots (a schedule with a jitter).
        jittered: bool,
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
    /// `schedule backfill`.
    Backfilled(Box<BackfillView>),
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
    Check(CheckReport),
    /// `--dry-run` of `schedule add`, `schedule update` or `task define`: what the write would
    /// have produced (the write ran and was rolled back). Its JSON is the inner document.
    DryRun(Box<Output>),
}

impl Output {
    /// The process exit code: 3 for parameters that failed `task validate`, 7 for a failed
    /// check, the code of what stopped a backfill, else 0.
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
            Self::Backfilled(view) => view.exit_code(),
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

/// RFC 3339 with the zone's offset and, when the instant has them, milliseconds (a send time
/// moved by a jitter); exactly [`zoned_text`] otherwise.
pub fn precise_text(t: &DateTime<Tz>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// Renders the output on stdout; `headers`: whether tables print their header line (and the
/// notes around a list, such as "No schedules match.").
pub fn emit(out: &Output, format: OutputFormat, headers: bool) -> std::io::Result<()> {
    if let Output::Monitored { .. } = out {
        // Its events were printed as they arrived.
        return Ok(());
    }
    if let Output::Document(text) = out {
        return quiet_when_closed(write_stdout(text.as_bytes()));
    }
    let text = match format {
        OutputFormat::Json => return write_json(out),
        OutputFormat::Jsonl => return write_jsonl(out),
        OutputFormat::Name => match names(out) {
            Some(names) => names.into_iter().fold(String::new(), |mut text, name| {
                text.push_str(&escape(&name));
                text.push('\n');
                text
            }),
            // Refused before the command ran (`prints_names`); shown as a table if not.
            None => render(out, Layout::detect(OutputFormat::Table).headers(headers)),
        },
        OutputFormat::Table | OutputFormat::Wide => {
            render(out, Layout::detect(format).headers(headers))
        }
    };
    quiet_when_closed(write_stdout(text.as_bytes()))
}

/// What `--output name` prints for an output, one per line: the ids of the schedules, the
/// names of the task definitions, the ids of the runs, the instants of `schedule next`, the
/// Celery task id of `schedule trigger` (of each message `schedule backfill` sent). `None` for
/// the outputs that have none.
pub fn names(out: &Output) -> Option<Vec<String>> {
    Some(match out {
        Output::Created(v) | Output::Updated(v) | Output::Existing(v) | Output::Unchanged(v) => {
            vec![v.schedule.id.to_string()]
        }
        Output::Show { schedule, .. } => vec![schedule.schedule.id.to_string()],
        Output::List(views)
        | Output::Deleted {
            schedules: views, ..
        }
        | Output::Toggled {
            schedules: views, ..
        } => views.iter().map(|v| v.schedule.id.to_string()).collect(),
        Output::Next { times, .. } => times.iter().map(|u| precise_text(&u.send_at)).collect(),
        Output::Triggered { task_id, .. } => vec![task_id.to_string()],
        Output::Backfilled(view) => view
            .slots
            .iter()
            .filter(|r| r.outcome == Some(crate::domain::backfill::Outcome::Sent))
            .filter_map(|r| r.task_id.map(|t| t.to_string()))
            .collect(),
        Output::TaskDefined { task, .. }
        | Output::TaskShow { task, .. }
        | Output::TaskDeleted(task) => vec![task.task.task_name.clone()],
        Output::TaskList(tasks) => tasks.iter().map(|t| t.task.task_name.clone()).collect(),
        Output::History(rows) => rows.iter().map(|r| r.run.id.to_string()).collect(),
        Output::DryRun(inner) => return names(inner),
        _ => return None,
    })
}

/// The JSON document of an output, one variant per shape; serialised as the inner value.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Json<'a> {
    Schedule(schedule::ScheduleJson<'a>),
    Schedules(Each<'a, ScheduleView, schedule::ScheduleJson<'a>>),
    Show(schedule::ShowJson<'a>),
    Times(Vec<String>),
    Triggered(schedule::TriggeredJson<'a>),
    Backfilled(backfill::BackfillJson<'a>),
    Task(task::TaskJson<'a>),
    Tasks(Each<'a, TaskView, task::TaskJson<'a>>),
    TaskDefined(task::DefinedJson<'a>),
    TaskShow(task::ShowJson<'a>),
    Validation(task::ValidationJson<'a>),
    History(Each<'a, HistoryRow, history::HistoryJson<'a>>),
    Applied(apply::ApplyJson<'a>),
    Check(&'a CheckReport),
    Diagnosis(diagnose::DiagnosisJson<'a>),
    BeatStatus(beat::StatusJson<'a>),
    BeatStopped(beat::StoppedJson),
    Migrated(migrate::MigratedJson<'a>),
}

/// A slice written as a JSON array, each element through its view as it is reached: built
/// whole, 100,000 schedules held their rows, a `Value` tree and the text at once (635 MB).
struct Each<'a, T, J>(&'a [T], fn(&'a T) -> J);

impl<'a, T, J> Each<'a, T, J> {
    /// Each element's view, in order.
    fn iter(&self) -> impl Iterator<Item = J> + '_ {
        self.0.iter().map(self.1)
    }
}

impl<T, J: Serialize> Serialize for Each<'_, T, J> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(self.1))
    }
}

impl<T, J> std::fmt::Debug for Each<'_, T, J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Each({} elements)", self.0.len())
    }
}

/// The JSON document of an output; `None` for the outputs that have none of their own
/// (`sync monitor` printed its events as they came, `schedule export` is its document).
fn json(out: &Output) -> Option<Json<'_>> {
    Some(match out {
        Output::Created(v) | Output::Updated(v) | Output::Existing(v) | Output::Unchanged(v) => {
            Json::Schedule(v.json())
        }
        Output::List(views)
        | Output::Deleted {
            schedules: views, ..
        } => Json::Schedules(Each(views, ScheduleView::json)),
        Output::Toggled { schedules, .. } => Json::Schedules(Each(schedules, ScheduleView::json)),
        Output::Show {
            schedule,
            upcoming,
            recent,
        } => Json::Show(schedule::ShowJson::new(schedule, upcoming, recent)),
        Output::Next { times, .. } => {
            Json::Times(times.iter().map(|u| precise_text(&u.send_at)).collect())
        }
        Output::Triggered {
            schedule,
            task_id,
            result,
        } => Json::Triggered(schedule::TriggeredJson::new(
            schedule,
            *task_id,
            result.as_ref(),
        )),
        Output::Backfilled(view) => Json::Backfilled(view.json()),
        Output::TaskDefined {
            task,
            created,
            invalid_schedules,
        } => Json::TaskDefined(task::DefinedJson {
            task: task.json(),
            action: if *created { "created" } else { "replaced" },
            invalid_schedules: *invalid_schedules,
        }),
        Output::TaskList(tasks) => Json::Tasks(Each(tasks, TaskView::json)),
        Output::TaskShow { task, schedules } => Json::TaskShow(task::ShowJson {
            task: task.json(),
            schedules: schedules.iter().map(ScheduleView::json).collect(),
        }),
        Output::TaskDeleted(task) => Json::Task(task.json()),
        Output::Validation {
            task_name,
            violations,
            ..
        } => Json::Validation(task::ValidationJson::new(task_name, violations)),
        Output::History(rows) => Json::History(Each(rows, HistoryRow::json)),
        Output::Applied(view) => Json::Applied(apply::ApplyJson::new(view)),
        Output::Check(report) => Json::Check(report),
        Output::Diagnosis { report, strict } => {
            Json::Diagnosis(diagnose::DiagnosisJson::new(report, *strict))
        }
        Output::BeatStatus(view) => Json::BeatStatus(view.json()),
        Output::BeatStopped(stats) => Json::BeatStopped(beat::StoppedJson::new(stats)),
        Output::Migrated { report, .. } => Json::Migrated(migrate::MigratedJson::new(report)),
        Output::DryRun(inner) => return json(inner),
        Output::Monitored { .. } | Output::Document(_) => return None,
    })
}

/// The JSON document of an output on stdout, as `serde_json::to_string_pretty` spells it, and a
/// line end. Lists are written one element at a time.
fn write_json(out: &Output) -> std::io::Result<()> {
    let Some(doc) = json(out) else {
        return Ok(());
    };
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut stdout, &doc)
        .map_err(std::io::Error::from)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    quiet_when_closed(written)
}

/// JSON Lines on stdout: each element of a list as one compact JSON value on its line, written
/// as it is reached; any other document whole on one line.
fn write_jsonl(out: &Output) -> std::io::Result<()> {
    let Some(doc) = json(out) else {
        return Ok(());
    };
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let out = &mut stdout;
    let written = match &doc {
        Json::Schedules(each) => each.iter().try_for_each(|j| json_line(out, &j)),
        Json::Tasks(each) => each.iter().try_for_each(|j| json_line(out, &j)),
        Json::History(each) => each.iter().try_for_each(|j| json_line(out, &j)),
        Json::Times(times) => times.iter().try_for_each(|t| json_line(out, t)),
        whole => json_line(out, whole),
    }
    .and_then(|()| stdout.flush());
    quiet_when_closed(written)
}

/// One value as compact JSON and a line end.
fn json_line(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
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

/// Prints text on stdout as a stream goes on; `Ok(false)` once the reader closed it (the
/// stream stops, successfully).
pub fn print_while_read(bytes: &[u8]) -> std::io::Result<bool> {
    match write_stdout(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        other => other.map(|()| true),
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
        Output::Created(v) => schedule::created_text(v, layout),
        Output::Updated(v) => schedule::updated_text(v, layout),
        Output::Existing(v) => schedule::existing_text(v, layout),
        Output::Unchanged(v) => schedule::unchanged_text(v),
        Output::List(views) => schedule::list_text(views, layout),
        Output::Show {
            schedule,
            upcoming,
            recent,
        } => schedule::show_text(schedule, upcoming, recent, layout),
        Output::Deleted { schedules, dry_run } => {
            schedule::deleted_text(schedules, *dry_run, layout)
        }
        Output::Toggled {
            action,
            schedules,
            unchanged,
            dry_run,
        } => schedule::toggled_text(*action, schedules, *unchanged, *dry_run, layout),
        Output::Next { times, jittered } => schedule::next_text(times, *jittered),
        Output::Triggered {
            schedule,
            task_id,
            result,
        } => schedule::triggered_text(schedule, *task_id, result.as_ref()),
        Output::TaskDefined {
            task,
            created,
            invalid_schedules,
        } => task::defined_text(task, *created, *invalid_schedules, layout),
        Output::TaskList(tasks) => task::list_text(tasks, layout),
        Output::TaskShow { task, schedules } => task::show_text(task, schedules, layout),
        Output::TaskDeleted(task) => task::deleted_text(task),
        Output::Validation {
            task_name,
            has_schema,
            violations,
        } => task::validation_text(task_name, *has_schema, violations),
        Output::Monitored { .. } => String::new(),
        Output::BeatStopped(stats) => beat::stopped_text(stats),
        Output::Document(text) => text.clone(),
        Output::Applied(view) => apply::apply_text(view),
        Output::History(rows) => history::history_text(rows, layout),
        Output::Backfilled(view) => backfill::backfill_text(view, layout),
        Output::BeatStatus(view) => beat::beat_status_table(view, layout),
        Output::Diagnosis { report, strict } => diagnose::diagnosis_text(report, *strict, layout),
        Output::Check(report) => check::check_text(report, layout),
        Output::Migrated { report, url } => migrate::migrated_text(report, url),
        Output::DryRun(inner) => dry_run_text(&render_raw(inner, layout)),
    }
}

/// The text of a dry run: the write's own text, its first line ("Created schedule 'x' (id).")
/// saying what would have been done ("Would create schedule 'x' (id); nothing was written
/// (--dry-run).").
fn dry_run_text(text: &str) -> String {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let would = [
        ("Created ", "Would create "),
        ("Updated ", "Would update "),
        ("Replaced ", "Would replace "),
    ]
    .iter()
    .find_map(|(done, would)| {
        first
            .strip_prefix(done)
            .map(|tail| format!("{would}{tail}"))
    })
    .unwrap_or_else(|| first.to_string());
    format!(
        "{}; nothing was written (--dry-run).\n{rest}",
        would.trim_end_matches('.')
    )
}
