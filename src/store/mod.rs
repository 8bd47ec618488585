//! Storage: one trait, two backends (Postgres and the embedded SQLite), chosen once by URL.
//!
//! Every write that touches several rows runs in one transaction. Functions return domain
//! types; SQL never leaves this module.

pub mod migrate;
pub mod postgres;
mod sql;
pub mod sqlite;

use std::future::Future;

use chrono::{DateTime, SubsecRound, Utc};
use uuid::Uuid;

use crate::config::{Backend, DatabaseTarget, Redacted};
use crate::domain::instance::BeatInstance;
use crate::domain::reference::ScheduleRef;
use crate::domain::run::{NewRun, Run, RunFilter, RunStatus};
use crate::domain::task::{NewTaskDefinition, TaskDefinition};
use crate::domain::{NameChoice, NewSchedule, Schedule};
use crate::error::{Classify, ErrorKind};

pub use migrate::MigrationReport;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// A schedule that a REF matched, listed when the REF is ambiguous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its task.
    pub task_name: String,
}

/// Failures of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The server cannot be reached or refused the connection.
    #[error("cannot connect to the {backend} database at {url}")]
    Unreachable {
        /// Which engine.
        backend: Backend,
        /// The URL, redacted when displayed.
        url: Redacted,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The Postgres schema is missing or behind this binary.
    #[error("the database at {url} is not migrated: {} migration(s) pending ({})", pending.len(), pending.join(", "))]
    NotMigrated {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// Descriptions of the pending migrations.
        pending: Vec<String>,
    },
    /// The schema was migrated by a newer stockura.
    #[error(
        "the database at {url} has schema version {found}, newer than this stockura knows ({known})"
    )]
    TooNew {
        /// The URL, redacted when displayed.
        url: Redacted,
        /// The newest applied version.
        found: i64,
        /// The newest version this binary has.
        known: i64,
    },
    /// The database URL cannot be parsed.
    #[error("the {backend} database URL {url} cannot be parsed")]
    InvalidUrl {
        /// Which engine.
        backend: Backend,
        /// The URL, redacted when displayed.
        url: Redacted,
        /// The driver's complaint.
        #[source]
        source: sqlx::Error,
    },
    /// Nothing matched a REF.
    #[error("no schedule matches '{reference}'")]
    NotFound {
        /// The REF as given.
        reference: String,
    },
    /// A REF matched several schedules.
    #[error("'{reference}' matches {} schedules:{}", candidates.len(), format_candidates(candidates))]
    Ambiguous {
        /// The REF as given.
        reference: String,
        /// What it matched.
        candidates: Vec<Candidate>,
    },
    /// No task definition matches a TASK argument.
    #[error("no task definition matches '{reference}'")]
    TaskNotFound {
        /// The TASK as given.
        reference: String,
    },
    /// A short TASK name matches several definitions.
    #[error("'{reference}' matches {} task definitions: {}", names.len(), names.join(", "))]
    TaskAmbiguous {
        /// The TASK as given.
        reference: String,
        /// The full task names it matched.
        names: Vec<String>,
    },
    /// The row changed since it was read.
    #[error(
        "schedule '{name}' ({id}) was changed by someone else after it was read; nothing was written"
    )]
    Conflict {
        /// Its id.
        id: Uuid,
        /// Its name when read.
        name: String,
    },
    /// A row holds a value this version cannot read.
    #[error("schedule {id} has an unreadable {column}: {problem}")]
    Corrupt {
        /// The row.
        id: String,
        /// The column.
        column: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// An explicit SQLite URL names a file that does not exist. Only `stockura migrate` (and
    /// the embedded default) create one, so that a mistyped path creates nothing.
    #[error("no SQLite database at {path}")]
    NoDatabase {
        /// The file, as the URL names it.
        path: String,
    },
    /// A write to a SQLite database that is read-only: its file or its directory is not
    /// writable, so it was opened read-only (reads work).
    #[error("cannot {what}: the SQLite database is read-only")]
    ReadOnly {
        /// What needed to write.
        what: String,
        /// The driver's refusal, when a statement was refused.
        #[source]
        source: Option<sqlx::Error>,
    },
    /// The embedded database's directory cannot be created.
    #[error("cannot create the data directory {path}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database did not answer a statement in time (a hung server or connection), or
    /// was found down by an earlier statement: the scheduler goes on without waiting for it.
    #[error("the database did not answer {what}")]
    NoAnswer {
        /// Which statement, and how long it was given.
        what: String,
    },
    /// Any other database error.
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    /// A statement SQLite refused because the database is read-only becomes
    /// [`StoreError::ReadOnly`]; anything else is [`StoreError::Database`].
    fn from(e: sqlx::Error) -> Self {
        if sqlite_read_only(&e) {
            Self::ReadOnly {
                what: "write".into(),
                source: Some(e),
            }
        } else {
            Self::Database(e)
        }
    }
}

