//! The loop: load, catch up, then sleep until the next slot or a change, whichever comes
//! first. Never busy-polls; the next instant is recomputed from the clock after every tick.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use super::clock::Clock;
use super::dispatch::{self, Backlog, Broker, Definitions, DispatchOptions, Outcome};
use super::feed::Change;
use super::plan::{self, Due, Missed, Plan, Unplanned};
use crate::store::{RunStore, ScheduleFilter, ScheduleStore, StoreError, TaskStore};

/// Above this many schedules in one burst of events, a full reload is cheaper.
const TARGETED_RELOAD_MAX: usize = 256;

/// How the loop behaves.
#[derive(Debug, Clone)]
pub struct BeatConfig {
    /// Process what is due now (catch-up included), then stop.
    pub once: bool,
    /// Run the latest missed slot when it lies within this window (zero disables catch-up).
    pub catchup_window: chrono::Duration,
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
        self.full_reload().await?;
        self.catch_up().await;
        Ok(())
    }

    async fn catch_up(&mut self) {
        let now = self.clock.now();
        let mut due = Vec::new();
        let mut missed = Vec::new();
        for id in self.plan.ids() {
            if let Some(entry) = self.plan.get(id) {
                let (run, skipped) = plan::catch_up(entry, now, self.config.catchup_window);
                due.extend(run);
                missed.extend(skipped);
            }
        }
        if !due.is_empty() || !missed.is_empty() {
            tracing::info!(
                catchup = due.len(),
                missed = missed.len(),
                "slots passed while no scheduler ran"
            );
            self.dispatch(&due, &missed, now).await;
        }
    }

    /// Re-reads every enabled schedule and the definitions; keeps each unchanged schedule's
    /// pending slot.
    async fn full_reload(&mut self) -> Result<(), StoreError> {
        let version = self.store.change_version().await?.version;
        let schedules = self
            .store
            .list_schedules(&ScheduleFilter {
                enabled: Some(true),
                ..Default::default()
            })
            .await?;
        let definitions = Definitions::load(&self.store).await?;
        let now = self.clock.now();
        let present: HashSet<Uuid> = schedules.iter().map(|s| s.id).collect();
        for id in self.plan.ids() {
            if !present.contains(&id) {
                self.plan.remove(id);
            }
        }
        let mut invalid = 0usize;
        for s in schedules {
            let name = s.name.clone();
            match self.plan.upsert(s, self.config.default_tz, now) {
                Ok(()) | Err(Unplanned::Disabled) => {}
                Err(Unplanned::Never) => tracing::debug!(schedule = %name, "never fires again"),
                Err(Unplanned::Invalid(why)) => {
                    invalid += 1;
                    tracing::warn!(schedule = %name, problem = %why, "schedule cannot run");
                }
            }
        }
        self.definitions = definitions;
        self.seen_version = version;
        self.last_full_reload = Some(Instant::now());
        self.reload_pending = false;
        self.stats.full_reloads += 1;
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
        if let Err(e) = self.backlog.flush(&self.store).await {
            tracing::warn!(error = %e, runs = self.backlog.runs.len(), "could not write the kept history yet; retrying");
            return;
        }
        if let Err(e) = self.full_reload().await {
            tracing::warn!(error = %e, "could not reload after the outage yet; retrying");
            return;
        }
        self.database_down = false;
        tracing::info!("database available again");
        self.catch_up().await;
    }

    /// Applies a burst of changes: targeted reloads for a few schedules, a full reload for
    /// many, for definitions, for resyncs and for version moves no event explains.
    pub async fn apply(&mut self, changes: Vec<Change>) {
        let mut ids: HashSet<Uuid> = HashSet::new();
        let mut full = false;
        let mut definitions = false;
        let mut versions = Vec::new();
        for change in changes {
            match change {
                Change::Schedule(id) => {
                    ids.insert(id);
                }
                Change::Task(_) => definitions = true,
                Change::Version(v) => versions.push(v),
                Change::Resync => full = true,
            }
        }
        // Events say which schedules changed, but not which version bumps they account for
        // (a NOTIFY can arrive before or after its event, a bulk statement bumps once for many
        // rows, another program writes without events): any move of the version beyond what
        // was loaded means a full reload, rate-limited by the minimum sync interval.
        if versions.iter().any(|v| *v > self.seen_version) {
            full = true;
        }
        if full || ids.len() > TARGETED_RELOAD_MAX {
            self.request_full_reload().await;
            return;
        }
        if definitions {
            match Definitions::load(&self.store).await {
                Ok(d) => self.definitions = d,
                Err(e) => self.database_failed(&e),
            }
        }
        let now = self.clock.now();
        for id in ids {
            match self.store.get_schedule(id).await {
                Ok(Some(s)) => {
                    let name = s.name.clone();
                    match self.plan.upsert(s, self.config.default_tz, now) {
                        Ok(()) => tracing::debug!(schedule = %name, "schedule reloaded"),
                        Err(Unplanned::Invalid(why)) => {
                            tracing::warn!(schedule = %name, problem = %why, "schedule cannot run")
                        }
                        Err(_) => {
                            tracing::debug!(schedule = %name, "schedule disabled or never fires")
                        }
                    }
                    self.stats.targeted_reloads += 1;
                }
                Ok(None) => {
                    self.plan.remove(id);
                    self.stats.targeted_reloads += 1;
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
        match self.store.change_version().await {
            Ok(v) => {
                self.database_recovered().await;
                if v.version > self.seen_version {
                    self.apply(vec![Change::Version(v.version)]).await;
                }
            }
            Err(e) => self.database_failed(&e),
        }
        if self.reload_pending {
            self.request_full_reload().await;
        }
    }

    async fn dispatch(&mut self, due: &[Due], missed: &[Missed], now: DateTime<Utc>) -> Outcome {
        let outcome = dispatch::dispatch(
            &self.store,
            self.broker.as_mut(),
            &self.definitions,
            &self.config.dispatch,
            due,
            missed,
            now,
        )
        .await;
        self.stats.batches += 1;
        self.stats.dispatched += outcome.dispatched;
        self.stats.failed += outcome.failed;
        self.stats.missed += outcome.missed;
        self.stats.dry_run += outcome.dry_run;
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

    /// Dispatches everything due at the clock's now.
    pub async fn tick(&mut self) -> Outcome {
        let now = self.clock.now();
        let (due, missed) = self.plan.take_due(now);
        if due.is_empty() && missed.is_empty() {
            return Outcome::default();
        }
        let started = Instant::now();
        let outcome = self.dispatch(&due, &missed, now).await;
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
            already_claimed = outcome.already_claimed,
            lag_ms,
            took_ms = started.elapsed().as_millis() as u64,
            "batch"
        );
        outcome
    }

    /// Deletes history older than the retention, at most once a day.
    pub async fn retention(&mut self) {
        let Some(keep) = self.config.retention else {
            return;
        };
        let now = self.clock.now();
        if self
            .last_retention
            .is_some_and(|t| now - t < chrono::Duration::days(1))
        {
            return;
        }
        self.last_retention = Some(now);
        match self.store.delete_runs_before(now - keep).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "history retention"),
            Err(e) => self.database_failed(&e),
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
            if let Err(e) = self.backlog.flush(&self.store).await {
                tracing::warn!(error = %e, "history could not be written");
            }
            return self.stats;
        }
        tracing::info!(
            event = "ready",
            schedules = self.plan.len(),
            version = self.seen_version,
            "scheduler ready"
        );
        let mut poll = tokio::time::interval(self.config.sync_interval);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        poll.tick().await;
        let mut feeds_open = true;
        loop {
            self.retention().await;
            let next = self.plan.next_due();
            let clock = self.clock.clone();
            let sleep = async move {
                match next {
                    Some(at) => clock.sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                _ = shutdown.changed() => {
                    if *shutdown.borrow() {
                        break;
                    }
                }
                // Slots first: a stream of changes never delays a dispatch.
                () = sleep => {
                    self.tick().await;
                }
                change = changes.recv(), if feeds_open => match change {
                    Some(first) => {
                        // Coalesce a burst into one reload.
                        let mut burst = vec![first];
                        while let Ok(more) = changes.try_recv() {
                            burst.push(more);
                        }
                        self.apply(burst).await;
                    }
                    None => feeds_open = false,
                },
                _ = poll.tick() => {
                    self.poll_version().await;
                }
            }
        }
        if let Err(e) = self.backlog.flush(&self.store).await {
            tracing::warn!(error = %e, runs = self.backlog.runs.len(), "history could not be written before stopping");
        }
        tracing::info!(dispatched = self.stats.dispatched, "scheduler stopped");
        self.stats
    }
}
