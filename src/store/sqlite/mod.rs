//! The embedded SQLite backend: zero setup, migrated on first use; the embedded default is
//! created on first use, a file named by a URL only by `stockura migrate`.
//!
//! Here: opening the file (read-only when it cannot be written), binding and decoding in
//! SQLite's types (times as RFC 3339 text, JSON as text), the statements SQLite runs its own
//! way (schedules read in pages, run claims as one JSON document) and the heartbeats.
//! Migrations and the adoption of a table another program created are in [`migrate`]; the
//! writes both backends share in `store::shared`.

mod migrate;

use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde_json::Value;
use sqlx::query::Query;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteRow,
};
use sqlx::{FromRow, Row, Sqlite};
use uuid::Uuid;

use super::migrate::MigrationReport;
use super::shared::{self, Engine, NativeSchedules, select, write_time};
use super::sql::{self, Bind, Dialect, Where, decode};
use super::{
    ChangeVersion, DatabaseStatus, InstanceStore, LastDispatch, RunStore, ScheduleFilter,
    StoreError, TaskSummary,
};
use crate::config::{Backend, Redacted};
use crate::domain::instance::BeatInstance;
use crate::domain::jitter::Jitter;
use crate::domain::pause::{Pause, Switch};
use crate::domain::run::{NewRun, Run, RunFilter, RunStatus};
use crate::domain::task::TaskDefinition;
use crate::domain::{Arguments, DeliveryOptions, Schedule};

/// How long a writer waits for another process's lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections per process (see [`SqliteStore::connect`]).
const POOL_CONNECTIONS: u32 = 2;

/// A pool of connections to one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    url: Redacted,
    read_only: bool,
}

type LiteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

/// Timestamps are stored as RFC 3339 UTC with microseconds: text order is time order.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads a stored timestamp; also accepts SQLite's `CURRENT_TIMESTAMP` form (taken as UTC).
pub fn parse_time(id: &str, column: &'static str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").map(|n| n.and_utc())
        })
        .map_err(|e| StoreError::Corrupt {
            id: id.to_string(),
            column,
            problem: format!("'{text}': {e}"),
        })
}

impl SqliteStore {
    /// Opens the database file.
    ///
    /// A missing file is created only with `create` (the embedded default, `stockura migrate`);
    /// otherwise it is [`StoreError::NoDatabase`] and nothing is created, so that a mistyped
    /// path does not become an empty database. A file this user cannot write, or one in a
    /// directory it cannot write (where SQLite keeps the WAL and its index), is opened
    /// read-only: reads work and writes fail with [`StoreError::ReadOnly`]. Permission bits
    /// that deny every write count even for root, who could write anyway.
    pub async fn connect(url: &Redacted, create: bool) -> Result<Self, StoreError> {
        let unreachable = |source| StoreError::Unreachable {
            backend: Backend::Sqlite,
            url: url.clone(),
            source,
        };
        let options = SqliteConnectOptions::from_str(url.expose())
            .map_err(|source| StoreError::InvalidUrl {
                backend: Backend::Sqlite,
                url: url.clone(),
                source,
            })?
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let path = options.get_filename().to_path_buf();
        let exists = match std::fs::metadata(&path) {
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            // Let SQLite say what is wrong (a directory it cannot search, ...).
            Err(_) => true,
        };
        if !exists && !create {
            let shown = match std::path::absolute(&path) {
                Ok(full) if full != path => format!("{} ({})", path.display(), full.display()),
                _ => path.display().to_string(),
            };
            return Err(StoreError::NoDatabase { path: shown });
        }
        // Two connections: SQLite takes one writer at a time, and each connection has its own
        // worker thread, page cache and (through that thread) malloc arena; four held 7 MB more
        // at a 100,000-schedule start (BENCHMARKS.md, 2026-12-06).
        let pool_options = || SqlitePoolOptions::new().max_connections(POOL_CONNECTIONS);
        if !exists || writable(&path) {
            let options = options
                .create_if_missing(create)
                .journal_mode(SqliteJournalMode::Wal);
            let pool = pool_options()
                .connect_with(options)
                .await
                .map_err(unreachable)?;
            return Ok(Self {
                pool,
                url: url.clone(),
                read_only: false,
            });
        }
        // Read-only: the journal mode is left as the file has it (changing it is a write).
        let options = options.read_only(true);
        let pool = pool_options()
            .connect_with(options.clone())
            .await
            .map_err(unreachable)?;
        let pool = match probe(&pool).await {
            Ok(()) => pool,
            // A WAL database whose index (`-shm`) is gone and cannot be created in a read-only
            // directory: no connection has it open in WAL mode (that one would have made the
            // index) and no log holds changes the file lacks, so it is read as an immutable file.
            Err(e) if cannot_open_read_only(&e) && wal_is_empty(&path) => {
                pool.close().await;
                let pool = pool_options()
                    .connect_with(options.immutable(true))
                    .await
                    .map_err(unreachable)?;
                probe(&pool).await.map_err(unreachable)?;
                pool
            }
            Err(e) => return Err(unreachable(e)),
        };
        Ok(Self {
            pool,
            url: url.clone(),
            read_only: true,
        })
    }