/// Whether SQLite refused a statement because the database is read-only (`SQLITE_READONLY`
/// and its extended codes).
fn sqlite_read_only(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
        && db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| code & 0xff == 8)
}

/// Runs a statement with a deadline: a database that hangs (the connection open, no answer)
/// fails it with [`StoreError::NoAnswer`] after `limit` instead of stalling the caller.
pub async fn within<T>(
    limit: std::time::Duration,
    what: &str,
    statement: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(limit, statement).await {
        Ok(result) => result,
        Err(_) => Err(StoreError::NoAnswer {
            what: format!("{what} within {} ms", limit.as_millis()),
        }),
    }
}

/// How long a statement runs before [`within_unless_refused`] asks whether the server refuses
/// connections.
pub const REFUSAL_PROBE_AFTER: std::time::Duration = std::time::Duration::from_millis(150);

/// [`within`], and fails as soon as the server is found to refuse connections: a stopped or
/// restarting Postgres makes the pool retry its connection until its acquire timeout (5 s),
/// which would hold a boundary's claim that long. After [`REFUSAL_PROBE_AFTER`] one fresh
/// connection is attempted; refused, the statement is abandoned at once (it never reached the
/// server, whose refusal the pool is retrying).
pub async fn within_unless_refused<S: RunStore + ?Sized, T>(
    store: &S,
    limit: std::time::Duration,
    what: &str,
    statement: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let refused = async {
        tokio::time::sleep(REFUSAL_PROBE_AFTER).await;
        if !store.refuses_connections().await {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = within(limit, what, statement) => result,
        () = refused => Err(StoreError::NoAnswer {
            what: format!("{what}: the database refuses connections"),
        }),
    }
}

fn format_candidates(candidates: &[Candidate]) -> String {
    candidates
        .iter()
        .map(|c| {
            // One line each, whatever another program wrote in the name.
            let text = |t| crate::domain::params::escape_unprintable(t, false);
            format!("\n  {}  {}  ({})", c.id, text(&c.name), text(&c.task_name))
        })
        .collect()
}

impl Classify for StoreError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Unreachable { .. }
            | Self::NoAnswer { .. }
            | Self::NotMigrated { .. }
            | Self::TooNew { .. }
            | Self::NoDatabase { .. }
            | Self::ReadOnly { .. }
            | Self::DataDir { .. } => ErrorKind::Unavailable,
            Self::NotFound { .. } | Self::TaskNotFound { .. } => ErrorKind::NotFound,
            Self::Ambiguous { .. } | Self::TaskAmbiguous { .. } => ErrorKind::Ambiguous,
            Self::Conflict { .. } => ErrorKind::Conflict,
            Self::InvalidUrl { .. } => ErrorKind::InvalidInput,
            Self::Database(e) if rejected_value(e) => ErrorKind::InvalidInput,
            Self::Corrupt { .. } | Self::Database(_) => ErrorKind::Internal,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            Self::Unreachable { backend: Backend::Sqlite, .. } => {
                "check that the directory exists and is writable, and that DATABASE_URL (or --database-url) is right"
                    .into()
            }
            Self::Unreachable { source, .. } => postgres_refusal_hint(source).unwrap_or_else(|| {
                "check that the server is running and that DATABASE_URL (or --database-url) is right".into()
            }),
            Self::NotMigrated { .. } => "run `stockura migrate` with the same DATABASE_URL, then try again".into(),
            Self::TooNew { .. } => "upgrade stockura to the version that migrated this database".into(),
            Self::NotFound { reference } if short_prefix(reference) => format!(
                "'{reference}' looks like an id prefix, but a prefix needs at least {} hex digits: \
                 give more of the id (`stockura schedule list` shows them)",
                crate::domain::reference::MIN_PREFIX
            ),
            Self::NotFound { .. } => "run `stockura schedule list` to see ids and names".into(),
            Self::Ambiguous { .. } => "refer to one schedule by its id or a unique id prefix (at least 4 hex digits)".into(),
            Self::TaskNotFound { .. } => {
                "run `stockura task list` to see the defined tasks, or define it with `stockura task define`".into()
            }
            Self::TaskAmbiguous { .. } => "give the full task name".into(),
            Self::Conflict { .. } => "run the command again: it will apply to the current state".into(),
            Self::Corrupt { .. } => "fix the row with SQL, or delete it with `stockura schedule delete`".into(),
            Self::DataDir { .. } => "set STOCKURA_HOME to a writable directory".into(),
            Self::NoDatabase { .. } => {
                "check the path in DATABASE_URL (or --database-url), or create the database there with `stockura migrate`"
                    .into()
            }
            Self::ReadOnly { .. } => {
                "the database file or its directory is not writable by this user, so it was opened read-only: make both \
                 writable to change it; reading commands (schedule list/show, task list/show, history) work as is"
                    .into()
            }
            Self::InvalidUrl { .. } => "check the URL; special characters in a password must be percent-encoded \
                                       (for example / as %2F, @ as %40, # as %23)"
                .into(),
            Self::Database(e) if rejected_value(e) => {
                "the database refused a value (too long, or a character or number it cannot store); nothing was written"
                    .into()
            }
            Self::NoAnswer { .. } => {
                "check the database server and the network to it; the scheduler retries".into()
            }
            Self::Database(_) => return None,
        })
    }

    fn json_fields(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        let candidates: Vec<serde_json::Value> = match self {
            Self::Ambiguous { candidates, .. } => candidates
                .iter()
                .map(|c| serde_json::json!({"id": c.id, "name": c.name, "task_name": c.task_name}))
                .collect(),
            Self::TaskAmbiguous { names, .. } => names
                .iter()
                .map(|n| serde_json::json!({"task_name": n}))
                .collect(),
            _ => return None,
        };
        let mut fields = serde_json::Map::new();
        fields.insert("candidates".into(), candidates.into());
        Some(fields)
    }
}

