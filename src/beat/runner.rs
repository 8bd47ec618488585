//! The loop: load, catch up, then sleep until the next slot or a change, whichever comes
//! first. Never busy-polls; the next instant is recomputed from the clock after every tick.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use super::clock::Clock;
use super::dispatch::{
    self, Backlog, Broker, Definitions, DispatchOptions, Outcome, Owed, Prebuilt, Settle,
};
use super::feed::Change;
use super::heartbeat::Snapshot;
use super::leader::{Lease, Progress};
use super::observe::{LoopState, Observer, SlotEvent};
use super::plan::{self, Due, Missed, Plan, Unplanned};
use super::policy::{self as checks, CheckItem, Checker};
use crate::domain::Job;
use crate::domain::policy::{self, Decision};
use crate::domain::run::{RunStatus, Trigger};
use crate::store::{LastDispatch, RunStore, ScheduleFilter, ScheduleStore, StoreError, TaskStore};

/// How long before an instant its first messages are encoded.
const PREBUILD_LEAD: chrono::Duration = chrono::Duration::seconds(2);

/// The most rows in one batch of a catch-up, by default (see [`BeatConfig::catch_up_rows`]).
pub const CATCH_UP_ROWS: usize = 200_000;

/// How long the batches of a catch-up's missed rows last, about (their size follows the
/// measured pace): a signal stops a catch-up, and a live slot goes out, after the batch in
/// flight; a batch also ends before the next live slot.
pub const CATCH_UP_BATCH_TIME: Duration = Duration::from_millis(200);

/// How long the batches of a catch-up's runs last, about, after the first (one chunk). Longer
/// than [`CATCH_UP_BATCH_TIME`], since each batch of messages ends with its own settle and
/// bookkeeping statements before the next batch's messages, yet short enough that a signal
/// stops the catch-up within the 2 s a container stop allows. The price, measured on
/// 2026-12-07 (BENCHMARKS.md): a start of 100,000 overdue schedules sends its last catch-up
/// message 6.3 s after the launch on Postgres, 3.5 s when they were one batch that a signal
/// had to wait for. A batch still ends before the next live slot.
pub const CATCH_UP_RUN_BATCH_TIME: Duration = Duration::from_secs(1);

/// The first wait before owed slots are sent again; it doubles after each failed attempt up to
/// [`OWED_RETRY_MAX`], and starts again after a success.
const OWED_RETRY_FIRST: Duration = Duration::from_millis(250);
/// The longest wait between two attempts at owed slots.
const OWED_RETRY_MAX: Duration = Duration::from_secs(5);

/// How long the version poll waits for a database known to be down.
const DOWN_PROBE: Duration = Duration::from_secs(1);
/// The shortest probe of a database known to be down: closer to the next slot than this, the
/// version poll waits until after it.
const DOWN_PROBE_LEAST: Duration = Duration::from_millis(20);

/// Above this many schedules in one burst of events, a full reload is cheaper.
const TARGETED_RELOAD_MAX: usize = 256;

/// Why a catch-up stopped before its end.
#[derive(Debug, Clone, Copy)]
enum CatchUpCut {
    /// A signal.
    Stop,
    /// The database stopped answering.
    Database,
    /// The leadership ran out.
    Lease,
}

/// History rows deleted per statement of the retention.
const RETENTION_CHUNK: u32 = 10_000;

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

