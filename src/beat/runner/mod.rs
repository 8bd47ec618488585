//! The loop: load, catch up, then sleep until the next slot or a change, whichever comes
//! first. Never busy-polls; the next instant is recomputed from the clock after every tick.
//!
//! [`Beat`] is one scheduler. This module holds its state, its construction, and the loop
//! ([`Beat::run`]) with its tick ([`Beat::tick`]): what is due at the clock's now goes to
//! [`dispatch::dispatch`] as one batch. The other concerns are `impl Beat` blocks of their own:
//!
//! * `reload`: the plan follows the database (full and targeted reloads, change events, the
//!   version poll).
//! * `outage`: a database that stops answering, the history kept meanwhile, the recovery.
//! * `leadership`: the lease, standing down, and taking over as the leader.
//! * `catchup`: what the time without a scheduler (or an outage) owes, in batches between
//!   which live slots go out and a signal is heard.
//! * `owed`: slots the broker did not take, retried with their task ids until their deadline.
//! * `held`: the execution policies' running checks, and the runs the `queue` policy holds.
//! * `prebuild`: messages encoded ahead of the instant they are due at.
//! * `retention`: old history deleted, once a day.
//! * `resume`: paused schedules switched on again at their `--until`.

mod catchup;
mod held;
mod leadership;
mod outage;
mod owed;
mod prebuild;
mod reload;
mod resume;
mod retention;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use super::clock::Clock;
use super::dispatch::{
    self, Backlog, Broker, Definitions, DispatchOptions, Outcome, Owed, Prebuilt,
};
use super::feed::Change;
use super::heartbeat::Snapshot;
use super::leader::{Lease, Progress};
use super::observe::{LoopState, Observer, SlotEvent};
use super::plan::{Due, Missed, Plan};
use super::policy::{self as checks, Checker};
use crate::domain::policy;
use crate::domain::run::{RunStatus, Trigger};
use crate::store::{RunStore, ScheduleStore, StoreError, TaskStore};

pub use catchup::{CATCH_UP_BATCH_TIME, CATCH_UP_ROWS, CATCH_UP_RUN_BATCH_TIME};
pub use held::Held;
use held::PolicyChecks;
use leadership::{Leadership, lease_changed};
use owed::OWED_RETRY_FIRST;
use prebuild::PREBUILD_LEAD;
pub use resume::ChangeEvents;

/// How the loop behaves.
#[derive(Debug, Clone)]
pub struct BeatConfig {
    /// Process what is due now (catch-up included), then stop.
    pub once: bool,
    /// Run the latest missed slot when it lies within this window (zero disables catch-up).
    pub catchup_window: chrono::Duration,
    /// The most rows in one batch of a catch-up (batches are sized to last about
    /// [`CATCH_UP_BATCH_TIME`] at the measured pace).
    pub catch_up_rows: usize,
    /// How often the durable change version is polled.
    pub sync_interval: Duration,
    /// The least time between two full reloads.
    pub min_sync_interval: Duration,
    /// Delete history older than this, once a day.
    pub retention: Option<chrono::Duration>,
    /// The zone of schedules that name none.
    pub default_tz: Tz,
    /// Message building and routing.
    pub dispatch: DispatchOptions,
}

/// Counters, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stats {
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
    /// Full reloads.
    pub full_reloads: usize,
    /// Schedules reloaded one by one.
    pub targeted_reloads: usize,
    /// Slots skipped by an execution policy.
    pub skipped: usize,
    /// Slots held by the `queue` policy.
    pub deferred: usize,
    /// Held runs sent once their previous run finished.
    pub deferred_sent: usize,
    /// Slots the broker did not take at first (owed, retried).
    pub owed: usize,
    /// Owed slots sent later.
    pub owed_sent: usize,
    /// Times this scheduler became the leader after standing by.
    pub takeovers: usize,
}