/// Whether a REF that matched nothing is hex too short to be taken as an id prefix.
fn short_prefix(reference: &str) -> bool {
    let digits = reference.chars().filter(char::is_ascii_hexdigit).count();
    (1..crate::domain::reference::MIN_PREFIX).contains(&digits)
        && reference.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// The fix for a Postgres server that answered but refused the connection, by the reason it
/// gave; `None` when it did not answer at all (then the server may not be running).
fn postgres_refusal_hint(source: &sqlx::Error) -> Option<String> {
    let code = source.as_database_error()?.code()?;
    Some(match code.as_ref() {
        "3D000" => "the server is running but has no such database: create it (`createdb NAME`), \
                    or fix the database name at the end of DATABASE_URL"
            .into(),
        "28000" => "the server is running but refused this user: create the role, or fix the user \
                    name in DATABASE_URL"
            .into(),
        "28P01" => "the server is running but the password is wrong: fix it in DATABASE_URL \
                    (special characters percent-encoded)"
            .into(),
        "53300" => "the server is running but has no connection slot left: raise max_connections \
                    or close idle clients"
            .into(),
        _ => return None,
    })
}

/// Whether the database refused a value rather than failed: a Postgres data exception or
/// integrity violation (SQLSTATE classes 22 and 23), or a SQLite constraint.
fn rejected_value(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    let code = db.code().unwrap_or_default();
    code.starts_with("22") || code.starts_with("23") || db.message().contains("constraint failed")
}

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

    /// Enables or disables these schedules in one transaction; returns them afterwards.
    fn set_enabled(
        &self,
        ids: &[Uuid],
        enabled: bool,
    ) -> impl Future<Output = Result<Vec<Schedule>, StoreError>> + Send;

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

    /// Runs matching the filter, newest slot first.
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

/// The one definition a TASK argument names: the exact task name, else the one task whose
/// last dotted segment it is.
pub async fn resolve_task<S: TaskStore>(
    store: &S,
    reference: &str,
) -> Result<TaskDefinition, StoreError> {
    let found = store.find_tasks(reference).await?;
    if let Some(exact) = found.iter().find(|t| t.task_name == reference) {
        return Ok(exact.clone());
    }
    match found.len() {
        0 => Err(StoreError::TaskNotFound {
            reference: reference.to_string(),
        }),
        1 => Ok(found.into_iter().next().expect("one element")),
        _ => Err(StoreError::TaskAmbiguous {
            reference: reference.to_string(),
            names: found.into_iter().map(|t| t.task_name).collect(),
        }),
    }
}

/// The definition a schedule's TASK argument names, if any (see
/// [`crate::domain::task::match_definition`]): the exact task name, else the one definition
/// whose last dotted segment it is. Several such definitions fail with
/// [`StoreError::TaskAmbiguous`]; none is `None`.
pub async fn definition_for<S: TaskStore>(
    store: &S,
    task: &str,
) -> Result<Option<TaskDefinition>, StoreError> {
    use crate::domain::task::{TaskMatch, match_definition};
    let found = store.find_tasks(task).await?;
    match match_definition(&found, task) {
        TaskMatch::Exact(d) | TaskMatch::Short(d) => Ok(Some(d.clone())),
        TaskMatch::None => Ok(None),
        TaskMatch::Ambiguous => Err(StoreError::TaskAmbiguous {
            reference: task.to_string(),
            names: found.into_iter().map(|t| t.task_name).collect(),
        }),
    }
}

/// The one schedule a REF names, or NotFound / Ambiguous.
pub async fn resolve<S: ScheduleStore>(
    store: &S,
    reference: &ScheduleRef,
) -> Result<Schedule, StoreError> {
    let mut found = store.find_candidates(reference).await?;
    match found.len() {
        0 => Err(StoreError::NotFound {
            reference: reference.display(),
        }),
        1 => Ok(found.remove(0)),
        _ => Err(StoreError::Ambiguous {
            reference: reference.display(),
            candidates: found
                .into_iter()
                .map(|s| Candidate {
                    id: s.id,
                    name: s.name,
                    task_name: s.task_name,
                })
                .collect(),
        }),
    }
}

/// Resolves several REFs, failing on the first that does not name exactly one schedule.
/// Duplicates collapse; order is kept.
pub async fn resolve_all<S: ScheduleStore>(
    store: &S,
    refs: &[String],
) -> Result<Vec<Schedule>, StoreError> {
    let mut out: Vec<Schedule> = Vec::with_capacity(refs.len());
    for r in refs {
        let schedule = resolve(store, &ScheduleRef::parse(r)).await?;
        if !out.iter().any(|s| s.id == schedule.id) {
            out.push(schedule);
        }
    }
    Ok(out)
}

/// Either backend, chosen once from the URL.
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// PostgreSQL.
    Postgres(PgStore),
    /// The embedded SQLite database.
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
                Ok(Self::Postgres(store))
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
                Ok(Self::Sqlite(store))
            }
        }
    }
}