/// A run the `queue` policy holds until the schedule's previous run finishes.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    /// Its `deferred` history row.
    pub run_id: i64,
    /// The slot, with the schedule as recorded (arguments as they will be sent).
    pub due: Due,
    /// The Celery task id it will be sent with.
    pub task_id: Uuid,
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
    lease: Option<watch::Receiver<Lease>>,
    leading: bool,
    checker: Option<Checker>,
    held: HashMap<Uuid, Held>,
    last_sent: HashMap<Uuid, LastDispatch>,
    snapshot: Option<watch::Sender<Snapshot>>,
    last_batch: Option<(DateTime<Utc>, i64)>,
    check_failing: bool,
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
    /// How long a new leader's pushes are guarded (the lease).
    takeover_guard: Duration,
    /// Until when they are.
    guard_until: Option<tokio::time::Instant>,
    /// The leadership's watchdog: the loop reports its steps.
    progress: Option<Progress>,
    /// Turns true at the first stop signal: a catch-up stops between its batches.
    stop: Option<watch::Receiver<bool>>,
    /// Set at a second stop signal: exit at once, leaving what is not sent owed.
    abort: Arc<std::sync::atomic::AtomicBool>,
    /// What `run-beat --http` shows.
    observer: Option<Arc<Observer>>,
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
            lease: None,
            leading: true,
            checker: None,
            held: HashMap::new(),
            last_sent: HashMap::new(),
            snapshot: None,
            last_batch: None,
            check_failing: false,
            prebuilding: None,
            arrived: Vec::new(),
            catch_up_pending: HashMap::new(),
            owed: Vec::new(),
            owed_retry: None,
            takeover_guard: Duration::ZERO,
            guard_until: None,
            progress: None,
            stop: None,
            abort: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            observer: None,
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

    /// Tells the observer that a schedule was reloaded on its own.
    fn observe_reload(&self, id: Uuid) {
        if let Some(o) = &self.observer {
            o.reloaded(false, 1);
            o.plan_changed(id, self.plan.get(id));
        }
    }

    /// Dispatches only while `lease` is valid (without one, always).
    /// `length` is the lease's: for that long after it becomes the leader, a scheduler's
    /// pushes check and record the slots sent without a claim ([`dispatch::Guard`]), since the
    /// previous leader, cut off from the database, may still be sending the same slots.
    pub fn with_leadership(mut self, lease: watch::Receiver<Lease>, length: Duration) -> Self {
        self.lease = Some(lease);
        self.leading = false;
        self.takeover_guard = length;
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

    /// The lease, while the pushes of now are a new leader's first ones (see
    /// [`Self::with_leadership`]).
    fn guarding(&self) -> Option<Duration> {
        self.guard_until
            .filter(|until| tokio::time::Instant::now() < *until)
            .map(|_| self.takeover_guard)
    }

    fn became_leader(&mut self) {
        if self.lease.is_some() {
            self.guard_until = Some(tokio::time::Instant::now() + self.takeover_guard);
        }
    }

    /// Applies the execution policies with these running checks (without, `skip` and `queue`
    /// behave as `allow`: nothing can tell that a run is still running).
    pub fn with_checker(mut self, checker: Checker) -> Self {
        self.checker = Some(checker);
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

    fn lease_valid(&self) -> bool {
        self.lease.as_ref().is_none_or(|l| l.borrow().valid())
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
            self.catch_up().await;
        }
        self.arrived.clear();
        self.report();
        self.observe_step();
        Ok(())
    }

    /// Follows the lease: a standby that became the leader starts from the schedules'
    /// `last_run_at` (fresh plan, held runs, catch-up), so a slot that fell due during the
    /// failover runs once; a leader that lost it stops dispatching.
    pub async fn follow_lease(&mut self) {
        let valid = self.lease_valid();
        if valid && !self.leading {
            self.leading = true;
            self.became_leader();
            self.stats.takeovers += 1;
            self.plan = Plan::default();
            if let Err(e) = self.full_reload().await {
                self.database_failed(&e);
                self.reload_pending = true;
            }
            self.load_held().await;
            self.load_owed().await;
            self.catch_up().await;
            tracing::info!(
                schedules = self.plan.len(),
                held = self.held.len(),
                owed = self.owed.len(),
                "leading: dispatching from here on"
            );
        } else if !valid && self.leading {
            self.stand_down();
        }
        self.report();
    }

    fn stand_down(&mut self) {
        self.leading = false;
        // The next leader loads the held and owed runs from their history rows. Owed slots
        // whose rows could not be marked (the database was down) stay here: only this
        // scheduler knows them, and sends them if it leads again.
        self.held.clear();
        self.owed.retain(|o| !o.recorded);
        tracing::warn!("not the leader: dispatching stops");
    }

    /// Takes slots the broker did not take: their rows become `owed` (or will, once the
    /// database answers) and they are tried again soon, with the same task ids.
    async fn owe(&mut self, mut owed: Vec<Owed>) {
        if owed.is_empty() {
            return;
        }
        self.stats.owed += owed.len();
        if let Some(obs) = &self.observer {
            let now = self.clock.now();
            obs.record(
                owed.iter()
                    .map(|o| due_event(&o.due, RunStatus::Owed, now, None)),
            );
        }
        // Rows the batch could not mark itself.
        let ids: Vec<i64> = owed
            .iter()
            .filter(|o| !o.recorded)
            .filter_map(|o| o.run_id)
            .collect();
        let detail = dispatch::owed_detail(&owed[0].error);
        // A database known to be down is not waited for: the rows are marked when it is back
        // (or at the stop), and the slots are retried meanwhile all the same.
        let recorded = ids.is_empty()
            || !self.database_down
                && match crate::store::within(
                    self.config.dispatch.statement_timeout,
                    "the owed runs",
                    self.store.settle_runs(&ids, RunStatus::Owed, None, &detail),
                )
                .await
                {
                    Ok(_) => true,
                    Err(e) => {
                        self.database_failed(&e);
                        false
                    }
                };
        for o in &mut owed {
            o.recorded = o.recorded || (recorded && o.run_id.is_some());
        }
        self.owed.append(&mut owed);
        if self.owed_retry.is_none() {
            self.owed_retry = Some((
                tokio::time::Instant::now() + OWED_RETRY_FIRST,
                OWED_RETRY_FIRST,
            ));
        }
    }

    /// The instant after which an owed slot is given up: its send deadline, or its `expires`
    /// when that is sooner.
    fn deadline(&self, o: &Owed) -> DateTime<Utc> {
        let late = o
            .due
            .slot
            .checked_add_signed(self.config.dispatch.send_deadline)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        match dispatch::expires_at(o.due.slot, o.due.schedule.expires.as_ref()) {
            Ok(Some(expires)) => late.min(expires),
            _ => late,
        }
    }

    /// When the owed slots are tried next (none while nothing is owed or not leading).
    pub fn next_owed_retry(&self) -> Option<tokio::time::Instant> {
        self.owed_retry
            .filter(|_| self.leading && !self.owed.is_empty())
            .map(|(at, _)| at)
    }

    /// Sends the owed slots again: those past their deadline are recorded `failed` with the
    /// reason; the others are pushed with their task ids, each push at most once (a push whose
    /// earlier attempt landed is recognised by its marker). Returns how many were sent.
    pub async fn retry_owed(&mut self) -> usize {
        if !self.lease_valid() {
            // As at a tick: a leader whose lease ran out stops (else the due retry would fire
            // again at once until the lease task reports).
            if self.leading {
                self.stand_down();
                self.report();
            }
            return 0;
        }
        if self.owed.is_empty() {
            return 0;
        }
        let now = self.clock.now();
        let mut waiting = std::mem::take(&mut self.owed);
        let mut sent_total = 0;
        while !waiting.is_empty() {
            // One push per marker (the messages of one earlier push), oldest first.
            let marker = waiting[0].marker.clone();
            let (group, rest): (Vec<Owed>, Vec<Owed>) =
                waiting.into_iter().partition(|o| o.marker == marker);
            waiting = rest;
            let (late, mut group): (Vec<Owed>, Vec<Owed>) =
                group.into_iter().partition(|o| self.deadline(o) < now);
            if !late.is_empty() {
                // Past its deadline a slot is given up, unless its push landed after all (the
                // reply was lost, or the scheduler that sent it died before it learnt so).
                match self.recorded_if_landed(&marker, late, group, now).await {
                    Ok(sent) => {
                        sent_total += sent;
                        continue;
                    }
                    Err((late, rest)) => {
                        group = rest;
                        self.give_up(late, true).await;
                    }
                }
            }
            let mut tags = dispatch::DeliveryTags::new();
            let mut items: Vec<dispatch::Wire> = Vec::with_capacity(group.len());
            let mut unbuildable = Vec::new();
            let mut buildable = Vec::with_capacity(group.len());
            for mut o in group {
                // A row taken over from the history may have changed since it was claimed.
                match dispatch::message_for(&o.due, o.task_id, &self.config.dispatch) {
                    Ok(m) => {
                        let (wire, _) =
                            dispatch::encode(&m, &self.config.dispatch.layout, &mut tags);
                        items.push(wire);
                        buildable.push(o);
                    }
                    Err(why) => {
                        o.error = why;
                        unbuildable.push(o);
                    }
                }
            }
            if !unbuildable.is_empty() {
                // A schedule changed since its row was claimed: the row's own push may have
                // landed all the same.
                match self
                    .recorded_if_landed(&marker, unbuildable, buildable, now)
                    .await
                {
                    Ok(sent) => {
                        sent_total += sent;
                        continue;
                    }
                    Err((unbuildable, rest)) => {
                        buildable = rest;
                        self.give_up(unbuildable, false).await;
                    }
                }
            }
            let group = buildable;
            if group.is_empty() {
                continue;
            }
            // Checked against the slots sent without a claim: another scheduler may have sent
            // one of these while the database was down, before this one claimed it.
            let ids: Vec<Uuid> = group.iter().map(|o| o.task_id).collect();
            let guard = dispatch::Guard {
                check: true,
                ..dispatch::Guard::default()
            };
            let result = match self.broker.as_mut() {
                Some(broker) => broker.push_again(&items, &ids, guard, &marker).await,
                None => Ok(dispatch::Landed::default()),
            };
            drop(items);
            let (pushed, skipped, refused, error) = match result {
                Ok(l) => (l.pushed, l.elsewhere, l.refused, l.refusal),
                Err(e) => (
                    dispatch::Pushed::Sent,
                    Vec::new(),
                    (0..group.len()).collect(),
                    format!("{e}"),
                ),
            };
            let (mut back, mut elsewhere, mut sent) = (Vec::new(), Vec::new(), Vec::new());
            for (n, o) in group.into_iter().enumerate() {
                if refused.binary_search(&n).is_ok() {
                    back.push(o);
                } else if skipped.binary_search(&n).is_ok() {
                    elsewhere.push(o);
                } else {
                    sent.push(o);
                }
            }
            sent_total += sent.len() + elsewhere.len();
            if !elsewhere.is_empty() {
                self.owed_sent(elsewhere, dispatch::Pushed::SentUnclaimed, now)
                    .await;
            }
            if !sent.is_empty() {
                self.owed_sent(sent, pushed, now).await;
            }
            if !back.is_empty() {
                // Once at warn level per outage; every further attempt at debug.
                let owed = back.len() + waiting.len();
                if self.owed_retry.is_none_or(|(_, w)| w == OWED_RETRY_FIRST) {
                    tracing::warn!(error = %error, owed, "the broker still does not take the owed slots; retrying until their deadline");
                } else {
                    tracing::debug!(error = %error, owed, "the broker still does not take the owed slots");
                }
                self.owed = back
                    .into_iter()
                    .chain(waiting)
                    .map(|mut o| {
                        // A push whose commit went unanswered stays marked so: its history
                        // must say that a message may run twice.
                        let doubt = crate::beat::broker::amqp::UNANSWERED_COMMIT;
                        if o.error.contains(doubt) && !error.contains(doubt) {
                            o.error = format!("{error}; earlier, {doubt}");
                        } else {
                            o.error.clone_from(&error);
                        }
                        o
                    })
                    .collect();
                let wait = self
                    .owed_retry
                    .map_or(OWED_RETRY_FIRST, |(_, w)| (w * 2).min(OWED_RETRY_MAX));
                self.owed_retry = Some((tokio::time::Instant::now() + wait, wait));
                return sent_total;
            }
        }
        self.owed_retry = None;
        sent_total
    }

    /// When the push `marker` landed, records `doubtful` and `rest` (all of that push) sent and
    /// returns how many; otherwise (or when the broker cannot be asked) hands them back.
    async fn recorded_if_landed(
        &mut self,
        marker: &dispatch::Marker,
        doubtful: Vec<Owed>,
        rest: Vec<Owed>,
        now: DateTime<Utc>,
    ) -> Result<usize, (Vec<Owed>, Vec<Owed>)> {
        let landed = match self.broker.as_mut() {
            Some(broker) => broker.landed(marker).await.unwrap_or(false),
            None => false,
        };
        if !landed {
            return Err((doubtful, rest));
        }
        let all: Vec<Owed> = doubtful.into_iter().chain(rest).collect();
        let sent = all.len();
        self.owed_sent(all, dispatch::Pushed::AlreadyThere, now)
            .await;
        Ok(sent)
    }

    /// Records owed slots the broker has now taken: rows `dispatched` with their send time,
    /// bookkeeping, and the plan.
    async fn owed_sent(&mut self, group: Vec<Owed>, pushed: dispatch::Pushed, now: DateTime<Utc>) {
        let late_ms = group
            .iter()
            .map(|o| (now - o.due.slot).num_milliseconds())
            .max()
            .unwrap_or(0);
        let detail = match pushed {
            dispatch::Pushed::Sent => format!(
                "sent {:.1} s late: the broker had not taken it ({})",
                late_ms as f64 / 1000.0,
                group[0].error
            ),
            dispatch::Pushed::SentUnclaimed => dispatch::SENT_UNCLAIMED.to_string(),
            dispatch::Pushed::AlreadyThere => {
                "the broker had taken it; the reply was lost or its sender stopped before recording it, so it was not sent again".to_string()
            }
        };
        tracing::info!(sent = group.len(), late_ms, "owed slots sent");
        let ids: Vec<i64> = group.iter().filter_map(|o| o.run_id).collect();
        let timeout = self.config.dispatch.statement_timeout;
        let settled = match crate::store::within(
            timeout,
            "the owed runs",
            self.store
                .settle_runs(&ids, RunStatus::Dispatched, Some(now), &detail),
        )
        .await
        {
            Ok(_) => ids.len() == group.len(),
            Err(e) => {
                self.database_failed(&e);
                self.backlog.settle.push(Settle {
                    ids,
                    status: RunStatus::Dispatched,
                    dispatched_at: Some(now),
                    detail: detail.clone(),
                });
                false
            }
        };
        // The history says what those pushes sent: their markers are no longer needed.
        if settled && let Some(broker) = self.broker.as_mut() {
            let mut markers: Vec<dispatch::Marker> = Vec::new();
            for o in &group {
                if !markers.contains(&o.marker) {
                    markers.push(o.marker.clone());
                }
            }
            broker.forget(&markers).await;
        }
        let mut ran = Vec::with_capacity(group.len());
        if let Some(obs) = &self.observer {
            obs.record(
                group
                    .iter()
                    .map(|o| due_event(&o.due, RunStatus::Dispatched, now, Some(o.task_id))),
            );
        }
        for o in group {
            let id = o.due.schedule.id;
            if let Some(mut row) = o.row {
                row.status = RunStatus::Dispatched;
                row.dispatched_at = Some(now);
                row.detail = Some(detail.clone());
                self.backlog.runs.push(row);
            }
            if policy::needs_check(o.due.schedule.execution_policy) {
                self.last_sent
                    .insert(id, checks::sent_now(id, o.task_id, now));
            }
            self.plan.ran(id, o.due.slot);
            ran.push((id, o.due.slot));
        }
        self.stats.owed_sent += ran.len();
        self.stats.dispatched += ran.len();
        if let Err(e) =
            crate::store::within(timeout, "the bookkeeping", self.store.record_dispatch(&ran)).await
        {
            self.database_failed(&e);
            self.backlog.ran.extend(ran);
        }
    }

    /// Records owed slots whose deadline passed as `failed`, with the reason.
    /// `late`: the deadline passed; otherwise the message cannot be built as stored (the
    /// reason is the slot's error).
    async fn give_up(&mut self, owed: Vec<Owed>, late: bool) {
        if late {
            tracing::error!(
                slots = owed.len(),
                "owed slots not sent: the broker did not take them before their deadline"
            );
        } else {
            tracing::warn!(
                slots = owed.len(),
                "owed slots cannot be sent as stored; recorded failed"
            );
        }
        self.stats.failed += owed.len();
        if let Some(obs) = &self.observer {
            let now = self.clock.now();
            obs.record(
                owed.iter()
                    .map(|o| due_event(&o.due, RunStatus::Failed, now, None)),
            );
        }
        let mut by_detail: Vec<Settle> = Vec::new();
        for o in owed {
            let detail = if late {
                format!(
                    "not sent: the broker did not take it before its deadline {} ({})",
                    self.deadline(&o).to_rfc3339(),
                    o.error
                )
            } else {
                o.error.clone()
            };
            match (o.run_id, o.row) {
                (Some(id), _) => match by_detail.iter_mut().find(|s| s.detail == detail) {
                    Some(s) => s.ids.push(id),
                    None => by_detail.push(Settle {
                        ids: vec![id],
                        status: RunStatus::Failed,
                        dispatched_at: None,
                        detail,
                    }),
                },
                (None, Some(mut row)) => {
                    row.status = RunStatus::Failed;
                    row.dispatched_at = None;
                    row.detail = Some(detail);
                    self.backlog.runs.push(row);
                }
                (None, None) => {}
            }
        }
        for s in by_detail {
            if let Err(e) = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the failed runs",
                self.store
                    .settle_runs(&s.ids, s.status, s.dispatched_at, &s.detail),
            )
            .await
            {
                self.database_failed(&e);
                self.backlog.settle.push(s);
            }
        }
    }

    /// Takes over the slots a previous leader left owed (rows `owed`), e.g. after a takeover
    /// or a restart: they are sent again with their task ids. A slot whose schedule is gone or
    /// disabled is recorded `skipped`.
    async fn load_owed(&mut self) {
        let runs = match crate::store::within(
            self.config.dispatch.statement_timeout,
            "the owed runs",
            self.store.owed_runs(),
        )
        .await
        {
            Ok(runs) => runs,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the owed runs; they are picked up at the next takeover");
                return;
            }
        };
        // Rows this scheduler sent and has yet to record (the database failed in between) are
        // its own, not owed.
        let known: HashSet<i64> = self
            .owed
            .iter()
            .filter_map(|o| o.run_id)
            .chain(
                self.backlog
                    .settle
                    .iter()
                    .flat_map(|s| s.ids.iter().copied()),
            )
            .collect();
        let mut marker = self.config.dispatch.marker();
        let mut in_marker = 0usize;
        let mut gone = Vec::new();
        let before = self.owed.len();
        for r in runs {
            if known.contains(&r.id) {
                continue;
            }
            let (Some(id), Some(task_id)) = (r.run.schedule_id, r.run.celery_task_id) else {
                continue;
            };
            let Some(entry) = self.plan.get(id) else {
                // A manual run may be of a disabled schedule, and may be in flight (`schedule
                // trigger` claims it, then pushes): it is left to the command.
                if r.run.trigger != Trigger::Manual {
                    gone.push(r.id);
                }
                continue;
            };
            let mut schedule = Job::clone(&entry.schedule);
            schedule.arguments = r.run.arguments.clone();
            // The push the row was claimed for: if its marker is there, that push landed and
            // the slot is not sent again. A row that names none (written before pushes were
            // recorded) gets a new push, a chunk of rows each.
            let push = match r.run.push_marker {
                Some(id) => self.config.dispatch.marker_with_id(id),
                None => {
                    if in_marker == self.config.dispatch.chunk_rows.max(1) {
                        marker = self.config.dispatch.marker();
                        in_marker = 0;
                    }
                    in_marker += 1;
                    marker.clone()
                }
            };
            self.owed.push(Owed {
                due: Due {
                    schedule: Arc::new(schedule),
                    slot: r.run.scheduled_for,
                    trigger: r.run.trigger,
                },
                task_id,
                run_id: Some(r.id),
                row: None,
                marker: push,
                error: r
                    .run
                    .detail
                    .unwrap_or_else(|| "owed by a previous scheduler".into()),
                recorded: true,
            });
        }
        if !gone.is_empty()
            && let Err(e) = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the owed runs",
                self.store.settle_runs(
                    &gone,
                    RunStatus::Skipped,
                    None,
                    "not sent: the schedule was deleted or disabled while its message was owed",
                ),
            )
            .await
        {
            self.database_failed(&e);
        }
        if self.owed.len() > before {
            tracing::info!(owed = self.owed.len() - before, "owed slots taken over");
            self.owed_retry = Some((tokio::time::Instant::now(), OWED_RETRY_FIRST));
        }
    }

    /// At a stop: owed slots only this scheduler knows (their rows could not be marked, or
    /// were never written) go to the history as `owed`, for the next leader to send.
    fn keep_owed_for_the_next_leader(&mut self) {
        let mut unmarked = Vec::new();
        for o in std::mem::take(&mut self.owed) {
            match (o.run_id, o.row) {
                (Some(id), _) if !o.recorded => unmarked.push(id),
                (None, Some(mut row)) => {
                    row.status = RunStatus::Owed;
                    row.dispatched_at = None;
                    row.detail = Some(format!("owed: {}", o.error));
                    row.push_marker = Some(o.marker.id.clone());
                    self.backlog.runs.push(row);
                }
                _ => {}
            }
        }
        if !unmarked.is_empty() {
            self.backlog.settle.push(Settle {
                ids: unmarked,
                status: RunStatus::Owed,
                dispatched_at: None,
                detail: "owed: the broker did not take it before the scheduler stopped".into(),
            });
        }
    }

    /// Loads the runs held by the `queue` policy (rows `deferred`), e.g. after a takeover.
    async fn load_held(&mut self) {
        let runs = match crate::store::within(
            self.config.dispatch.statement_timeout,
            "the held runs",
            self.store.deferred_runs(),
        )
        .await
        {
            Ok(runs) => runs,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the queued runs; they are picked up at the next takeover");
                return;
            }
        };
        self.held.clear();
        for r in runs {
            let (Some(id), Some(task_id)) = (r.run.schedule_id, r.run.celery_task_id) else {
                continue;
            };
            let Some(entry) = self.plan.get(id) else {
                continue;
            };
            let mut schedule = Job::clone(&entry.schedule);
            schedule.arguments = r.run.arguments.clone();
            let schedule = Arc::new(schedule);
            self.held.entry(id).or_insert(Held {
                run_id: r.id,
                due: Due {
                    schedule,
                    slot: r.run.scheduled_for,
                    trigger: r.run.trigger,
                },
                task_id,
            });
        }
        if !self.held.is_empty() {
            tracing::info!(held = self.held.len(), "queued runs taken over");
        }
    }

    /// The running checks of these schedules, aligned; `None` where the check could not be
    /// made (the run then goes ahead: a policy never blocks a schedule on an outage).
    async fn running(
        &mut self,
        items: &[(Uuid, &str, serde_json::Map<String, serde_json::Value>)],
        now: DateTime<Utc>,
    ) -> Vec<Option<policy::Running>> {
        let Some(checker) = self.checker.as_mut() else {
            return vec![None; items.len()];
        };
        let ids: Vec<Uuid> = items.iter().map(|(id, _, _)| *id).collect();
        let known: HashMap<Uuid, LastDispatch> = if checker.checks_results() {
            match crate::store::within(
                self.config.dispatch.statement_timeout,
                "the last sends",
                self.store.latest_dispatched(&ids),
            )
            .await
            {
                Ok(rows) => rows.into_iter().map(|l| (l.schedule_id, l)).collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the last runs; checking what this scheduler sent");
                    HashMap::new()
                }
            }
        } else {
            HashMap::new()
        };
        let check: Vec<CheckItem<'_>> = items
            .iter()
            .map(|(id, task, kwargs)| CheckItem {
                task_name: task,
                kwargs,
                last: checks::merge_last(known.get(id).copied(), self.last_sent.get(id).copied()),
            })
            .collect();
        match checker.check(&check, now).await {
            Ok(found) => {
                if self.check_failing {
                    tracing::info!("execution policy checks work again");
                    self.check_failing = false;
                }
                found
            }
            Err(e) => {
                if !self.check_failing {
                    tracing::warn!(error = %e, "cannot check for running tasks; dispatching as allow until it works again");
                    self.check_failing = true;
                }
                vec![None; items.len()]
            }
        }
    }

    /// The policies' verdicts for a batch (manual runs always go).
    async fn decide(&mut self, due: &[Due], now: DateTime<Utc>) -> Vec<Decision> {
        let mut decisions = vec![Decision::Send; due.len()];
        let picked: Vec<usize> = due
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.trigger != Trigger::Manual && policy::needs_check(d.schedule.execution_policy)
            })
            .map(|(n, _)| n)
            .collect();
        if picked.is_empty() {
            return decisions;
        }
        let items: Vec<(Uuid, &str, serde_json::Map<String, serde_json::Value>)> = picked
            .iter()
            .map(|&n| {
                let s = &due[n].schedule;
                (s.id, s.task_name.as_str(), s.arguments.kwargs())
            })
            .collect();
        let found = self.running(&items, now).await;
        for (&n, running) in picked.iter().zip(&found) {
            let s = &due[n].schedule;
            decisions[n] = policy::decide(
                s.execution_policy,
                running.as_ref(),
                self.held.contains_key(&s.id),
            );
        }
        decisions
    }

    /// Sends the held runs whose previous run has finished (called every second while runs
    /// are held). A held run is claimed by turning its row from `deferred` to `dispatched`:
    /// only the scheduler that wins that update sends it. Returns how many were sent.
    pub async fn flush_held(&mut self) -> usize {
        if self.held.is_empty() || !self.lease_valid() {
            return 0;
        }
        let now = self.clock.now();
        // Runs whose schedule was deleted or disabled meanwhile are dropped.
        let gone: Vec<Uuid> = self
            .held
            .keys()
            .filter(|id| self.plan.get(**id).is_none())
            .copied()
            .collect();
        if !gone.is_empty() {
            let ids: Vec<i64> = gone
                .iter()
                .filter_map(|id| self.held.get(id).map(|h| h.run_id))
                .collect();
            match crate::store::within(
                self.config.dispatch.statement_timeout,
                "the held runs",
                self.store.mark_runs(
                    &ids,
                    RunStatus::Skipped,
                    "the schedule was deleted or disabled while its run was queued",
                ),
            )
            .await
            {
                Ok(()) => {
                    for id in gone {
                        self.held.remove(&id);
                    }
                }
                Err(e) => self.database_failed(&e),
            }
        }
        let mut held: Vec<Held> = self.held.values().cloned().collect();
        held.sort_by_key(|h| (h.due.slot, h.run_id));
        let items: Vec<(Uuid, &str, serde_json::Map<String, serde_json::Value>)> = held
            .iter()
            .map(|h| {
                (
                    h.due.schedule.id,
                    h.due.schedule.task_name.as_str(),
                    h.due.schedule.arguments.kwargs(),
                )
            })
            .collect();
        let running = self.running(&items, now).await;
        drop(items);
        let mut batch = Vec::new();
        let mut sent = Vec::new();
        let mut tags = dispatch::DeliveryTags::new();
        // The push that carries the held runs: each is claimed (`deferred` to `owed`) naming it.
        let marker = self.config.dispatch.marker();
        for (h, running) in held.into_iter().zip(running) {
            match running {
                // The "previous run" is this very run: another scheduler has sent it.
                Some(policy::Running::Unfinished { task_id, .. }) if task_id == h.task_id => {
                    self.held.remove(&h.due.schedule.id);
                    continue;
                }
                Some(_) => continue,
                None => {}
            }
            match crate::store::within(
                self.config.dispatch.statement_timeout,
                "the held run's claim",
                self.store.promote_deferred(h.run_id, &marker.id),
            )
            .await
            {
                Ok(true) => match dispatch::message_for(&h.due, h.task_id, &self.config.dispatch) {
                    Ok(m) => {
                        let (wire, _) =
                            dispatch::encode(&m, &self.config.dispatch.layout, &mut tags);
                        batch.push(wire);
                        sent.push(h);
                    }
                    Err(why) => {
                        tracing::warn!(schedule = %h.due.schedule.name, slot = %h.due.slot, reason = %why, "queued run cannot be sent as stored; recorded failed");
                        if let Err(e) = crate::store::within(
                            self.config.dispatch.statement_timeout,
                            "the failed run",
                            self.store.mark_runs(&[h.run_id], RunStatus::Failed, &why),
                        )
                        .await
                        {
                            tracing::warn!(error = %e, "could not record the failed run");
                        }
                        if let Some(obs) = &self.observer {
                            obs.record([due_event(&h.due, RunStatus::Failed, now, None)]);
                        }
                        self.held.remove(&h.due.schedule.id);
                        self.stats.failed += 1;
                    }
                },
                Ok(false) => {
                    // Another scheduler sent it (or it was marked meanwhile).
                    self.held.remove(&h.due.schedule.id);
                }
                Err(e) => {
                    self.database_failed(&e);
                    break;
                }
            }
        }
        if sent.is_empty() {
            return 0;
        }
        let count = batch.len();
        let (refused, error) = match self.broker.as_mut() {
            Some(broker) => match broker.push(batch, &marker).await {
                Ok(landed) => (landed.refused, landed.refusal),
                Err(e) => ((0..count).collect(), e.to_string()),
            },
            None => (Vec::new(), String::new()),
        };
        let sent = if refused.is_empty() {
            sent
        } else {
            tracing::error!(error = %error, messages = refused.len(), of = count, "dispatch failed: the runs stay owed and are retried");
            let (owed, sent): (Vec<_>, Vec<_>) = sent
                .into_iter()
                .enumerate()
                .partition(|(n, _)| refused.binary_search(n).is_ok());
            let owed = owed
                .into_iter()
                .map(|(_, h)| {
                    self.held.remove(&h.due.schedule.id);
                    Owed {
                        due: h.due,
                        task_id: h.task_id,
                        run_id: Some(h.run_id),
                        row: None,
                        marker: marker.clone(),
                        error: error.clone(),
                        recorded: false,
                    }
                })
                .collect();
            self.owe(owed).await;
            let sent: Vec<_> = sent.into_iter().map(|(_, h)| h).collect();
            if sent.is_empty() {
                return 0;
            }
            sent
        };
        let ran: Vec<(Uuid, DateTime<Utc>)> = sent
            .iter()
            .map(|h| (h.due.schedule.id, h.due.slot))
            .collect();
        for h in &sent {
            let confirm = Settle {
                ids: vec![h.run_id],
                status: RunStatus::Dispatched,
                dispatched_at: Some(now),
                detail: policy::deferred_detail(h.due.slot, now),
            };
            if self.database_down {
                self.backlog.settle.push(confirm);
            } else if let Err(e) = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the sent runs",
                self.store.settle_runs(
                    &confirm.ids,
                    confirm.status,
                    confirm.dispatched_at,
                    &confirm.detail,
                ),
            )
            .await
            {
                self.database_failed(&e);
                self.backlog.settle.push(confirm);
            }
            self.held.remove(&h.due.schedule.id);
            self.last_sent.insert(
                h.due.schedule.id,
                checks::sent_now(h.due.schedule.id, h.task_id, now),
            );
            self.plan.ran(h.due.schedule.id, h.due.slot);
            tracing::info!(schedule = %h.due.schedule.name, slot = %h.due.slot, delay_ms = (now - h.due.slot).num_milliseconds(), "queued run sent: the previous run finished");
        }
        if let Err(e) = crate::store::within(
            self.config.dispatch.statement_timeout,
            "the bookkeeping",
            self.store.record_dispatch(&ran),
        )
        .await
        {
            tracing::warn!(error = %e, "database unavailable: run bookkeeping kept for later");
            self.backlog.ran.extend(ran);
            self.database_down = true;
        }
        if let Some(obs) = &self.observer {
            obs.record(
                sent.iter()
                    .map(|h| due_event(&h.due, RunStatus::Dispatched, now, Some(h.task_id))),
            );
        }
        self.stats.deferred_sent += sent.len();
        self.stats.dispatched += sent.len();
        sent.len()
    }

    async fn catch_up(&mut self) {
        self.arrived.clear();
        let ids = self.plan.ids();
        self.catch_up_ids(ids, "slots passed while no scheduler ran")
            .await;
    }

    /// What the schedules that arrived with imported bookkeeping owe, exactly as at start-up:
    /// the latest slot since `last_run_at` within the catch-up window runs (as `catchup`),
    /// older ones are recorded `missed`. So a schedule saved with a `last_run_at` one slot
    /// back is dispatched as soon as its change arrives.
    async fn catch_up_arrived(&mut self) {
        if self.arrived.is_empty() {
            return;
        }
        let arrived = std::mem::take(&mut self.arrived);
        if !self.leading || self.database_down {
            // A standby catches up when it takes over; an outage's recovery catches up all.
            return;
        }
        self.catch_up_ids(arrived, "slots owed by schedules that arrived")
            .await;
    }

    /// Dispatches what the given schedules owe (see [`plan::catch_up`]) in two passes of
    /// batches: first every catch-up run (the messages), then the missed rows (history only;
    /// after a long outage up to [`plan::MAX_MISSED_ROWS`] per schedule, 5 million rows for
    /// 5,000 schedules). So the runs are not held behind missed rows, and the missed rows go
    /// in short batches between which a live slot goes out and a signal is heard.
    ///
    /// A catch-up cut short (a stop, a database outage, a lost lease) records, for each
    /// schedule whose `last_run_at` moved on during it (its catch-up run or a live slot went
    /// out), what it still owed in one summing-up `missed` row (see [`plan::catch_up_summary`]):
    /// that cannot be found from its `last_run_at` again. The others stay owed by their
    /// `last_run_at`, for the recovery, the next start or the next leader. Logs the totals
    /// with `message`.
    async fn catch_up_ids(&mut self, mut ids: Vec<Uuid>, message: &'static str) {
        let now = self.clock.now();
        let window = self.config.catchup_window;
        // In id order, as the slots of an instant are (the plan's queue): each chunk's history
        // rows then go into one stretch of the claim index, whose pages SQLite's cache holds.
        // In the plan's hash order a start's claim of 200,000 rows took 5.0 s on SQLite, and
        // 2.8 s sorted (BENCHMARKS.md, 2026-12-06).
        ids.sort_unstable();
        // What each schedule had run when the catch-up began: a slot sent during it moves an
        // entry's `last_run_at`, and the catch-up must still record what it owed before.
        // A catch-up cut short by a database outage left what these began from.
        let began: Vec<Option<DateTime<Utc>>> = ids
            .iter()
            .map(|id| match self.catch_up_pending.remove(id) {
                Some(began) => began,
                None => self.plan.get(*id).and_then(|e| e.last_run_at),
            })
            .collect();
        let mut totals = (0, 0);
        // The first batch is one chunk, which measures the pace; after it, batches last about
        // CATCH_UP_RUN_BATCH_TIME (runs) or CATCH_UP_BATCH_TIME (missed rows) at that pace, up
        // to `catch_up_rows`.
        let mut limit = dispatch::CHUNK_ROWS.min(self.config.catch_up_rows.max(1));
        let mut cut = None;
        // First pass: the runs. `ids[..run_upto]` had theirs sent (or had none).
        let mut due = Vec::with_capacity(ids.len().min(limit));
        let mut run_upto = 0;
        for n in 0..ids.len() {
            if let Some(entry) = entry_as_begun(&self.plan, ids[n], began[n]) {
                due.extend(plan::catch_up_run(&entry, now, window));
            }
            if due.len() >= limit || n + 1 == ids.len() {
                // The batch after the last one of runs is one of missed rows.
                let next = if n + 1 == ids.len() {
                    CATCH_UP_BATCH_TIME
                } else {
                    CATCH_UP_RUN_BATCH_TIME
                };
                cut = self
                    .catch_up_batch(
                        &mut due,
                        &mut Vec::new(),
                        now,
                        &mut totals,
                        (&mut limit, next),
                    )
                    .await;
                run_upto = n + 1;
                if cut.is_some() {
                    break;
                }
            }
        }
        // Second pass: the missed rows of those. `ids[..missed_upto]` had theirs recorded.
        let mut missed = Vec::new();
        let mut missed_upto = 0;
        if cut.is_none() {
            for n in 0..run_upto {
                if let Some(entry) = entry_as_begun(&self.plan, ids[n], began[n]) {
                    missed.extend(plan::catch_up(&entry, now, window).1);
                }
                if missed.len() >= limit || n + 1 == run_upto {
                    cut = self
                        .catch_up_batch(
                            &mut Vec::new(),
                            &mut missed,
                            now,
                            &mut totals,
                            (&mut limit, CATCH_UP_BATCH_TIME),
                        )
                        .await;
                    missed_upto = n + 1;
                    if cut.is_some() {
                        break;
                    }
                }
            }
        }
        if let Some(cut) = cut {
            let mut rows: Vec<Missed> = Vec::new();
            let mut left = 0usize;
            for n in missed_upto..ids.len() {
                let moved_on = self
                    .plan
                    .get(ids[n])
                    .is_some_and(|e| e.last_run_at != began[n]);
                if moved_on && let Some(entry) = entry_as_begun(&self.plan, ids[n], began[n]) {
                    rows.extend(plan::catch_up_summary(&entry, now, window, n < run_upto));
                } else if !moved_on {
                    left += 1;
                    if matches!(cut, CatchUpCut::Database) {
                        // Live slots sent during the outage will move it on before the
                        // recovery catches up: remember where it began.
                        self.catch_up_pending.insert(ids[n], began[n]);
                    }
                }
            }
            match cut {
                CatchUpCut::Stop => tracing::info!(
                    summed_up = rows.len(),
                    left,
                    "stopping: the rest of the catch-up is recorded in one missed row per schedule that moved on; the others are left to the next start"
                ),
                CatchUpCut::Database => tracing::warn!(
                    summed_up = rows.len(),
                    left,
                    "database unavailable: the rest of the catch-up is recorded in one missed row per schedule that moved on; the others are caught up after the recovery"
                ),
                CatchUpCut::Lease => tracing::warn!(
                    summed_up = rows.len(),
                    left,
                    "the lease ran out during the catch-up: the rest is left to the next leader"
                ),
            }
            // Written now, or kept for the recovery while the database is down.
            self.dispatch_owed(&mut Vec::new(), &mut rows, now, &mut totals)
                .await;
        }
        if totals != (0, 0) {
            tracing::info!(catchup = totals.0, missed = totals.1, "{message}");
        }
    }

    /// One batch of a catch-up, then what comes between two batches: the watchdog hears of
    /// progress, the next batch is sized, a live slot that fell due goes out. Returns why the
    /// catch-up must stop here, if it must.
    async fn catch_up_batch(
        &mut self,
        due: &mut Vec<Due>,
        missed: &mut Vec<Missed>,
        now: DateTime<Utc>,
        totals: &mut (usize, usize),
        (limit, next_time): (&mut usize, Duration),
    ) -> Option<CatchUpCut> {
        let rows = due.len() + missed.len();
        if rows > 0 {
            let began_at = std::time::Instant::now();
            self.dispatch_owed(due, missed, now, totals).await;
            // Each batch is a step of its own for the leadership's watchdog.
            self.stepping();
            *limit = self.next_catch_up_batch(rows, began_at.elapsed(), next_time);
        }
        let cut = if !self.lease_valid() {
            Some(CatchUpCut::Lease)
        } else if self.database_down {
            Some(CatchUpCut::Database)
        } else if self.stopping() {
            Some(CatchUpCut::Stop)
        } else {
            None
        };
        if cut.is_some() {
            return cut;
        }
        // A long catch-up (millions of missed rows after an outage) does not hold a live
        // boundary back: what fell due meanwhile goes out between two batches.
        if self
            .plan
            .next_due()
            .is_some_and(|next| next <= self.clock.now())
        {
            self.tick().await;
            if !self.lease_valid() {
                return Some(CatchUpCut::Lease);
            }
        }
        None
    }

    /// The rows of the next catch-up batch, after one of `rows` took `took`: about `time` at
    /// that pace, and no longer than the time left before the next live slot (so the slot goes
    /// out right after it); at least a chunk, at most `catch_up_rows`.
    fn next_catch_up_batch(&self, rows: usize, took: Duration, time: Duration) -> usize {
        let most = self.config.catch_up_rows.max(1);
        let least = dispatch::CHUNK_ROWS.min(most);
        if least == most {
            return most;
        }
        let pace = rows as f64 / took.as_secs_f64().max(0.001);
        let mut time = time.as_secs_f64();
        if let Some(next) = self.plan.next_due() {
            let left = (next - self.clock.now()).num_milliseconds() as f64 / 1000.0;
            time = time.min(left.max(0.0));
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rows = (pace * time) as usize;
        rows.clamp(least, most)
    }

    /// One batch of a catch-up (nothing when empty); counts it into `totals` and empties it.
    async fn dispatch_owed(
        &mut self,
        due: &mut Vec<Due>,
        missed: &mut Vec<Missed>,
        now: DateTime<Utc>,
        totals: &mut (usize, usize),
    ) {
        if due.is_empty() && missed.is_empty() {
            return;
        }
        tracing::debug!(catchup = due.len(), missed = missed.len(), "catch-up batch");
        totals.0 += due.len();
        totals.1 += missed.len();
        self.dispatch(due, missed, now, Prebuilt::default()).await;
        due.clear();
        missed.clear();
    }

    /// Re-reads every enabled schedule and the definitions; keeps each unchanged schedule's
    /// pending slot.
    async fn full_reload(&mut self) -> Result<(), StoreError> {
        let version = self.store.change_version().await?.version;
        let definitions = Definitions::load(&self.store).await?;
        let now = self.clock.now();
        // Each schedule goes into the plan as its row arrives (replacing its previous entry);
        // those not seen are removed afterwards. A failed read leaves the plan as it was
        // before, apart from the schedules already read (newer than what the plan had).
        let mut present: HashSet<Uuid> = HashSet::with_capacity(self.plan.len());
        let mut invalid = 0usize;
        let (plan, default_tz, arrived) =
            (&mut self.plan, self.config.default_tz, &mut self.arrived);
        self.store
            .visit_schedules(
                &ScheduleFilter {
                    enabled: Some(true),
                    ..Default::default()
                },
                &mut |s| {
                    present.insert(s.id);
                    let (id, name) = (s.id, s.name.clone());
                    let owes = plan.get(id).is_none() && owes_on_arrival(&s);
                    match plan.upsert(s, default_tz, now) {
                        Ok(()) => {
                            if owes {
                                arrived.push(id);
                            }
                        }
                        Err(Unplanned::Disabled) => {}
                        Err(Unplanned::Never) => {
                            tracing::debug!(schedule = %name, "never fires again")
                        }
                        Err(Unplanned::Invalid(why)) => {
                            invalid += 1;
                            tracing::warn!(schedule = %name, problem = %why, "schedule cannot run");
                        }
                    }
                },
            )
            .await?;
        for id in self.plan.ids() {
            if !present.contains(&id) {
                self.plan.remove(id);
            }
        }
        self.plan.forget_unused_crons();
        self.definitions = definitions;
        self.seen_version = version;
        self.last_full_reload = Some(Instant::now());
        self.reload_pending = false;
        self.stats.full_reloads += 1;
        if let Some(obs) = &self.observer {
            obs.reloaded(true, 0);
            obs.load_plan(self.plan.entries());
        }
        tracing::debug!(
            schedules = self.plan.len(),
            invalid,
            version,
            "reloaded every schedule"
        );
        Ok(())
    }

    /// A full reload now, or as soon as the minimum interval allows.
    async fn request_full_reload(&mut self) {
        let allowed = self
            .last_full_reload
            .is_none_or(|t| t.elapsed() >= self.config.min_sync_interval);
        if allowed {
            if let Err(e) = self.full_reload().await {
                self.database_failed(&e);
                self.reload_pending = true;
            }
        } else {
            self.reload_pending = true;
        }
    }

    fn database_failed(&mut self, e: &StoreError) {
        if !self.database_down {
            tracing::warn!(error = %e, "database unavailable: running the last known schedules, retrying");
            self.database_down = true;
        }
    }

    async fn database_recovered(&mut self) {
        if !self.database_down {
            return;
        }
        // The history kept during the outage first (so catch-up sees what ran), then a reload
        // (so last_run_at is current), then what the outage owes. Retried at every poll.
        if !self.write_backlog().await || !self.claim_unclaimed_owed().await {
            return;
        }
        if let Err(e) = self.full_reload().await {
            tracing::warn!(error = %e, "could not reload after the outage yet; retrying");
            return;
        }
        self.database_down = false;
        tracing::info!("database available again");
        if self.leading {
            self.catch_up().await;
        }
    }

    /// Owed slots whose claim did not reach the database while it was down have no row: they
    /// get their `owed` row now (and claimed rows not yet marked are marked), before a catch-up could claim the same slot and send it again. A slot
    /// another scheduler claimed meanwhile is its to send, and is dropped here. Whether it
    /// could be done (else retried at the next poll).
    async fn claim_unclaimed_owed(&mut self) -> bool {
        // Claimed rows that could not be marked `owed` while the database was down are now.
        let unmarked: Vec<i64> = self
            .owed
            .iter()
            .filter(|o| !o.recorded)
            .filter_map(|o| o.run_id)
            .collect();
        if !unmarked.is_empty() {
            let detail = dispatch::owed_detail(&self.owed[0].error);
            let marked = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the owed runs",
                self.store
                    .settle_runs(&unmarked, RunStatus::Owed, None, &detail),
            )
            .await;
            if let Err(e) = marked {
                tracing::warn!(error = %e, "could not record the owed slots yet; retrying");
                return false;
            }
            for o in &mut self.owed {
                o.recorded = o.recorded || o.run_id.is_some();
            }
        }
        let unclaimed: Vec<usize> = (0..self.owed.len())
            .filter(|&i| self.owed[i].run_id.is_none() && self.owed[i].row.is_some())
            .collect();
        if unclaimed.is_empty() {
            return true;
        }
        let rows: Vec<crate::domain::run::NewRun> = unclaimed
            .iter()
            .filter_map(|&i| {
                let o = &self.owed[i];
                o.row.clone().map(|mut row| {
                    row.status = RunStatus::Owed;
                    row.dispatched_at = None;
                    row.detail = Some(dispatch::owed_detail(&o.error));
                    row
                })
            })
            .collect();
        let claims = crate::store::within(
            self.config.dispatch.statement_timeout,
            "the owed runs",
            self.store.insert_runs(&rows),
        )
        .await;
        let claims = match claims {
            Ok(claims) => claims,
            Err(e) => {
                tracing::warn!(error = %e, "could not record the owed slots yet; retrying");
                return false;
            }
        };
        let mut taken = HashSet::new();
        for (&i, claim) in unclaimed.iter().zip(claims) {
            match claim {
                Some(id) => {
                    let o = &mut self.owed[i];
                    o.run_id = Some(id);
                    o.row = None;
                    o.recorded = true;
                }
                None => {
                    taken.insert(i);
                }
            }
        }
        if !taken.is_empty() {
            tracing::info!(
                slots = taken.len(),
                "owed slots claimed by another scheduler meanwhile: left to it"
            );
            let mut n = 0;
            self.owed.retain(|_| {
                let keep = !taken.contains(&n);
                n += 1;
                keep
            });
        }
        true
    }

    /// Writes history kept while the database was up again (rows of owed slots settled after
    /// an outage); kept for the next poll on failure.
    async fn flush_kept_history(&mut self) {
        if !self.database_down && !self.backlog.is_empty() {
            self.write_backlog().await;
        }
    }

    /// Writes the kept history (under four statement deadlines); whether it is all written.
    async fn write_backlog(&mut self) -> bool {
        let timeout = self.config.dispatch.statement_timeout;
        let flushed = tokio::time::timeout(timeout * 4, self.backlog.flush(&self.store)).await;
        match flushed.unwrap_or(Err(StoreError::NoAnswer {
            what: "the kept history in time".into(),
        })) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, runs = self.backlog.runs.len(), "could not write the kept history yet; retrying");
                false
            }
        }
    }

    /// Applies a burst of changes: targeted reloads for a few schedules, a full reload for
    /// many, for definitions, for resyncs and for version moves no event explains.
    pub async fn apply(&mut self, changes: Vec<Change>) {
        self.apply_changes(changes).await;
        self.catch_up_arrived().await;
    }

    async fn apply_changes(&mut self, changes: Vec<Change>) {
        let mut ids: HashSet<Uuid> = HashSet::new();
        let mut full = false;
        let mut definitions = false;
        let mut versions = Vec::new();
        let mut rows: Vec<(i64, Vec<Uuid>)> = Vec::new();
        for change in changes {
            match change {
                Change::Schedule(id) => {
                    ids.insert(id);
                }
                Change::Task(_) => definitions = true,
                Change::Version(v) => versions.push(v),
                Change::Rows { version, ids } => rows.push((version, ids)),
                Change::Resync => full = true,
            }
        }
        // Why this never misses a change. Every statement that changes what runs bumps the
        // durable version in its own transaction, under the lock of the single version row, so
        // versions are committed, and NOTIFYs delivered, in version order, whoever writes (the
        // Python application and psql included: the triggers do it, not the writers). A NOTIFY
        // that names its rows (`Rows`) accounts for exactly one version. So the beat may advance
        // `seen_version` from V to V+1 by reloading the rows of V+1 alone (read after that
        // commit, so at least as new as V+1). Anything else — a version that does not name its
        // rows (bulk statements, TRUNCATE, task definitions), a gap (a lost NOTIFY, or the poll
        // finding a version whose NOTIFY is still in flight) — means a full reload, rate-limited
        // by the minimum sync interval. Redis events only add targeted reloads; they never move
        // `seen_version`.
        rows.sort_by_key(|(v, _)| *v);
        let mut next_seen = self.seen_version;
        for (version, changed) in rows {
            if version <= next_seen {
                continue;
            }
            if version == next_seen + 1 {
                ids.extend(changed);
                next_seen = version;
            } else {
                full = true;
            }
        }
        if versions.iter().any(|v| *v > next_seen) {
            full = true;
        }
        if full || ids.len() > TARGETED_RELOAD_MAX {
            self.request_full_reload().await;
            return;
        }
        self.seen_version = next_seen;
        if definitions {
            match Definitions::load(&self.store).await {
                Ok(d) => self.definitions = d,
                Err(e) => self.database_failed(&e),
            }
        }
        let now = self.clock.now();
        for id in ids {
            match crate::store::within(
                self.config.dispatch.statement_timeout,
                "the changed schedule",
                self.store.get_schedule(id),
            )
            .await
            {
                Ok(Some(s)) => {
                    let name = s.name.clone();
                    let owes = self.plan.get(id).is_none() && owes_on_arrival(&s);
                    match self.plan.upsert(s, self.config.default_tz, now) {
                        Ok(()) => {
                            if owes {
                                self.arrived.push(id);
                            }
                            tracing::debug!(schedule = %name, "schedule reloaded")
                        }
                        Err(Unplanned::Invalid(why)) => {
                            tracing::warn!(schedule = %name, problem = %why, "schedule cannot run")
                        }
                        Err(_) => {
                            tracing::debug!(schedule = %name, "schedule disabled or never fires")
                        }
                    }
                    self.stats.targeted_reloads += 1;
                    self.observe_reload(id);
                }
                Ok(None) => {
                    self.plan.remove(id);
                    self.stats.targeted_reloads += 1;
                    self.observe_reload(id);
                }
                Err(e) => {
                    self.database_failed(&e);
                    self.reload_pending = true;
                    return;
                }
            }
        }
    }

    /// Polls the durable change version; reloads when it moved without an event.
    pub async fn poll_version(&mut self) {
        // While the database is known to be down the poll only probes it, briefly, and never
        // past the next slot: a hung database cannot hold a boundary back. Too close to the
        // slot, the probe waits for the next poll.
        let timeout = if self.database_down {
            let mut probe = self.config.dispatch.statement_timeout.min(DOWN_PROBE);
            // Only a leader has slots to send (a standby's plan is never ticked, so its first
            // slot lies in the past: it probes at every poll).
            if self.leading
                && let Some(next) = self.plan.next_due()
            {
                let left = (next - self.clock.now()).to_std().unwrap_or_default();
                if left < DOWN_PROBE_LEAST {
                    // The slot is due: the tick comes first, the next poll probes.
                    return;
                }
                probe = probe.min(left);
            }
            probe
        } else {
            self.config.dispatch.statement_timeout
        };
        match crate::store::within(timeout, "the version poll", self.store.change_version()).await {
            Ok(v) => {
                self.database_recovered().await;
                self.flush_kept_history().await;
                if self.leading && !self.database_down {
                    // Owed rows a stopping scheduler wrote after this one took over.
                    self.load_owed().await;
                }
                if v.version > self.seen_version {
                    // Where the database logs what each version touched (SQLite), the poll
                    // reloads just those rows; a gap or a longer log means a full reload.
                    let mut changes: Vec<Change> = match self
                        .store
                        .changes_since(self.seen_version, TARGETED_RELOAD_MAX + 1)
                        .await
                    {
                        Ok(Some(log)) => log
                            .into_iter()
                            .map(|(version, id)| match id {
                                Some(id) => Change::Rows {
                                    version,
                                    ids: vec![id],
                                },
                                None => Change::Version(version),
                            })
                            .collect(),
                        Ok(None) => Vec::new(),
                        Err(e) => {
                            tracing::debug!(error = %e, "cannot read the change log; reloading every schedule");
                            Vec::new()
                        }
                    };
                    changes.push(Change::Version(v.version));
                    self.apply_changes(changes).await;
                }
            }
            Err(e) => self.database_failed(&e),
        }
        if self.reload_pending {
            self.request_full_reload().await;
        }
        self.catch_up_arrived().await;
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
                self.last_sent
                    .insert(*id, checks::sent_now(*id, *task_id, now));
            } else {
                self.last_sent.remove(id);
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

    /// The next instant whose messages are not yet being encoded ahead, while leading.
    pub fn next_to_prebuild(&self) -> Option<DateTime<Utc>> {
        let next = self.plan.next_due().filter(|_| self.leading)?;
        let started = self.prebuilding.as_ref().is_some_and(|(at, _)| *at == next);
        (!started).then_some(next)
    }

    /// Starts encoding, on another thread, the messages of the first [`dispatch::PREBUILD_MAX`]
    /// schedules due at the next instant, so that at the instant the claims have the machine
    /// to themselves. A schedule changed meanwhile is encoded afresh at the instant.
    pub fn prebuild(&mut self) {
        let Some(at) = self.next_to_prebuild() else {
            return;
        };
        let due = self.plan.due_at(at, dispatch::PREBUILD_MAX);
        let options = self.config.dispatch.clone();
        let job = tokio::task::spawn_blocking(move || Prebuilt::build(&due, &options));
        if let Some((_, stale)) = self.prebuilding.replace((at, job)) {
            stale.abort();
        }
    }

    /// The messages encoded ahead of an instant up to `now` (waiting for them if the encoding
    /// is still running: it started earlier than a fresh one would).
    async fn take_prebuilt(&mut self, now: DateTime<Utc>) -> Prebuilt {
        match self.prebuilding.take() {
            Some((at, job)) if at <= now => job.await.unwrap_or_default(),
            Some(later) => {
                self.prebuilding = Some(later);
                Prebuilt::default()
            }
            None => Prebuilt::default(),
        }
    }

    /// Dispatches everything due at the clock's now.
    pub async fn tick(&mut self) -> Outcome {
        // A leader whose lease ran out (it could not renew, or the process was paused) stops
        // before anything else is claimed.
        if !self.lease_valid() {
            if self.leading {
                self.stand_down();
                self.report();
            }
            return Outcome::default();
        }
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
            .map(|d| (now - d.slot).num_milliseconds())
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

    /// Deletes history older than the retention, at most once a day.
    pub async fn retention(&mut self) {
        let Some(keep) = self.config.retention else {
            return;
        };
        if !self.leading {
            return;
        }
        let now = self.clock.now();
        if self
            .last_retention
            .is_some_and(|t| now - t < chrono::Duration::days(1))
        {
            return;
        }
        self.last_retention = Some(now);
        let Some(before) = now.checked_sub_signed(keep) else {
            return;
        };
        // In chunks, each under the statement deadline, with what falls due served between
        // them: a first retention of years of history is millions of rows, and one statement
        // would hold the loop (and SQLite's write lock) for the whole of it.
        let mut deleted = 0u64;
        loop {
            let chunk = crate::store::within(
                self.config.dispatch.statement_timeout,
                "the history retention",
                self.store.delete_runs_before(before, RETENTION_CHUNK),
            )
            .await;
            match chunk {
                Ok(n) => deleted += n,
                Err(e) => {
                    // Not an outage by itself (a chunk may just be slow): the version poll's
                    // probe decides that. The rest is tried again in an hour.
                    tracing::warn!(error = %e, deleted, "history retention stopped; trying again in an hour");
                    self.last_retention = now
                        .checked_sub_signed(chrono::Duration::days(1) - chrono::Duration::hours(1));
                    break;
                }
            }
            self.stepping();
            if chunk.is_ok_and(|n| n < u64::from(RETENTION_CHUNK)) || self.stopping() {
                break;
            }
            if self
                .plan
                .next_due()
                .is_some_and(|next| next <= self.clock.now())
            {
                self.tick().await;
            }
            if !self.leading || self.stopping() {
                // Not done: the rest goes at the next leader's (or start's) retention.
                self.last_retention = None;
                break;
            }
        }
        if deleted > 0 {
            tracing::info!(deleted, "history retention");
        }
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
        let mut lease = self.lease.clone();
        let mut feeds_open = true;
        while !*shutdown.borrow() && !self.aborted() {
            self.retention().await;
            let next = self.plan.next_due().filter(|_| self.leading);
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

/// Whether a schedule entering the plan of a running scheduler owes its catch-up at once:
/// only a row as it was created (never edited since) whose `last_run_at` is older than the
/// row itself, i.e. bookkeeping brought from elsewhere (`schedule add --last-run-at`, rows
/// imported from another scheduler). A schedule enabled again, or repaired, resumes at its
/// next slot: the slots it was off for were not missed.
fn owes_on_arrival(schedule: &crate::domain::schedule::Schedule) -> bool {
    schedule.updated_at == schedule.created_at
        && schedule
            .last_run_at
            .is_some_and(|last| last < schedule.created_at)
}

/// A schedule's entry as it stood when a catch-up began: with `last_run_at` put back to
/// `began` when a slot sent during the catch-up moved it.
fn entry_as_begun(
    plan: &Plan,
    id: Uuid,
    began: Option<DateTime<Utc>>,
) -> Option<std::borrow::Cow<'_, plan::Entry>> {
    let entry = plan.get(id)?;
    Some(if entry.last_run_at == began {
        std::borrow::Cow::Borrowed(entry)
    } else {
        let mut entry = entry.clone();
        entry.last_run_at = began;
        std::borrow::Cow::Owned(entry)
    })
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

/// Resolves when the lease changes; never without a lease (or once its task has ended: the
/// lease then runs out, and `tick` notices).
async fn lease_changed(lease: &mut Option<watch::Receiver<Lease>>) {
    match lease {
        Some(rx) => {
            if rx.changed().await.is_err() {
                *lease = None;
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}
