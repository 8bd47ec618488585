//! `beat status`: the live schedulers.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::table::{Fit, Grid, Layout};

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