    /// Whether the file was opened read-only (see [`SqliteStore::connect`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The database file (for the scheduler's leadership lock file beside it).
    pub fn file_path(&self) -> Option<std::path::PathBuf> {
        let options = SqliteConnectOptions::from_str(self.url.expose()).ok()?;
        Some(options.get_filename().to_path_buf())
    }
}

/// Whether this process may write the database file and create files beside it: the
/// permission bits of both allow some write, and `access(2)` grants it to this user.
fn writable(path: &std::path::Path) -> bool {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    [path, dir].iter().all(|p| {
        std::fs::metadata(p).is_ok_and(|m| !m.permissions().readonly())
            && rustix::fs::access(*p, rustix::fs::Access::WRITE_OK).is_ok()
    })
}

/// Whether the write-ahead log beside the file is missing or empty.
fn wal_is_empty(path: &std::path::Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map_or(true, |m| m.len() == 0)
}

/// One read of the schema: a read-only connection to a WAL database fails here, not at connect.
async fn probe(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT count(*) FROM sqlite_master")
        .fetch_one(pool)
        .await
        .map(drop)
}

/// Whether a read-only connection failed for want of the WAL index (`SQLITE_READONLY` or
/// `SQLITE_CANTOPEN` and their extended codes).
fn cannot_open_read_only(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    db.code()
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 8 | 14))
}

fn bind_all<'q>(mut q: LiteQuery<'q>, binds: &'q [Bind]) -> LiteQuery<'q> {
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t.as_str()),
            Bind::Bool(v) => q.bind(*v),
            Bind::Id(id) => q.bind(id.to_string()),
            Bind::Time(t) => q.bind(format_time(*t)),
            Bind::OptText(t) => q.bind(t.as_deref()),
            Bind::Int(n) => q.bind(*n),
            Bind::OptInt(n) => q.bind(*n),
            Bind::OptTime(t) => q.bind(t.map(format_time)),
            Bind::Json(v) => q.bind(v.to_string()),
            Bind::OptJson(v) => q.bind(v.as_ref().map(Value::to_string)),
        };
    }
    q
}

/// One row of `celery_beat_schedules` as SQLite holds it, in [`sql::COLUMNS`] order: read
/// from a [`SqliteRow`], or from one element of a page (see [`PAGE_ROWS`]), a JSON array of
/// the same values.
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
struct RawRow {
    id: String,
    name: String,
    task_name: String,
    cron_expression: String,
    timezone: Option<String>,
    enabled: i64,
    args: Option<String>,
    kwargs: Option<String>,
    description: Option<String>,
    category: Option<String>,
    tags: Option<String>,
    execution_policy: String,
    auto_generated_name: i64,
    options: Option<String>,
    last_run_at: Option<String>,
    total_run_count: i64,
    created_at: Option<String>,
    updated_at: Option<String>,
    jitter_seconds: Option<i64>,
    paused_at: Option<String>,
    paused_by: Option<String>,
    pause_reason: Option<String>,
    paused_until: Option<String>,
    resumed_at: Option<String>,
}

impl FromRow<'_, SqliteRow> for RawRow {
    fn from_row(row: &SqliteRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            task_name: row.try_get("task_name")?,
            cron_expression: row.try_get("cron_expression")?,
            timezone: row.try_get("timezone")?,
            enabled: row.try_get("enabled")?,
            args: row.try_get("args")?,
            kwargs: row.try_get("kwargs")?,
            description: row.try_get("description")?,
            category: row.try_get("category")?,
            tags: row.try_get("tags")?,
            execution_policy: row.try_get("execution_policy")?,
            auto_generated_name: row.try_get("auto_generated_name")?,
            options: row.try_get("options")?,
            last_run_at: row.try_get("last_run_at")?,
            total_run_count: row.try_get("total_run_count")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            jitter_seconds: row.try_get("jitter_seconds")?,
            paused_at: row.try_get("paused_at")?,
            paused_by: row.try_get("paused_by")?,
            pause_reason: row.try_get("pause_reason")?,
            paused_until: row.try_get("paused_until")?,
            resumed_at: row.try_get("resumed_at")?,
        })
    }
}

