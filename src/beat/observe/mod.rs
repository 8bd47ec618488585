//! What `run-beat --http` shows: the loop's state, per-schedule slot counters, the dispatch lag,
//! and the verdicts of the health and readiness probes.
//!
//! The loop writes here after each step (a few atomics) and after each batch (one lock, one
//! hash lookup per slot); the HTTP thread reads. Readers copy what they need under the lock and
//! render outside it, so a scrape of 100,000 schedules never holds the loop back.

pub mod http;
pub mod metrics;
pub mod page;
pub mod process;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::leader::Progress;
use super::plan::Entry;
use crate::domain::cron::Cron;
use crate::domain::run::{RunStatus, Trigger};
use crate::domain::schedule::Job;

/// Every trigger, in label order.
pub const TRIGGERS: [Trigger; 5] = [
    Trigger::Schedule,
    Trigger::Catchup,
    Trigger::Manual,
    Trigger::Backfill,
    Trigger::Resend,
];

/// Every slot status, in label order.
pub const STATUSES: [RunStatus; 7] = [
    RunStatus::Dispatched,
    RunStatus::Missed,
    RunStatus::Skipped,
    RunStatus::Deferred,
    RunStatus::Failed,
    RunStatus::Owed,
    RunStatus::DryRun,
];

/// Upper bounds of the dispatch lag histogram, in seconds.
pub const LAG_BUCKETS: [f64; 13] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// A (trigger, status) pair as one small index.
fn cell(trigger: Trigger, status: RunStatus) -> u8 {
    let t = TRIGGERS.iter().position(|x| *x == trigger).unwrap_or(0);
    let s = STATUSES.iter().position(|x| *x == status).unwrap_or(0);
    (t * STATUSES.len() + s) as u8
}

/// The (trigger, status) pair of a cell.
pub fn cell_labels(cell: u8) -> (Trigger, RunStatus) {
    let c = usize::from(cell);
    (
        TRIGGERS[(c / STATUSES.len()) % TRIGGERS.len()],
        STATUSES[c % STATUSES.len()],
    )
}

/// One planned schedule as the observer knows it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The schedule as the loop plans it.
    pub job: Arc<Job>,
    /// Its cron and zone (the page computes the next slot of the rows it shows).
    pub cron: Arc<Cron>,
    /// Its zone.
    pub tz: Tz,
    /// Seconds between its next two slots (when it was planned).
    pub interval: Option<i64>,
    /// Slots handled since this process started, by (trigger, status) cell; usually one entry.
    pub counts: Vec<(u8, u64)>,
    /// When this process last sent one of its slots.
    pub last_dispatch: Option<DateTime<Utc>>,
    /// The Celery task id of that message.
    pub last_task_id: Option<Uuid>,
    /// The status of the newest slot this process handled, and that slot.
    pub last_status: Option<(RunStatus, DateTime<Utc>)>,
    /// When a message of it last succeeded, by the result backend.
    pub last_success: Option<DateTime<Utc>>,
    /// Whether the last message's result is final (no need to read it again).
    pub result_known: bool,
}

impl Row {
    fn new(entry: &Entry, interval: Option<i64>) -> Self {
        Self {
            job: entry.schedule.clone(),
            cron: entry.cron.clone(),
            tz: entry.tz,
            interval,
            counts: Vec::new(),
            last_dispatch: None,
            last_task_id: None,
            last_status: None,
            last_success: None,
            result_known: true,
        }
    }

    fn count(&mut self, cell: u8, n: u64) {
        match self.counts.iter_mut().find(|(c, _)| *c == cell) {
            Some((_, v)) => *v += n,
            None => self.counts.push((cell, n)),
        }
    }
}

/// The dispatch lag histogram (live slots only).
#[derive(Debug, Clone, Default)]
pub struct Lag {
    /// Observations at most each bound of [`LAG_BUCKETS`] (not cumulative).
    pub buckets: [u64; LAG_BUCKETS.len()],
    /// Observations above the last bound.
    pub over: u64,
    /// Their sum, in seconds.
    pub sum: f64,
}

