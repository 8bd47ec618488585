//! `schedule backfill`: which past slots of a schedule to send, what the history says about
//! each, and what became of them. Pure: the slots come from the schedule's cron expression, the
//! history is read by the caller, the instant "now" and the rate arrive as arguments.
//!
//! A backfilled run claims its slot as a scheduled or catch-up run does (one claim per slot,
//! `ux_schedule_runs_claim`), so a slot is sent once whoever sends it: a slot the scheduler sent
//! is not backfilled, and a second backfill of the same range sends nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::DomainError;
use super::cron::Cron;
use super::run::{Run, RunStatus, Trigger};

/// The most slots one backfill takes: its plan is held (and shown) whole. A longer range is
/// backfilled a part at a time.
pub const MAX_SLOTS: usize = 100_000;

/// The default of `--rate`: a backlog reaches the workers at this pace unless told otherwise.
pub const DEFAULT_RATE: &str = "10/s";

/// The slots of `cron` in zone `tz` within `[from, to)`, in order. More than `limit` is an
/// error that names the range (nothing is planned from a range that large).
pub fn slots_between(
    cron: &Cron,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<DateTime<Utc>>, DomainError> {
    // `upcoming` is strictly after its argument: start a second early so a slot at `from`
    // itself is in (fire times are whole seconds).
    let start = from
        .checked_sub_signed(chrono::Duration::seconds(1))
        .unwrap_or(from);
    let mut out = Vec::new();
    for t in cron.upcoming(start, tz) {
        let t = t.with_timezone(&Utc);
        if t < from {
            continue;
        }
        if t >= to {
            break;
        }
        if out.len() == limit {
            return Err(DomainError::new(
                format!(
                    "'{}' has more than {limit} slots from {} to {}: too many for one backfill",
                    cron.source(),
                    from.to_rfc3339(),
                    to.to_rfc3339()
                ),
                "backfill a shorter range at a time (--from, --to)",
            ));
        }
        out.push(t);
    }
    Ok(out)
}

/// Checks a backfill's range against `now`: `to` after `from`, and not in the future (a slot
/// after now is the scheduler's to send, not a backfill's).
pub fn check_range(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if to <= from {
        return Err(DomainError::new(
            format!(
                "--to {} is not after --from {}",
                to.to_rfc3339(),
                from.to_rfc3339()
            ),
            "give a range that goes forward: --from the earlier instant, --to the later one",
        ));
    }
    if to > now {
        return Err(DomainError::new(
            format!(
                "--to {} is in the future: slots after now are the scheduler's to send",
                to.to_rfc3339()
            ),
            "give --to now or earlier (leave it out for now)",
        ));
    }
    Ok(())
}

/// How fast a backfill sends: `count` messages per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Messages per period.
    pub count: u32,
    /// The period.
    pub per: std::time::Duration,
}

