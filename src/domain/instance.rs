//! Scheduler instances: what each `run-beat` reports in its heartbeat, and how `beat status`
//! and `diagnose` judge them. Pure logic: times are arguments.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::DomainError;

/// A scheduler's part in the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Holds the leadership and dispatches.
    Leader,
    /// Loads schedules and waits to take over.
    Standby,
}

impl Role {
    /// The spelling in heartbeats and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leader => "leader",
            Self::Standby => "standby",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "leader" => Ok(Self::Leader),
            "standby" => Ok(Self::Standby),
            _ => Err(DomainError::new(
                format!("unknown role '{s}'"),
                "a heartbeat's role is leader or standby",
            )),
        }
    }
}

/// One heartbeat of one `run-beat` process.
#[derive(Debug, Clone, PartialEq)]
pub struct BeatInstance {
    /// Unique per process start.
    pub instance_id: Uuid,
    /// The host name.
    pub host: String,
    /// The process id.
    pub pid: u32,
    /// The stockura version.
    pub version: String,
    /// When the process started.
    pub started_at: DateTime<Utc>,
    /// Leader or standby at the time of the heartbeat.
    pub role: Role,
    /// How leadership is decided: `redis`, `postgres` (advisory lock) or `file`.
    pub leadership: String,
    /// Schedules in its plan.
    pub schedules: u64,
    /// When it last dispatched a batch.
    pub last_tick_at: Option<DateTime<Utc>>,
    /// The dispatch lag of that batch (slot to send), in milliseconds.
    pub lag_ms: Option<i64>,
    /// The change version its plan was loaded at.
    pub change_version: i64,
    /// When this heartbeat was written.
    pub heartbeat_at: DateTime<Utc>,
    /// When it stops counting as alive.
    pub expires_at: DateTime<Utc>,
}

impl BeatInstance {
    /// Whether the heartbeat still counts at `now`.
    pub fn alive(&self, now: DateTime<Utc>) -> bool {
        self.expires_at > now
    }
}

/// How the group looks, for `beat status` and `diagnose`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupStatus {
    /// Live instances, the leader first, then by start time.
    pub instances: Vec<BeatInstance>,
    /// The instance that leads, if a live one does.
    pub leader: Option<Uuid>,
}

/// Orders live instances and finds the leader. `leader_token` is the owner recorded in the
/// leadership key, when the leadership backend has one (Redis): it wins over the roles the
/// heartbeats claim, which may be a few seconds old.
pub fn group(
    mut instances: Vec<BeatInstance>,
    leader_token: Option<Uuid>,
    now: DateTime<Utc>,
) -> GroupStatus {
    instances.retain(|i| i.alive(now));
    let leader = match leader_token {
        Some(token) => instances
            .iter()
            .find(|i| i.instance_id == token)
            .map(|i| i.instance_id),
        None => instances
            .iter()
            .filter(|i| i.role == Role::Leader)
            .max_by_key(|i| i.heartbeat_at)
            .map(|i| i.instance_id),
    };
    instances.sort_by_key(|i| (Some(i.instance_id) != leader, i.started_at, i.instance_id));
    GroupStatus { instances, leader }
}

/// How far the leader's view may lag behind the database before `diagnose` fails: a change is
/// reloaded within the sync interval plus the minimum reload interval, and reported with the
/// next heartbeat.
pub fn version_lag_grace(sync_interval: Duration, min_sync_interval: Duration) -> Duration {
    sync_interval + min_sync_interval + Duration::seconds(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn instance(n: u128, role: Role, started: &str, expires: &str) -> BeatInstance {
        BeatInstance {
            instance_id: Uuid::from_u128(n),
            host: "h".into(),
            pid: 1,
            version: "0".into(),
            started_at: at(started),
            role,
            leadership: "redis".into(),
            schedules: 0,
            last_tick_at: None,
            lag_ms: None,
            change_version: 1,
            heartbeat_at: at(started),
            expires_at: at(expires),
        }
    }

    #[test]
    fn the_group_has_its_leader_first_and_drops_the_dead() {
        let now = at("2026-01-01T00:00:10Z");
        let a = instance(
            1,
            Role::Standby,
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:20Z",
        );
        let b = instance(
            2,
            Role::Leader,
            "2026-01-01T00:00:01Z",
            "2026-01-01T00:00:20Z",
        );
        let dead = instance(
            3,
            Role::Leader,
            "2026-01-01T00:00:02Z",
            "2026-01-01T00:00:09Z",
        );
        let g = group(vec![a.clone(), b.clone(), dead], None, now);
        assert_eq!(g.leader, Some(b.instance_id));
        let ids: Vec<Uuid> = g.instances.iter().map(|i| i.instance_id).collect();
        assert_eq!(ids, vec![b.instance_id, a.instance_id]);
        // The leadership key wins over a stale role.
        let g = group(vec![a.clone(), b.clone()], Some(a.instance_id), now);
        assert_eq!(g.leader, Some(a.instance_id));
        // A key naming a dead instance means no live leader.
        let g = group(vec![a], Some(Uuid::from_u128(9)), now);
        assert_eq!(g.leader, None);
        assert_eq!("standby".parse::<Role>().unwrap(), Role::Standby);
        assert!("boss".parse::<Role>().is_err());
    }
}
