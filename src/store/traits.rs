//! What every backend provides: the store traits and the values they exchange.

use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{MigrationReport, StoreError};
use crate::config::Backend;
use crate::domain::instance::BeatInstance;
use crate::domain::pause::Switch;
use crate::domain::reference::ScheduleRef;
use crate::domain::run::{NewRun, Run, RunFilter, RunStatus};
use crate::domain::task::{NewTaskDefinition, TaskDefinition};
use crate::domain::{NameChoice, NewSchedule, Schedule};

/// Filters of `schedule list`; every given filter must hold.
#[derive(Debug, Clone, Default)]
pub struct ScheduleFilter {
    /// Full task name, or its last dotted segment.
    pub task: Option<String>,
    /// Exactly this task name.
    pub task_name: Option<String>,
    /// Exact category.
    pub category: Option<String>,
    /// Schedules carrying all these tags.
    pub tags: Vec<String>,
    /// Only enabled (`Some(true)`) or disabled (`Some(false)`) schedules.
    pub enabled: Option<bool>,
    /// Only paused schedules: off, with a reason (`schedule pause`).
    pub paused: bool,
    /// Case-insensitive substring of name, task, description or category.
    pub search: Option<String>,
}

/// What [`ScheduleStore::create_schedule_once`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Creation {
    /// Inserted.
    Created(Schedule),
    /// Not inserted: this schedule already does the same job.
    Exists(Schedule),
}

/// Logged changes: each version with the schedule it touched (`None`: a task definition).
pub type ChangeLog = Vec<(i64, Option<Uuid>)>;

/// The durable change marker: bumped by database triggers with every change to schedules
/// (run bookkeeping excluded) or task definitions, whoever made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeVersion {
    /// Increases with every change.
    pub version: i64,
    /// When it last changed.
    pub changed_at: DateTime<Utc>,
}

/// What `stockura diagnose` reports about a database. Works on an unmigrated one too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseStatus {
    /// The engine.
    pub backend: Backend,
    /// The server's version string.
    pub server_version: String,
    /// Labels of the migrations not applied yet.
    pub pending: Vec<String>,
    /// Enabled schedules (0 when the table does not exist yet).
    pub enabled: i64,
    /// Disabled schedules.
    pub disabled: i64,
    /// The change marker, once migration 0003 is applied.
    pub version: Option<ChangeVersion>,
}

/// The operations every backend provides.
pub trait ScheduleStore: Send + Sync {
    /// Which engine this is.
    fn backend(&self) -> Backend;

    /// Inserts a schedule; a generated name gets the first free `_N` suffix.
    fn create_schedule(
        &self,
        new: &NewSchedule,
    ) -> impl Future<Output = Result<Schedule, StoreError>> + Send;

    /// Inserts a schedule unless one already does the same job ([`NewSchedule::same_job_as`]):
    /// then nothing is written and that one is returned. The check and the insert are one
    /// transaction, serialised per task name, so two concurrent adds cannot both insert.
    fn create_schedule_once(
        &self,
        new: &NewSchedule,
    ) -> impl Future<Output = Result<Creation, StoreError>> + Send;

    /// What [`Self::create_schedule_once`] (`once`) or [`Self::create_schedule`] would do, run
    /// in full and rolled back: the row it would insert (its name chosen as the write would
    /// choose it; its id and times are this attempt's) or the schedule that already does the
    /// job. Nothing is written.
    fn preview_create(
        &self,
        new: &NewSchedule,
        once: bool,
    ) -> impl Future<Output = Result<Creation, StoreError>> + Send;