impl RawRow {
    fn decode(self) -> Result<Schedule, StoreError> {
        let key = self.id;
        let id = Uuid::parse_str(&key).map_err(|e| StoreError::Corrupt {
            id: key.clone(),
            column: "id",
            problem: e.to_string(),
        })?;
        let mut bad = Vec::new();
        let args = decode::json_text("args", self.args, &mut bad);
        let kwargs = decode::json_text("kwargs", self.kwargs, &mut bad);
        let tags = decode::json_text("tags", self.tags, &mut bad);
        let options = decode::json_text("options", self.options, &mut bad);
        // A time another program wrote in a form SQLite's text cannot be read as is noted
        // like any unreadable column (the row is still listed and runs: see
        // `Schedule::run_problems`), never an error that would stop every other row.
        let mut time = |column: &'static str, text: Option<String>| {
            text.and_then(|t| match parse_time(&key, column, &t) {
                Ok(at) => Some(at),
                Err(e) => {
                    let problem = match e {
                        StoreError::Corrupt { problem, .. } => problem,
                        other => other.to_string(),
                    };
                    bad.push(crate::domain::schedule::Unreadable { column, problem });
                    None
                }
            })
        };
        let last_run_at = time("last_run_at", self.last_run_at);
        let created_at = time("created_at", self.created_at);
        let updated_at = time("updated_at", self.updated_at);
        let pause = Pause {
            at: time("paused_at", self.paused_at),
            by: self.paused_by,
            reason: self.pause_reason,
            until: time("paused_until", self.paused_until),
        };
        let resumed_at = time("resumed_at", self.resumed_at);
        // Never NULL as stockura writes them (NOT NULL columns): the start of the Unix epoch
        // stands in for one that cannot be read.
        let (created_at, updated_at) = (
            created_at.unwrap_or(DateTime::UNIX_EPOCH),
            updated_at.unwrap_or(DateTime::UNIX_EPOCH),
        );
        Ok(Schedule {
            id,
            name: self.name,
            task_name: self.task_name,
            cron_expression: self.cron_expression,
            timezone: self.timezone,
            enabled: self.enabled != 0,
            args: decode::args(args, &mut bad),
            kwargs: decode::kwargs(kwargs, &mut bad),
            description: self.description,
            category: self.category,
            tags: decode::tags(tags, &mut bad),
            execution_policy: decode::policy(&self.execution_policy, &mut bad),
            auto_generated_name: self.auto_generated_name != 0,
            options: DeliveryOptions::from_json(decode::options(options, &mut bad)),
            jitter: Jitter::from_stored(self.jitter_seconds),
            last_run_at,
            total_run_count: self.total_run_count,
            created_at,
            updated_at,
            pause,
            resumed_at,
            unreadable: bad,
        })
    }
}

fn decode_row(row: &SqliteRow) -> Result<Schedule, StoreError> {
    RawRow::from_row(row)?.decode()
}

/// Schedules per page of [`visit_schedules`](NativeSchedules::visit_schedules): SQLite hands
/// sqlx each result row on a worker thread, a wake-up and a copy of every value per row, which
/// cost 26 µs a row (2.6 s for 100,000); one JSON array per page costs one hand-over.
const PAGE_ROWS: usize = 2_000;

/// Slots per bookkeeping statement of [`record_dispatch`](RunStore::record_dispatch).
const BOOKKEEPING_ROWS: usize = 5_000;

/// The selected schedules as pages, in `ORDER BY` order: each result row is one JSON array of
/// up to [`PAGE_ROWS`] rows, each itself an array of [`sql::COLUMNS`] (the JSON columns as
/// their text, decoded as [`decode_row`] does).
fn select_pages(clause: &Where) -> String {
    let (order, columns) = (sql::ORDER.trim_start(), sql::COLUMNS);
    format!(
        "SELECT json_group_array(json_array({columns}) {order}) FROM (SELECT {columns}, \
         (row_number() OVER ({order}) - 1) / {PAGE_ROWS} AS stockura_page \
         FROM celery_beat_schedules{}) GROUP BY stockura_page ORDER BY stockura_page",
        clause.sql()
    )
}

impl Engine for SqliteStore {
    type Db = Sqlite;
    const DIALECT: Dialect = Dialect::Sqlite;

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn reader(&self) -> Result<sqlx::pool::PoolConnection<Sqlite>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    async fn rows(
        conn: &mut SqliteConnection,
        statement: &str,
        binds: &[Bind],
    ) -> Result<Vec<SqliteRow>, StoreError> {
        Ok(bind_all(sqlx::query(statement), binds)
            .fetch_all(&mut *conn)
            .await?)
    }

    fn schedule(row: &SqliteRow) -> Result<Schedule, StoreError> {
        decode_row(row)
    }

    fn task(row: &SqliteRow) -> Result<TaskSummary, StoreError> {
        decode_task(row)
    }

    fn text(row: &SqliteRow) -> Result<String, StoreError> {
        Ok(row.try_get(0)?)
    }

    fn run(row: &SqliteRow) -> Result<Run, StoreError> {
        decode_run(row)
    }

