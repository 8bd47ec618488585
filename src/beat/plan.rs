//! The scheduler's plan: every enabled schedule with its parsed cron, zone and next fire
//! instant, ordered by that instant. Pure logic: time comes in as arguments.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::domain::cron::{self, Cron};
use crate::domain::run::Trigger;
use crate::domain::{Job, Schedule};

/// The most missed-slot rows recorded per schedule per start.
pub const MAX_MISSED_ROWS: usize = 1000;

/// How far back missed slots are counted (further when the catch-up window is longer).
pub const MISSED_LOOKBACK_DAYS: i64 = 31;

/// One planned schedule.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The schedule as loaded, in the scheduler's compact form (shared with the slots taken
    /// from it).
    pub schedule: Arc<Job>,
    /// Its parsed cron, shared by every schedule with the same expression.
    pub cron: Arc<Cron>,
    /// Its zone.
    pub tz: Tz,
    /// Its next fire instant: the slot.
    pub next: DateTime<Utc>,
    /// When the slot's message is sent: `next`, or later with a jitter (the plan's order).
    pub send_at: DateTime<Utc>,
    /// The latest slot it ran: the stored `last_run_at`, moved on by [`Plan::ran`] (kept here,
    /// not in the shared schedule, so noting a run never copies the schedule).
    pub last_run_at: Option<DateTime<Utc>>,
    /// When it was last switched on again (`enable`, `resume`, its `--until`): a catch-up
    /// owes nothing for the slots before it (see [`Entry::owed_since`]).
    pub resumed_at: Option<DateTime<Utc>>,
}

impl Entry {
    /// Where a catch-up starts counting what this schedule owes: its last run, or the moment
    /// it was switched on again when that came later (the slots it was off for were not
    /// missed). `None` for a schedule that never ran: it owes nothing.
    pub fn owed_since(&self) -> Option<DateTime<Utc>> {
        let last = self.last_run_at?;
        Some(self.resumed_at.map_or(last, |resumed| last.max(resumed)))
    }
}

/// A slot to act on.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    /// The schedule.
    pub schedule: Arc<Job>,
    /// The cron instant.
    pub slot: DateTime<Utc>,
    /// When it was meant to be sent: the slot, or later with a jitter (lateness counts from
    /// here).
    pub send_at: DateTime<Utc>,
    /// Why.
    pub trigger: Trigger,
}

impl Due {
    /// A slot meant to be sent at its instant.
    pub fn at_slot(schedule: Arc<Job>, slot: DateTime<Utc>, trigger: Trigger) -> Self {
        Self {
            schedule,
            slot,
            send_at: slot,
            trigger,
        }
    }
}

/// A slot that passed without a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Missed {
    /// The schedule.
    pub schedule: Arc<Job>,
    /// The cron instant.
    pub slot: DateTime<Utc>,
    /// Set on the last row of a schedule's catch-up: how many slots were missed in all (boxed:
    /// after a long outage the other 999 rows of a schedule stay 8 bytes smaller).
    pub count: Option<Box<MissedCount>>,
}

/// How many slots a schedule missed while no scheduler ran, for the detail of its last missed
/// row. Kept as numbers and written out when the row is built: a start of 100,000 schedules
/// held 100,000 of these texts at once (6.4 MB of its peak heap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissedCount {
    /// Slots missed in all (more than the rows recorded after a long outage).
    pub total: usize,
    /// Where counting started: the schedule's last run, or when it was switched on again
    /// after that (`resumed`).
    pub last_run: DateTime<Utc>,
    /// Whether `last_run` is the moment the schedule was switched on again.
    pub resumed: bool,
    /// Where counting started, when the last run lies further back than the look-back.
    pub counted_since: Option<DateTime<Utc>>,
    /// The only row of its schedule's missed slots: the catch-up was cut short after a newer
    /// slot of the schedule went out, and summed up the rest (see [`catch_up_summary`]).
    pub summary: bool,
}

impl MissedCount {
    /// The row's detail text.
    pub fn detail(&self) -> String {
        let since = match self.counted_since {
            Some(floor) => format!(
                "more than {} slots missed since {} (counted since {})",
                self.total,
                self.last_run.to_rfc3339(),
                floor.to_rfc3339()
            ),
            None if self.resumed => format!(
                "{} slot(s) missed since the schedule was switched on again at {}",
                self.total,
                self.last_run.to_rfc3339()
            ),
            None => format!(
                "{} slot(s) missed since the last run at {}",
                self.total,
                self.last_run.to_rfc3339()
            ),
        };
        if self.summary {
            format!(
                "{since}; not itemized: the catch-up was cut short (a stop, a database outage or a lost lease) after a newer slot had run"
            )
        } else if self.total > MAX_MISSED_ROWS {
            format!("{since}; the latest {MAX_MISSED_ROWS} are recorded")
        } else {
            since
        }
    }
}

/// Why a schedule is not in the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unplanned {
    /// Disabled.
    Disabled,
    /// Its cron or zone cannot be used; the text says why.
    Invalid(String),
    /// Its expression never fires again.
    Never,
}

/// Every enabled, valid schedule, by next fire instant.
#[derive(Debug, Default)]
pub struct Plan {
    entries: HashMap<Uuid, Entry>,
    queue: BTreeSet<(DateTime<Utc>, Uuid)>,
    /// Parsed expressions by source text: parsing costs about 13 µs, and most schedules of an
    /// application share a handful of expressions.
    crons: HashMap<String, Arc<Cron>>,
}

impl Plan {
    /// How many schedules are planned.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is planned.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The planned entry of a schedule.
    pub fn get(&self, id: Uuid) -> Option<&Entry> {
        self.entries.get(&id)
    }

