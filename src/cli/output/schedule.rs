//! Schedules: `schedule add`, `update`, `list`, `show`, `delete`, `enable`, `disable`, `next`,
//! and the lists of other commands.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::history::{HistoryJson, HistoryRow, recent_table};
use super::table::{Field, Fit, Grid, Layout, fields_table, local, local_in};
use super::{escape, plural, precise_text, utc_text, zoned_text};
use crate::domain::pause::State;
use crate::domain::schedule::NextRuns;
use crate::domain::{Schedule, Upcoming};
use crate::sync::results::TaskResult;

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
    /// When the next fire time's message is sent (later than it with a jitter).
    pub next_send_at: Option<DateTime<Tz>>,
    /// What keeps the row from running as stored (see [`Schedule::problems`]).
    pub problems: Vec<String>,
    /// Columns another program wrote that cannot be read, which the row runs without (see
    /// [`Schedule::unread_columns`]).
    pub unreadable: Vec<String>,
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
        let unreadable = schedule.unread_columns();
        // With a jitter, the next run is the next slot sent: possibly one just passed whose
        // send time is still ahead, as the scheduler plans it (from the end of a pause with an
        // until, as `next_run` does).
        let from = if schedule.enabled {
            Some(now)
        } else {
            schedule
                .pause()
                .and_then(|p| p.until)
                .map(|until| until.max(now))
        };
        let (next_run_at, next_send_at) = match (schedule.jitter, schedule.cron(), from) {
            (Some(_), Ok(cron), Some(from)) => next
                .zone(&schedule, default_tz)
                .and_then(|tz| schedule.upcoming(&cron, tz, from, 1).into_iter().next())
                .map_or((None, None), |u| (Some(u.slot), Some(u.send_at))),
            _ => {
                let slot = next.next_run(&schedule, now, default_tz);
                (slot, slot)
            }
        };
        Self {
            timezone: next.zone(&schedule, default_tz),
            default_timezone: schedule.timezone.is_none(),
            next_run_at,
            next_send_at,
            problems,
            unreadable,
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
    pub fn json(&self) -> ScheduleJson<'_> {
        let s = &self.schedule;
        let pause = s.pause();
        ScheduleJson {
            id: s.id,
            name: &s.name,
            task_name: &s.task_name,
            cron_expression: &s.cron_expression,
            timezone: self.timezone_name(),
            enabled: s.enabled,
            args: &s.args,
            kwargs: &s.kwargs,
            description: s.description.as_deref(),
            category: s.category.as_deref(),
            tags: &s.tags,
            execution_policy: s.execution_policy.as_str(),
            auto_generated_name: s.auto_generated_name,
            options: s.options.to_json(),
            jitter_seconds: s.jitter.map(|j| j.secs()),
            last_run_at: s.last_run_at.map(utc_text),
            total_run_count: s.total_run_count,
            next_run_at: self.next_run_at.map(|t| zoned_text(&t)),
            next_send_at: self.next_send_at.map(|t| precise_text(&t)),
            created_at: utc_text(s.created_at),
            updated_at: utc_text(s.updated_at),
            problems: &self.problems,
            unreadable_columns: &self.unreadable,
            last_result_status: self.last_result_status.as_deref(),
            state: s.state().as_str(),
            paused_at: pause.and_then(|p| p.at).map(utc_text),
            paused_by: pause.and_then(|p| p.by.as_deref()),
            pause_reason: pause.and_then(|p| p.reason.as_deref()),
            paused_until: pause.and_then(|p| p.until).map(utc_text),
            resumed_at: s.resumed_at.map(utc_text),
        }
    }
}