    /// [`Self::update_schedule`] run in full and rolled back: the row afterwards, or the same
    /// errors; nothing is written.
    fn preview_update(
        &self,
        next: &Schedule,
        name: &NameChoice,
        expected_updated_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Schedule, StoreError>> + Send;

    /// One schedule by id.
    fn get_schedule(
        &self,
        id: Uuid,
    ) -> impl Future<Output = Result<Option<Schedule>, StoreError>> + Send;

    /// Every schedule a REF could mean (by id, id prefix or exact name).
    fn find_candidates(
        &self,
        reference: &ScheduleRef,
    ) -> impl Future<Output = Result<Vec<Schedule>, StoreError>> + Send;

    /// Schedules matching the filter, ordered by name.
    fn list_schedules(
        &self,
        filter: &ScheduleFilter,
    ) -> impl Future<Output = Result<Vec<Schedule>, StoreError>> + Send;

    /// Hands each schedule matching the filter to `visit` as its row arrives, ordered by name:
    /// the scheduler's load of 100,000 schedules never holds them twice.
    fn visit_schedules(
        &self,
        filter: &ScheduleFilter,
        visit: &mut (dyn FnMut(Schedule) + Send),
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Writes `next` over the row if it still has `expected_updated_at`; else [`StoreError::Conflict`].
    fn update_schedule(
        &self,
        next: &Schedule,
        name: &NameChoice,
        expected_updated_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Schedule, StoreError>> + Send;

    /// Deletes these schedules in one transaction; returns how many rows went.
    fn delete_schedules(
        &self,
        ids: &[Uuid],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Switches these schedules on or off (`enable`, `resume`; `disable`, `pause`) in one
    /// transaction, writing only those the switch changes ([`Switch::changes`], checked again
    /// inside the transaction): no `updated_at` bump for the others. Returns them all
    /// afterwards.
    fn set_enabled(
        &self,
        ids: &[Uuid],
        switch: &Switch,
    ) -> impl Future<Output = Result<Vec<Schedule>, StoreError>> + Send;

    /// Resumes, in one transaction, every paused schedule whose `paused_until` is at or before
    /// `now`: on again, its pause cleared, `resumed_at` set to its `paused_until` (the slots
    /// before that instant are not owed) and `updated_at` bumped (a change, seen by the change
    /// version, the Postgres NOTIFY and the SQLite change log). Returns them afterwards.
    fn resume_due(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Schedule>, StoreError>> + Send;

    /// The earliest `paused_until` of the schedules that are off; `None` when none resumes by
    /// itself.
    fn next_resume(&self)
    -> impl Future<Output = Result<Option<DateTime<Utc>>, StoreError>> + Send;

    /// Applies pending migrations.
    fn migrate(&self) -> impl Future<Output = Result<MigrationReport, StoreError>> + Send;

    /// The durable change marker.
    fn change_version(&self) -> impl Future<Output = Result<ChangeVersion, StoreError>> + Send;

    /// The logged changes after version `after`, oldest first, at most `limit`: each version
    /// with the schedule it touched (`None`: a task definition). `None` where the backend keeps
    /// no log (Postgres names the rows in its NOTIFY instead).
    fn changes_since(
        &self,
        after: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Option<ChangeLog>, StoreError>> + Send;

    /// Server version, migrations, schedule counts and change marker; never fails on an
    /// unmigrated database.
    fn status(&self) -> impl Future<Output = Result<DatabaseStatus, StoreError>> + Send;
}

/// A task definition and how many schedules use its task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSummary {
    /// The definition.
    pub task: TaskDefinition,
    /// Schedules whose `task_name` is the definition's.
    pub schedule_count: i64,
}

/// Task definitions, on every backend.
pub trait TaskStore: Send + Sync {
    /// Creates or replaces the definition of `new.task_name`; `true` when it was created.
    fn upsert_task(
        &self,
        new: &NewTaskDefinition,
    ) -> impl Future<Output = Result<(TaskDefinition, bool), StoreError>> + Send;

    /// [`Self::upsert_task`] run in full and rolled back; nothing is written.
    fn preview_upsert_task(
        &self,
        new: &NewTaskDefinition,
    ) -> impl Future<Output = Result<(TaskDefinition, bool), StoreError>> + Send;

    /// The definition of exactly this task name.
    fn get_task(
        &self,
        task_name: &str,
    ) -> impl Future<Output = Result<Option<TaskDefinition>, StoreError>> + Send;

    /// Definitions whose task name is `reference` or ends with `.reference`.
    fn find_tasks(
        &self,
        reference: &str,
    ) -> impl Future<Output = Result<Vec<TaskDefinition>, StoreError>> + Send;

    /// All definitions (of one category), ordered by task name, with their schedule counts.
    fn list_tasks(
        &self,
        category: Option<&str>,
    ) -> impl Future<Output = Result<Vec<TaskSummary>, StoreError>> + Send;

    /// Deletes the definition; `false` when there was none.
    fn delete_task(&self, task_name: &str)
    -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The scheduler's records (`schedule_runs`) and bookkeeping, on every backend.
pub trait RunStore: Send + Sync {
    /// Inserts runs (one transaction; on Postgres a batch of thousands is two concurrent
    /// statements, each row claiming on its own). Scheduled and catch-up runs claim their slot: a slot
    /// another scheduler already recorded is not inserted, nor is the run of a schedule deleted
    /// since it was read (on Postgres: deleted or truncated within the last day, migration
    /// 0011; a run for an id that was never a schedule is inserted there, refused on SQLite,
    /// and no caller makes one). Returns, aligned with `runs`, the new row's id, or `None` where
    /// the slot was taken.
    fn insert_runs(
        &self,
        runs: &[NewRun],
    ) -> impl Future<Output = Result<Vec<Option<i64>>, StoreError>> + Send;

    /// Sets the status and detail of these runs (after a failed send, say).
    fn mark_runs(
        &self,
        ids: &[i64],
        status: RunStatus,
        detail: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Run bookkeeping in one statement: `last_run_at` (never moved back) and
    /// `total_run_count` of each schedule that ran. Not a change: the version is not bumped.
    fn record_dispatch(
        &self,
        ran: &[(Uuid, DateTime<Utc>)],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The id of the newest recorded run (0 when there is none): where reading on with
    /// [`RunFilter::after_id`] starts.
    fn latest_run_id(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Runs matching the filter, newest slot first (in the order recorded with
    /// [`RunFilter::after_id`]).
    fn list_runs(
        &self,
        filter: &RunFilter,
    ) -> impl Future<Output = Result<Vec<Run>, StoreError>> + Send;

    /// Deletes at most `limit` of the runs whose slot is before `cutoff` (the oldest first);
    /// returns how many. In chunks, a retention of millions of rows never holds the database
    /// (SQLite's write lock above all) for longer than one chunk.
    fn delete_runs_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The last dispatched run (by send time) of each of these schedules that has one.
    fn latest_dispatched(
        &self,
        schedule_ids: &[Uuid],
    ) -> impl Future<Output = Result<Vec<LastDispatch>, StoreError>> + Send;

    /// The newest `per_schedule` runs (by slot) of each of these schedules, in no particular
    /// order.
    fn recent_runs(
        &self,
        schedule_ids: &[Uuid],
        per_schedule: u32,
    ) -> impl Future<Output = Result<Vec<Run>, StoreError>> + Send;

    /// Every run held by the `queue` policy (`deferred`) whose schedule still exists, oldest
    /// slot first.
    fn deferred_runs(&self) -> impl Future<Output = Result<Vec<Run>, StoreError>> + Send;

    /// Turns a `deferred` run into `owed`, naming the push that is to carry it, only if it is
    /// still deferred: the claim of a held run. Returns whether this call won it. Once the
    /// push answered the run is settled `dispatched` ([`Self::settle_runs`]).
    fn promote_deferred(
        &self,
        id: i64,
        push_marker: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Whether nothing listens where the database server should (stopped, or restarting): a
    /// fresh connection attempt is refused at once, so no session of that server can still
    /// commit anything. `false` when it answers, when it refuses for another reason, when the
    /// attempt takes longer than a moment, and for an embedded database.
    fn refuses_connections(&self) -> impl Future<Output = bool> + Send {
        async { false }
    }

    /// The runs of a schedule that claim a slot in `[from, to)` (scheduled, catch-up and
    /// backfilled runs, dry runs aside: at most one a slot), and the re-sends an earlier
    /// backfill left `owed`, oldest slot first. What `schedule backfill` plans from.
    fn slot_claims(
        &self,
        schedule_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Run>, StoreError>> + Send;

    /// Makes run `id`, a claim that was not sent and never will be (`missed`, `failed`, or
    /// `skipped` by a policy), the claim of `run`: its trigger, its task id (a run without one
    /// takes nothing), its push marker, arguments and detail, status `owed`. Only while the
    /// row is still in such a state, so that two callers cannot both take it; returns whether
    /// this call did. Once the push answered the run is settled ([`Self::settle_runs`]).
    fn retake_run(
        &self,
        id: i64,
        run: &NewRun,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every claimed run the broker has not taken yet (`owed`) whose schedule still exists,
    /// oldest slot first: what a scheduler that becomes the leader retries.
    fn owed_runs(&self) -> impl Future<Output = Result<Vec<Run>, StoreError>> + Send;

    /// Settles runs that were owed (or say `dispatched` already): `dispatched` with the send
    /// time once the broker took them, or `failed` when their deadline passed. Rows in any
    /// other state are left alone (another scheduler settled them). An empty `detail` writes
    /// none. Returns how many rows changed.
    fn settle_runs(
        &self,
        ids: &[i64],
        status: RunStatus,
        dispatched_at: Option<DateTime<Utc>>,
        detail: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// A schedule's last dispatched Celery task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastDispatch {
    /// The schedule.
    pub schedule_id: Uuid,
    /// The Celery task id sent.
    pub celery_task_id: Uuid,
    /// When it was sent.
    pub dispatched_at: DateTime<Utc>,
}

/// The latest send of each schedule among candidate rows (the few newest slots of each: a
/// queued run is sent after its slot, a manual run at its own instant).
pub(crate) fn latest_of(rows: impl IntoIterator<Item = LastDispatch>) -> Vec<LastDispatch> {
    let mut best: std::collections::HashMap<Uuid, LastDispatch> = std::collections::HashMap::new();
    for r in rows {
        best.entry(r.schedule_id)
            .and_modify(|b| {
                if r.dispatched_at > b.dispatched_at {
                    *b = r;
                }
            })
            .or_insert(r);
    }
    best.into_values().collect()
}

/// Heartbeats of running schedulers in the database (`stockura_beat_instances`), used when
/// there is no Redis.
pub trait InstanceStore: Send + Sync {
    /// Writes this instance's heartbeat (insert or replace); drops rows expired for an hour.
    fn put_instance(
        &self,
        instance: &BeatInstance,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every recorded instance, live or not.
    fn list_instances(&self) -> impl Future<Output = Result<Vec<BeatInstance>, StoreError>> + Send;

    /// Removes an instance's heartbeat (on a graceful stop).
    fn delete_instance(&self, id: Uuid) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// One write of [`BatchStore::write_batch`].
#[derive(Debug, Clone)]
pub enum BatchWrite {
    /// Insert a schedule (as [`ScheduleStore::create_schedule`]).
    Create(NewSchedule),
    /// Create or replace a task definition (as [`TaskStore::upsert_task`]).
    DefineTask(NewTaskDefinition),
    /// Overwrite a schedule that still has `expected_updated_at` (as
    /// [`ScheduleStore::update_schedule`]).
    Update {
        /// The row afterwards.
        next: Schedule,
        /// How to name it.
        name: NameChoice,
        /// The `updated_at` it was read with.
        expected_updated_at: DateTime<Utc>,
    },
    /// Delete a schedule that still has `expected_updated_at`.
    Delete {
        /// The schedule.
        id: Uuid,
        /// Its name, for the error message.
        name: String,
        /// The `updated_at` it was read with.
        expected_updated_at: DateTime<Utc>,
    },
}

/// Several schedule writes as one transaction.
pub trait BatchStore: Send + Sync {
    /// Applies every write in order, all or nothing: a row changed or deleted since it was read
    /// fails the whole batch with [`StoreError::Conflict`] or [`StoreError::NotFound`] and
    /// nothing is written. Returns the rows written (`None` for a delete or a task definition), in
    /// order.
    fn write_batch(
        &self,
        writes: &[BatchWrite],
    ) -> impl Future<Output = Result<Vec<Option<Schedule>>, StoreError>> + Send;
}