    async fn execute(
        conn: &mut SqliteConnection,
        statement: &str,
        binds: &[Bind],
    ) -> Result<u64, StoreError> {
        let done = bind_all(sqlx::query(statement), binds)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected())
    }

    async fn lock(_conn: &mut SqliteConnection, _key: &str) -> Result<(), StoreError> {
        // `BEGIN IMMEDIATE` (see `begin_write`) already admits one writer at a time.
        Ok(())
    }
}

impl NativeSchedules for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn visit_schedules(
        &self,
        filter: &ScheduleFilter,
        visit: &mut (dyn FnMut(Schedule) + Send),
    ) -> Result<(), StoreError> {
        // SQLite's LIKE folds ASCII letters only: a search with other letters (é, Ä, Σ) is
        // matched here instead, with Unicode case folding as Postgres' ILIKE does.
        let unicode_search = filter
            .search
            .as_deref()
            .filter(|s| !s.is_ascii())
            .map(str::to_string);
        let w = if unicode_search.is_some() {
            Where::filter(
                Dialect::Sqlite,
                &ScheduleFilter {
                    search: None,
                    ..filter.clone()
                },
            )
        } else {
            Where::filter(Dialect::Sqlite, filter)
        };
        let text = select_pages(&w);
        // Decoded page by page as they arrive: the raw rows and the schedules are never all
        // held at once.
        let mut pages = bind_all(sqlx::query(&text), &w.binds).fetch(&self.pool);
        while let Some(page) = futures_util::TryStreamExt::try_next(&mut pages).await? {
            let page: &str = page.try_get(0)?;
            let rows: Vec<RawRow> =
                serde_json::from_str(page).map_err(|e| StoreError::Corrupt {
                    id: "(a page of schedules)".into(),
                    column: "celery_beat_schedules",
                    problem: format!("a column holds a value of the wrong type: {e}"),
                })?;
            for row in rows {
                let schedule = row.decode()?;
                if unicode_search
                    .as_deref()
                    .is_none_or(|needle| schedule.matches_search(needle))
                {
                    visit(schedule);
                }
            }
        }
        Ok(())
    }

    async fn set_enabled(
        &self,
        ids: &[Uuid],
        switch: &Switch,
    ) -> Result<Vec<Schedule>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let w = Where::ids(Dialect::Sqlite, ids);
        let current = bind_all(sqlx::query(&(select(&w, ""))), &w.binds)
            .fetch_all(&mut *tx)
            .await?;
        let (set, binds) = sql::switch_set(switch, 1);
        let text = format!(
            "UPDATE celery_beat_schedules SET {set}, updated_at = ${} WHERE id = ${}",
            binds.len() + 1,
            binds.len() + 2
        );
        for schedule in current.iter().map(decode_row) {
            let schedule = schedule?;
            if !switch.changes(&schedule) {
                continue;
            }
            let mut row_binds = binds.clone();
            row_binds.push(Bind::Time(write_time(Some(schedule.updated_at))));
            row_binds.push(Bind::Id(schedule.id));
            bind_all(sqlx::query(&text), &row_binds)
                .execute(&mut *tx)
                .await?;
        }
        let rows = bind_all(sqlx::query(&(select(&w, sql::ORDER))), &w.binds)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.iter().map(decode_row).collect()
    }

    async fn change_version(&self) -> Result<ChangeVersion, StoreError> {
        let (version, changed_at): (i64, String) =
            sqlx::query_as("SELECT version, changed_at FROM stockura_schedule_version")
                .fetch_one(&self.pool)
                .await?;
        Ok(ChangeVersion {
            version,
            changed_at: parse_time("stockura_schedule_version", "changed_at", &changed_at)?,
        })
    }

    async fn changes_since(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Option<super::ChangeLog>, StoreError> {
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT version, schedule_id FROM stockura_schedule_changes WHERE version > $1 \
             ORDER BY version LIMIT $2",
        )
        .bind(after)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let log = rows
            .into_iter()
            .map(|(version, id)| {
                let id = id
                    .map(|id| {
                        Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt {
                            id: format!("stockura_schedule_changes {version}"),
                            column: "schedule_id",
                            problem: e.to_string(),
                        })
                    })
                    .transpose()?;
                Ok((version, id))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(log))
    }

    async fn status(&self) -> Result<DatabaseStatus, StoreError> {
        let server_version: String = sqlx::query_scalar("SELECT sqlite_version()")
            .fetch_one(&self.pool)
            .await?;
        // One connection at a time (the pool has two, and callers may hold the other).
        let applied = {
            let mut conn = self.pool.acquire().await?;
            self.applied(&mut conn).await?
        };
        let has = |table: &'static str| {
            let pool = self.pool.clone();
            async move {
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                )
                .bind(table)
                .fetch_one(&pool)
                .await?;
                Ok::<bool, StoreError>(n > 0)
            }
        };
        let (enabled, disabled) = if has("celery_beat_schedules").await? {
            sqlx::query_as(
                "SELECT COALESCE(sum(enabled = 1), 0), COALESCE(sum(enabled = 0), 0) FROM celery_beat_schedules",
            )
            .fetch_one(&self.pool)
            .await?
        } else {
            (0, 0)
        };
        let version = if has("stockura_schedule_version").await? {
            Some(NativeSchedules::change_version(self).await?)
        } else {
            None
        };
        Ok(DatabaseStatus {
            backend: Backend::Sqlite,
            server_version: format!("SQLite {server_version}"),
            pending: super::migrate::pending(super::migrate::SQLITE, &applied)
                .map(super::migrate::Migration::label)
                .collect(),
            enabled,
            disabled,
            version,
        })
    }

    async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        migrate::run(self).await
    }
}