impl Rate {
    /// When message `n` (from 0) goes, counted from the first: evenly spaced, computed from
    /// the start each time rather than accumulated, so waits do not drift.
    pub fn offset(&self, n: usize) -> std::time::Duration {
        let nanos = self.per.as_nanos() * n as u128 / u128::from(self.count.max(1));
        std::time::Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.per.as_secs() {
            60 => "m",
            3600 => "h",
            _ => "s",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

/// The most messages a second `--rate` allows.
pub const MAX_RATE_PER_SECOND: u32 = 10_000;

/// Parses `--rate`: `N/s`, `N/m` or `N/h`, N a whole number from 1 (at most
/// [`MAX_RATE_PER_SECOND`] a second).
pub fn parse_rate(text: &str) -> Result<Rate, DomainError> {
    let err = || {
        DomainError::new(
            format!("--rate '{text}' is not a number of messages per second, minute or hour"),
            format!(
                "use N/s, N/m or N/h with N from 1 (at most {MAX_RATE_PER_SECOND}/s), e.g. --rate 10/s or --rate 30/m"
            ),
        )
    };
    let (count, unit) = text.trim().split_once('/').ok_or_else(err)?;
    let count: u32 = count.trim().parse().map_err(|_| err())?;
    let secs = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(err()),
    };
    if count == 0 || u64::from(count) > u64::from(MAX_RATE_PER_SECOND) * secs {
        return Err(err());
    }
    Ok(Rate {
        count,
        per: std::time::Duration::from_secs(secs),
    })
}

/// What a backfill does with a slot, from the run that claims it (if any).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// No run claims it: a backfill run claims it now and it is sent.
    Send,
    /// Its run was not sent and never will be (`missed`, `failed`, or `skipped` by a
    /// policy): that row becomes the backfill's claim (it says what it was) and the slot is
    /// sent.
    Retake {
        /// The row.
        run_id: i64,
        /// Its status before.
        was: RunStatus,
        /// Its detail before.
        detail: Option<String>,
    },
    /// An earlier backfill claimed it, or sent it again (`--include-dispatched`), and did not
    /// learn that the broker took it (`owed`: it stopped first): it is sent with the same task
    /// id by the same push, which the broker does not take twice.
    Resume {
        /// The row.
        run_id: i64,
        /// Its Celery task id.
        task_id: Option<Uuid>,
        /// The push that was to carry it.
        push_marker: Option<String>,
        /// The row is a `resend` (it claims nothing), not the slot's claim.
        resend: bool,
    },
    /// Dispatched already, and `--include-dispatched`: sent again, recorded as a `resend` run,
    /// which claims nothing (the slot's claim stays the first run's).
    Resend {
        /// The Celery task id it was first sent with.
        first_task_id: Option<Uuid>,
    },
    /// Dispatched already: listed, not sent.
    AlreadyDispatched {
        /// The Celery task id it was sent with.
        task_id: Option<Uuid>,
    },
    /// A scheduler still owes or holds it (`owed`, `deferred`): left to it.
    Held {
        /// The run's status.
        status: RunStatus,
    },
}

impl Action {
    /// Whether the slot is to be sent.
    pub fn sends(&self) -> bool {
        matches!(
            self,
            Self::Send | Self::Retake { .. } | Self::Resume { .. } | Self::Resend { .. }
        )
    }

    /// The JSON and table spelling: `send`, `retake`, `resume`, `resend`, or `none`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Retake { .. } => "retake",
            Self::Resume { .. } => "resume",
            Self::Resend { .. } => "resend",
            Self::AlreadyDispatched { .. } | Self::Held { .. } => "none",
        }
    }

    /// What is known of the slot's outcome before anything is sent: already dispatched, or
    /// held by a scheduler.
    pub fn settled(&self) -> Option<Outcome> {
        match self {
            Self::AlreadyDispatched { .. } => Some(Outcome::AlreadyDispatched),
            Self::Held { .. } => Some(Outcome::Held),
            _ => None,
        }
    }
}

/// A slot and what the backfill does with it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedSlot {
    /// The slot.
    pub slot: DateTime<Utc>,
    /// The status of the run that claims it, if one does.
    pub found: Option<RunStatus>,
    /// What to do.
    pub action: Action,
}

/// Decides each slot from the runs that claim slots of the schedule and the re-sends an
/// earlier backfill left owed (see [`crate::store::RunStore::slot_claims`]);
/// `include_dispatched`: send dispatched slots again. A re-send left owed is finished (sent by
/// its own push, or found landed) whatever the flag: it was asked for before.
pub fn plan(slots: &[DateTime<Utc>], claims: &[Run], include_dispatched: bool) -> Vec<PlannedSlot> {
    let by_slot: HashMap<DateTime<Utc>, &Run> = claims
        .iter()
        .filter(|r| r.run.trigger.claims_slot() && r.run.status != RunStatus::DryRun)
        .map(|r| (r.run.scheduled_for, r))
        .collect();
    let resends: HashMap<DateTime<Utc>, &Run> = claims
        .iter()
        .filter(|r| r.run.trigger == Trigger::Resend && r.run.status == RunStatus::Owed)
        .map(|r| (r.run.scheduled_for, r))
        .collect();
    slots
        .iter()
        .map(|&slot| {
            if let Some(r) = resends.get(&slot) {
                return PlannedSlot {
                    slot,
                    found: by_slot.get(&slot).map(|c| c.run.status),
                    action: Action::Resume {
                        run_id: r.id,
                        task_id: r.run.celery_task_id,
                        push_marker: r.run.push_marker.clone(),
                        resend: true,
                    },
                };
            }
            let Some(r) = by_slot.get(&slot) else {
                return PlannedSlot {
                    slot,
                    found: None,
                    action: Action::Send,
                };
            };
            let run = &r.run;
            let action = match run.status {
                RunStatus::Dispatched if include_dispatched => Action::Resend {
                    first_task_id: run.celery_task_id,
                },
                RunStatus::Dispatched => Action::AlreadyDispatched {
                    task_id: run.celery_task_id,
                },
                RunStatus::Missed | RunStatus::Failed | RunStatus::Skipped => Action::Retake {
                    run_id: r.id,
                    was: run.status,
                    detail: run.detail.clone(),
                },
                RunStatus::Owed if run.trigger == Trigger::Backfill => Action::Resume {
                    run_id: r.id,
                    task_id: run.celery_task_id,
                    push_marker: run.push_marker.clone(),
                    resend: false,
                },
                RunStatus::Owed | RunStatus::Deferred | RunStatus::DryRun => {
                    Action::Held { status: run.status }
                }
            };
            PlannedSlot {
                slot,
                found: Some(run.status),
                action,
            }
        })
        .collect()
}