    /// The earliest next fire instant.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.queue.first().map(|(at, _)| *at)
    }

    /// Every planned schedule's entry, in no order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// Ids of every planned schedule.
    pub fn ids(&self) -> Vec<Uuid> {
        self.entries.keys().copied().collect()
    }

    /// Adds or replaces a schedule. Its next instant is kept when nothing that decides it
    /// changed (so a reload never skips a slot that is due but not yet sent); otherwise it is
    /// the first fire instant strictly after `after`, or with a jitter, the first whose send
    /// time is after `after` (a start between a slot and its send time sends it on time).
    pub fn upsert(
        &mut self,
        schedule: Schedule,
        default_tz: Tz,
        after: DateTime<Utc>,
    ) -> Result<(), Unplanned> {
        let previous = self.remove(schedule.id);
        if !schedule.enabled {
            return Err(Unplanned::Disabled);
        }
        // The same check as `schedule trigger`: a row is never sent with columns read as empty.
        let problems = schedule.unsendable_columns();
        if !problems.is_empty() {
            return Err(Unplanned::Invalid(problems.join("; ")));
        }
        let tz = match &schedule.timezone {
            Some(name) => cron::parse_timezone(name).map_err(|e| Unplanned::Invalid(e.message))?,
            None => default_tz,
        };
        let parsed = self.parsed(&schedule.cron_expression)?;
        // A row whose last run or resume time another program left unreadable owes no
        // catch-up: when it was last on is unknown (it runs from its next slot).
        let unknown = schedule
            .unreadable
            .iter()
            .any(|u| matches!(u.column, "last_run_at" | "resumed_at"));
        let (stored_last, resumed_at) = if unknown {
            (None, None)
        } else {
            (schedule.last_run_at, schedule.resumed_at)
        };
        // A run noted since the row was read (its bookkeeping still to be written) stays noted.
        let last_run_at = previous
            .as_ref()
            .and_then(|p| p.last_run_at)
            .max(stored_last);
        let keep = previous
            .filter(|p| p.cron.source() == parsed.source() && p.tz == tz)
            .map(|p| (p.next, p.send_at, p.schedule.jitter));
        let job = Arc::new(Job::from(schedule));
        let (next, send_at) = match keep {
            Some((next, send_at, jitter)) if jitter == job.jitter => (next, send_at),
            Some((next, _, _)) => (next, send_time(&parsed, tz, &job, next)),
            None => first_unsent(&parsed, tz, &job, after, resumed_at).ok_or(Unplanned::Never)?,
        };
        self.queue.insert((send_at, job.id));
        self.entries.insert(
            job.id,
            Entry {
                last_run_at,
                resumed_at,
                schedule: job,
                cron: parsed,
                tz,
                next,
                send_at,
            },
        );
        Ok(())
    }

    /// The parsed expression, from the cache when another schedule uses the same text.
    fn parsed(&mut self, expression: &str) -> Result<Arc<Cron>, Unplanned> {
        if let Some(cron) = self.crons.get(expression) {
            return Ok(cron.clone());
        }
        let cron = Arc::new(Cron::parse(expression).map_err(|e| Unplanned::Invalid(e.message))?);
        self.crons.insert(expression.to_string(), cron.clone());
        Ok(cron)
    }

    /// Forgets the parsed expressions no planned schedule uses any more (after a full reload).
    pub fn forget_unused_crons(&mut self) {
        self.crons.retain(|_, cron| Arc::strong_count(cron) > 1);
    }

    /// Notes that a schedule ran `slot`, so a later catch-up (after a database outage) starts
    /// from there even before the stored `last_run_at` is read again.
    pub fn ran(&mut self, id: Uuid, slot: DateTime<Utc>) {
        if let Some(entry) = self.entries.get_mut(&id)
            && entry.last_run_at.is_none_or(|last| last < slot)
        {
            entry.last_run_at = Some(slot);
        }
    }

    /// Removes a schedule; returns its entry.
    pub fn remove(&mut self, id: Uuid) -> Option<Entry> {
        let entry = self.entries.remove(&id)?;
        self.queue.remove(&(entry.send_at, id));
        Some(entry)
    }

    /// The first `limit` schedules to be sent at exactly `at`, as the slots they will be due
    /// with; the plan is unchanged.
    pub fn due_at(&self, at: DateTime<Utc>, limit: usize) -> Vec<Due> {
        self.queue
            .range((at, Uuid::nil())..=(at, Uuid::max()))
            .take(limit)
            .filter_map(|(_, id)| self.entries.get(id))
            .map(|entry| Due {
                schedule: entry.schedule.clone(),
                slot: entry.next,
                send_at: at,
                trigger: Trigger::Schedule,
            })
            .collect()
    }

    /// Takes every schedule due at `now` (whose send time came). A schedule that fell behind
    /// by several slots (the loop was paused) runs its latest due slot once; the earlier ones
    /// come back as missed. Each taken schedule advances to its first instant after the slot
    /// it runs.
    pub fn take_due(&mut self, now: DateTime<Utc>) -> (Vec<Due>, Vec<Missed>) {
        let mut due = Vec::new();
        let mut missed = Vec::new();
        while let Some(&(at, id)) = self.queue.first() {
            if at > now {
                break;
            }
            self.queue.pop_first();
            let Some(entry) = self.entries.get_mut(&id) else {
                continue;
            };
            // `at` is the send time; the slot is the entry's.
            let (send_at, at) = (at, entry.next);
            // Behind by several slots (the loop was paused, the clock jumped): the latest slot
            // runs, the ones before it are missed. As at a start, the walk looks back at most
            // MISSED_LOOKBACK_DAYS and records at most MAX_MISSED_ROWS rows, the total in the
            // last one's detail, so however far behind, this stays bounded.
            let floor = now
                .checked_sub_signed(Duration::days(MISSED_LOOKBACK_DAYS))
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            let mut recent = std::collections::VecDeque::new();
            let mut total = 0usize;
            let mut counted_since = None;
            // Slots from `at` on (a slot is a whole second: after `at` less a nanosecond).
            let mut from = at
                .checked_sub_signed(Duration::nanoseconds(1))
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            if at < floor {
                counted_since = Some(floor);
                total += 1;
                recent.push_back(at);
                from = floor;
            }
            // Counted, not walked, for an interval: a 1 s interval behind by a day has 86,400.
            let tail = entry.cron.tail(from, now, entry.tz, MAX_MISSED_ROWS + 2);
            let mut latest = tail.latest;
            let mut count = tail.total;
            // With a jitter, the newest slot may not be due yet: it stays planned.
            let mut pending = None;
            if entry.schedule.jitter.is_some()
                && let Some(&newest) = latest.back()
                && newest != at
            {
                let newest_send = send_time(&entry.cron, entry.tz, &entry.schedule, newest);
                if newest_send > now {
                    latest.pop_back();
                    count -= 1;
                    pending = Some((newest, newest_send));
                }
            }
            let mut resume = now;
            if let Some(current) = latest.pop_back() {
                total += count - 1;
                recent.extend(latest);
                while recent.len() > MAX_MISSED_ROWS {
                    recent.pop_front();
                }
                let current_send = if current == at {
                    send_at
                } else {
                    send_time(&entry.cron, entry.tz, &entry.schedule, current)
                };
                due.push(Due {
                    schedule: entry.schedule.clone(),
                    slot: current,
                    send_at: current_send,
                    trigger: Trigger::Schedule,
                });
                resume = current;
            }
            let first_missed = missed.len();
            missed.extend(recent.into_iter().map(|s| Missed {
                schedule: entry.schedule.clone(),
                slot: s,
                count: None,
            }));
            let recorded = missed.len() - first_missed;
            if (total > recorded || counted_since.is_some())
                && let Some(last_row) = missed.last_mut()
            {
                last_row.count = Some(Box::new(MissedCount {
                    total,
                    last_run: entry.last_run_at.unwrap_or(at),
                    resumed: false,
                    counted_since,
                    summary: false,
                }));
            }
            let following = match pending {
                Some(planned) => Some(planned),
                None => entry
                    .cron
                    .next_after(resume, entry.tz)
                    .map(|next| next.with_timezone(&Utc))
                    .map(|next| {
                        (
                            next,
                            send_time(&entry.cron, entry.tz, &entry.schedule, next),
                        )
                    }),
            };
            match following {
                Some((next, next_send)) => {
                    entry.next = next;
                    entry.send_at = next_send;
                    self.queue.insert((next_send, id));
                }
                None => {
                    self.entries.remove(&id);
                }
            }
        }
        (due, missed)
    }
}