/// A schedule: what `schedule add` and `update` print, and each element of the arrays that
/// `schedule list`, `enable`, `disable` and `delete` print (and of `task show`'s `schedules`).
#[derive(Debug, Serialize)]
pub struct ScheduleJson<'a> {
    /// The schedule's id, a UUID.
    pub id: Uuid,
    /// Its name; not unique.
    pub name: &'a str,
    /// The Celery task it sends.
    pub task_name: &'a str,
    /// The cron expression as stored.
    pub cron_expression: &'a str,
    /// The effective zone: the schedule's own, else `CELERY_TIMEZONE`; a stored zone stockura
    /// does not know is printed as stored.
    pub timezone: String,
    /// Whether the scheduler sends it.
    pub enabled: bool,
    /// Positional arguments.
    pub args: &'a [Value],
    /// Keyword arguments.
    pub kwargs: &'a Map<String, Value>,
    /// Free text; null when none.
    pub description: Option<&'a str>,
    /// Null when none.
    pub category: Option<&'a str>,
    /// Possibly empty.
    pub tags: &'a [String],
    /// `allow`, `skip` or `queue`.
    pub execution_policy: &'static str,
    /// Whether stockura made the name up (no `--name`).
    pub auto_generated_name: bool,
    /// Delivery options: `queue`, `priority` (0-9), `expires` (seconds) and any other key the
    /// application stored; `{}` when none.
    pub options: Value,
    /// Its jitter in seconds: each slot is sent up to this long after its instant; null when
    /// it has none.
    pub jitter_seconds: Option<u32>,
    /// When it last ran (RFC 3339, UTC), kept by the scheduler; null when it never ran.
    pub last_run_at: Option<String>,
    /// How many times it ran, kept by the scheduler.
    pub total_run_count: i64,
    /// Its next fire time (RFC 3339 with the zone's offset); null when it is disabled, cannot
    /// run as stored, or never fires again.
    pub next_run_at: Option<String>,
    /// When the message of `next_run_at` is sent (RFC 3339 with the zone's offset, with
    /// milliseconds when it has them): `next_run_at` plus its jitter offset; the same as
    /// `next_run_at` without a jitter; null when that is.
    pub next_send_at: Option<String>,
    /// RFC 3339, UTC, with microseconds (fewer digits when they are zeros).
    pub created_at: String,
    /// RFC 3339, UTC, with microseconds (fewer digits when they are zeros).
    pub updated_at: String,
    /// What keeps a row another program wrote from running as stored; empty normally.
    pub problems: &'a [String],
    /// Columns another program wrote that stockura cannot read and the row runs without (its
    /// tags, its last run, creation or pause times), each `column: problem`; empty normally.
    pub unreadable_columns: &'a [String],
    /// The Celery status of its latest dispatched run (`SUCCESS`, `FAILURE`, …): only
    /// `schedule list` with a Redis result backend reads it; null otherwise, and when the
    /// backend holds no result for it.
    pub last_result_status: Option<&'a str>,
    /// `enabled`, `paused` (off, with a reason: `schedule pause`) or `disabled` (off without
    /// one).
    pub state: &'static str,
    /// When it was switched off by `schedule pause` or `disable` (RFC 3339, UTC); null while
    /// it is on, and when another program (or `schedule update --disabled`) switched it off.
    pub paused_at: Option<String>,
    /// Who switched it off, `user@host`; null as `paused_at` is.
    pub paused_by: Option<&'a str>,
    /// Why it is paused (`schedule pause --reason`); null unless `state` is `paused`.
    pub pause_reason: Option<&'a str>,
    /// When the leading scheduler resumes it by itself (`--until`; RFC 3339, UTC); null when
    /// it stays off until resumed by hand.
    pub paused_until: Option<String>,
    /// When it was last switched on again (`enable`, `resume`, its `--until`; RFC 3339, UTC):
    /// the scheduler owes nothing for its slots before that instant; null when it never was.
    pub resumed_at: Option<String>,
}