fn decode_task(row: &SqliteRow) -> Result<TaskSummary, StoreError> {
    let key: String = row.try_get("id")?;
    let id = Uuid::parse_str(&key).map_err(|e| StoreError::Corrupt {
        id: key.clone(),
        column: "id",
        problem: e.to_string(),
    })?;
    let text: Option<String> = row.try_get("parameter_schema")?;
    let schema = match text.map(|t| serde_json::from_str::<Value>(&t)) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            return Err(StoreError::Corrupt {
                id: key,
                column: "parameter_schema",
                problem: e.to_string(),
            });
        }
    };
    let created: String = row.try_get("created_at")?;
    let updated: String = row.try_get("updated_at")?;
    Ok(TaskSummary {
        task: TaskDefinition {
            id,
            task_name: row.try_get("task_name")?,
            category: row.try_get("category")?,
            description: row.try_get("description")?,
            parameter_schema: schema,
            created_at: parse_time(&key, "created_at", &created)?,
            updated_at: parse_time(&key, "updated_at", &updated)?,
        },
        schedule_count: row.try_get("schedule_count")?,
    })
}

fn decode_run(row: &SqliteRow) -> Result<Run, StoreError> {
    let id: i64 = row.try_get("id")?;
    let key = format!("schedule_runs {id}");
    let mut bad = Vec::new();
    let uuid = |column: &'static str| -> Result<Option<Uuid>, StoreError> {
        row.try_get::<Option<String>, _>(column)?
            .map(|t| {
                Uuid::parse_str(&t).map_err(|e| StoreError::Corrupt {
                    id: key.clone(),
                    column,
                    problem: e.to_string(),
                })
            })
            .transpose()
    };
    let time = |column: &'static str| -> Result<Option<DateTime<Utc>>, StoreError> {
        row.try_get::<Option<String>, _>(column)?
            .map(|t| parse_time(&key, column, &t))
            .transpose()
    };
    let trigger: String = row.try_get("trigger")?;
    let status: String = row.try_get("status")?;
    let corrupt = |column: &'static str, e: crate::domain::DomainError| StoreError::Corrupt {
        id: key.clone(),
        column,
        problem: e.message,
    };
    let args = decode::json_text("args", row.try_get("args")?, &mut bad);
    let kwargs = decode::json_text("kwargs", row.try_get("kwargs")?, &mut bad);
    Ok(Run {
        id,
        run: NewRun {
            schedule_id: uuid("schedule_id")?,
            schedule_name: row.try_get("schedule_name")?,
            task_name: row.try_get("task_name")?,
            celery_task_id: uuid("celery_task_id")?,
            scheduled_for: time("scheduled_for")?.unwrap_or_default(),
            dispatched_at: time("dispatched_at")?,
            trigger: trigger.parse().map_err(|e| corrupt("trigger", e))?,
            status: status.parse().map_err(|e| corrupt("status", e))?,
            detail: row.try_get("detail")?,
            arguments: Arguments::new(
                &decode::args(args, &mut bad),
                &decode::kwargs(kwargs, &mut bad),
            ),
            push_marker: row.try_get("push_marker")?,
        },
        created_at: time("created_at")?.unwrap_or_default(),
    })
}

/// The runs with an id above `after` (a claim's rows, read back under its write lock), as
/// [`super::align_claims`] takes them.
async fn inserted_since(
    conn: &mut sqlx::SqliteConnection,
    after: i64,
) -> Result<Vec<(i64, Option<Uuid>, DateTime<Utc>, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, schedule_id, scheduled_for, trigger FROM schedule_runs WHERE id > $1 ORDER BY id",
    )
    .bind(after)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let key = format!("schedule_runs {id}");
            let schedule: Option<String> = row.try_get("schedule_id")?;
            let schedule = schedule
                .map(|s| {
                    Uuid::parse_str(&s).map_err(|e| StoreError::Corrupt {
                        id: key.clone(),
                        column: "schedule_id",
                        problem: e.to_string(),
                    })
                })
                .transpose()?;
            let slot: String = row.try_get("scheduled_for")?;
            Ok((
                id,
                schedule,
                parse_time(&key, "scheduled_for", &slot)?,
                row.try_get("trigger")?,
            ))
        })
        .collect()
}

