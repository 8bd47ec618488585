//! Runs: what the scheduler did with each slot (`schedule_runs`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Arguments, DomainError};

/// What caused a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// A cron slot, on time.
    Schedule,
    /// The most recent slot missed while no scheduler ran.
    Catchup,
    /// `stockura schedule trigger`.
    Manual,
    /// `stockura schedule backfill`: a past slot sent now. It claims its slot as a scheduled
    /// or catch-up run does, so each slot is sent once whoever sends it.
    Backfill,
    /// `stockura schedule backfill --include-dispatched`: a slot already dispatched, sent
    /// again. It claims nothing (like a manual run), so the slot's own claim stays as it was.
    Resend,
}

impl Trigger {
    /// Whether a run of this trigger claims its slot (`ux_schedule_runs_claim`): at most one
    /// such run per schedule and slot, dry runs aside.
    pub fn claims_slot(self) -> bool {
        matches!(self, Self::Schedule | Self::Catchup | Self::Backfill)
    }
}

/// What happened to a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// Sent to the broker.
    Dispatched,
    /// Its slot passed while no scheduler ran, and it was not caught up.
    Missed,
    /// Not sent: invalid parameters, or the broker refused.
    Failed,
    /// `run-beat --dry-run`: recorded, not sent.
    DryRun,
    /// Not sent: the previous run was still running (policy `skip`).
    Skipped,
    /// Held until the previous run finishes (policy `queue`).
    Deferred,
    /// Claimed, but the broker did not take its message yet: retried with the same task id
    /// until it does (then `dispatched`) or the slot's deadline passes (then `failed`).
    Owed,
}

impl RunStatus {
    /// Whether a run in this status may still change it: an owed run becomes dispatched (or
    /// failed), a deferred one owed, dispatched or skipped. Every other status is final.
    pub fn may_change(self) -> bool {
        matches!(self, Self::Owed | Self::Deferred)
    }
}

macro_rules! spelled {
    ($ty:ident $noun:literal { $($variant:ident => $text:literal),* $(,)? }) => {
        impl $ty {
            /// The database and JSON spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok(Self::$variant),)*
                    _ => Err(DomainError::new(
                        format!("unknown {} '{s}'", $noun),
                        format!("use one of: {}", [$($text),*].join(", ")),
                    )),
                }
            }
        }
    };
}

spelled!(Trigger "trigger" {
    Schedule => "schedule",
    Catchup => "catchup",
    Manual => "manual",
    Backfill => "backfill",
    Resend => "resend",
});
spelled!(RunStatus "run status" {
    Dispatched => "dispatched",
    Missed => "missed",
    Failed => "failed",
    DryRun => "dry_run",
    Skipped => "skipped",
    Deferred => "deferred",
    Owed => "owed",
});

/// A run to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    /// The schedule (absent once deleted).
    pub schedule_id: Option<Uuid>,
    /// The schedule's name at the time.
    pub schedule_name: String,
    /// The Celery task.
    pub task_name: String,
    /// The Celery task id sent (none for missed slots).
    pub celery_task_id: Option<Uuid>,
    /// The cron instant (the trigger time for manual runs).
    pub scheduled_for: DateTime<Utc>,
    /// When it was sent.
    pub dispatched_at: Option<DateTime<Utc>>,
    /// Why it ran.
    pub trigger: Trigger,
    /// What happened.
    pub status: RunStatus,
    /// Reason or error text.
    pub detail: Option<String>,
    /// Positional and keyword arguments as sent, as the compact JSON text stored (a run is
    /// built from a planned job's text and bound as text, never parsed on the way).
    pub arguments: Arguments,
    /// The push that carries (or carried) its message: the id of the broker's marker key,
    /// set in the same atomic step as the message. A row still `owed` whose marker exists
    /// was sent (its sender died, or lost its lease, before it learnt so).
    pub push_marker: Option<String>,
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Row id.
    pub id: i64,
    /// The recorded fields.
    pub run: NewRun,
    /// When the row was written.
    pub created_at: DateTime<Utc>,
}

/// Filters of `stockura history`; every given filter must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFilter {
    /// One schedule.
    pub schedule_id: Option<Uuid>,
    /// Runs recorded under this schedule name (those of a deleted schedule too).
    pub schedule_name: Option<String>,
    /// One status.
    pub status: Option<RunStatus>,
    /// Full task name, or its last dotted segment.
    pub task: Option<String>,
    /// Slots at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only runs recorded after the run with this id, and then in the order they were
    /// recorded (oldest first) instead of newest slot first: how `history --follow` reads on.
    pub after_id: Option<i64>,
    /// At most this many.
    pub limit: i64,
}

impl Default for RunFilter {
    fn default() -> Self {
        Self {
            schedule_id: None,
            schedule_name: None,
            status: None,
            task: None,
            since: None,
            after_id: None,
            limit: 50,
        }
    }
}

/// Parses `--since`: an RFC 3339 instant, or a duration back from `now` such as `90s`, `15m`,
/// `2h`, `7d`, `1w`.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, DomainError> {
    parse_instant_or_ago("--since", text, now)
}

/// Parses the value of `flag`: an RFC 3339 instant, or a duration back from `now` (`90s`,
/// `15m`, `2h`, `7d`, `1w`).
pub fn parse_instant_or_ago(
    flag: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, DomainError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let err = || {
        DomainError::new(
            format!("{flag} '{text}' is neither a duration nor an RFC 3339 instant"),
            "use a duration such as 30m, 6h, 2d, 1w, or an instant such as 2026-03-08T00:00:00Z",
        )
    };
    let back = parse_duration(text).ok_or_else(err)?;
    now.checked_sub_signed(back).ok_or_else(err)
}

/// A duration written as a whole number and a unit: `90s`, `15m`, `2h`, `7d`, `1w`. `None`
/// for anything else, and for one too long to represent.
pub fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    chrono::Duration::try_seconds(n.checked_mul(seconds)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for s in [
            "dispatched",
            "missed",
            "failed",
            "dry_run",
            "skipped",
            "deferred",
        ] {
            assert_eq!(s.parse::<RunStatus>().unwrap().as_str(), s);
        }
        assert_eq!("CATCHUP".parse::<Trigger>().unwrap(), Trigger::Catchup);
        for t in ["schedule", "catchup", "manual", "backfill", "resend"] {
            assert_eq!(t.parse::<Trigger>().unwrap().as_str(), t);
        }
        assert!(
            "sometimes"
                .parse::<RunStatus>()
                .unwrap_err()
                .hint
                .contains("dry_run")
        );
    }

    #[test]
    fn since_takes_durations_and_instants() {
        let now = DateTime::parse_from_rfc3339("2026-01-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_since("1d", now).unwrap().to_rfc3339(),
            "2026-01-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("90m", now).unwrap().to_rfc3339(),
            "2026-01-01T22:30:00+00:00"
        );
        assert_eq!(
            parse_since("2026-01-01T12:00:00+02:00", now)
                .unwrap()
                .to_rfc3339(),
            "2026-01-01T10:00:00+00:00"
        );
        for bad in ["", "5", "5x", "m5", "99999999999999999w"] {
            assert!(parse_since(bad, now).is_err(), "{bad}");
        }
    }
}
