//! `schedule backfill`: the slots of the range, what was done with each, and the counts.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::table::{Fit, Grid, Layout};
use super::{escape, plural, utc_text};
use crate::domain::Schedule;
use crate::domain::backfill::{SlotReport, Tally};
use crate::error::ErrorKind;

/// What a backfill did (or, with `--dry-run`, would do).
#[derive(Debug, Clone)]
pub struct BackfillView {
    /// The schedule.
    pub schedule: Schedule,
    /// The start of the range (included).
    pub from: DateTime<Utc>,
    /// The end of the range (excluded).
    pub to: DateTime<Utc>,
    /// `--dry-run`: nothing was sent or written.
    pub dry_run: bool,
    /// `--policy`: `allow` or `skip`.
    pub policy: &'static str,
    /// `--rate`, as `10/s`.
    pub rate: String,
    /// `--include-dispatched`.
    pub include_dispatched: bool,
    /// Every slot of the range, in order.
    pub slots: Vec<SlotReport>,
    /// Why it stopped before the end, and the exit code that says so; `None` when it went
    /// through.
    pub stopped: Option<(ErrorKind, String)>,
}

impl BackfillView {
    /// The counts.
    pub fn tally(&self) -> Tally {
        Tally::of(&self.slots)
    }

    /// The exit code: 130 when interrupted, 6 when the broker or a store stopped it (slots
    /// owed or not tried; the backfill run again sends them), else 0.
    pub fn exit_code(&self) -> std::process::ExitCode {
        match &self.stopped {
            Some((kind, _)) => kind.exit_code(),
            None => std::process::ExitCode::SUCCESS,
        }
    }

    /// The documented JSON object.
    pub fn json(&self) -> BackfillJson<'_> {
        let t = self.tally();
        BackfillJson {
            schedule_id: self.schedule.id,
            name: &self.schedule.name,
            task_name: &self.schedule.task_name,
            from: utc_text(self.from),
            to: utc_text(self.to),
            dry_run: self.dry_run,
            policy: self.policy,
            rate: &self.rate,
            include_dispatched: self.include_dispatched,
            total: t.total,
            to_send: t.to_send,
            sent: t.sent,
            already_dispatched: t.already_dispatched,
            held: t.held,
            skipped_by_policy: t.skipped_by_policy,
            failed: t.failed,
            owed: t.owed,
            not_attempted: t.not_attempted,
            stopped: self.stopped.as_ref().map(|(_, why)| why.as_str()),
            slots: self.slots.iter().map(SlotJson::new).collect(),
        }
    }
}

/// `schedule backfill`: the range, the counts, and every slot.
#[derive(Debug, Serialize)]
pub struct BackfillJson<'a> {
    /// The schedule's id.
    pub schedule_id: Uuid,
    /// The schedule's name.
    pub name: &'a str,
    /// The Celery task.
    pub task_name: &'a str,
    /// The start of the range, included (RFC 3339, UTC).
    pub from: String,
    /// The end of the range, excluded (RFC 3339, UTC).
    pub to: String,
    /// Whether this was a `--dry-run` (nothing sent, nothing written).
    pub dry_run: bool,
    /// `allow` or `skip` (`--policy`).
    pub policy: &'static str,
    /// The pace, such as `10/s` (`--rate`).
    pub rate: &'a str,
    /// Whether slots already dispatched were sent again (`--include-dispatched`).
    pub include_dispatched: bool,
    /// Slots of the schedule in the range.
    pub total: usize,
    /// Slots planned to be sent (with `--dry-run`: that would be sent).
    pub to_send: usize,
    /// Messages pushed to the broker by this backfill.
    pub sent: usize,
    /// Slots sent before: dispatched already, or found on the broker.
    pub already_dispatched: usize,
    /// Slots a scheduler still owes or holds (or claimed meanwhile): left to it.
    pub held: usize,
    /// Slots not sent because the previous run was still running (`--policy skip`); nothing
    /// was recorded for them.
    pub skipped_by_policy: usize,
    /// Slots not sent and recorded `failed`.
    pub failed: usize,
    /// Slots the broker did not take: recorded `owed`; the same backfill run again sends them.
    pub owed: usize,
    /// Slots not tried because the backfill stopped first.
    pub not_attempted: usize,
    /// Why the backfill stopped before the end (interrupted, the broker failed); null when it
    /// went through.
    pub stopped: Option<&'a str>,
    /// Every slot of the range, in order.
    pub slots: Vec<SlotJson<'a>>,
}