/// `schedule show`: the schedule, its next fire times and its newest runs.
#[derive(Debug, Serialize)]
pub struct ShowJson<'a> {
    /// The schedule's fields.
    #[serde(flatten)]
    pub schedule: ScheduleJson<'a>,
    /// Its next fire times (RFC 3339 with the zone's offset); empty when there are none.
    pub upcoming: Vec<String>,
    /// When each of `upcoming` is sent (RFC 3339, milliseconds when it has them): the same
    /// instants without a jitter.
    pub upcoming_sends: Vec<String>,
    /// Its newest runs, newest first, as `history` prints them.
    pub recent_runs: Vec<HistoryJson<'a>>,
}

impl<'a> ShowJson<'a> {
    pub(super) fn new(
        schedule: &'a ScheduleView,
        upcoming: &[Upcoming],
        recent: &'a [HistoryRow],
    ) -> Self {
        Self {
            schedule: schedule.json(),
            upcoming: upcoming.iter().map(|u| zoned_text(&u.slot)).collect(),
            upcoming_sends: upcoming.iter().map(|u| precise_text(&u.send_at)).collect(),
            recent_runs: recent.iter().map(HistoryRow::json).collect(),
        }
    }
}

/// `schedule trigger`: the run it sent.
#[derive(Debug, Serialize)]
pub struct TriggeredJson<'a> {
    /// The schedule's id.
    pub schedule_id: Uuid,
    /// The schedule's name.
    pub name: &'a str,
    /// The Celery task sent.
    pub task_name: &'a str,
    /// The id of the Celery task message.
    pub celery_task_id: Uuid,
    /// Always `dispatched`.
    pub status: &'static str,
    /// With `--wait`: the Celery status it reached; null without `--wait`.
    pub result_status: Option<&'a str>,
    /// With `--wait`: the stored result; null without `--wait`.
    pub result: Option<&'a Value>,
}

impl<'a> TriggeredJson<'a> {
    pub(super) fn new(
        schedule: &'a Schedule,
        task_id: Uuid,
        result: Option<&'a TaskResult>,
    ) -> Self {
        Self {
            schedule_id: schedule.id,
            name: &schedule.name,
            task_name: &schedule.task_name,
            celery_task_id: task_id,
            status: "dispatched",
            result_status: result.map(|r| r.status.as_str()),
            result: result.map(|r| &r.result),
        }
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
    // Only when one of them is paused: why, and until when.
    let paused = views.iter().any(|v| v.schedule.state() == State::Paused);
    if paused {
        columns.push(("PAUSE", Fit::Shorten(1, 10)));
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
            enabled_text(s).to_string(),
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
        if paused {
            cells.push(pause_text(v));
        }
        grid.row(cells);
    }
    grid.render(layout)
}

/// The ENABLED cell: `yes`, `no`, or `paused`.
fn enabled_text(s: &Schedule) -> &'static str {
    match s.state() {
        State::Enabled => "yes",
        State::Paused => "paused",
        State::Disabled => "no",
    }
}