impl Lag {
    fn observe(&mut self, seconds: f64, n: u64) {
        let seconds = seconds.max(0.0);
        match LAG_BUCKETS.iter().position(|b| seconds <= *b) {
            Some(i) => self.buckets[i] += n,
            None => self.over += n,
        }
        self.sum += seconds * n as f64;
    }

    /// How many were observed.
    pub fn count(&self) -> u64 {
        self.buckets.iter().sum::<u64>() + self.over
    }
}

/// What the lock guards.
#[derive(Debug, Default)]
pub struct Table {
    /// Planned schedules by id.
    pub rows: HashMap<Uuid, Row>,
    /// Slots by (trigger, status) cell, every schedule together (deleted ones included).
    pub totals: HashMap<u8, u64>,
    /// The dispatch lag.
    pub lag: Lag,
    /// The most recent failed, missed, skipped and owed slots, newest last.
    pub notable: std::collections::VecDeque<Notable>,
    /// Intervals by cron text and zone: most schedules share a handful of crons.
    intervals: HashMap<(String, Tz), Option<i64>>,
}

impl Table {
    /// Seconds between the next two slots of `entry` after its next one.
    fn interval(&mut self, entry: &Entry) -> Option<i64> {
        let key = (entry.cron.source().to_string(), entry.tz);
        if let Some(i) = self.intervals.get(&key) {
            return *i;
        }
        let first = entry.cron.next_after(entry.next, entry.tz)?;
        let interval = entry
            .cron
            .next_after(first.with_timezone(&Utc), entry.tz)
            .map(|second| (second - first).num_seconds());
        self.intervals.insert(key, interval);
        interval
    }
}

/// How many notable slots the page keeps.
pub const NOTABLE_KEPT: usize = 50;

/// A slot that did not go out as planned, for the status page.
#[derive(Debug, Clone, PartialEq)]
pub struct Notable {
    /// The schedule, as it was planned.
    pub job: Arc<Job>,
    /// The slot.
    pub slot: DateTime<Utc>,
    /// What happened.
    pub status: RunStatus,
    /// Why.
    pub trigger: Trigger,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

/// One slot the loop handled.
#[derive(Debug, Clone, Copy)]
pub struct SlotEvent<'a> {
    /// The schedule.
    pub job: &'a Arc<Job>,
    /// Its slot.
    pub slot: DateTime<Utc>,
    /// When it was meant to be sent: the slot, or later with a jitter.
    pub send_at: DateTime<Utc>,
    /// Why it ran.
    pub trigger: Trigger,
    /// What happened.
    pub status: RunStatus,
    /// When (for a message: when the broker had it).
    pub at: DateTime<Utc>,
    /// The message's task id, when one was sent.
    pub task_id: Option<Uuid>,
    /// How many slots the event stands for (a summing-up missed row: more than one).
    pub count: u64,
    /// A live slot sent in its batch (the only ones the lag histogram takes: an owed or held
    /// slot sent later is late by the outage or the previous run, not by the scheduler).
    pub live: bool,
}

/// The loop's state, shared with the HTTP thread.
#[derive(Debug)]
pub struct Observer {
    /// Whether `/metrics` has per-schedule series.
    pub per_schedule: bool,
    /// When this process started.
    pub started_at: DateTime<Utc>,
    /// The version of this build.
    pub version: &'static str,
    /// This instance's id, when it takes part in leadership.
    pub instance_id: Option<Uuid>,
    /// Whether the loop has loaded its schedules (and, as the leader, caught up).
    pub loaded: AtomicBool,
    /// Whether a stop was asked for.
    pub stopping: AtomicBool,
    /// Whether it is the leader (1), a standby (0).
    pub leader: AtomicBool,
    /// Whether a broker is configured (a dry run has none).
    pub has_broker: bool,
    /// The last broker check: 1 up, 0 down, -1 not checked yet.
    pub broker_up: AtomicI64,
    /// Why the broker was last found down.
    pub broker_error: Mutex<Option<String>>,
    /// Whether the database answered the loop's last statement.
    pub database_up: AtomicBool,
    /// Milliseconds since the epoch of the last batch dispatched (0: none yet).
    pub last_tick_ms: AtomicI64,
    /// Milliseconds since the epoch when the loop last finished a step.
    pub last_step_ms: AtomicI64,
    /// The change version the plan was loaded at.
    pub change_version: AtomicI64,
    /// Schedules in the plan.
    pub schedules: AtomicU64,
    /// Bumped whenever the planned schedules change (readers rebuild what they derive).
    pub plan_generation: AtomicU64,
    /// Bumped whenever a per-schedule series may have changed (plan, counters, results).
    pub series_generation: AtomicU64,
    /// Full reloads.
    pub full_reloads: AtomicU64,
    /// Schedules reloaded one by one.
    pub targeted_reloads: AtomicU64,
    /// Slots sent again after the broker did not answer the commit of their first push.
    pub resent_in_doubt: AtomicU64,
    /// The loop's watchdog: how long its current step has lasted.
    pub progress: Progress,
    /// A step longer than this means the loop is stuck (`/healthz` turns 503).
    pub stall_limit: Duration,
    /// The loop finishes a step at least this often when it is alive (its poll of the change
    /// version); `/healthz` allows this plus the stall limit.
    pub poll_every: Duration,
    table: Mutex<Table>,
}