impl AnyStore {
    /// Whether the database was opened read-only (a SQLite file or directory that is not
    /// writable): reads work, writes fail with [`StoreError::ReadOnly`].
    pub fn is_read_only(&self) -> bool {
        match self {
            Self::Postgres(_) => false,
            Self::Sqlite(store) => store.is_read_only(),
        }
    }
}

/// The [`TaskStore`] methods that are the same SQL on every backend, written once over the
/// backend's `tasks_where(clause, binds)` and `pool`.
macro_rules! task_queries {
    () => {
        async fn get_task(&self, task_name: &str) -> Result<Option<TaskDefinition>, StoreError> {
            let found = self
                .tasks_where(
                    " WHERE t.task_name = $1",
                    &[Bind::Text(task_name.to_string())],
                )
                .await?;
            Ok(found.into_iter().next().map(|s| s.task))
        }

        async fn find_tasks(&self, reference: &str) -> Result<Vec<TaskDefinition>, StoreError> {
            let (clause, binds) = sql::task_reference(Self::DIALECT, reference);
            Ok(self
                .tasks_where(&clause, &binds)
                .await?
                .into_iter()
                .map(|s| s.task)
                .collect())
        }

        async fn list_tasks(&self, category: Option<&str>) -> Result<Vec<TaskSummary>, StoreError> {
            match category {
                Some(c) => {
                    self.tasks_where(" WHERE t.category = $1", &[Bind::Text(c.to_string())])
                        .await
                }
                None => self.tasks_where("", &[]).await,
            }
        }

        async fn delete_task(&self, task_name: &str) -> Result<bool, StoreError> {
            let done = sqlx::query("DELETE FROM task_definitions WHERE task_name = $1")
                .bind(task_name)
                .execute(&self.pool)
                .await?;
            Ok(done.rows_affected() > 0)
        }
    };
}
pub(crate) use task_queries;

