//! The store a command or the scheduler holds: either backend, chosen once from the URL,
//! with what only one backend has offered as methods that say whether it has it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::lock::LeaderLock;
use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use super::{
    BatchStore, BatchWrite, ChangeLog, ChangeVersion, Creation, DatabaseStatus, InstanceStore,
    LastDispatch, MigrationReport, RunStore, ScheduleFilter, ScheduleStore, StoreError, TaskStore,
    TaskSummary,
};
use crate::config::{Backend, DatabaseTarget};
use crate::domain::instance::BeatInstance;
use crate::domain::pause::Switch;
use crate::domain::reference::ScheduleRef;
use crate::domain::run::{NewRun, Run, RunFilter, RunStatus};
use crate::domain::task::{NewTaskDefinition, TaskDefinition};
use crate::domain::{NameChoice, NewSchedule, Schedule};

/// Either backend, chosen once from the URL by [`AnyStore::open`].
#[derive(Debug, Clone)]
pub struct AnyStore(Inner);

#[derive(Debug, Clone)]
enum Inner {
    Postgres(PgStore),
    Sqlite(SqliteStore),
}

/// Whether opening checks that the schema is current, and whether it may create a SQLite file.
///
/// Only [`OpenMode::Create`] and the embedded default ([`DatabaseTarget::create_dir`]) create
/// a missing SQLite file; otherwise an explicit SQLite URL must name an existing one
/// ([`StoreError::NoDatabase`]), so that a mistyped path creates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Fail with [`StoreError::NotMigrated`] when Postgres migrations are pending; SQLite
    /// migrates itself.
    RequireCurrent,
    /// Only connect (`diagnose`).
    ConnectOnly,
    /// Connect, creating a SQLite file that does not exist yet: the caller is about to migrate
    /// (`stockura migrate`).
    Create,
}

impl AnyStore {
    /// Connects to the target; the embedded SQLite database is created and migrated on first use.
    /// A SQLite database whose file or directory is not writable is opened read-only.
    pub async fn open(target: &DatabaseTarget, mode: OpenMode) -> Result<Self, StoreError> {
        match target.backend {
            Backend::Postgres => {
                let store = PgStore::connect(&target.url).await?;
                if mode == OpenMode::RequireCurrent {
                    store.check_current().await?;
                }
                Ok(Self(Inner::Postgres(store)))
            }
            Backend::Sqlite => {
                if let Some(dir) = &target.create_dir {
                    std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                let create = target.create_dir.is_some() || mode == OpenMode::Create;
                let store = SqliteStore::connect(&target.url, create).await?;
                if mode == OpenMode::RequireCurrent {
                    store.migrate().await?;
                }
                Ok(Self(Inner::Sqlite(store)))
            }
        }
    }
}

impl AnyStore {
    /// Whether the database was opened read-only (a SQLite file or directory that is not
    /// writable): reads work, writes fail with [`StoreError::ReadOnly`].
    pub fn is_read_only(&self) -> bool {
        match &self.0 {
            Inner::Postgres(_) => false,
            Inner::Sqlite(store) => store.is_read_only(),
        }
    }

    /// Listens for the database's own change notifications, if it sends any: Postgres
    /// NOTIFYs every change on [`ChangeListener::CHANNEL`] (whoever made it); SQLite sends none
    /// (`Ok(None)`: its changes are found by polling the change version).
    pub async fn listen_changes(&self) -> Result<Option<ChangeListener>, StoreError> {
        match &self.0 {
            Inner::Postgres(store) => Ok(Some(ChangeListener(store.listen_changes().await?))),
            Inner::Sqlite(_) => Ok(None),
        }
    }

    /// Whether [`AnyStore::listen_changes`] hears anything on this backend.
    pub fn has_change_notifications(&self) -> bool {
        matches!(self.0, Inner::Postgres(_))
    }

    /// The lock that elects one scheduler among those sharing this database when there is no
    /// Redis: a session advisory lock numbered `key` on Postgres (any number of hosts), an
    /// exclusive lock on the file `<database>.beat-lock` on SQLite (one host). Nothing is
    /// taken yet. Fails on a SQLite database that is not a file.
    pub fn leader_lock(&self, key: i64) -> Result<LeaderLock, StoreError> {
        match &self.0 {
            Inner::Postgres(store) => Ok(LeaderLock::advisory(store.clone(), key)),
            Inner::Sqlite(store) => {
                let mut path = store
                    .file_path()
                    .ok_or(StoreError::NoLockFile)?
                    .into_os_string();
                path.push(".beat-lock");
                Ok(LeaderLock::file(path.into()))
            }
        }
    }
}

/// A session that hears the database's change notifications (see
/// [`AnyStore::listen_changes`]).
pub struct ChangeListener(sqlx::postgres::PgListener);

/// One notification: the channel it came on and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeNotice {
    /// The channel ([`ChangeListener::CHANNEL`]).
    pub channel: String,
    /// What the version trigger sent: the new change version, and the rows it changed.
    pub payload: String,
}