/// The scheduler: a store, a clock, an optional broker, and the plan.
pub struct Beat<S, C> {
    store: S,
    clock: Arc<C>,
    config: BeatConfig,
    broker: Option<Broker>,
    plan: Plan,
    definitions: Definitions,
    seen_version: i64,
    last_full_reload: Option<Instant>,
    reload_pending: bool,
    database_down: bool,
    backlog: Backlog,
    stats: Stats,
    last_retention: Option<DateTime<Utc>>,
    /// The lease and the takeover guard (see [`Self::with_leadership`]).
    leadership: Leadership,
    leading: bool,
    /// What the execution policies check by (see [`Self::with_checker`]).
    checks: PolicyChecks,
    held: HashMap<Uuid, Held>,
    snapshot: Option<watch::Sender<Snapshot>>,
    last_batch: Option<(DateTime<Utc>, i64)>,
    /// Messages being encoded ahead of the instant they are due at.
    prebuilding: Option<(DateTime<Utc>, tokio::task::JoinHandle<Prebuilt>)>,
    /// Schedules created with imported bookkeeping that entered the plan since the last
    /// catch-up (see `owes_on_arrival`): each owes what it would owe at start-up.
    arrived: Vec<Uuid>,
    /// Schedules a catch-up cut short by a database outage had not caught up yet, with their
    /// `last_run_at` when it began: live slots sent during the outage move it on, and the
    /// recovery's catch-up must still find what they owed before.
    catch_up_pending: HashMap<Uuid, Option<DateTime<Utc>>>,
    /// Slots the broker has not taken yet, oldest first (see [`Owed`]).
    owed: Vec<Owed>,
    /// When owed slots are tried next, and the wait after that.
    owed_retry: Option<(tokio::time::Instant, Duration)>,
    /// The leadership's watchdog: the loop reports its steps.
    progress: Option<Progress>,
    /// Turns true at the first stop signal: a catch-up stops between its batches.
    stop: Option<watch::Receiver<bool>>,
    /// Set at a second stop signal: exit at once, leaving what is not sent owed.
    abort: Arc<std::sync::atomic::AtomicBool>,
    /// What `run-beat --http` shows.
    observer: Option<Arc<Observer>>,
    /// When the next paused schedule resumes by itself (`schedule pause --until`).
    next_resume: Option<DateTime<Utc>>,
    /// Where the change events of this scheduler's own writes go.
    events: Option<ChangeEvents>,
}