/// What became of a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Its message was pushed now.
    Sent,
    /// It had been sent already: dispatched before, or found on the broker (an earlier
    /// attempt's push landed, or a scheduler sent it while the database was down).
    AlreadyDispatched,
    /// A scheduler owes or holds it, or another sender claimed it meanwhile: left to it.
    Held,
    /// `--policy skip`: the previous run was still running; nothing was written.
    SkippedByPolicy,
    /// Not sent, and recorded `failed` (a re-send the broker did not take).
    Failed,
    /// The broker did not take it: its run is `owed`, and the same backfill run again sends it.
    Owed,
    /// Not tried: the backfill stopped before it (interrupted, or the broker failed).
    NotAttempted,
}

impl Outcome {
    /// The JSON and table spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::AlreadyDispatched => "already_dispatched",
            Self::Held => "held",
            Self::SkippedByPolicy => "skipped_by_policy",
            Self::Failed => "failed",
            Self::Owed => "owed",
            Self::NotAttempted => "not_attempted",
        }
    }
}

/// One slot of a backfill's report.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotReport {
    /// The slot and its plan.
    pub planned: PlannedSlot,
    /// What became of it; `None` in a dry run for a slot that would be sent.
    pub outcome: Option<Outcome>,
    /// The Celery task id it was (or had been) sent with.
    pub task_id: Option<Uuid>,
    /// Why, for a slot not sent as planned.
    pub detail: Option<String>,
}

impl SlotReport {
    /// The report of a planned slot before anything is tried.
    pub fn new(planned: PlannedSlot) -> Self {
        let task_id = match &planned.action {
            Action::AlreadyDispatched { task_id } => *task_id,
            _ => None,
        };
        let outcome = planned.action.settled();
        Self {
            planned,
            outcome,
            task_id,
            detail: None,
        }
    }
}

/// How many slots ended how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Slots in the range.
    pub total: usize,
    /// Slots planned to be sent (new, retaken, resumed, re-sent).
    pub to_send: usize,
    /// See [`Outcome::Sent`].
    pub sent: usize,
    /// See [`Outcome::AlreadyDispatched`].
    pub already_dispatched: usize,
    /// See [`Outcome::Held`].
    pub held: usize,
    /// See [`Outcome::SkippedByPolicy`].
    pub skipped_by_policy: usize,
    /// See [`Outcome::Failed`].
    pub failed: usize,
    /// See [`Outcome::Owed`].
    pub owed: usize,
    /// See [`Outcome::NotAttempted`].
    pub not_attempted: usize,
}

impl Tally {
    /// Counts the reports.
    pub fn of(reports: &[SlotReport]) -> Self {
        let mut t = Self {
            total: reports.len(),
            ..Self::default()
        };
        for r in reports {
            t.to_send += usize::from(r.planned.action.sends());
            match r.outcome {
                Some(Outcome::Sent) => t.sent += 1,
                Some(Outcome::AlreadyDispatched) => t.already_dispatched += 1,
                Some(Outcome::Held) => t.held += 1,
                Some(Outcome::SkippedByPolicy) => t.skipped_by_policy += 1,
                Some(Outcome::Failed) => t.failed += 1,
                Some(Outcome::Owed) => t.owed += 1,
                Some(Outcome::NotAttempted) => t.not_attempted += 1,
                None => {}
            }
        }
        t
    }