/// When `job`'s `slot` is sent: the slot, or with a jitter, the slot plus its offset, before
/// the schedule's next slot.
fn send_time(cron: &Cron, tz: Tz, job: &Job, slot: DateTime<Utc>) -> DateTime<Utc> {
    match job.jitter {
        None => slot,
        Some(jitter) => {
            let following = cron.next_after(slot, tz).map(|t| t.with_timezone(&Utc));
            jitter.send_at(job.id, slot, following)
        }
    }
}

/// The first slot whose message is sent after `after`, and its send time: the first slot
/// after `after` without a jitter; with one, possibly a slot just before `after` whose send
/// time is still ahead, but never one from before `resumed_at` (the schedule was off then).
fn first_unsent(
    cron: &Cron,
    tz: Tz,
    job: &Job,
    after: DateTime<Utc>,
    resumed_at: Option<DateTime<Utc>>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let from = match job.jitter {
        None => after,
        Some(jitter) => after
            .checked_sub_signed(Duration::seconds(i64::from(jitter.secs())))
            .unwrap_or(after)
            .max(resumed_at.unwrap_or(DateTime::<Utc>::MIN_UTC).min(after)),
    };
    cron.upcoming(from, tz)
        .map(|t| t.with_timezone(&Utc))
        .map(|slot| (slot, send_time(cron, tz, job, slot)))
        .find(|(_, send_at)| *send_at > after)
}

/// The end of what a catch-up looks at: `now`, or with a jitter, just before the planned slot
/// when that slot has passed but is sent later: it is not owed, it is sent on time.
fn owed_until(entry: &Entry, now: DateTime<Utc>) -> DateTime<Utc> {
    if entry.schedule.jitter.is_some() && entry.next <= now {
        entry
            .next
            .checked_sub_signed(Duration::nanoseconds(1))
            .unwrap_or(now)
    } else {
        now
    }
}

/// What a start (or a recovery from a database outage) owes a schedule: slots that passed
/// since its `last_run_at`. The most recent one runs as a catch-up when it lies within
/// `window` of `now` (a zero window disables catch-up); every other one is recorded as
/// missed: at most [`MAX_MISSED_ROWS`], the latest ones, the total in the last row's detail.
/// A schedule that never ran owes nothing.
pub fn catch_up(entry: &Entry, now: DateTime<Utc>, window: Duration) -> (Option<Due>, Vec<Missed>) {
    // A schedule switched on again after its last run owes nothing from before that.
    let Some(last) = entry.owed_since() else {
        return (None, Vec::new());
    };
    // Count back MISSED_LOOKBACK_DAYS: a frequent schedule's latest slot lies there, and the
    // walk stays bounded (44,640 slots of an every-minute cron; an interval's slots are
    // counted, not walked: 2.7 million of a 1 s interval). Only a sparse schedule with
    // no slot in that stretch (a yearly one) is searched further back, as far as the catch-up
    // window reaches; it has few slots to walk. Checked arithmetic: never a panic.
    let near = now
        .checked_sub_signed(Duration::days(MISSED_LOOKBACK_DAYS))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut tail = entry.cron.tail(
        last.max(near),
        owed_until(entry, now),
        entry.tz,
        MAX_MISSED_ROWS + 1,
    );
    let mut floor = near;
    if tail.latest.is_empty() && last < near {
        let far = window
            .checked_add(&Duration::days(1))
            .and_then(|back| now.checked_sub_signed(back))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        if far < near {
            tail = entry
                .cron
                .tail(last.max(far), near, entry.tz, MAX_MISSED_ROWS + 1);
            floor = far;
        }
    }
    let (mut recent, mut total) = (tail.latest, tail.total);
    let Some(latest) = recent.back().copied() else {
        return (None, Vec::new());
    };
    let catchup = (window > Duration::zero() && now - latest <= window).then(|| {
        recent.pop_back();
        total -= 1;
        Due::at_slot(entry.schedule.clone(), latest, Trigger::Catchup)
    });
    while recent.len() > MAX_MISSED_ROWS {
        recent.pop_front();
    }
    let mut missed: Vec<Missed> = recent
        .into_iter()
        .map(|slot| Missed {
            schedule: entry.schedule.clone(),
            slot,
            count: None,
        })
        .collect();
    if let Some(last_row) = missed.last_mut() {
        last_row.count = Some(Box::new(MissedCount {
            total,
            last_run: last,
            resumed: entry.last_run_at != Some(last),
            counted_since: (last < floor).then_some(floor),
            summary: false,
        }));
    }
    (catchup, missed)
}

