//! What both backends do the same way, written once: inserts with a free generated name,
//! writes planned from an earlier read (checked against the row's `updated_at`), batches, REF
//! lookups and task definitions.
//!
//! A backend takes part by implementing [`Engine`]: how it opens a write transaction, binds a
//! [`Bind`] and decodes a row. The statements come from [`sql`] in the backend's [`Dialect`].
//! Task definitions and batches need nothing else, so every engine is a [`TaskStore`] and a
//! [`BatchStore`] through the blanket implementations below; with the few schedule operations
//! each backend runs its own way ([`NativeSchedules`]) it is a [`ScheduleStore`] too.

use std::future::Future;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::Database;
use sqlx::pool::PoolConnection;
use uuid::Uuid;

use super::sql::{self, Bind, Dialect, Where};
use super::{
    BatchStore, BatchWrite, ChangeLog, ChangeVersion, Creation, DatabaseStatus, MigrationReport,
    ScheduleFilter, ScheduleStore, StoreError, TaskStore, TaskSummary,
};
use crate::config::Backend;
use crate::domain::pause::{Pause, Switch};
use crate::domain::reference::ScheduleRef;
use crate::domain::run::{NewRun, Run, RunFilter};
use crate::domain::task::{NewTaskDefinition, TaskDefinition};
use crate::domain::{NameChoice, NewSchedule, Schedule, naming};

/// A connection of an engine's database.
pub type Conn<E> = <<E as Engine>::Db as Database>::Connection;

/// A result row of an engine's database.
pub type Row<E> = <<E as Engine>::Db as Database>::Row;

/// A backend's primitives: everything the shared code needs that differs by database.
///
/// Public in a private module: nameable by the blanket implementations, not outside `store`.
pub trait Engine: Send + Sync {
    /// The sqlx database.
    type Db: Database;

    /// Its SQL dialect.
    const DIALECT: Dialect;

    /// Opens a transaction for writing. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a second writer waits at the start instead of failing at its
    /// first write; that lock also serialises what [`Engine::lock`] does on Postgres.
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, StoreError>> + Send;

    /// A pooled connection for reads.
    fn reader(&self) -> impl Future<Output = Result<PoolConnection<Self::Db>, StoreError>> + Send;

    /// Runs `statement` and returns its rows.
    fn rows(
        conn: &mut Conn<Self>,
        statement: &str,
        binds: &[Bind],
    ) -> impl Future<Output = Result<Vec<Row<Self>>, StoreError>> + Send;

    /// A schedule from a row of [`sql::COLUMNS`].
    fn schedule(row: &Row<Self>) -> Result<Schedule, StoreError>;

    /// A task definition from a row of [`sql::TASK_COLUMNS`].
    fn task(row: &Row<Self>) -> Result<TaskSummary, StoreError>;

    /// The first column of a row, which is text.
    fn text(row: &Row<Self>) -> Result<String, StoreError>;

    /// A run from a row of [`sql::RUN_COLUMNS`].
    fn run(row: &Row<Self>) -> Result<Run, StoreError>;