impl ChangeListener {
    /// The channel the version trigger notifies (`NOTIFY stockura_schedule_changes`).
    pub const CHANNEL: &str = super::postgres::CHANGES_CHANNEL;

    /// The next notification; an error when the session is lost (listen again, and treat
    /// anything as changed meanwhile).
    pub async fn recv(&mut self) -> Result<ChangeNotice, StoreError> {
        let note = self.0.recv().await?;
        Ok(ChangeNotice {
            channel: note.channel().to_string(),
            payload: note.payload().to_string(),
        })
    }
}

impl std::fmt::Debug for ChangeListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeListener").finish_non_exhaustive()
    }
}

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match &$self.0 {
            Inner::Postgres($store) => $call.await,
            Inner::Sqlite($store) => $call.await,
        }
    };
}

impl RunStore for AnyStore {
    async fn insert_runs(&self, runs: &[NewRun]) -> Result<Vec<Option<i64>>, StoreError> {
        delegate!(self, s => s.insert_runs(runs))
    }
    async fn mark_runs(
        &self,
        ids: &[i64],
        status: RunStatus,
        detail: &str,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.mark_runs(ids, status, detail))
    }
    async fn record_dispatch(&self, ran: &[(Uuid, DateTime<Utc>)]) -> Result<(), StoreError> {
        delegate!(self, s => s.record_dispatch(ran))
    }
    async fn list_runs(&self, filter: &RunFilter) -> Result<Vec<Run>, StoreError> {
        delegate!(self, s => s.list_runs(filter))
    }
    async fn latest_run_id(&self) -> Result<i64, StoreError> {
        delegate!(self, s => s.latest_run_id())
    }
    async fn delete_runs_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.delete_runs_before(cutoff, limit))
    }
    async fn latest_dispatched(&self, ids: &[Uuid]) -> Result<Vec<LastDispatch>, StoreError> {
        delegate!(self, s => s.latest_dispatched(ids))
    }
    async fn recent_runs(&self, ids: &[Uuid], per_schedule: u32) -> Result<Vec<Run>, StoreError> {
        delegate!(self, s => s.recent_runs(ids, per_schedule))
    }
    async fn deferred_runs(&self) -> Result<Vec<Run>, StoreError> {
        delegate!(self, s => s.deferred_runs())
    }
    async fn promote_deferred(&self, id: i64, push_marker: &str) -> Result<bool, StoreError> {
        delegate!(self, s => s.promote_deferred(id, push_marker))
    }
    async fn slot_claims(
        &self,
        schedule_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Run>, StoreError> {
        delegate!(self, s => s.slot_claims(schedule_id, from, to))
    }
    async fn retake_run(&self, id: i64, run: &NewRun) -> Result<bool, StoreError> {
        delegate!(self, s => s.retake_run(id, run))
    }
    async fn owed_runs(&self) -> Result<Vec<Run>, StoreError> {
        delegate!(self, s => s.owed_runs())
    }
    async fn refuses_connections(&self) -> bool {
        delegate!(self, s => s.refuses_connections())
    }
    async fn settle_runs(
        &self,
        ids: &[i64],
        status: RunStatus,
        dispatched_at: Option<DateTime<Utc>>,
        detail: &str,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.settle_runs(ids, status, dispatched_at, detail))
    }
}

impl InstanceStore for AnyStore {
    async fn put_instance(&self, instance: &BeatInstance) -> Result<(), StoreError> {
        delegate!(self, s => s.put_instance(instance))
    }
    async fn list_instances(&self) -> Result<Vec<BeatInstance>, StoreError> {
        delegate!(self, s => s.list_instances())
    }
    async fn delete_instance(&self, id: Uuid) -> Result<(), StoreError> {
        delegate!(self, s => s.delete_instance(id))
    }
}