impl<S, C> Beat<S, C>
where
    S: ScheduleStore + TaskStore + RunStore,
    C: Clock,
{
    /// A scheduler that has loaded nothing yet.
    pub fn new(store: S, clock: Arc<C>, config: BeatConfig, broker: Option<Broker>) -> Self {
        Self {
            store,
            clock,
            config,
            broker,
            plan: Plan::default(),
            definitions: Definitions::default(),
            seen_version: 0,
            last_full_reload: None,
            reload_pending: false,
            database_down: false,
            backlog: Backlog::default(),
            stats: Stats::default(),
            last_retention: None,
            leadership: Leadership::default(),
            leading: true,
            checks: PolicyChecks::default(),
            held: HashMap::new(),
            snapshot: None,
            last_batch: None,
            prebuilding: None,
            arrived: Vec::new(),
            catch_up_pending: HashMap::new(),
            owed: Vec::new(),
            owed_retry: None,
            progress: None,
            stop: None,
            abort: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            observer: None,
            next_resume: None,
            events: None,
        }
    }

    /// Reports the loop's state, slots and reloads to `observer` (`run-beat --http`).
    pub fn with_observer(mut self, observer: Arc<Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Tells the observer the state a step left (a few atomic stores).
    fn observe_step(&self) {
        if let Some(o) = &self.observer {
            o.stepped(LoopState {
                leader: self.leading,
                database_up: !self.database_down,
                schedules: self.plan.len() as u64,
                change_version: self.seen_version,
                last_tick_at: self.last_batch.map(|(t, _)| t),
            });
        }
    }

    /// Dispatches only while `lease` is valid (without one, always).
    /// `length` is the lease's: for that long after it becomes the leader, a scheduler's
    /// pushes check and record the slots sent without a claim ([`dispatch::Guard`]), since the
    /// previous leader, cut off from the database, may still be sending the same slots.
    pub fn with_leadership(mut self, lease: watch::Receiver<Lease>, length: Duration) -> Self {
        self.leadership.lease = Some(lease);
        self.leading = false;
        self.leadership.takeover_guard = length;
        self
    }

    /// Reports each step of the loop to `progress`, the leadership's watchdog.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// A step of the loop begins (or a long one moved on).
    fn stepping(&self) {
        if let Some(p) = &self.progress {
            p.step();
        }
    }

    /// Applies the execution policies with these running checks (without, `skip` and `queue`
    /// behave as `allow`: nothing can tell that a run is still running).
    pub fn with_checker(mut self, checker: Checker) -> Self {
        self.checks.checker = Some(checker);
        self
    }

    /// Stops a catch-up between its batches once `stop` turns true; exits at once (the batch
    /// in flight sends nothing more, its slots stay owed) once `abort` is set.
    pub fn with_stop(
        mut self,
        stop: watch::Receiver<bool>,
        abort: Arc<std::sync::atomic::AtomicBool>,
    ) -> Self {
        self.stop = Some(stop);
        self.abort = abort;
        self
    }

    /// Whether a stop was asked for.
    fn stopping(&self) -> bool {
        self.aborted() || self.stop.as_ref().is_some_and(|s| *s.borrow())
    }

    /// Whether an immediate exit was asked for.
    fn aborted(&self) -> bool {
        self.abort.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Reports the loop's state for heartbeats.
    pub fn with_snapshot(mut self, snapshot: watch::Sender<Snapshot>) -> Self {
        self.snapshot = Some(snapshot);
        self
    }

    /// Whether this scheduler currently dispatches.
    pub fn is_leader(&self) -> bool {
        self.leading
    }

    /// The slots the broker has not taken yet.
    pub fn owed(&self) -> &[Owed] {
        &self.owed
    }

    /// The runs held by the `queue` policy, by schedule.
    pub fn held(&self) -> &HashMap<Uuid, Held> {
        &self.held
    }

    fn report(&self) {
        if let Some(tx) = &self.snapshot {
            tx.send_replace(Snapshot {
                schedules: self.plan.len() as u64,
                last_tick_at: self.last_batch.map(|(t, _)| t),
                lag_ms: self.last_batch.map(|(_, l)| l),
                change_version: self.seen_version,
            });
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The plan (for tests and status).
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Loads every enabled schedule and the task definitions, then runs what the downtime
    /// owes (catch-up and missed rows). Fails when the database cannot be read at all.
    pub async fn start(&mut self) -> Result<(), StoreError> {
        self.stepping();
        self.full_reload().await?;
        self.leading = self.lease_valid();
        if self.leading {
            self.became_leader();
            self.load_held().await;
            self.load_owed().await;
            self.resume_paused().await;
            self.catch_up().await;
            // What a pause that ended during the catch-up owes is left in `arrived`: the first
            // tick catches it up.
        } else {
            self.arrived.clear();
        }
        self.report();
        self.observe_step();
        Ok(())
    }

    /// Dispatches everything due at the clock's now.
    pub async fn tick(&mut self) -> Outcome {
        if !self.still_leading() {
            return Outcome::default();
        }
        // A pause that ends now first, and what a pause that ended while no leader ran owes.
        self.resume_paused().await;
        self.catch_up_arrived().await;
        self.dispatch_due().await
    }

    /// [`Self::tick`] between two batches of a catch-up: what fell due goes out, and a pause
    /// that ends is resumed (what it owes is caught up by the next tick).
    async fn tick_in_catch_up(&mut self) -> Outcome {
        if !self.still_leading() {
            return Outcome::default();
        }
        self.resume_paused().await;
        self.dispatch_due().await
    }

    /// Whether this scheduler may go on dispatching: a leader whose lease ran out (it could
    /// not renew, or the process was paused) stands down before anything else is claimed.
    fn still_leading(&mut self) -> bool {
        if self.lease_valid() {
            return true;
        }
        if self.leading {
            self.stand_down();
            self.report();
        }
        false
    }

    /// Dispatches the slots due at the clock's now.
    async fn dispatch_due(&mut self) -> Outcome {
        let now = self.clock.now();
        let (due, missed) = self.plan.take_due(now);
        let prebuilt = self.take_prebuilt(now).await;
        if due.is_empty() && missed.is_empty() {
            return Outcome::default();
        }
        tracing::debug!(due = due.len(), missed = missed.len(), "batch begins");
        let started = Instant::now();
        let outcome = self.dispatch(&due, &missed, now, prebuilt).await;
        let lag_ms = due
            .iter()
            .map(|d| (now - d.send_at).num_milliseconds())
            .max()
            .unwrap_or(0);
        tracing::info!(
            dispatched = outcome.dispatched,
            failed = outcome.failed,
            dry_run = outcome.dry_run,
            missed = outcome.missed,
            skipped = outcome.skipped,
            deferred = outcome.deferred.len(),
            already_claimed = outcome.already_claimed,
            lag_ms,
            claimed_ms = outcome.claimed_ms,
            sent_ms = outcome.sent_ms,
            took_ms = started.elapsed().as_millis() as u64,
            "batch"
        );
        self.last_batch = Some((now, lag_ms));
        self.report();
        outcome
    }

    async fn dispatch(
        &mut self,
        due: &[Due],
        missed: &[Missed],
        now: DateTime<Utc>,
        prebuilt: Prebuilt,
    ) -> Outcome {
        let decisions = self.decide(due, now).await;
        let guarding = self.guarding();
        let outcome = dispatch::dispatch(
            &self.store,
            self.broker.as_mut(),
            &self.definitions,
            &self.config.dispatch,
            due,
            &decisions,
            missed,
            now,
            prebuilt,
            self.database_down,
            Some(&self.abort),
            guarding,
        )
        .await;
        // What this scheduler sent is remembered only for schedules whose policy checks for a
        // running previous run (100,000 `allow` schedules need no such map).
        for (n, task_id) in &outcome.sent {
            let id = &due[*n].schedule.id;
            let checked = self
                .plan
                .get(*id)
                .is_some_and(|e| policy::needs_check(e.schedule.execution_policy));
            if checked {
                self.checks
                    .last_sent
                    .insert(*id, checks::sent_now(*id, *task_id, now));
            } else {
                self.checks.last_sent.remove(id);
            }
        }
        for (run_id, n) in &outcome.deferred {
            let d = &due[*n];
            self.held.insert(
                d.schedule.id,
                Held {
                    run_id: *run_id,
                    due: d.clone(),
                    task_id: super::message::slot_task_id(d.schedule.id, d.slot),
                },
            );
        }
        if outcome.database_down && !self.database_down {
            tracing::warn!("database unavailable: running the last known schedules, retrying");
            self.database_down = true;
        }
        if !outcome.owed.is_empty() {
            self.owe(outcome.owed.clone()).await;
        } else if outcome.dispatched > 0 && !self.owed.is_empty() {
            // The broker takes messages again: the owed ones go now.
            self.owed_retry = Some((tokio::time::Instant::now(), OWED_RETRY_FIRST));
        }
        self.stats.skipped += outcome.skipped;
        self.stats.deferred += outcome.deferred.len();
        self.stats.batches += 1;
        self.stats.dispatched += outcome.dispatched;
        self.stats.failed += outcome.failed;
        self.stats.missed += outcome.missed;
        self.stats.dry_run += outcome.dry_run;
        if let Some(o) = &self.observer {
            o.record(batch_events(due, missed, &outcome, now));
        }
        for (id, slot) in &outcome.ran {
            self.plan.ran(*id, *slot);
        }
        if !outcome.backlog.is_empty() {
            self.backlog
                .runs
                .extend(outcome.backlog.runs.iter().cloned());
            self.backlog.ran.extend(outcome.backlog.ran.iter().copied());
            // Recovery (seen by the next poll) writes the backlog before anything else.
            self.database_down = true;
        }
        outcome
    }

    /// Runs until `shutdown` turns true (or, with `once`, until what is due now is done).
    /// Finishes the in-flight batch before returning.
    pub async fn run(
        mut self,
        mut changes: mpsc::Receiver<Change>,
        mut shutdown: watch::Receiver<bool>,
    ) -> Stats {
        if self.config.once {
            self.tick().await;
            // What a previous scheduler left owed (taken over at the start) and what this
            // tick could not send get one more attempt.
            self.retry_owed().await;
            if !self.owed.is_empty() {
                tracing::warn!(
                    owed = self.owed.len(),
                    "the broker did not take every message: those slots stay owed for the next scheduler"
                );
            }
            self.keep_owed_for_the_next_leader();
            if let Err(e) = self.backlog.flush(&self.store).await {
                tracing::warn!(error = %e, "history could not be written");
            }
            return self.stats;
        }
        if *shutdown.borrow() || self.aborted() {
            tracing::info!("stopped during start-up");
        } else {
            tracing::info!(
                event = "ready",
                schedules = self.plan.len(),
                version = self.seen_version,
                role = if self.leading { "leader" } else { "standby" },
                "scheduler ready"
            );
        }
        let mut poll = tokio::time::interval(self.config.sync_interval);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        poll.tick().await;
        let mut flush = tokio::time::interval(Duration::from_secs(1));
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut lease = self.leadership.lease.clone();
        let mut feeds_open = true;
        while !*shutdown.borrow() && !self.aborted() {
            self.retention().await;
            // The next slot, or the end of a pause, whichever comes first.
            let next = match (self.plan.next_due(), self.next_resume) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
            .filter(|_| self.leading);
            let sleep = sleep_until(self.clock.clone(), next);
            let early = self.next_to_prebuild().map(|at| at - PREBUILD_LEAD);
            let prebuild = sleep_until(self.clock.clone(), early);
            if let Some(p) = &self.progress {
                p.idle();
            }
            tokio::select! {
                biased;
                _ = shutdown.changed() => {
                    if *shutdown.borrow() {
                        break;
                    }
                }
                // Slots first: a stream of changes never delays a dispatch.
                () = sleep => {
                    self.stepping();
                    self.tick().await;
                }
                () = prebuild => self.prebuild(),
                () = lease_changed(&mut lease) => {
                    self.stepping();
                    self.follow_lease().await;
                }
                change = changes.recv(), if feeds_open => match change {
                    Some(first) => {
                        self.stepping();
                        // Coalesce a burst into one reload.
                        let mut burst = vec![first];
                        while let Ok(more) = changes.try_recv() {
                            burst.push(more);
                        }
                        self.apply(burst).await;
                    }
                    None => feeds_open = false,
                },
                _ = flush.tick(), if self.leading && !self.held.is_empty() => {
                    self.stepping();
                    self.flush_held().await;
                }
                () = sleep_until_instant(self.next_owed_retry()) => {
                    self.stepping();
                    self.retry_owed().await;
                }
                _ = poll.tick() => {
                    self.stepping();
                    self.poll_version().await;
                    self.report();
                }
            }
            self.observe_step();
        }
        if !self.owed.is_empty() {
            tracing::warn!(
                owed = self.owed.len(),
                "stopping with slots the broker has not taken: they stay owed for the next scheduler"
            );
        }
        self.keep_owed_for_the_next_leader();
        if let Err(e) = self.backlog.flush(&self.store).await {
            tracing::warn!(error = %e, runs = self.backlog.runs.len(), "history could not be written before stopping");
        }
        tracing::info!(dispatched = self.stats.dispatched, "scheduler stopped");
        self.stats
    }
}

/// One slot as the observer counts it.
fn due_event(
    d: &Due,
    status: RunStatus,
    at: DateTime<Utc>,
    task_id: Option<Uuid>,
) -> SlotEvent<'_> {
    SlotEvent {
        job: &d.schedule,
        slot: d.slot,
        send_at: d.send_at,
        trigger: d.trigger,
        status,
        at,
        task_id,
        count: 1,
        live: false,
    }
}

/// The slots a batch handled, as the observer counts them.
fn batch_events<'a>(
    due: &'a [Due],
    missed: &'a [Missed],
    outcome: &'a Outcome,
    now: DateTime<Utc>,
) -> impl Iterator<Item = SlotEvent<'a>> {
    let sent_at = now + chrono::Duration::milliseconds(outcome.sent_ms as i64);
    let event = due_event;
    let sent = outcome.sent.iter().filter_map(move |(n, task_id)| {
        Some(SlotEvent {
            live: true,
            ..event(due.get(*n)?, RunStatus::Dispatched, sent_at, Some(*task_id))
        })
    });
    let marked = outcome
        .marked
        .iter()
        .filter_map(move |(n, status)| Some(event(due.get(*n)?, *status, now, None)));
    let deferred = outcome
        .deferred
        .iter()
        .filter_map(move |(_, n)| Some(event(due.get(*n)?, RunStatus::Deferred, now, None)));
    let missed = missed.iter().map(move |m| SlotEvent {
        job: &m.schedule,
        slot: m.slot,
        send_at: m.slot,
        trigger: Trigger::Schedule,
        status: RunStatus::Missed,
        at: now,
        task_id: None,
        // A summing-up row ("not itemized") stands for every slot it counts.
        count: m
            .count
            .as_ref()
            .filter(|c| c.summary)
            .map_or(1, |c| c.total as u64),
        live: false,
    });
    sent.chain(marked).chain(deferred).chain(missed)
}

/// Resolves at `at` (a monotonic instant); never without one.
async fn sleep_until_instant(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Resolves at `at` by the clock; never without an instant.
async fn sleep_until<C: Clock>(clock: Arc<C>, at: Option<DateTime<Utc>>) {
    match at {
        Some(at) => clock.sleep_until(at).await,
        None => std::future::pending().await,
    }
}