/// The run of [`catch_up`] alone, found by walking only the catch-up window: a catch-up sends
/// its runs first and records the missed slots after (see the runner), so the walk over up to
/// 1,000 missed slots per schedule is not done twice before the first message.
pub fn catch_up_run(entry: &Entry, now: DateTime<Utc>, window: Duration) -> Option<Due> {
    let last = entry.owed_since()?;
    if window <= Duration::zero() {
        return None;
    }
    // The run is the latest slot after `last` that is not older than `now - window`. A slot is
    // a whole second, so "after `start` minus a nanosecond" is "at `start` or later".
    let start = now
        .checked_sub_signed(window)
        .and_then(|t| t.checked_sub_signed(Duration::nanoseconds(1)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let from = last.max(start);
    let latest_in = |from, until| entry.cron.tail(from, until, entry.tz, 1).latest.pop_back();
    // As in `catch_up`: the look-back first, so a frequent schedule and a wide window walk
    // at most 31 days of slots; further back only when nothing fired in it.
    let near = now
        .checked_sub_signed(Duration::days(MISSED_LOOKBACK_DAYS))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let latest = latest_in(from.max(near), owed_until(entry, now))
        .or_else(|| (from < near).then(|| latest_in(from, near))?)?;
    Some(Due::at_slot(
        entry.schedule.clone(),
        latest,
        Trigger::Catchup,
    ))
}

/// [`catch_up`] summed up in one `missed` row, for a catch-up cut short (a stop, a database
/// outage, a lost lease) after a newer slot of the schedule went out, so that what it owed
/// cannot be found from its `last_run_at` again. `run_sent`: its catch-up run went out, and
/// only its missed slots are summed up; otherwise a live slot went out first, the catch-up run
/// is superseded and counts as missed too. The row is the latest slot counted, its detail the
/// total. `None` when nothing is counted.
pub fn catch_up_summary(
    entry: &Entry,
    now: DateTime<Utc>,
    window: Duration,
    run_sent: bool,
) -> Option<Missed> {
    let (run, mut missed) = catch_up(entry, now, window);
    let run = run.filter(|_| !run_sent);
    let last = missed.pop();
    let superseded = usize::from(run.is_some());
    let mut count = last
        .as_ref()
        .and_then(|m| m.count.as_deref().copied())
        .unwrap_or(MissedCount {
            total: missed.len() + usize::from(last.is_some()),
            last_run: entry.owed_since()?,
            resumed: entry.owed_since() != entry.last_run_at,
            counted_since: None,
            summary: true,
        });
    count.total += superseded;
    count.summary = true;
    let slot = run.map(|d| d.slot).or(last.map(|m| m.slot))?;
    Some(Missed {
        schedule: entry.schedule.clone(),
        slot,
        count: Some(Box::new(count)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NameChoice, ScheduleInput};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn schedule(cron: &str, tz: Option<&str>) -> Schedule {
        let input = ScheduleInput {
            task_name: "app.tasks.t".into(),
            cron_expression: cron.into(),
            timezone: tz.map(Into::into),
            enabled: true,
            ..Default::default()
        };
        let new = input.validate(&[]).unwrap();
        let name = match new.name {
            NameChoice::Explicit(n) | NameChoice::Auto(n) | NameChoice::KeepAuto(n) => n,
        };
        Schedule {
            task_name: new.task_name,
            timezone: new.timezone,
            auto_generated_name: true,
            ..Schedule::example(&name, &new.cron_expression, at("2026-01-01T00:00:00Z"))
        }
    }

    #[test]
    fn schedules_come_due_in_order_and_advance() {
        let mut plan = Plan::default();
        let start = at("2026-01-01T00:00:30Z");
        let every_minute = schedule("* * * * *", None);
        let hourly = schedule("0 * * * *", None);
        plan.upsert(every_minute.clone(), Tz::UTC, start).unwrap();
        plan.upsert(hourly.clone(), Tz::UTC, start).unwrap();
        assert_eq!(plan.next_due(), Some(at("2026-01-01T00:01:00Z")));
        let (due, missed) = plan.take_due(at("2026-01-01T00:01:00Z"));
        assert_eq!((due.len(), missed.len()), (1, 0));
        assert_eq!(due[0].schedule.id, every_minute.id);
        assert_eq!(plan.next_due(), Some(at("2026-01-01T00:02:00Z")));
        let (due, _) = plan.take_due(at("2026-01-01T01:00:00Z"));
        let ids: Vec<Uuid> = due.iter().map(|d| d.schedule.id).collect();
        assert!(ids.contains(&hourly.id) && ids.contains(&every_minute.id));
    }

    #[test]
    fn a_paused_loop_runs_the_latest_slot_once() {
        let mut plan = Plan::default();
        plan.upsert(
            schedule("* * * * *", None),
            Tz::UTC,
            at("2026-01-01T00:00:30Z"),
        )
        .unwrap();
        let (due, missed) = plan.take_due(at("2026-01-01T00:03:10Z"));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].slot, at("2026-01-01T00:03:00Z"));
        assert_eq!(
            missed.iter().map(|m| m.slot).collect::<Vec<_>>(),
            [at("2026-01-01T00:01:00Z"), at("2026-01-01T00:02:00Z")]
        );
        assert_eq!(plan.next_due(), Some(at("2026-01-01T00:04:00Z")));
    }

    /// A loop paused far longer than the look-back (or a clock that jumped years ahead) takes
    /// bounded work: the latest slot runs, at most MAX_MISSED_ROWS rows are recorded, and the
    /// last one says how many were missed and since when they were counted.
    #[test]
    fn a_loop_paused_beyond_the_look_back_stays_bounded() {
        let mut plan = Plan::default();
        plan.upsert(
            schedule("* * * * *", None),
            Tz::UTC,
            at("2026-01-01T00:00:30Z"),
        )
        .unwrap();
        for now in ["2026-02-20T00:00:10Z", "2126-01-01T00:00:10Z"] {
            let now = at(now);
            let (due, missed) = plan.take_due(now);
            assert_eq!(due.len(), 1, "{now}");
            assert_eq!(due[0].slot, now - Duration::seconds(10));
            assert_eq!(missed.len(), MAX_MISSED_ROWS);
            let count = missed.last().unwrap().count.as_ref().unwrap();
            assert_eq!(
                count.counted_since,
                Some(now - Duration::days(MISSED_LOOKBACK_DAYS))
            );
            assert_eq!(count.total, (MISSED_LOOKBACK_DAYS * 1440) as usize);
            assert_eq!(plan.next_due(), Some(now + Duration::seconds(50)));
        }
    }

    #[test]
    fn updates_keep_a_pending_slot_unless_the_timing_changed() {
        let mut plan = Plan::default();
        let mut s = schedule("* * * * *", None);
        plan.upsert(s.clone(), Tz::UTC, at("2026-01-01T00:00:30Z"))
            .unwrap();
        // Reloaded just after its slot passed: the slot stays due.
        s.description = Some("edited".into());
        plan.upsert(s.clone(), Tz::UTC, at("2026-01-01T00:01:00.5Z"))
            .unwrap();
        assert_eq!(plan.next_due(), Some(at("2026-01-01T00:01:00Z")));
        // A new cron replans from the given instant.
        s.cron_expression = "0 * * * *".into();
        plan.upsert(s.clone(), Tz::UTC, at("2026-01-01T00:01:00.5Z"))
            .unwrap();
        assert_eq!(plan.next_due(), Some(at("2026-01-01T01:00:00Z")));
        s.enabled = false;
        assert_eq!(
            plan.upsert(s.clone(), Tz::UTC, at("2026-01-01T00:02:00Z")),
            Err(Unplanned::Disabled)
        );
        assert!(plan.is_empty());
        s.enabled = true;
        s.timezone = Some("Mars/Base".into());
        assert!(matches!(
            plan.upsert(s, Tz::UTC, at("2026-01-01T00:02:00Z")),
            Err(Unplanned::Invalid(_))
        ));
    }

    #[test]
    fn daylight_saving_days_follow_the_cron_rules() {
        // New York, 2026-03-08: 02:30 does not exist; the fixed-time job fires at 03:00 EDT.
        let mut plan = Plan::default();
        plan.upsert(
            schedule("30 2 * * *", Some("America/New_York")),
            Tz::UTC,
            at("2026-03-07T12:00:00Z"),
        )
        .unwrap();
        assert_eq!(plan.next_due(), Some(at("2026-03-08T07:00:00Z")));
        let (due, _) = plan.take_due(at("2026-03-08T07:00:00Z"));
        assert_eq!(due.len(), 1);
        assert_eq!(plan.next_due(), Some(at("2026-03-09T06:30:00Z")));
        // Fall back: a wildcard job fires on both passes of 01:00.
        let mut plan = Plan::default();
        plan.upsert(
            schedule("0 * * * *", Some("America/New_York")),
            Tz::UTC,
            at("2026-11-01T04:30:00Z"),
        )
        .unwrap();
        let mut fired = Vec::new();
        let mut now = at("2026-11-01T04:30:00Z");
        while fired.len() < 3 {
            now = plan.next_due().unwrap();
            fired.extend(plan.take_due(now).0.into_iter().map(|d| d.slot));
        }
        assert_eq!(
            fired,
            [
                at("2026-11-01T05:00:00Z"),
                at("2026-11-01T06:00:00Z"),
                at("2026-11-01T07:00:00Z")
            ]
        );
        assert!(now <= at("2026-11-01T07:00:00Z"));
    }

    #[test]
    fn the_catch_up_run_alone_is_the_run_of_the_whole_catch_up() {
        let crons = [
            "* * * * *",
            "0 * * * *",
            "30 2 * * *",
            "0 0 29 2 *",
            "@yearly",
            "*/7 3-5 * jan,dec mon-fri",
            "0 0 L * *",
        ];
        let now = at("2026-03-08T07:00:00.5Z");
        let lasts = [
            None,
            Some(at("2026-03-08T06:59:00Z")),
            Some(at("2026-03-08T07:00:00Z")),
            Some(at("2026-03-08T05:00:00.7Z")),
            Some(at("2026-02-01T00:00:00Z")),
            Some(at("2020-01-01T00:00:00Z")),
            Some(at("1900-01-01T00:00:00Z")),
        ];
        let windows = [
            Duration::zero(),
            Duration::seconds(30),
            Duration::minutes(1),
            Duration::hours(2) + Duration::milliseconds(500),
            Duration::days(40),
            Duration::days(3660),
            Duration::MAX,
        ];
        for cron in crons {
            for zone in [None, Some("America/New_York"), Some("Asia/Kathmandu")] {
                for last in lasts {
                    // Each minute over weeks is 44,640 slots per walk: slow in a debug build,
                    // and the hourly cron walks the same paths.
                    if cron == "* * * * *" && last.is_some_and(|l| now - l > Duration::days(1)) {
                        continue;
                    }
                    let mut s = schedule(cron, zone);
                    s.last_run_at = last;
                    let mut plan = Plan::default();
                    if plan.upsert(s.clone(), Tz::UTC, now).is_err() {
                        continue;
                    }
                    let entry = plan.get(s.id).unwrap();
                    for window in windows {
                        assert_eq!(
                            catch_up_run(entry, now, window).map(|d| d.slot),
                            catch_up(entry, now, window).0.map(|d| d.slot),
                            "{cron} {zone:?} {last:?} {window}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_summary_counts_the_run_only_when_it_was_superseded() {
        let mut s = schedule("* * * * *", None);
        s.last_run_at = Some(at("2026-01-01T00:00:00Z"));
        let mut plan = Plan::default();
        let now = at("2026-01-01T00:03:30Z");
        plan.upsert(s.clone(), Tz::UTC, now).unwrap();
        let entry = plan.get(s.id).unwrap();
        let sent = catch_up_summary(entry, now, Duration::hours(1), true).unwrap();
        assert_eq!(sent.slot, at("2026-01-01T00:02:00Z"));
        assert_eq!(sent.count.as_ref().unwrap().total, 2);
        let superseded = catch_up_summary(entry, now, Duration::hours(1), false).unwrap();
        assert_eq!(superseded.slot, at("2026-01-01T00:03:00Z"));
        assert_eq!(superseded.count.as_ref().unwrap().total, 3);
        assert!(superseded.count.unwrap().detail().contains("not itemized"));
        // Only the run was owed: once it went out, nothing is left to sum up.
        s.last_run_at = Some(at("2026-01-01T00:02:00Z"));
        plan.upsert(s.clone(), Tz::UTC, now).unwrap();
        let entry = plan.get(s.id).unwrap();
        assert!(catch_up_summary(entry, now, Duration::hours(1), true).is_none());
    }

    #[test]
    fn catch_up_runs_the_latest_missed_slot_and_records_the_others() {
        let mut s = schedule("* * * * *", None);
        s.last_run_at = Some(at("2026-01-01T00:00:00Z"));
        let mut plan = Plan::default();
        let now = at("2026-01-01T00:03:30Z");
        plan.upsert(s.clone(), Tz::UTC, now).unwrap();
        let entry = plan.get(s.id).unwrap();
        let (catchup, missed) = catch_up(entry, now, Duration::hours(1));
        assert_eq!(catchup.unwrap().slot, at("2026-01-01T00:03:00Z"));
        assert_eq!(
            missed.iter().map(|m| m.slot).collect::<Vec<_>>(),
            [at("2026-01-01T00:01:00Z"), at("2026-01-01T00:02:00Z")]
        );
        assert_eq!(
            missed[1].count.as_ref().map(|c| c.detail()).as_deref(),
            Some("2 slot(s) missed since the last run at 2026-01-01T00:00:00+00:00")
        );
        // Outside the window, or with catch-up disabled: nothing runs, everything is missed.
        let (none, all) = catch_up(entry, now, Duration::seconds(10));
        assert!(none.is_none());
        assert_eq!(all.len(), 3);
        assert!(catch_up(entry, now, Duration::zero()).0.is_none());
        // Never run: nothing owed.
        let fresh = schedule("* * * * *", None);
        plan.upsert(fresh.clone(), Tz::UTC, now).unwrap();
        assert_eq!(
            catch_up(plan.get(fresh.id).unwrap(), now, Duration::hours(1)),
            (None, vec![])
        );
    }

    #[test]
    fn a_schedule_switched_on_again_owes_only_from_then() {
        let mut s = schedule("* * * * *", None);
        s.last_run_at = Some(at("2026-01-01T00:00:00Z"));
        s.resumed_at = Some(at("2026-01-01T00:05:30Z"));
        let mut plan = Plan::default();
        let now = at("2026-01-01T00:08:30Z");
        plan.upsert(s.clone(), Tz::UTC, now).unwrap();
        let entry = plan.get(s.id).unwrap();
        let (catchup, missed) = catch_up(entry, now, Duration::hours(1));
        assert_eq!(catchup.unwrap().slot, at("2026-01-01T00:08:00Z"));
        assert_eq!(
            missed.iter().map(|m| m.slot).collect::<Vec<_>>(),
            [at("2026-01-01T00:06:00Z"), at("2026-01-01T00:07:00Z")]
        );
        assert_eq!(
            missed[1].count.as_ref().map(|c| c.detail()).as_deref(),
            Some(
                "2 slot(s) missed since the schedule was switched on again at 2026-01-01T00:05:30+00:00"
            )
        );
        assert_eq!(
            catch_up_run(entry, now, Duration::hours(1)).map(|d| d.slot),
            Some(at("2026-01-01T00:08:00Z"))
        );
        // Switched on before its last run: the last run counts, as before.
        s.resumed_at = Some(at("2025-12-31T00:00:00Z"));
        plan.upsert(s.clone(), Tz::UTC, now).unwrap();
        assert_eq!(
            catch_up(plan.get(s.id).unwrap(), now, Duration::hours(1))
                .1
                .len(),
            7
        );
        // Never run: nothing owed, however recently it was switched on.
        s.last_run_at = None;
        plan.remove(s.id);
        plan.upsert(s.clone(), Tz::UTC, now).unwrap();
        assert_eq!(
            catch_up(plan.get(s.id).unwrap(), now, Duration::hours(1)),
            (None, vec![])
        );
    }

    /// What a schedule of `cron` that last ran at `last_run` owes at `now` (catch-up window 1h).
    fn owed(cron: &str, last_run: &str, now: DateTime<Utc>) -> (Option<Due>, Vec<Missed>) {
        let mut s = schedule(cron, None);
        s.last_run_at = Some(at(last_run));
        let mut plan = Plan::default();
        plan.upsert(s.clone(), Tz::UTC, now).unwrap();
        catch_up(plan.get(s.id).unwrap(), now, Duration::hours(1))
    }

    #[test]
    fn an_outage_beyond_the_look_back_is_counted_from_its_start() {
        let now = at("2026-01-01T00:30:00Z");
        let (catchup, missed) = owed("0 * * * *", "2025-06-01T00:00:00Z", now);
        assert_eq!(catchup.unwrap().slot, at("2026-01-01T00:00:00Z"));
        let floor = now - Duration::days(MISSED_LOOKBACK_DAYS);
        let count = missed.last().unwrap().count.as_deref().copied().unwrap();
        assert_eq!(count.counted_since, Some(floor));
        assert_eq!(count.total, missed.len());
        assert_eq!(
            count.detail(),
            format!(
                "more than {} slots missed since 2025-06-01T00:00:00+00:00 (counted since {})",
                missed.len(),
                floor.to_rfc3339()
            )
        );
    }

    #[test]
    fn long_outages_record_at_most_a_thousand_rows() {
        let now = at("2026-01-02T00:00:30Z");
        let (catchup, missed) = owed("* * * * *", "2026-01-01T00:00:00Z", now);
        assert_eq!(catchup.unwrap().slot, at("2026-01-02T00:00:00Z"));
        assert_eq!(missed.len(), MAX_MISSED_ROWS);
        assert_eq!(missed.last().unwrap().slot, at("2026-01-01T23:59:00Z"));
        let detail = missed.last().unwrap().count.as_ref().unwrap().detail();
        assert_eq!(
            detail,
            "1439 slot(s) missed since the last run at 2026-01-01T00:00:00+00:00; \
             the latest 1000 are recorded"
        );
        assert_eq!(missed.iter().filter(|m| m.count.is_some()).count(), 1);
    }

    /// An interval behind by days is counted, not walked: the same rows and totals as a
    /// walk would give, 2.6 million slots of a 1 s interval over the look-back included.
    #[test]
    fn intervals_are_counted_not_walked() {
        let now = at("2026-01-02T00:00:00.400Z");
        let (catchup, missed) = owed("@every 1s", "2026-01-01T00:00:00Z", now);
        assert_eq!(catchup.unwrap().slot, at("2026-01-02T00:00:00Z"));
        assert_eq!(missed.len(), MAX_MISSED_ROWS);
        assert_eq!(missed.last().unwrap().slot, at("2026-01-01T23:59:59Z"));
        assert_eq!(missed[0].slot, at("2026-01-01T23:43:20Z"));
        let count = missed.last().unwrap().count.as_deref().copied().unwrap();
        assert_eq!(count.total, 86_399);
        assert_eq!(count.counted_since, None);

        let mut plan = Plan::default();
        plan.upsert(
            schedule("@every 10s/3s", None),
            Tz::UTC,
            at("2026-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(plan.next_due(), Some(at("2026-01-01T00:00:03Z")));
        let (due, missed) = plan.take_due(at("2026-01-01T00:00:03Z"));
        assert_eq!((due[0].slot, missed.len()), (at("2026-01-01T00:00:03Z"), 0));
        assert_eq!(plan.next_due(), Some(at("2026-01-01T00:00:13Z")));
        // Behind by more than the look-back: the latest slot runs, the rest are counted.
        let later = at("2026-03-01T00:00:05Z");
        let (due, missed) = plan.take_due(later);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].slot, at("2026-03-01T00:00:03Z"));
        assert_eq!(missed.len(), MAX_MISSED_ROWS);
        let count = missed.last().unwrap().count.as_deref().copied().unwrap();
        let floor = later - Duration::days(MISSED_LOOKBACK_DAYS);
        assert_eq!(count.counted_since, Some(floor));
        // The first overdue slot, then every slot after the floor (31 days less 10 s of
        // them) but the one that runs.
        assert_eq!(count.total, (MISSED_LOOKBACK_DAYS * 8_640) as usize);
        assert_eq!(missed.last().unwrap().slot, at("2026-02-28T23:59:53Z"));
        assert_eq!(plan.next_due(), Some(at("2026-03-01T00:00:13Z")));
    }

    /// With a jitter, a schedule is planned at its slot's send time, and the slot stays the
    /// slot: taken at the send time (not before), started between a slot and its send time
    /// it sends that slot on time, and a catch-up does not take a slot that is still ahead.
    #[test]
    fn a_jitter_moves_the_send_time_not_the_slot() {
        use crate::domain::jitter::Jitter;
        let jitter = Jitter::from_stored(Some(59)).unwrap();
        let s = Schedule {
            jitter: Some(jitter),
            ..schedule("* * * * *", None)
        };
        let slot = at("2026-01-01T00:01:00Z");
        // An id whose offset for this slot is not zero, so "before" and "at" differ.
        let offset = jitter.offset(s.id, slot);
        assert!(offset > Duration::zero() && offset < Duration::seconds(59));
        let send = slot + offset;
        // Started after the 00:00 slot's send time (its offset is below 59 s).
        let mut plan = Plan::default();
        plan.upsert(s.clone(), Tz::UTC, at("2026-01-01T00:00:59.500Z"))
            .unwrap();
        assert_eq!(plan.next_due(), Some(send));
        assert_eq!(plan.get(s.id).unwrap().next, slot);
        let (due, missed) = plan.take_due(send - Duration::milliseconds(1));
        assert!(due.is_empty() && missed.is_empty());
        let prebuilt = plan.due_at(send, 10);
        assert_eq!((prebuilt[0].slot, prebuilt[0].send_at), (slot, send));
        let (due, missed) = plan.take_due(send);
        assert_eq!((due.len(), missed.len()), (1, 0));
        assert_eq!((due[0].slot, due[0].send_at), (slot, send));
        let next_slot = at("2026-01-01T00:02:00Z");
        assert_eq!(
            plan.next_due(),
            Some(next_slot + jitter.offset(s.id, next_slot))
        );

        // A start between the slot and its send time plans that slot; the catch-up of a
        // schedule that last ran the slot before leaves it to the plan.
        let mut ran = s.clone();
        ran.last_run_at = Some(at("2026-01-01T00:00:00Z"));
        let mut plan = Plan::default();
        let start = slot + Duration::milliseconds(1);
        plan.upsert(ran.clone(), Tz::UTC, start).unwrap();
        assert_eq!(plan.next_due(), Some(send));
        let entry = plan.get(ran.id).unwrap();
        assert_eq!(catch_up(entry, start, Duration::hours(1)), (None, vec![]));
        assert_eq!(catch_up_run(entry, start, Duration::hours(1)), None);
        // Later than the send time, the slot is owed as a catch-up.
        let late = send + Duration::seconds(1);
        let mut plan = Plan::default();
        plan.upsert(ran.clone(), Tz::UTC, late).unwrap();
        let (run, missed) = catch_up(plan.get(ran.id).unwrap(), late, Duration::hours(1));
        assert_eq!((run.unwrap().slot, missed.len()), (slot, 0));

        // Behind by minutes: the latest slot whose send time came runs; a newer slot still
        // ahead stays planned.
        let mut plan = Plan::default();
        plan.upsert(s.clone(), Tz::UTC, at("2026-01-01T00:00:59.500Z"))
            .unwrap();
        let third = at("2026-01-01T00:03:00Z");
        let third_send = third + jitter.offset(s.id, third);
        if third_send > third {
            let now = third_send - Duration::milliseconds(1);
            let (due, missed) = plan.take_due(now);
            assert_eq!(due.len(), 1);
            assert_eq!(due[0].slot, at("2026-01-01T00:02:00Z"));
            assert_eq!(missed.iter().map(|m| m.slot).collect::<Vec<_>>(), [slot]);
            assert_eq!(plan.next_due(), Some(third_send));
            assert_eq!(plan.get(s.id).unwrap().next, third);
        }
    }

    /// A jittered schedule switched on again between a slot and that slot's send time does not
    /// send the slot: it was off at the slot's instant.
    #[test]
    fn a_jitter_never_reaches_back_before_a_resume() {
        use crate::domain::jitter::Jitter;
        let jitter = Jitter::from_stored(Some(59)).unwrap();
        let mut s = Schedule {
            jitter: Some(jitter),
            ..schedule("* * * * *", None)
        };
        let slot = at("2026-01-01T00:01:00Z");
        let resumed = slot + Duration::milliseconds(1);
        s.resumed_at = Some(resumed);
        let mut plan = Plan::default();
        plan.upsert(s.clone(), Tz::UTC, resumed).unwrap();
        assert_eq!(plan.get(s.id).unwrap().next, at("2026-01-01T00:02:00Z"));
        // The same start without a resume plans the passed slot whose send time is ahead.
        s.resumed_at = None;
        let mut plan = Plan::default();
        plan.upsert(s.clone(), Tz::UTC, resumed).unwrap();
        if jitter.offset(s.id, slot) > Duration::milliseconds(1) {
            assert_eq!(plan.get(s.id).unwrap().next, slot);
        }
    }

    /// A small deterministic generator (xorshift): the same cases on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[(self.next() % items.len() as u64) as usize]
        }

        fn instant(&mut self) -> DateTime<Utc> {
            // Mostly ordinary instants, sometimes the calendar's very ends.
            match self.next() % 8 {
                0 => DateTime::<Utc>::MAX_UTC,
                1 => DateTime::<Utc>::MIN_UTC,
                2 => DateTime::<Utc>::MAX_UTC - Duration::seconds((self.next() % 100_000) as i64),
                3 => DateTime::<Utc>::MIN_UTC + Duration::seconds((self.next() % 100_000) as i64),
                _ => DateTime::from_timestamp(
                    (self.next() % 8_000_000_000) as i64 - 2_000_000_000,
                    0,
                )
                .unwrap(),
            }
        }
    }

    /// Random schedules, delivery options, instants and catch-up windows through the plan
    /// (upsert, catch-up, take_due) and message building: whatever a row or a flag holds,
    /// nothing panics. A value that cannot be sent is an error (recorded failed), not a crash.
    #[test]
    fn random_rows_and_instants_never_panic() {
        use crate::beat::dispatch::{DispatchOptions, message_for};
        use crate::beat::message::BrokerLayout;
        let crons = [
            "* * * * *",
            "0 0 29 2 *",
            "0 0 L * *",
            "30 2 * * *",
            "*/7 3-5 * jan,dec mon-fri",
            "0 0 31 4 *",
            "@yearly",
            "59 23 31 12 *",
        ];
        let zones = [
            None,
            Some("UTC"),
            Some("America/New_York"),
            Some("Australia/Lord_Howe"),
            Some("Pacific/Kiritimati"),
            Some("Mars/Base"),
        ];
        let expires = [
            "1",
            "0.001",
            "300",
            "31536000",
            "31536001",
            "-5",
            "0",
            "1e308",
            "10000000000000",
            "123456789012345678901234567890",
            "1e-300",
        ];
        let options = DispatchOptions {
            dry_run: false,
            default_queue: "celery".into(),
            layout: BrokerLayout::default(),
            origin: "stockura@test".into(),
            chunk_rows: 3,
            send_deadline: chrono::Duration::minutes(5),
            statement_timeout: std::time::Duration::from_secs(5),
        };
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        for _ in 0..1_000 {
            let mut plan = Plan::default();
            let mut s = schedule("* * * * *", None);
            s.cron_expression = (*rng.pick(&crons[..])).into();
            s.timezone = rng.pick(&zones[..]).map(Into::into);
            s.last_run_at = rng.next().is_multiple_of(2).then(|| rng.instant());
            let mut map = serde_json::Map::new();
            let spelled = rng.pick(&expires[..]).to_string();
            let value: serde_json::Value = serde_json::from_str(&spelled).unwrap();
            map.insert("expires".into(), value);
            map.insert("priority".into(), serde_json::json!(rng.next() % 12));
            s.options = crate::domain::schedule::DeliveryOptions::from_json(map.into());
            let start = rng.instant();
            // Mostly short windows (a catch-up walks every slot of its window), sometimes the
            // longest the flag allows.
            let window = match rng.next() % 4 {
                0 => Duration::days(366),
                1 => Duration::zero(),
                _ => Duration::seconds((rng.next() % 7200) as i64),
            };
            if plan.upsert(s, Tz::UTC, start).is_err() {
                continue;
            }
            for _ in 0..3 {
                let now = rng.instant();
                for id in plan.ids() {
                    if let Some(entry) = plan.get(id) {
                        let (run, missed) = catch_up(entry, now, window);
                        for due in run.iter() {
                            let _ = message_for(due, Uuid::nil(), &options)
                                .map(|m| m.envelope(Uuid::nil()));
                        }
                        assert!(missed.len() <= MAX_MISSED_ROWS);
                    }
                }
                let (due, _) = plan.take_due(now);
                for d in &due {
                    if let Ok(m) = message_for(d, Uuid::nil(), &options) {
                        let _ = m.envelope(Uuid::nil());
                    }
                }
            }
        }
    }
}