impl TaskStore for AnyStore {
    async fn upsert_task(
        &self,
        new: &NewTaskDefinition,
    ) -> Result<(TaskDefinition, bool), StoreError> {
        delegate!(self, s => s.upsert_task(new))
    }
    async fn preview_upsert_task(
        &self,
        new: &NewTaskDefinition,
    ) -> Result<(TaskDefinition, bool), StoreError> {
        delegate!(self, s => s.preview_upsert_task(new))
    }
    async fn get_task(&self, task_name: &str) -> Result<Option<TaskDefinition>, StoreError> {
        delegate!(self, s => s.get_task(task_name))
    }
    async fn find_tasks(&self, reference: &str) -> Result<Vec<TaskDefinition>, StoreError> {
        delegate!(self, s => s.find_tasks(reference))
    }
    async fn list_tasks(&self, category: Option<&str>) -> Result<Vec<TaskSummary>, StoreError> {
        delegate!(self, s => s.list_tasks(category))
    }
    async fn delete_task(&self, task_name: &str) -> Result<bool, StoreError> {
        delegate!(self, s => s.delete_task(task_name))
    }
}

impl ScheduleStore for AnyStore {
    fn backend(&self) -> Backend {
        match &self.0 {
            Inner::Postgres(_) => Backend::Postgres,
            Inner::Sqlite(_) => Backend::Sqlite,
        }
    }
    async fn create_schedule(&self, new: &NewSchedule) -> Result<Schedule, StoreError> {
        delegate!(self, s => s.create_schedule(new))
    }
    async fn create_schedule_once(&self, new: &NewSchedule) -> Result<Creation, StoreError> {
        delegate!(self, s => s.create_schedule_once(new))
    }
    async fn preview_create(&self, new: &NewSchedule, once: bool) -> Result<Creation, StoreError> {
        delegate!(self, s => s.preview_create(new, once))
    }
    async fn preview_update(
        &self,
        next: &Schedule,
        name: &NameChoice,
        expected_updated_at: DateTime<Utc>,
    ) -> Result<Schedule, StoreError> {
        delegate!(self, s => s.preview_update(next, name, expected_updated_at))
    }
    async fn get_schedule(&self, id: Uuid) -> Result<Option<Schedule>, StoreError> {
        delegate!(self, s => s.get_schedule(id))
    }
    async fn find_candidates(&self, reference: &ScheduleRef) -> Result<Vec<Schedule>, StoreError> {
        delegate!(self, s => s.find_candidates(reference))
    }
    async fn list_schedules(&self, filter: &ScheduleFilter) -> Result<Vec<Schedule>, StoreError> {
        delegate!(self, s => s.list_schedules(filter))
    }
    async fn visit_schedules(
        &self,
        filter: &ScheduleFilter,
        visit: &mut (dyn FnMut(Schedule) + Send),
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.visit_schedules(filter, visit))
    }
    async fn update_schedule(
        &self,
        next: &Schedule,
        name: &NameChoice,
        expected_updated_at: DateTime<Utc>,
    ) -> Result<Schedule, StoreError> {
        delegate!(self, s => s.update_schedule(next, name, expected_updated_at))
    }
    async fn delete_schedules(&self, ids: &[Uuid]) -> Result<u64, StoreError> {
        delegate!(self, s => s.delete_schedules(ids))
    }
    async fn set_enabled(
        &self,
        ids: &[Uuid],
        switch: &Switch,
    ) -> Result<Vec<Schedule>, StoreError> {
        delegate!(self, s => s.set_enabled(ids, switch))
    }
    async fn resume_due(&self, now: DateTime<Utc>) -> Result<Vec<Schedule>, StoreError> {
        delegate!(self, s => s.resume_due(now))
    }
    async fn next_resume(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        delegate!(self, s => s.next_resume())
    }
    async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        delegate!(self, s => s.migrate())
    }
    async fn change_version(&self) -> Result<ChangeVersion, StoreError> {
        delegate!(self, s => s.change_version())
    }
    async fn changes_since(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Option<ChangeLog>, StoreError> {
        delegate!(self, s => s.changes_since(after, limit))
    }
    async fn status(&self) -> Result<DatabaseStatus, StoreError> {
        delegate!(self, s => s.status())
    }
}

impl BatchStore for AnyStore {
    async fn write_batch(
        &self,
        writes: &[BatchWrite],
    ) -> Result<Vec<Option<Schedule>>, StoreError> {
        delegate!(self, s => s.write_batch(writes))
    }
}