/// The PAUSE cell of a paused schedule: its reason, and until when (in its zone); `-` for
/// the others.
fn pause_text(v: &ScheduleView) -> String {
    match v.schedule.pause() {
        Some(p) if v.schedule.state() == State::Paused => {
            let reason = p.reason.clone().unwrap_or_default();
            match p.until {
                Some(until) => format!("{reason} (until {})", local_in(until, v.timezone)),
                None => reason,
            }
        }
        _ => "-".into(),
    }
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
    let mut rows: Vec<(&'static str, Field)> = vec![
        ("id", Field::Whole(s.id.to_string())),
        ("name", Field::Whole(name)),
        ("task", Field::Whole(s.task_name.clone())),
        ("cron", Field::Whole(s.cron_expression.clone())),
        ("timezone", Field::Whole(zone)),
        ("enabled", Field::Whole(enabled_text(s).into())),
    ];
    // Who switched it off, when, why and until when.
    if let Some(p) = s.pause() {
        let label = if s.state() == State::Paused {
            "paused"
        } else {
            "disabled"
        };
        let when = p.at.map(utc_text).unwrap_or_else(|| "-".into());
        let by =
            p.by.as_deref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default();
        rows.push((label, Field::Whole(format!("{when}{by}"))));
        if let Some(reason) = &p.reason {
            rows.push(("reason", Field::Text(reason.clone())));
        }
        if s.state() == State::Paused {
            rows.push((
                "until",
                Field::Whole(match p.until {
                    Some(until) => local_in(until, v.timezone),
                    None => "resumed by hand (stockura schedule resume)".into(),
                }),
            ));
        }
    }
    rows.extend([
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
            "jitter",
            Field::Whole(s.jitter.map_or_else(|| "-".into(), |j| j.to_string())),
        ),
        (
            "description",
            Field::Text(s.description.clone().unwrap_or_else(|| "-".into())),
        ),
        (
            "next run",
            Field::Whole(match (&v.next_run_at, &v.next_send_at) {
                (Some(slot), Some(send)) if send != slot => {
                    format!("{}, sent at {}", local(slot), send_clock(send))
                }
                (Some(slot), _) => local(slot),
                _ => "-".into(),
            }),
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
    ]);
    if !v.problems.is_empty() {
        rows.push(("problems", Field::Lines(v.problems.clone())));
    }
    if !v.unreadable.is_empty() {
        rows.push(("unreadable", Field::Lines(v.unreadable.clone())));
    }
    fields_table(rows, layout)
}

/// `schedule add`.
pub(super) fn created_text(v: &ScheduleView, layout: Layout) -> String {
    format!(
        "Created schedule '{}' ({}).\n{}",
        escape(&v.schedule.name),
        v.schedule.id,
        detail_table(v, layout)
    )
}

/// `schedule update`.
pub(super) fn updated_text(v: &ScheduleView, layout: Layout) -> String {
    format!(
        "Updated schedule '{}' ({}).\n{}",
        escape(&v.schedule.name),
        v.schedule.id,
        detail_table(v, layout)
    )
}

/// `schedule add --if-not-exists` that found a schedule doing the same job.
pub(super) fn existing_text(v: &ScheduleView, layout: Layout) -> String {
    format!(
        "Schedule '{}' ({}) already does this job; nothing was written.\n{}",
        escape(&v.schedule.name),
        v.schedule.id,
        detail_table(v, layout)
    )
}

/// `schedule update` that would change nothing.
pub(super) fn unchanged_text(v: &ScheduleView) -> String {
    format!(
        "No changes: schedule '{}' ({}) already is as given; nothing was written.\n",
        escape(&v.schedule.name),
        v.schedule.id,
    )
}

/// `schedule list`: the table, and a note when rows cannot run as stored.
pub(super) fn list_text(views: &[ScheduleView], layout: Layout) -> String {
    if views.is_empty() {
        return if layout.headers {
            "No schedules match.\n".into()
        } else {
            String::new()
        };
    }
    let mut text = list_table(views, layout);
    let broken = views.iter().filter(|v| !v.problems.is_empty()).count();
    if broken > 0 && layout.headers {
        text.push_str(&format!(
            "{} cannot run as stored (NEXT RUN shows `cannot run`): see \
             `stockura schedule show REF` or `stockura diagnose --check schedules`\n",
            plural(broken, "schedule")
        ));
    }
    text
}