/// One slot of a backfill.
#[derive(Debug, Serialize)]
pub struct SlotJson<'a> {
    /// The slot (RFC 3339, UTC).
    pub slot: String,
    /// The status of the run that claimed the slot before the backfill (`dispatched`,
    /// `missed`, `failed`, `skipped`, `owed`, `deferred`); null when none did.
    pub found: Option<&'static str>,
    /// `send` (no run claimed it), `retake` (its run was never sent), `resume` (an earlier
    /// backfill left it owed), `resend` (dispatched, sent again with `--include-dispatched`),
    /// or `none`.
    pub action: &'static str,
    /// `sent`, `already_dispatched`, `held`, `skipped_by_policy`, `failed`, `owed` or
    /// `not_attempted`; null in a dry run for a slot that would be sent.
    pub outcome: Option<&'static str>,
    /// The Celery task id it was sent with (now or before); null when unknown or not sent.
    pub celery_task_id: Option<Uuid>,
    /// Why, for a slot not sent as planned; null otherwise.
    pub detail: Option<&'a str>,
}

impl<'a> SlotJson<'a> {
    fn new(r: &'a SlotReport) -> Self {
        Self {
            slot: utc_text(r.planned.slot),
            found: r.planned.found.map(|s| s.as_str()),
            action: r.planned.action.as_str(),
            outcome: r.outcome.map(|o| o.as_str()),
            celery_task_id: r.task_id,
            detail: r.detail.as_deref(),
        }
    }
}

/// `1 slot`, `20 slots`.
pub fn slots_phrase(n: usize) -> String {
    plural(n, "slot")
}

/// The counts as one sentence: `24 slots: 20 sent, 4 already dispatched.`
pub fn counts_text(t: &Tally, dry_run: bool) -> String {
    let mut parts = Vec::new();
    if dry_run {
        parts.push(format!("{} to send", t.to_send));
    } else {
        parts.push(format!("{} sent", t.sent));
    }
    for (n, what) in [
        (t.already_dispatched, "already dispatched"),
        (t.held, "held by a scheduler"),
        (t.skipped_by_policy, "skipped by policy"),
        (t.failed, "failed"),
        (t.owed, "owed"),
        (t.not_attempted, "not attempted"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    format!("{}: {}.", plural(t.total, "slot"), parts.join(", "))
}

/// The table of the slots, and the counts.
pub(super) fn backfill_text(view: &BackfillView, layout: Layout) -> String {
    let mut text = format!(
        "Backfill of '{}' ({}) from {} to {}{}:\n",
        escape(&view.schedule.name),
        escape(&view.schedule.task_name),
        utc_text(view.from),
        utc_text(view.to),
        if view.dry_run {
            " (--dry-run: nothing was sent or written)".to_string()
        } else {
            format!(" at {}", view.rate)
        },
    );
    if !view.slots.is_empty() {
        let mut grid = Grid::new(vec![
            ("SLOT (UTC)", Fit::Always),
            ("FOUND", Fit::Whole(4)),
            ("ACTION", Fit::Always),
            ("OUTCOME", Fit::Always),
            ("TASK ID", Fit::Whole(2)),
            ("DETAIL", Fit::Shorten(3, 16)),
        ]);
        for r in &view.slots {
            grid.row(vec![
                r.planned.slot.format("%Y-%m-%d %H:%M:%S").to_string(),
                r.planned.found.map_or("-", |s| s.as_str()).to_string(),
                r.planned.action.as_str().to_string(),
                r.outcome.map_or("-", |o| o.as_str()).to_string(),
                r.task_id.map_or_else(|| "-".into(), |t| t.to_string()),
                r.detail.clone().unwrap_or_default(),
            ]);
        }
        text.push_str(&grid.render(layout));
    }
    text.push_str(&counts_text(&view.tally(), view.dry_run));
    text.push('\n');
    if let Some((_, why)) = &view.stopped {
        text.push_str(&format!("Stopped: {why}.\n"));
    }
    text
}