    /// Slots that were to be sent and were not (failed, owed, or not attempted): a backfill
    /// run again sends them (a failed re-send only with `--include-dispatched`).
    pub fn unsent(&self) -> usize {
        self.failed + self.owed + self.not_attempted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Arguments;
    use crate::domain::cron::parse_timezone;
    use crate::domain::run::NewRun;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn slots(expr: &str, tz: &str, from: &str, to: &str) -> Vec<String> {
        slots_between(
            &Cron::parse(expr).unwrap(),
            parse_timezone(tz).unwrap(),
            at(from),
            at(to),
            MAX_SLOTS,
        )
        .unwrap()
        .iter()
        .map(|t| t.to_rfc3339())
        .collect()
    }

    #[test]
    fn slots_are_the_half_open_range() {
        assert_eq!(
            slots(
                "*/15 * * * *",
                "UTC",
                "2026-01-01T00:00:00Z",
                "2026-01-01T01:00:00Z"
            ),
            [
                "2026-01-01T00:00:00+00:00",
                "2026-01-01T00:15:00+00:00",
                "2026-01-01T00:30:00+00:00",
                "2026-01-01T00:45:00+00:00"
            ]
        );
        // A start between two slots, with sub-seconds.
        assert_eq!(
            slots(
                "0 * * * *",
                "UTC",
                "2026-01-01T00:00:00.5Z",
                "2026-01-01T02:00:00.000001Z"
            ),
            ["2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00"]
        );
        // In the schedule's zone, across a spring-forward gap (02:30 does not exist: once at
        // the end of the gap).
        assert_eq!(
            slots(
                "30 2 * * *",
                "America/New_York",
                "2026-03-07T00:00:00-05:00",
                "2026-03-10T00:00:00-04:00"
            ),
            [
                "2026-03-07T07:30:00+00:00",
                "2026-03-08T07:00:00+00:00",
                "2026-03-09T06:30:00+00:00"
            ]
        );
        assert!(
            slots(
                "0 0 30 2 *",
                "UTC",
                "2026-01-01T00:00:00Z",
                "2027-01-01T00:00:00Z"
            )
            .is_empty()
        );
    }

    #[test]
    fn too_many_slots_are_refused() {
        let err = slots_between(
            &Cron::parse("* * * * *").unwrap(),
            chrono_tz::UTC,
            at("2026-01-01T00:00:00Z"),
            at("2026-01-01T01:00:00Z"),
            59,
        )
        .unwrap_err();
        assert!(err.message.contains("more than 59 slots"), "{err}");
        assert!(err.hint.contains("--from"));
        assert_eq!(
            slots_between(
                &Cron::parse("* * * * *").unwrap(),
                chrono_tz::UTC,
                at("2026-01-01T00:00:00Z"),
                at("2026-01-01T01:00:00Z"),
                60,
            )
            .unwrap()
            .len(),
            60
        );
    }

    #[test]
    fn ranges_go_forward_and_end_by_now() {
        let now = at("2026-01-02T00:00:00Z");
        assert!(check_range(at("2026-01-01T00:00:00Z"), now, now).is_ok());
        let back = check_range(now, at("2026-01-01T00:00:00Z"), now).unwrap_err();
        assert!(back.message.contains("is not after --from"), "{back}");
        let future =
            check_range(at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:01Z"), now).unwrap_err();
        assert!(future.message.contains("in the future"), "{future}");
    }

    #[test]
    fn rates() {
        let r = parse_rate("10/s").unwrap();
        assert_eq!(r.to_string(), "10/s");
        assert_eq!(r.offset(0), std::time::Duration::ZERO);
        assert_eq!(r.offset(25), std::time::Duration::from_millis(2500));
        let m = parse_rate(" 30/m ").unwrap();
        assert_eq!(m.to_string(), "30/m");
        assert_eq!(m.offset(3), std::time::Duration::from_secs(6));
        assert_eq!(parse_rate("1/h").unwrap().offset(2).as_secs(), 7200);
        assert!(parse_rate("10000/s").is_ok());
        for bad in ["", "10", "0/s", "-1/s", "10/d", "x/s", "10001/s", "1.5/s"] {
            let e = parse_rate(bad).unwrap_err();
            assert!(e.hint.contains("N/s"), "{bad}: {e}");
        }
    }

    fn claim(id: i64, slot: &str, trigger: Trigger, status: RunStatus) -> Run {
        Run {
            id,
            run: NewRun {
                schedule_id: Some(Uuid::nil()),
                schedule_name: "s".into(),
                task_name: "t".into(),
                celery_task_id: Some(Uuid::from_u128(id as u128)),
                scheduled_for: at(slot),
                dispatched_at: None,
                trigger,
                status,
                detail: Some(format!("run {id}")),
                arguments: Arguments::new(&[], &serde_json::Map::new()),
                push_marker: Some(format!("m{id}")),
            },
            created_at: at(slot),
        }
    }

    #[test]
    fn each_slot_is_decided_by_its_claim() {
        let slots: Vec<DateTime<Utc>> = (0..8)
            .map(|m| at(&format!("2026-01-01T00:0{m}:00Z")))
            .collect();
        let claims = [
            claim(
                1,
                "2026-01-01T00:01:00Z",
                Trigger::Schedule,
                RunStatus::Dispatched,
            ),
            claim(
                2,
                "2026-01-01T00:02:00Z",
                Trigger::Schedule,
                RunStatus::Missed,
            ),
            claim(
                3,
                "2026-01-01T00:03:00Z",
                Trigger::Backfill,
                RunStatus::Owed,
            ),
            claim(
                4,
                "2026-01-01T00:04:00Z",
                Trigger::Schedule,
                RunStatus::Owed,
            ),
            claim(
                5,
                "2026-01-01T00:05:00Z",
                Trigger::Catchup,
                RunStatus::Deferred,
            ),
            claim(
                6,
                "2026-01-01T00:06:00Z",
                Trigger::Backfill,
                RunStatus::Dispatched,
            ),
            // Not claims: a manual run and a dry run of the last slot.
            claim(
                7,
                "2026-01-01T00:07:00Z",
                Trigger::Manual,
                RunStatus::Dispatched,
            ),
            claim(
                8,
                "2026-01-01T00:07:00Z",
                Trigger::Schedule,
                RunStatus::DryRun,
            ),
        ];
        let planned = plan(&slots, &claims, false);
        let actions: Vec<&str> = planned.iter().map(|p| p.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "send", "none", "retake", "resume", "none", "none", "none", "send"
            ]
        );
        assert_eq!(
            planned[2].action,
            Action::Retake {
                run_id: 2,
                was: RunStatus::Missed,
                detail: Some("run 2".into())
            }
        );
        assert_eq!(
            planned[3].action,
            Action::Resume {
                run_id: 3,
                task_id: Some(Uuid::from_u128(3)),
                push_marker: Some("m3".into()),
                resend: false,
            }
        );
        assert_eq!(
            planned[4].action,
            Action::Held {
                status: RunStatus::Owed
            }
        );
        assert_eq!(planned[0].found, None);
        assert_eq!(planned[6].found, Some(RunStatus::Dispatched));

        let again = plan(&slots, &claims, true);
        assert_eq!(
            again[1].action,
            Action::Resend {
                first_task_id: Some(Uuid::from_u128(1))
            }
        );
        assert_eq!(again[6].action.as_str(), "resend");

        // A re-send an earlier backfill left owed is finished, with or without the flag; one
        // that failed is not.
        let mut with_resends = claims.to_vec();
        with_resends.push(claim(
            9,
            "2026-01-01T00:01:00Z",
            Trigger::Resend,
            RunStatus::Owed,
        ));
        with_resends.push(claim(
            10,
            "2026-01-01T00:06:00Z",
            Trigger::Resend,
            RunStatus::Failed,
        ));
        for include_dispatched in [false, true] {
            let planned = plan(&slots, &with_resends, include_dispatched);
            assert_eq!(
                planned[1].action,
                Action::Resume {
                    run_id: 9,
                    task_id: Some(Uuid::from_u128(9)),
                    push_marker: Some("m9".into()),
                    resend: true,
                }
            );
            assert_eq!(planned[1].found, Some(RunStatus::Dispatched));
            assert_eq!(
                planned[6].action.as_str(),
                if include_dispatched { "resend" } else { "none" }
            );
        }

        let mut reports: Vec<SlotReport> = planned.into_iter().map(SlotReport::new).collect();
        reports[0].outcome = Some(Outcome::Sent);
        reports[2].outcome = Some(Outcome::Owed);
        reports[3].outcome = Some(Outcome::NotAttempted);
        let t = Tally::of(&reports);
        assert_eq!(
            (
                t.total,
                t.to_send,
                t.sent,
                t.already_dispatched,
                t.held,
                t.owed,
                t.not_attempted
            ),
            (8, 4, 1, 2, 2, 1, 1)
        );
        assert_eq!(t.unsent(), 2);
        assert_eq!(reports[1].task_id, Some(Uuid::from_u128(1)));
    }
}