/// `schedule show`: the detail, the next fire times, the newest runs.
pub(super) fn show_text(
    schedule: &ScheduleView,
    upcoming: &[Upcoming],
    recent: &[HistoryRow],
    layout: Layout,
) -> String {
    let mut text = detail_table(schedule, layout);
    if upcoming.is_empty() {
        text.push_str("No upcoming runs.\n");
    } else {
        text.push_str(&format!("Next {}:\n", plural(upcoming.len(), "run")));
        for u in upcoming {
            let sent = if u.send_at == u.slot {
                String::new()
            } else {
                format!(", sent at {}", send_clock(&u.send_at))
            };
            text.push_str(&format!(
                "  {}  ({}){sent}\n",
                local(&u.slot),
                utc_text(u.slot.with_timezone(&Utc))
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

/// `schedule delete`.
pub(super) fn deleted_text(views: &[ScheduleView], dry_run: bool, layout: Layout) -> String {
    if views.is_empty() {
        return "No schedules match; nothing was deleted.\n".into();
    }
    if dry_run {
        return format!(
            "Would delete {}; nothing was deleted (--dry-run).\n{}",
            plural(views.len(), "schedule"),
            list_table(views, layout)
        );
    }
    format!(
        "Deleted {}.\n{}",
        plural(views.len(), "schedule"),
        list_table(views, layout)
    )
}

/// Which of the commands that switch schedules on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggle {
    /// `schedule enable`.
    Enable,
    /// `schedule disable`.
    Disable,
    /// `schedule pause`.
    Pause,
    /// `schedule resume`.
    Resume,
}

impl Toggle {
    /// `enable`, `disable`, `pause`, `resume`.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Enable => "enable",
            Self::Disable => "disable",
            Self::Pause => "pause",
            Self::Resume => "resume",
        }
    }

    /// `Enabled`, …
    fn done(self) -> &'static str {
        match self {
            Self::Enable => "Enabled",
            Self::Disable => "Disabled",
            Self::Pause => "Paused",
            Self::Resume => "Resumed",
        }
    }

    /// The state a schedule it does not change already was in.
    fn already(self) -> &'static str {
        match self {
            Self::Enable | Self::Resume => "enabled",
            Self::Disable => "disabled",
            Self::Pause => "paused so",
        }
    }
}

/// `schedule enable`, `disable`, `pause`, `resume`: what changed, then the schedules.
pub(super) fn toggled_text(
    action: Toggle,
    schedules: &[ScheduleView],
    unchanged: usize,
    dry_run: bool,
    layout: Layout,
) -> String {
    let state = action.already();
    let changed = schedules.len() - unchanged;
    if schedules.is_empty() {
        return "No schedules match; nothing was written.\n".into();
    }
    let head = match (changed, unchanged) {
        (c, n) if dry_run && c > 0 => format!(
            "Would {} {}{}; nothing was written (--dry-run).",
            action.verb(),
            plural(c, "schedule"),
            if n > 0 {
                format!(" ({n} already {state})")
            } else {
                String::new()
            }
        ),
        (0, n) => format!(
            "No changes: {} already {state}; nothing was written.",
            if n == 1 {
                "the schedule was".to_string()
            } else {
                format!("all {n} schedules were")
            }
        ),
        (c, 0) => format!("{} {}.", action.done(), plural(c, "schedule")),
        (c, n) => format!(
            "{} {}; {} already {state}.",
            action.done(),
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

/// `schedule next`: one fire time a line, in its zone and in UTC; with a jitter, the send
/// time, then its slot and offset.
pub(super) fn next_text(times: &[Upcoming], jittered: bool) -> String {
    if times.is_empty() {
        return "No fire times: the expression never fires again.\n".into();
    }
    times
        .iter()
        .map(|u| {
            let t = &u.send_at;
            let main = format!("{}  ({})", precise_text(t), utc_text(t.with_timezone(&Utc)));
            if jittered {
                let offset = (u.send_at - u.slot).num_milliseconds() as f64 / 1000.0;
                format!("{main}  slot {} +{offset:.3}s\n", zoned_text(&u.slot))
            } else {
                format!("{main}\n")
            }
        })
        .collect()
}

/// A send time on the clock, with milliseconds: `10:00:42.318 UTC`.
fn send_clock(t: &DateTime<Tz>) -> String {
    t.format("%H:%M:%S%.3f %Z").to_string()
}

/// `schedule trigger`.
pub(super) fn triggered_text(
    schedule: &Schedule,
    task_id: Uuid,
    result: Option<&TaskResult>,
) -> String {
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