impl Observer {
    /// An observer for a loop that has not loaded anything yet.
    pub fn new(
        per_schedule: bool,
        has_broker: bool,
        progress: Progress,
        stall_limit: Duration,
        poll_every: Duration,
    ) -> Self {
        Self {
            per_schedule,
            started_at: Utc::now(),
            version: env!("CARGO_PKG_VERSION"),
            instance_id: None,
            loaded: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            leader: AtomicBool::new(false),
            has_broker,
            broker_up: AtomicI64::new(-1),
            broker_error: Mutex::new(None),
            database_up: AtomicBool::new(true),
            last_tick_ms: AtomicI64::new(0),
            last_step_ms: AtomicI64::new(Utc::now().timestamp_millis()),
            change_version: AtomicI64::new(0),
            schedules: AtomicU64::new(0),
            plan_generation: AtomicU64::new(0),
            series_generation: AtomicU64::new(0),
            full_reloads: AtomicU64::new(0),
            targeted_reloads: AtomicU64::new(0),
            resent_in_doubt: AtomicU64::new(0),
            progress,
            stall_limit,
            poll_every,
            table: Mutex::new(Table::default()),
        }
    }

    /// The same, for this instance of a scheduler group.
    pub fn with_instance(mut self, id: Option<Uuid>) -> Self {
        self.instance_id = id;
        self
    }