    /// Runs `statement`; returns how many rows it changed.
    fn execute(
        conn: &mut Conn<Self>,
        statement: &str,
        binds: &[Bind],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Serialises the writers that name `key` until the transaction ends: a transaction-level
    /// advisory lock on Postgres; nothing on SQLite, where [`Engine::begin_write`] already
    /// admits one writer at a time.
    fn lock(
        conn: &mut Conn<Self>,
        key: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The schedule operations each backend runs its own way (SQLite reads schedules in pages,
/// Postgres switches `enabled` in one statement, each has its own migrations and status);
/// every other [`ScheduleStore`] method is written once, below, over [`Engine`].
pub trait NativeSchedules: Engine {
    /// See [`ScheduleStore::backend`].
    fn backend(&self) -> Backend;

    /// See [`ScheduleStore::visit_schedules`].
    fn visit_schedules(
        &self,
        filter: &ScheduleFilter,
        visit: &mut (dyn FnMut(Schedule) + Send),
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// See [`ScheduleStore::set_enabled`].
    fn set_enabled(
        &self,
        ids: &[Uuid],
        switch: &Switch,
    ) -> impl Future<Output = Result<Vec<Schedule>, StoreError>> + Send;

    /// See [`ScheduleStore::change_version`].
    fn change_version(&self) -> impl Future<Output = Result<ChangeVersion, StoreError>> + Send;

    /// See [`ScheduleStore::changes_since`].
    fn changes_since(
        &self,
        after: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Option<ChangeLog>, StoreError>> + Send;

    /// See [`ScheduleStore::status`].
    fn status(&self) -> impl Future<Output = Result<DatabaseStatus, StoreError>> + Send;

    /// See [`ScheduleStore::migrate`].
    fn migrate(&self) -> impl Future<Output = Result<MigrationReport, StoreError>> + Send;
}

impl<E: NativeSchedules> ScheduleStore for E {
    fn backend(&self) -> Backend {
        NativeSchedules::backend(self)
    }

    async fn create_schedule(&self, new: &NewSchedule) -> Result<Schedule, StoreError> {
        create_schedule(self, new, Mode::Keep).await
    }

    async fn create_schedule_once(&self, new: &NewSchedule) -> Result<Creation, StoreError> {
        create_schedule_once(self, new, Mode::Keep).await
    }

    async fn preview_create(&self, new: &NewSchedule, once: bool) -> Result<Creation, StoreError> {
        if once {
            create_schedule_once(self, new, Mode::RollBack).await
        } else {
            create_schedule(self, new, Mode::RollBack)
                .await
                .map(Creation::Created)
        }
    }

    async fn preview_update(
        &self,
        next: &Schedule,
        name: &NameChoice,
        expected_updated_at: DateTime<Utc>,
    ) -> Result<Schedule, StoreError> {
        update_schedule(self, next, name, expected_updated_at, Mode::RollBack).await
    }

    async fn get_schedule(&self, id: Uuid) -> Result<Option<Schedule>, StoreError> {
        get_schedule(self, id).await
    }

    async fn find_candidates(&self, reference: &ScheduleRef) -> Result<Vec<Schedule>, StoreError> {
        find_candidates(self, reference).await
    }

    async fn list_schedules(&self, filter: &ScheduleFilter) -> Result<Vec<Schedule>, StoreError> {
        let mut out = Vec::new();
        NativeSchedules::visit_schedules(self, filter, &mut |s| out.push(s)).await?;
        Ok(out)
    }

    async fn visit_schedules(
        &self,
        filter: &ScheduleFilter,
        visit: &mut (dyn FnMut(Schedule) + Send),
    ) -> Result<(), StoreError> {
        NativeSchedules::visit_schedules(self, filter, visit).await
    }

    async fn update_schedule(
        &self,
        next: &Schedule,
        name: &NameChoice,
        expected_updated_at: DateTime<Utc>,
    ) -> Result<Schedule, StoreError> {
        update_schedule(self, next, name, expected_updated_at, Mode::Keep).await
    }

    async fn delete_schedules(&self, ids: &[Uuid]) -> Result<u64, StoreError> {
        delete_schedules(self, ids).await
    }

    async fn set_enabled(
        &self,
        ids: &[Uuid],
        switch: &Switch,
    ) -> Result<Vec<Schedule>, StoreError> {
        NativeSchedules::set_enabled(self, ids, switch).await
    }

    async fn resume_due(&self, now: DateTime<Utc>) -> Result<Vec<Schedule>, StoreError> {
        resume_due(self, now).await
    }

    async fn next_resume(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        next_resume(self).await
    }

    async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        NativeSchedules::migrate(self).await
    }

    async fn change_version(&self) -> Result<ChangeVersion, StoreError> {
        NativeSchedules::change_version(self).await
    }

    async fn changes_since(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Option<ChangeLog>, StoreError> {
        NativeSchedules::changes_since(self, after, limit).await
    }

    async fn status(&self) -> Result<DatabaseStatus, StoreError> {
        NativeSchedules::status(self).await
    }
}

/// The time a write stamps: now at microsecond precision (what Postgres keeps), and always
/// after `previous` so that `updated_at` works as a version.
pub(crate) fn write_time(previous: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let now = Utc::now().trunc_subsecs(6);
    match previous {
        Some(p) if now <= p => p + chrono::Duration::microseconds(1),
        _ => now,
    }
}

/// The row a [`NewSchedule`] becomes, with a fresh id.
pub(crate) fn new_row(new: &NewSchedule, name: String, now: DateTime<Utc>) -> Schedule {
    Schedule {
        id: Uuid::new_v4(),
        name,
        task_name: new.task_name.clone(),
        cron_expression: new.cron_expression.clone(),
        timezone: new.timezone.clone(),
        enabled: new.enabled,
        args: new.args.clone(),
        kwargs: new.kwargs.clone(),
        description: new.description.clone(),
        category: new.category.clone(),
        tags: new.tags.clone(),
        execution_policy: new.execution_policy,
        auto_generated_name: new.name.is_auto(),
        options: new.options.clone(),
        jitter: new.jitter,
        last_run_at: new.last_run_at,
        total_run_count: 0,
        created_at: now,
        updated_at: now,
        pause: Pause::default(),
        resumed_at: None,
        unreadable: Vec::new(),
    }
}

/// The schedules `statement` returns.
async fn schedules<E: Engine>(
    conn: &mut Conn<E>,
    statement: &str,
    binds: &[Bind],
) -> Result<Vec<Schedule>, StoreError> {
    E::rows(conn, statement, binds)
        .await?
        .iter()
        .map(E::schedule)
        .collect()
}

/// The first column of every row `statement` returns.
async fn texts<E: Engine>(
    conn: &mut Conn<E>,
    statement: &str,
    binds: &[Bind],
) -> Result<Vec<String>, StoreError> {
    E::rows(conn, statement, binds)
        .await?
        .iter()
        .map(E::text)
        .collect()
}

/// `SELECT` of whole schedule rows.
pub(super) fn select(clause: &Where, suffix: &str) -> String {
    format!(
        "SELECT {} FROM celery_beat_schedules{}{suffix}",
        sql::COLUMNS,
        clause.sql()
    )
}

/// The name a write gives its row: an explicit or kept name as is, a generated one with the
/// first free `_N` suffix among the other rows (under a lock on the base name, inside the
/// write's transaction, so two writers cannot pick the same one).
async fn free_name<E: Engine>(
    conn: &mut Conn<E>,
    choice: &NameChoice,
    except: Option<Uuid>,
) -> Result<String, StoreError> {
    match choice {
        NameChoice::Explicit(name) | NameChoice::KeepAuto(name) => Ok(name.clone()),
        NameChoice::Auto(base) => {
            E::lock(conn, &format!("stockura:name:{base}")).await?;
            let w = Where::name_family(E::DIALECT, base, except);
            let text = format!("SELECT name FROM celery_beat_schedules{}", w.sql());
            let taken = texts::<E>(conn, &text, &w.binds).await?;
            Ok(naming::first_free(base, taken.iter().map(String::as_str)))
        }
    }
}

/// The one row a statement returned.
fn the_row(mut rows: Vec<Schedule>) -> Result<Schedule, StoreError> {
    rows.pop()
        .ok_or(StoreError::Database(sqlx::Error::RowNotFound))
}

/// Inserts a new schedule (with a free name) inside the caller's transaction.
pub(super) async fn insert_new<E: Engine>(
    conn: &mut Conn<E>,
    new: &NewSchedule,
) -> Result<Schedule, StoreError> {
    let now = write_time(None);
    let schedule = new_row(new, free_name::<E>(conn, &new.name, None).await?, now);
    let mut binds = sql::editable(&schedule);
    binds.extend([
        Bind::OptTime(schedule.last_run_at),
        Bind::Int(schedule.total_run_count),
        Bind::Time(now),
        Bind::Time(now),
    ]);
    let text = format!("{} RETURNING {}", sql::INSERT, sql::COLUMNS);
    the_row(schedules::<E>(conn, &text, &binds).await?)
}

/// Overwrites a row that still has `expected_updated_at`; `None` when it does not (changed or
/// deleted meanwhile: see [`conflict_or_not_found`]).
async fn overwrite<E: Engine>(
    conn: &mut Conn<E>,
    next: &Schedule,
    name: &NameChoice,
    expected_updated_at: DateTime<Utc>,
) -> Result<Option<Schedule>, StoreError> {
    let mut row_state = next.clone();
    row_state.name = free_name::<E>(conn, name, Some(next.id)).await?;
    row_state.auto_generated_name = name.is_auto();
    let mut binds = sql::editable(&row_state);
    binds.extend([
        Bind::Time(write_time(Some(expected_updated_at))),
        Bind::Time(expected_updated_at),
        Bind::OptTime(row_state.pause.at),
        Bind::OptText(row_state.pause.by.clone()),
    ]);
    Ok(schedules::<E>(conn, &sql::update(E::DIALECT), &binds)
        .await?
        .pop())
}

/// Deletes a row that still has `expected_updated_at`; `false` when it does not.
async fn delete_unchanged<E: Engine>(
    conn: &mut Conn<E>,
    id: Uuid,
    expected_updated_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let w = Where::ids(E::DIALECT, &[id]).unchanged_since(expected_updated_at);
    let text = format!("DELETE FROM celery_beat_schedules{}", w.sql());
    Ok(E::execute(conn, &text, &w.binds).await? == 1)
}

/// Why a checked write found no row to change: the row is still there, so it changed since it
/// was read ([`StoreError::Conflict`]), or it is gone ([`StoreError::NotFound`]).
async fn conflict_or_not_found<E: Engine>(
    conn: &mut Conn<E>,
    id: Uuid,
    name: String,
) -> StoreError {
    let w = Where::ids(E::DIALECT, &[id]);
    let text = format!(
        "SELECT CAST(id AS TEXT) FROM celery_beat_schedules{}",
        w.sql()
    );
    match texts::<E>(conn, &text, &w.binds).await {
        Ok(found) if found.is_empty() => StoreError::NotFound {
            reference: id.to_string(),
        },
        Ok(_) => StoreError::Conflict { id, name },
        Err(e) => e,
    }
}

/// Whether a write is kept, or run in full and rolled back (a dry run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Commit.
    Keep,
    /// Roll back: every statement ran, nothing is written.
    RollBack,
}

/// Ends a write transaction as `mode` says.
async fn finish<E: Engine>(
    tx: sqlx::Transaction<'static, E::Db>,
    mode: Mode,
) -> Result<(), StoreError> {
    match mode {
        Mode::Keep => tx.commit().await?,
        Mode::RollBack => tx.rollback().await?,
    }
    Ok(())
}

/// [`ScheduleStore::create_schedule`](super::ScheduleStore::create_schedule).
pub(super) async fn create_schedule<E: Engine>(
    engine: &E,
    new: &NewSchedule,
    mode: Mode,
) -> Result<Schedule, StoreError> {
    let mut tx = engine.begin_write().await?;
    let created = insert_new::<E>(&mut tx, new).await?;
    finish::<E>(tx, mode).await?;
    Ok(created)
}

/// [`ScheduleStore::create_schedule_once`](super::ScheduleStore::create_schedule_once).
pub(super) async fn create_schedule_once<E: Engine>(
    engine: &E,
    new: &NewSchedule,
    mode: Mode,
) -> Result<Creation, StoreError> {
    let mut tx = engine.begin_write().await?;
    E::lock(&mut tx, &format!("stockura:task:{}", new.task_name)).await?;
    let w = Where::filter(
        E::DIALECT,
        &ScheduleFilter {
            task_name: Some(new.task_name.clone()),
            ..ScheduleFilter::default()
        },
    );
    let existing = schedules::<E>(&mut tx, &select(&w, sql::ORDER), &w.binds).await?;
    if let Some(same) = existing.into_iter().find(|s| new.same_job_as(s)) {
        return Ok(Creation::Exists(same));
    }
    let created = insert_new::<E>(&mut tx, new).await?;
    finish::<E>(tx, mode).await?;
    Ok(Creation::Created(created))
}

/// [`ScheduleStore::get_schedule`](super::ScheduleStore::get_schedule).
pub(super) async fn get_schedule<E: Engine>(
    engine: &E,
    id: Uuid,
) -> Result<Option<Schedule>, StoreError> {
    let w = Where::ids(E::DIALECT, &[id]);
    Ok(
        schedules::<E>(&mut *engine.reader().await?, &select(&w, ""), &w.binds)
            .await?
            .pop(),
    )
}

/// [`ScheduleStore::find_candidates`](super::ScheduleStore::find_candidates).
pub(super) async fn find_candidates<E: Engine>(
    engine: &E,
    reference: &ScheduleRef,
) -> Result<Vec<Schedule>, StoreError> {
    let w = Where::reference(E::DIALECT, reference);
    schedules::<E>(
        &mut *engine.reader().await?,
        &select(&w, sql::ORDER),
        &w.binds,
    )
    .await
}

/// [`ScheduleStore::update_schedule`](super::ScheduleStore::update_schedule).
pub(super) async fn update_schedule<E: Engine>(
    engine: &E,
    next: &Schedule,
    name: &NameChoice,
    expected_updated_at: DateTime<Utc>,
    mode: Mode,
) -> Result<Schedule, StoreError> {
    let mut tx = engine.begin_write().await?;
    match overwrite::<E>(&mut tx, next, name, expected_updated_at).await? {
        Some(updated) => {
            finish::<E>(tx, mode).await?;
            Ok(updated)
        }
        None => Err(conflict_or_not_found::<E>(&mut tx, next.id, next.name.clone()).await),
    }
}

/// [`ScheduleStore::delete_schedules`](super::ScheduleStore::delete_schedules).
pub(super) async fn delete_schedules<E: Engine>(
    engine: &E,
    ids: &[Uuid],
) -> Result<u64, StoreError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut tx = engine.begin_write().await?;
    let w = Where::ids(E::DIALECT, ids);
    let text = format!("DELETE FROM celery_beat_schedules{}", w.sql());
    let deleted = E::execute(&mut tx, &text, &w.binds).await?;
    tx.commit().await?;
    Ok(deleted)
}

/// Schedules that are off and resume by themselves (`paused_until`).
fn resuming(dialect: Dialect) -> Where {
    Where::new(dialect)
        .and("enabled = {}", Bind::Bool(false))
        .and_raw("paused_until IS NOT NULL")
}

/// [`ScheduleStore::resume_due`](super::ScheduleStore::resume_due).
pub(super) async fn resume_due<E: Engine>(
    engine: &E,
    now: DateTime<Utc>,
) -> Result<Vec<Schedule>, StoreError> {
    let mut tx = engine.begin_write().await?;
    // Few rows: the schedules paused with an until. Compared here rather than in SQL, where
    // SQLite's times are text (another program may have written them in another form).
    let w = resuming(E::DIALECT);
    let due: Vec<Schedule> =
        schedules::<E>(&mut tx, &select(&w, " ORDER BY paused_until"), &w.binds)
            .await?
            .into_iter()
            .filter(|s| s.pause.until.is_some_and(|until| until <= now))
            .collect();
    let mut resumed = Vec::with_capacity(due.len());
    for s in due {
        let Some(until) = s.pause.until else { continue };
        let (set, mut binds) = sql::switch_set(&Switch::On { at: until }, 1);
        let n = binds.len();
        binds.extend([Bind::Time(write_time(Some(s.updated_at))), Bind::Id(s.id)]);
        // Still off and paused: another writer may have resumed it since the read (Postgres).
        let text = format!(
            "UPDATE celery_beat_schedules SET {set}, updated_at = ${} WHERE id = ${} \
             AND enabled = ${} AND paused_until IS NOT NULL RETURNING {}",
            n + 1,
            n + 2,
            n + 3,
            sql::COLUMNS
        );
        binds.push(Bind::Bool(false));
        resumed.extend(schedules::<E>(&mut tx, &text, &binds).await?);
    }
    tx.commit().await?;
    Ok(resumed)
}

/// [`ScheduleStore::next_resume`](super::ScheduleStore::next_resume).
pub(super) async fn next_resume<E: Engine>(
    engine: &E,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let w = resuming(E::DIALECT);
    let rows = schedules::<E>(&mut *engine.reader().await?, &select(&w, ""), &w.binds).await?;
    Ok(rows.iter().filter_map(|s| s.pause.until).min())
}

impl<E: Engine> BatchStore for E {
    async fn write_batch(
        &self,
        writes: &[BatchWrite],
    ) -> Result<Vec<Option<Schedule>>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut written = Vec::with_capacity(writes.len());
        for write in writes {
            match write {
                BatchWrite::Create(new) => written.push(Some(insert_new::<E>(&mut tx, new).await?)),
                BatchWrite::DefineTask(new) => {
                    upsert_task_in::<E>(&mut tx, new, Uuid::new_v4()).await?;
                    written.push(None);
                }
                BatchWrite::Update {
                    next,
                    name,
                    expected_updated_at,
                } => match overwrite::<E>(&mut tx, next, name, *expected_updated_at).await? {
                    Some(row) => written.push(Some(row)),
                    None => {
                        return Err(conflict_or_not_found::<E>(
                            &mut tx,
                            next.id,
                            next.name.clone(),
                        )
                        .await);
                    }
                },
                BatchWrite::Delete {
                    id,
                    name,
                    expected_updated_at,
                } => {
                    if !delete_unchanged::<E>(&mut tx, *id, *expected_updated_at).await? {
                        return Err(conflict_or_not_found::<E>(&mut tx, *id, name.clone()).await);
                    }
                    written.push(None);
                }
            }
        }
        tx.commit().await?;
        Ok(written)
    }
}

/// Creates or replaces a task definition inside the caller's transaction; returns whether it
/// was created (the stored id is `id`).
async fn upsert_task_in<E: Engine>(
    conn: &mut Conn<E>,
    new: &NewTaskDefinition,
    id: Uuid,
) -> Result<bool, StoreError> {
    let binds = [
        Bind::Id(id),
        Bind::Text(new.task_name.clone()),
        Bind::OptText(new.category.clone()),
        Bind::OptText(new.description.clone()),
        Bind::OptJson(new.parameter_schema.clone()),
        Bind::Time(write_time(None)),
    ];
    let stored = texts::<E>(conn, sql::UPSERT_TASK, &binds).await?;
    Ok(stored.first().is_some_and(|s| *s == id.to_string()))
}

/// Creates or replaces a definition and reads it back, in one transaction ended as `mode`
/// says; whether it was created.
async fn upsert_task<E: Engine>(
    engine: &E,
    new: &NewTaskDefinition,
    mode: Mode,
) -> Result<(TaskDefinition, bool), StoreError> {
    let mut tx = engine.begin_write().await?;
    let created = upsert_task_in::<E>(&mut tx, new, Uuid::new_v4()).await?;
    let text = format!(
        "SELECT {} FROM task_definitions t WHERE t.task_name = $1",
        sql::TASK_COLUMNS
    );
    let found = E::rows(&mut tx, &text, &[Bind::Text(new.task_name.clone())])
        .await?
        .iter()
        .map(E::task)
        .next()
        .transpose()?;
    finish::<E>(tx, mode).await?;
    let task = found.ok_or(StoreError::TaskNotFound {
        reference: new.task_name.clone(),
    })?;
    Ok((task.task, created))
}

/// Every task definition a `WHERE` clause selects, with its schedule count, by task name.
async fn tasks_where<E: Engine>(
    engine: &E,
    clause: &str,
    binds: &[Bind],
) -> Result<Vec<TaskSummary>, StoreError> {
    let text = format!(
        "SELECT {} FROM task_definitions t{clause} ORDER BY t.task_name",
        sql::TASK_COLUMNS
    );
    E::rows(&mut *engine.reader().await?, &text, binds)
        .await?
        .iter()
        .map(E::task)
        .collect()
}

impl<E: Engine> TaskStore for E {
    async fn upsert_task(
        &self,
        new: &NewTaskDefinition,
    ) -> Result<(TaskDefinition, bool), StoreError> {
        upsert_task::<E>(self, new, Mode::Keep).await
    }

    async fn preview_upsert_task(
        &self,
        new: &NewTaskDefinition,
    ) -> Result<(TaskDefinition, bool), StoreError> {
        upsert_task::<E>(self, new, Mode::RollBack).await
    }

    async fn get_task(&self, task_name: &str) -> Result<Option<TaskDefinition>, StoreError> {
        let found = tasks_where(
            self,
            " WHERE t.task_name = $1",
            &[Bind::Text(task_name.to_string())],
        )
        .await?;
        Ok(found.into_iter().next().map(|s| s.task))
    }

    async fn find_tasks(&self, reference: &str) -> Result<Vec<TaskDefinition>, StoreError> {
        let (clause, binds) = sql::task_reference(E::DIALECT, reference);
        Ok(tasks_where(self, &clause, &binds)
            .await?
            .into_iter()
            .map(|s| s.task)
            .collect())
    }

    async fn list_tasks(&self, category: Option<&str>) -> Result<Vec<TaskSummary>, StoreError> {
        match category {
            Some(c) => {
                tasks_where(self, " WHERE t.category = $1", &[Bind::Text(c.to_string())]).await
            }
            None => tasks_where(self, "", &[]).await,
        }
    }

    async fn delete_task(&self, task_name: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let deleted = E::execute(
            &mut tx,
            "DELETE FROM task_definitions WHERE task_name = $1",
            &[Bind::Text(task_name.to_string())],
        )
        .await?;
        tx.commit().await?;
        Ok(deleted > 0)
    }
}

/// [`RunStore::list_runs`](super::RunStore::list_runs).
pub(super) async fn list_runs<E: Engine>(
    engine: &E,
    filter: &RunFilter,
) -> Result<Vec<Run>, StoreError> {
    let (text, binds) = sql::list_runs(E::DIALECT, filter);
    E::rows(&mut *engine.reader().await?, &text, &binds)
        .await?
        .iter()
        .map(E::run)
        .collect()
}

/// [`RunStore::slot_claims`](super::RunStore::slot_claims).
pub(super) async fn slot_claims<E: Engine>(
    engine: &E,
    schedule_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Run>, StoreError> {
    let binds = [Bind::Id(schedule_id), Bind::Time(from), Bind::Time(to)];
    E::rows(&mut *engine.reader().await?, &sql::slot_claims(), &binds)
        .await?
        .iter()
        .map(E::run)
        .collect()
}

/// [`RunStore::retake_run`](super::RunStore::retake_run).
pub(super) async fn retake_run<E: Engine>(
    engine: &E,
    id: i64,
    run: &NewRun,
) -> Result<bool, StoreError> {
    // The arguments as JSON values: one row, parsed once (the claim inserts bind their text).
    let json = |text: &str, empty: serde_json::Value| serde_json::from_str(text).unwrap_or(empty);
    let Some(task_id) = run.celery_task_id else {
        return Ok(false);
    };
    let binds = [
        Bind::Int(id),
        Bind::Text(run.trigger.as_str().to_string()),
        Bind::Id(task_id),
        Bind::OptText(run.push_marker.clone()),
        Bind::Json(json(run.arguments.args_text(), serde_json::json!([]))),
        Bind::Json(json(run.arguments.kwargs_text(), serde_json::json!({}))),
        Bind::OptText(run.detail.clone()),
    ];
    let mut tx = engine.begin_write().await?;
    let changed = E::execute(&mut tx, sql::RETAKE_RUN, &binds).await?;
    tx.commit().await?;
    Ok(changed == 1)
}

/// [`RunStore::latest_run_id`](super::RunStore::latest_run_id).
pub(super) async fn latest_run_id<E: Engine>(engine: &E) -> Result<i64, StoreError> {
    let text = "SELECT CAST(COALESCE(max(id), 0) AS TEXT) FROM schedule_runs";
    let found = texts::<E>(&mut *engine.reader().await?, text, &[]).await?;
    Ok(found.first().and_then(|t| t.parse().ok()).unwrap_or(0))
}

/// Aligns the rows an insert returned with the runs that were asked for.
pub(crate) fn align_claims(
    runs: &[NewRun],
    inserted: Vec<(i64, Option<Uuid>, DateTime<Utc>, String)>,
) -> Vec<Option<i64>> {
    // The databases keep microseconds: compare at that precision.
    let mut by_slot: std::collections::HashMap<(Option<Uuid>, DateTime<Utc>, String), Vec<i64>> =
        std::collections::HashMap::new();
    for (id, schedule, slot, trigger) in inserted {
        by_slot
            .entry((schedule, slot.trunc_subsecs(6), trigger))
            .or_default()
            .push(id);
    }
    // Rows of the same key that do not claim a slot (manual runs, dry runs) go in in input
    // order: the lowest id to the first of them.
    for ids in by_slot.values_mut() {
        ids.sort_unstable_by(|a, b| b.cmp(a));
    }
    runs.iter()
        .map(|r| {
            let key = (
                r.schedule_id,
                r.scheduled_for.trunc_subsecs(6),
                r.trigger.as_str().to_string(),
            );
            by_slot.get_mut(&key).and_then(Vec::pop)
        })
        .collect()
}