/// Rows per INSERT (one JSON parameter each).
const RUN_CHUNK: usize = 5_000;

/// The rows of a claim insert as one JSON array of arrays, written into `out`: every field a
/// JSON string (or null), so `->>` hands SQLite the exact text to store. One parameter instead
/// of twelve per row (binding 24,000 parameters cost more than the inserts themselves), written
/// straight as text (a `serde_json::Value` per field was a dozen allocations a row).
fn runs_json(out: &mut String, runs: &[NewRun], now: &str) {
    let (mut schedule_buf, mut task_buf) = (Uuid::encode_buffer(), Uuid::encode_buffer());
    out.clear();
    out.push('[');
    for (n, r) in runs.iter().enumerate() {
        let slot = format_time(r.scheduled_for);
        let dispatched = r.dispatched_at.map(format_time);
        // In the order of the insert's columns.
        let fields = [
            r.schedule_id
                .map(|id| &*id.hyphenated().encode_lower(&mut schedule_buf)),
            Some(r.schedule_name.as_str()),
            Some(r.task_name.as_str()),
            r.celery_task_id
                .map(|id| &*id.hyphenated().encode_lower(&mut task_buf)),
            Some(slot.as_str()),
            dispatched.as_deref(),
            Some(r.trigger.as_str()),
            Some(r.status.as_str()),
            r.detail.as_deref(),
            Some(r.arguments.args_text()),
            Some(r.arguments.kwargs_text()),
            Some(now),
            r.push_marker.as_deref(),
        ];
        out.push_str(if n == 0 { "[" } else { ",[" });
        for (i, field) in fields.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::domain::json::write_opt_str(out, field);
        }
        out.push(']');
    }
    out.push(']');
}