    /// The table, even after a panic elsewhere poisoned the lock (its data stays consistent:
    /// every writer finishes each row before the next).
    pub fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the planned schedules (after a full reload); counters of schedules still
    /// planned are kept.
    pub fn load_plan<'a>(&self, entries: impl Iterator<Item = &'a Entry>) {
        let mut table = self.table();
        table.intervals.clear();
        let mut rows = HashMap::with_capacity(table.rows.len());
        for entry in entries {
            let interval = table.interval(entry);
            let row = match table.rows.remove(&entry.schedule.id) {
                Some(mut old) => {
                    old.job = entry.schedule.clone();
                    old.cron = entry.cron.clone();
                    old.tz = entry.tz;
                    old.interval = interval;
                    old
                }
                None => Row::new(entry, interval),
            };
            rows.insert(entry.schedule.id, row);
        }
        table.rows = rows;
        self.plan_generation.fetch_add(1, Ordering::Relaxed);
        self.series_generation.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds or replaces one planned schedule, or removes it (`None`: no longer planned).
    pub fn plan_changed(&self, id: Uuid, entry: Option<&Entry>) {
        let mut table = self.table();
        match entry {
            Some(entry) => {
                let interval = table.interval(entry);
                match table.rows.get_mut(&id) {
                    Some(row) => {
                        row.job = entry.schedule.clone();
                        row.cron = entry.cron.clone();
                        row.tz = entry.tz;
                        row.interval = interval;
                    }
                    None => {
                        table.rows.insert(id, Row::new(entry, interval));
                    }
                }
            }
            None => {
                table.rows.remove(&id);
            }
        }
        self.plan_generation.fetch_add(1, Ordering::Relaxed);
        self.series_generation.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts slots the loop handled; `lag`: the slots sent on time, with how late each went.
    pub fn record<'a>(&self, events: impl IntoIterator<Item = SlotEvent<'a>>) {
        self.series_generation.fetch_add(1, Ordering::Relaxed);
        let mut table = self.table();
        let table = &mut *table;
        for e in events {
            let c = cell(e.trigger, e.status);
            *table.totals.entry(c).or_default() += e.count;
            if e.live && e.status == RunStatus::Dispatched && e.trigger == Trigger::Schedule {
                let late = (e.at - e.send_at).num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6;
                table.lag.observe(late, e.count);
            }
            if matches!(
                e.status,
                RunStatus::Failed | RunStatus::Missed | RunStatus::Skipped | RunStatus::Owed
            ) {
                if table.notable.len() >= NOTABLE_KEPT {
                    table.notable.pop_front();
                }
                // An `Arc`, not the name: a catch-up records up to 200,000 missed slots at once.
                table.notable.push_back(Notable {
                    job: e.job.clone(),
                    slot: e.slot,
                    status: e.status,
                    trigger: e.trigger,
                    at: e.at,
                });
            }
            if let Some(row) = table.rows.get_mut(&e.job.id) {
                row.count(c, e.count);
                if row.last_status.is_none_or(|(_, slot)| slot <= e.slot) {
                    row.last_status = Some((e.status, e.slot));
                }
                if e.status == RunStatus::Dispatched {
                    row.last_dispatch = Some(e.at);
                    if e.task_id.is_some() {
                        row.last_task_id = e.task_id;
                        row.result_known = false;
                    }
                }
            }
        }
    }

    /// Notes `n` slots sent again after the broker did not answer the commit of their first
    /// push (RabbitMQ stopped during it): a message it had kept runs twice.
    pub fn resent_in_doubt(&self, n: u64) {
        self.resent_in_doubt.fetch_add(n, Ordering::Relaxed);
    }

    /// Notes a full reload, or `n` schedules reloaded one by one.
    pub fn reloaded(&self, full: bool, n: u64) {
        if full {
            self.full_reloads.fetch_add(1, Ordering::Relaxed);
        } else {
            self.targeted_reloads.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Notes a finished step of the loop with the state it left.
    pub fn stepped(&self, state: LoopState) {
        let now = Utc::now().timestamp_millis();
        self.last_step_ms.store(now, Ordering::Relaxed);
        self.leader.store(state.leader, Ordering::Relaxed);
        self.database_up.store(state.database_up, Ordering::Relaxed);
        self.schedules.store(state.schedules, Ordering::Relaxed);
        self.change_version
            .store(state.change_version, Ordering::Relaxed);
        if let Some(t) = state.last_tick_at {
            self.last_tick_ms
                .store(t.timestamp_millis(), Ordering::Relaxed);
        }
    }

    /// Records a broker check: `None` when it answered, else why not.
    pub fn broker_checked(&self, error: Option<String>) {
        self.broker_up
            .store(i64::from(error.is_none()), Ordering::Relaxed);
        *self.broker_error.lock().unwrap_or_else(|p| p.into_inner()) = error;
    }

    /// Whether the loop is alive at `now`, and if not, why.
    pub fn health(&self, now: DateTime<Utc>) -> Result<(), String> {
        if let Some(busy) = self.progress.busy_for().filter(|b| *b > self.stall_limit) {
            return Err(format!(
                "the scheduler's loop has been stuck in one step for {:.1} s (limit {} s)",
                busy.as_secs_f64(),
                self.stall_limit.as_secs()
            ));
        }
        let last = self.last_step_ms.load(Ordering::Relaxed);
        let quiet_ms = now.timestamp_millis() - last;
        let allowed = self.poll_every + self.stall_limit;
        if quiet_ms > i64::try_from(allowed.as_millis()).unwrap_or(i64::MAX)
            && self.progress.busy_for().is_none()
            && self.loaded.load(Ordering::Relaxed)
        {
            return Err(format!(
                "the scheduler's loop has not finished a step for {:.1} s (it polls every {} s)",
                quiet_ms as f64 / 1000.0,
                self.poll_every.as_secs_f64()
            ));
        }
        Ok(())
    }

    /// What keeps this instance from being ready (empty: ready).
    pub fn readiness(&self) -> Vec<Missing> {
        let mut missing = Vec::new();
        if self.stopping.load(Ordering::Relaxed) {
            missing.push(Missing::new("stopping", "the scheduler is stopping"));
        }
        if !self.loaded.load(Ordering::Relaxed) {
            missing.push(Missing::new(
                "schedules",
                "the schedules are not loaded yet (start-up and catch-up in progress)",
            ));
        }
        if !self.database_up.load(Ordering::Relaxed) {
            missing.push(Missing::new(
                "database",
                "the database does not answer: the loop runs the last known schedules and retries",
            ));
        }
        let leader = self.leader.load(Ordering::Relaxed);
        if leader && self.has_broker && self.broker_up.load(Ordering::Relaxed) == 0 {
            let why = self
                .broker_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
                .unwrap_or_else(|| "no answer".into());
            missing.push(Missing::new(
                "broker",
                format!("the broker does not answer ({why}): slots due meanwhile are owed"),
            ));
        }
        missing
    }

    /// The role label.
    pub fn role(&self) -> &'static str {
        if self.leader.load(Ordering::Relaxed) {
            "leader"
        } else {
            "standby"
        }
    }
}

/// Something `/readyz` waits for.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Missing {
    /// `stopping`, `schedules`, `database` or `broker`.
    pub what: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

impl Missing {
    fn new(what: &'static str, message: impl Into<String>) -> Self {
        Self {
            what,
            message: message.into(),
        }
    }
}

/// The loop's state after a step.
#[derive(Debug, Clone, Copy)]
pub struct LoopState {
    /// Whether it dispatches.
    pub leader: bool,
    /// Whether the database answers.
    pub database_up: bool,
    /// Schedules planned.
    pub schedules: u64,
    /// The change version the plan is at.
    pub change_version: i64,
    /// The last batch's instant.
    pub last_tick_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip() {
        for t in TRIGGERS {
            for s in STATUSES {
                assert_eq!(cell_labels(cell(t, s)), (t, s));
            }
        }
    }

    #[test]
    fn lag_buckets() {
        let mut lag = Lag::default();
        lag.observe(0.003, 2);
        lag.observe(0.2, 1);
        lag.observe(120.0, 1);
        lag.observe(-1.0, 1);
        assert_eq!(lag.buckets[0], 3);
        assert_eq!(lag.buckets[5], 1);
        assert_eq!(lag.over, 1);
        assert_eq!(lag.count(), 5);
        assert!((lag.sum - 120.206).abs() < 1e-9);
    }

    #[test]
    fn a_stuck_step_is_unhealthy() {
        let progress = Progress::new();
        let o = Observer::new(
            true,
            true,
            progress.clone(),
            Duration::from_millis(0),
            Duration::from_secs(5),
        );
        assert!(o.health(Utc::now()).is_ok());
        progress.step();
        std::thread::sleep(Duration::from_millis(5));
        assert!(o.health(Utc::now()).unwrap_err().contains("stuck"));
        progress.idle();
        o.loaded.store(true, Ordering::Relaxed);
        let later = Utc::now() + chrono::Duration::seconds(6);
        assert!(o.health(later).unwrap_err().contains("has not finished"));
    }

    #[test]
    fn readiness_names_what_is_missing() {
        let o = Observer::new(
            true,
            true,
            Progress::new(),
            Duration::from_secs(30),
            Duration::from_secs(5),
        );
        let whats = |o: &Observer| o.readiness().iter().map(|m| m.what).collect::<Vec<_>>();
        assert_eq!(whats(&o), ["schedules"]);
        o.loaded.store(true, Ordering::Relaxed);
        o.leader.store(true, Ordering::Relaxed);
        o.broker_checked(Some("connection refused".into()));
        assert_eq!(whats(&o), ["broker"]);
        assert!(o.readiness()[0].message.contains("connection refused"));
        // A standby does not need the broker.
        o.leader.store(false, Ordering::Relaxed);
        assert!(whats(&o).is_empty());
        o.database_up.store(false, Ordering::Relaxed);
        assert_eq!(whats(&o), ["database"]);
    }
}
