//! `beat status`: the live schedulers; `run-beat`'s counters once it stopped.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::table::{Fit, Grid, Layout};
use crate::beat::runner::Stats;

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
    pub fn json(&self) -> StatusJson<'_> {
        let leader = self.group.leader;
        StatusJson {
            leader,
            healthy: leader.is_some(),
            source: self.source,
            database_version: self.database_version,
            database_changed_at: self.database_changed_at.map(micros_text),
            instances: self
                .group
                .instances
                .iter()
                .map(|i| InstanceJson {
                    instance_id: i.instance_id,
                    host: &i.host,
                    pid: i.pid,
                    version: &i.version,
                    started_at: micros_text(i.started_at),
                    role: if Some(i.instance_id) == leader {
                        "leader"
                    } else {
                        "standby"
                    },
                    reported_role: i.role.as_str(),
                    leadership: &i.leadership,
                    schedules: i.schedules,
                    last_tick_at: i.last_tick_at.map(micros_text),
                    lag_ms: i.lag_ms,
                    change_version: i.change_version,
                    heartbeat_at: micros_text(i.heartbeat_at),
                    heartbeat_age_ms: (self.now - i.heartbeat_at).num_milliseconds().max(0),
                    expires_at: micros_text(i.expires_at),
                })
                .collect(),
        }
    }
}

/// An instant in UTC with all six digits of microseconds, as `beat status` prints them.
fn micros_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `beat status`: the live schedulers and the leader (exit 7 when no leader is alive).
/// Instants are RFC 3339, UTC, always with six digits of microseconds.
#[derive(Debug, Serialize)]
pub struct StatusJson<'a> {
    /// The leading instance's id; null when none leads.
    pub leader: Option<Uuid>,
    /// Whether a leader is alive.
    pub healthy: bool,
    /// Where the heartbeats were read: `redis` or `database`.
    pub source: &'static str,
    /// The database's change version; null when it could not be read.
    pub database_version: Option<i64>,
    /// When that version was set; null when it could not be read.
    pub database_changed_at: Option<String>,
    /// The live instances, the leader first, then by start time; empty when none runs.
    pub instances: Vec<InstanceJson<'a>>,
}

/// One live scheduler, from its heartbeat.
#[derive(Debug, Serialize)]
pub struct InstanceJson<'a> {
    /// Its id, a UUID.
    pub instance_id: Uuid,
    /// The host it runs on.
    pub host: &'a str,
    /// Its process id.
    pub pid: u32,
    /// Its stockura version.
    pub version: &'a str,
    /// When it started.
    pub started_at: String,
    /// The group's view: `leader` or `standby` (the owner of the leadership key wins over a
    /// heartbeat a few seconds old).
    pub role: &'static str,
    /// The role the instance last wrote in its heartbeat.
    pub reported_role: &'static str,
    /// How its leadership is held, as it reported it.
    pub leadership: &'a str,
    /// How many schedules it has loaded.
    pub schedules: u64,
    /// Its loop's last tick; null before the first.
    pub last_tick_at: Option<String>,
    /// How late its last tick ran, in milliseconds; null before the first.
    pub lag_ms: Option<i64>,
    /// The database change version it has seen.
    pub change_version: i64,
    /// Its last heartbeat.
    pub heartbeat_at: String,
    /// How old that heartbeat was when read, in milliseconds (never negative).
    pub heartbeat_age_ms: i64,
    /// When the heartbeat expires unless renewed.
    pub expires_at: String,
}

/// `run-beat`, once it stopped: its counters.
#[derive(Debug, Serialize)]
pub struct StoppedJson {
    /// Batches dispatched.
    pub batches: usize,
    /// Messages sent.
    pub dispatched: usize,
    /// Runs recorded failed.
    pub failed: usize,
    /// Missed slots recorded.
    pub missed: usize,
    /// Runs recorded as dry runs.
    pub dry_run: usize,
    /// Full reloads of the schedules.
    pub full_reloads: usize,
    /// Schedules reloaded one by one.
    pub targeted_reloads: usize,
    /// Slots skipped by an execution policy.
    pub skipped: usize,
    /// Slots held by the `queue` policy.
    pub deferred: usize,
    /// Held runs sent once their previous run finished.
    pub deferred_sent: usize,
    /// Times this scheduler became the leader after standing by.
    pub takeovers: usize,
    /// Slots the broker did not take at first: owed, and retried with the same task ids.
    pub owed: usize,
    /// Owed slots sent later.
    pub owed_sent: usize,
}

impl StoppedJson {
    pub(super) fn new(stats: &Stats) -> Self {
        Self {
            batches: stats.batches,
            dispatched: stats.dispatched,
            failed: stats.failed,
            missed: stats.missed,
            dry_run: stats.dry_run,
            full_reloads: stats.full_reloads,
            targeted_reloads: stats.targeted_reloads,
            skipped: stats.skipped,
            deferred: stats.deferred,
            deferred_sent: stats.deferred_sent,
            takeovers: stats.takeovers,
            owed: stats.owed,
            owed_sent: stats.owed_sent,
        }
    }
}

/// `run-beat`, once it stopped: one line of counters.
pub(super) fn stopped_text(stats: &Stats) -> String {
    format!(
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
    )
}

/// `beat status`. Narrow, the columns go in this order: version, started, pid, last tick,
/// host, schedules, lag, change version, heartbeat, role; INSTANCE stays.
pub(super) fn beat_status_table(view: &BeatStatusView, layout: Layout) -> String {
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