impl RunStore for SqliteStore {
    async fn insert_runs(&self, runs: &[NewRun]) -> Result<Vec<Option<i64>>, StoreError> {
        if runs.is_empty() {
            return Ok(Vec::new());
        }
        let now = format_time(write_time(None));
        let mut claims = Vec::with_capacity(runs.len());
        let mut json = String::new();
        // IMMEDIATE: the write lock from the start, so no other writer inserts between the
        // largest id read here and the insert (the ids a statement took are those above it).
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for chunk in runs.chunks(RUN_CHUNK) {
            // The id before the next one AUTOINCREMENT hands out: the largest ever handed out
            // (the newest rows may have been deleted since) or the largest present.
            let before: i64 = sqlx::query_scalar(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'schedule_runs'), 0), \
                            coalesce((SELECT max(id) FROM schedule_runs), 0))",
            )
            .fetch_one(&mut *tx)
            .await?;
            runs_json(&mut json, chunk, &now);
            // OR IGNORE: a slot already claimed (`ux_schedule_runs_claim`) is skipped. A schedule
            // deleted since the scheduler loaded it gets no row (and so no send).
            let done = sqlx::query(
                "INSERT OR IGNORE INTO schedule_runs (schedule_id, schedule_name, task_name, celery_task_id, \
                 scheduled_for, dispatched_at, trigger, status, detail, args, kwargs, created_at, push_marker) \
                 SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4, r.value ->> 5, \
                        r.value ->> 6, r.value ->> 7, r.value ->> 8, r.value ->> 9, r.value ->> 10, r.value ->> 11, \
                        r.value ->> 12 \
                 FROM json_each($1) AS r \
                 WHERE r.value ->> 0 IS NULL OR r.value ->> 0 IN (SELECT id FROM celery_beat_schedules) \
                 ORDER BY r.key",
            )
            .bind(json.as_str())
            .execute(&mut *tx)
            .await?;
            let affected = i64::try_from(done.rows_affected()).unwrap_or(i64::MAX);
            let last = done.last_insert_rowid();
            if affected == 0 {
                claims.extend(std::iter::repeat_n(None, chunk.len()));
            } else if usize::try_from(affected) == Ok(chunk.len()) && last - before == affected {
                // Every row went in, in the array's order (`ORDER BY r.key`: SQLite promises no
                // order without it; it cost nothing measurable), with the ids after `before`
                // (the usual case): no rows to hand back one by one.
                claims.extend((before + 1..=last).map(Some));
            } else {
                // Some were skipped: read back what this statement inserted and match it.
                claims.extend(super::shared::align_claims(
                    chunk,
                    inserted_since(&mut tx, before).await?,
                ));
            }
        }
        tx.commit().await?;
        Ok(claims)
    }

    async fn mark_runs(
        &self,
        ids: &[i64],
        status: RunStatus,
        detail: &str,
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE schedule_runs SET status = $1, detail = $2, \
             dispatched_at = CASE WHEN $1 = 'dispatched' THEN dispatched_at END \
             WHERE id IN (SELECT value FROM json_each($3))",
        )
        .bind(status.as_str())
        .bind(detail)
        .bind(Value::from(ids.to_vec()).to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn record_dispatch(&self, ran: &[(Uuid, DateTime<Utc>)]) -> Result<(), StoreError> {
        if ran.is_empty() {
            return Ok(());
        }
        // One statement per chunk, all in one transaction: the JSON parameter, sqlx's copy of
        // it and SQLite's parse of it stay small (one statement for 100,000 slots held about
        // 60 MB at once, a third of the beat's peak memory).
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut pairs = String::new();
        for chunk in ran.chunks(BOOKKEEPING_ROWS) {
            pairs.clear();
            pairs.push('[');
            for (n, (id, at)) in chunk.iter().enumerate() {
                // Ids and stockura's timestamps need no JSON escaping.
                let sep = if n == 0 { "" } else { "," };
                let _ = write!(
                    pairs,
                    "{sep}[\"{}\",\"{}\"]",
                    id.hyphenated(),
                    format_time(*at)
                );
            }
            pairs.push(']');
            // Text order is time order for stockura's timestamps; max() keeps the later one
            // (another program's `2030-01-01 00:05:00` compared as `2030-01-01T00:05:00`). A
            // value stockura cannot read as a time is replaced (the patterns are only tried on
            // a value not before the run: rarely).
            sqlx::query(
                "UPDATE celery_beat_schedules SET \
                 last_run_at = CASE WHEN last_run_at IS NULL OR replace(last_run_at, ' ', 'T') < v.at \
                 OR NOT (last_run_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]*' \
                 OR last_run_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*[Zz]' \
                 OR last_run_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*[+-][0-9][0-9]:[0-9][0-9]') \
                 THEN v.at ELSE last_run_at END, \
                 total_run_count = total_run_count + v.n \
                 FROM (SELECT value ->> 0 AS id, max(value ->> 1) AS at, count(*) AS n FROM json_each($1) GROUP BY 1) AS v \
                 WHERE celery_beat_schedules.id = v.id",
            )
            .bind(pairs.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_runs(&self, filter: &RunFilter) -> Result<Vec<Run>, StoreError> {
        shared::list_runs(self, filter).await
    }

    async fn latest_run_id(&self) -> Result<i64, StoreError> {
        shared::latest_run_id(self).await
    }

    async fn delete_runs_before(
        &self,
        cutoff: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(sql::DELETE_RUNS_BEFORE)
            .bind(format_time(cutoff))
            .bind(i64::from(limit))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn recent_runs(&self, ids: &[Uuid], per_schedule: u32) -> Result<Vec<Run>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let columns: Vec<String> = sql::RUN_COLUMNS
            .split(',')
            .map(|c| format!("r.{}", c.trim()))
            .collect();
        let text = format!(
            "SELECT {} FROM json_each($1) AS j \
             JOIN schedule_runs r ON r.id IN (SELECT x.id FROM schedule_runs x \
                 WHERE x.schedule_id = j.value ORDER BY x.scheduled_for DESC, x.id DESC LIMIT $2)",
            columns.join(", ")
        );
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let rows = sqlx::query(&text)
            .bind(Value::from(ids).to_string())
            .bind(i64::from(per_schedule))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_run).collect()
    }

    async fn latest_dispatched(&self, ids: &[Uuid]) -> Result<Vec<LastDispatch>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT r.schedule_id, r.celery_task_id, r.dispatched_at FROM json_each($1) AS j \
             JOIN schedule_runs r ON r.id IN (SELECT x.id FROM schedule_runs x \
                 WHERE x.schedule_id = j.value AND x.status = 'dispatched' \
                 AND x.celery_task_id IS NOT NULL AND x.dispatched_at IS NOT NULL \
                 ORDER BY x.scheduled_for DESC LIMIT 5)",
        )
        .bind(Value::from(ids).to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for (schedule, task, at) in rows {
            let key = format!("schedule_runs of {schedule}");
            let parse = |column: &'static str, text: &str| {
                Uuid::parse_str(text).map_err(|e| StoreError::Corrupt {
                    id: key.clone(),
                    column,
                    problem: e.to_string(),
                })
            };
            found.push(LastDispatch {
                schedule_id: parse("schedule_id", &schedule)?,
                celery_task_id: parse("celery_task_id", &task)?,
                dispatched_at: parse_time(&key, "dispatched_at", &at)?,
            });
        }
        Ok(super::traits::latest_of(found))
    }

    async fn deferred_runs(&self) -> Result<Vec<Run>, StoreError> {
        let text = sql::deferred_runs();
        let rows = sqlx::query(&text).fetch_all(&self.pool).await?;
        rows.iter().map(decode_run).collect()
    }

    async fn promote_deferred(&self, id: i64, push_marker: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(sql::PROMOTE_DEFERRED)
            .bind(id)
            .bind(push_marker)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn slot_claims(
        &self,
        schedule_id: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Run>, StoreError> {
        shared::slot_claims(self, schedule_id, from, to).await
    }

    async fn retake_run(&self, id: i64, run: &NewRun) -> Result<bool, StoreError> {
        shared::retake_run(self, id, run).await
    }

    async fn owed_runs(&self) -> Result<Vec<Run>, StoreError> {
        let text = sql::owed_runs();
        let rows = sqlx::query(&text).fetch_all(&self.pool).await?;
        rows.iter().map(decode_run).collect()
    }

    async fn settle_runs(
        &self,
        ids: &[i64],
        status: RunStatus,
        dispatched_at: Option<DateTime<Utc>>,
        detail: &str,
    ) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let done = sqlx::query(
            "UPDATE schedule_runs SET status = $1, dispatched_at = $2, detail = NULLIF($3, '') \
             WHERE id IN (SELECT value FROM json_each($4)) AND status IN ('owed', 'dispatched')",
        )
        .bind(status.as_str())
        .bind(dispatched_at.map(format_time))
        .bind(detail)
        .bind(Value::from(ids.to_vec()).to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

impl InstanceStore for SqliteStore {
    async fn put_instance(&self, i: &BeatInstance) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM stockura_beat_instances WHERE expires_at < $1")
            .bind(format_time(i.heartbeat_at - chrono::Duration::hours(1)))
            .execute(&mut *tx)
            .await?;
        sqlx::query(sql::PUT_INSTANCE)
            .bind(i.instance_id.to_string())
            .bind(i.host.as_str())
            .bind(i64::from(i.pid))
            .bind(i.version.as_str())
            .bind(format_time(i.started_at))
            .bind(i.role.as_str())
            .bind(i.leadership.as_str())
            .bind(i64::try_from(i.schedules).unwrap_or(i64::MAX))
            .bind(i.last_tick_at.map(format_time))
            .bind(i.lag_ms)
            .bind(i.change_version)
            .bind(format_time(i.heartbeat_at))
            .bind(format_time(i.expires_at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_instances(&self) -> Result<Vec<BeatInstance>, StoreError> {
        let rows = sqlx::query(sql::LIST_INSTANCES)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let text: String = row.try_get("instance_id")?;
                let key = format!("stockura_beat_instances {text}");
                let corrupt = |column: &'static str, problem: String| StoreError::Corrupt {
                    id: key.clone(),
                    column,
                    problem,
                };
                let time = |column: &'static str| -> Result<Option<DateTime<Utc>>, StoreError> {
                    row.try_get::<Option<String>, _>(column)?
                        .map(|t| parse_time(&key, column, &t))
                        .transpose()
                };
                let role: String = row.try_get("role")?;
                Ok(BeatInstance {
                    instance_id: Uuid::parse_str(&text)
                        .map_err(|e| corrupt("instance_id", e.to_string()))?,
                    host: row.try_get("host")?,
                    pid: u32::try_from(row.try_get::<i64, _>("pid")?).unwrap_or(0),
                    version: row.try_get("version")?,
                    started_at: time("started_at")?.unwrap_or_default(),
                    role: role
                        .parse()
                        .map_err(|e: crate::domain::DomainError| corrupt("role", e.message))?,
                    leadership: row.try_get("leadership")?,
                    schedules: u64::try_from(row.try_get::<i64, _>("schedules")?).unwrap_or(0),
                    last_tick_at: time("last_tick_at")?,
                    lag_ms: row.try_get("lag_ms")?,
                    change_version: row.try_get("change_version")?,
                    heartbeat_at: time("heartbeat_at")?.unwrap_or_default(),
                    expires_at: time("expires_at")?.unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn delete_instance(&self, id: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM stockura_beat_instances WHERE instance_id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page element is read by position: `RawRow`'s fields must follow [`sql::COLUMNS`].
    /// Each column gets a value of its own (its name, or its position for the integers), so
    /// reading the array by position and the same values by name agree only when they do.
    #[test]
    fn raw_row_fields_follow_the_column_list() {
        let integers = [
            "enabled",
            "auto_generated_name",
            "total_run_count",
            "jitter_seconds",
        ];
        let columns: Vec<&str> = sql::COLUMNS.split(',').map(str::trim).collect();
        let value = |n: usize, c: &str| {
            if integers.contains(&c) {
                serde_json::json!(n)
            } else {
                serde_json::json!(c)
            }
        };
        let by_position: Vec<Value> = columns
            .iter()
            .enumerate()
            .map(|(n, c)| value(n, c))
            .collect();
        let by_name: serde_json::Map<String, Value> = columns
            .iter()
            .enumerate()
            .map(|(n, c)| ((*c).to_string(), value(n, c)))
            .collect();
        let positional: RawRow = serde_json::from_value(Value::Array(by_position)).unwrap();
        let named: RawRow = serde_json::from_value(Value::Object(by_name)).unwrap();
        assert_eq!(positional, named);
    }
}