/// The inherent `tasks_where` helper of a backend: one listing query for every task lookup.
macro_rules! task_lookup {
    ($store:ty, $dialect:expr) => {
        impl $store {
            const DIALECT: Dialect = $dialect;

            async fn tasks_where(
                &self,
                clause: &str,
                binds: &[Bind],
            ) -> Result<Vec<TaskSummary>, StoreError> {
                let text = format!(
                    "SELECT {} FROM task_definitions t{clause} ORDER BY t.task_name",
                    sql::TASK_COLUMNS
                );
                let rows = bind_all(sqlx::query(&text), binds)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(decode_task).collect()
            }
        }
    };
}
pub(crate) use task_lookup;

macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Postgres($store) => $call.await,
            AnyStore::Sqlite($store) => $call.await,
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
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
    async fn create_schedule(&self, new: &NewSchedule) -> Result<Schedule, StoreError> {
        delegate!(self, s => s.create_schedule(new))
    }
    async fn create_schedule_once(&self, new: &NewSchedule) -> Result<Creation, StoreError> {
        delegate!(self, s => s.create_schedule_once(new))
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
    async fn set_enabled(&self, ids: &[Uuid], enabled: bool) -> Result<Vec<Schedule>, StoreError> {
        delegate!(self, s => s.set_enabled(ids, enabled))
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
        last_run_at: new.last_run_at,
        total_run_count: 0,
        created_at: now,
        updated_at: now,
        unreadable: Vec::new(),
    }
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

impl BatchStore for AnyStore {
    async fn write_batch(
        &self,
        writes: &[BatchWrite],
    ) -> Result<Vec<Option<Schedule>>, StoreError> {
        delegate!(self, s => s.write_batch(writes))
    }
}
