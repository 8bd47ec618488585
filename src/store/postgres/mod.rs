//! The Postgres backend: the production store, shared with the Python application.
//!
//! Here: connecting, binding and decoding in Postgres types, the statements only Postgres runs
//! this way (the run claims, bookkeeping and heartbeats), the change notifications and the
//! advisory locks. Migrations are in [`migrate`]; the writes both backends share in
//! `store::shared`.

mod lock;
mod migrate;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::{Connection, PgConnection, Postgres, Row};
use uuid::Uuid;

pub use lock::AdvisoryLock;

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

/// The NOTIFY channel of the version trigger.
pub const CHANGES_CHANNEL: &str = "stockura_schedule_changes";

/// How long connecting may take before the database counts as unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A pool of connections to one Postgres database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    url: Redacted,
}

type PgQuery<'q> = Query<'q, Postgres, PgArguments>;

impl PgStore {
    /// Connects, failing with [`StoreError::Unreachable`] within [`CONNECT_TIMEOUT`].
    pub async fn connect(url: &Redacted) -> Result<Self, StoreError> {
        let unreachable = |source| StoreError::Unreachable {
            backend: Backend::Postgres,
            url: url.clone(),
            source,
        };
        let options = PgConnectOptions::from_str(url.expose())
            .map_err(|source| StoreError::InvalidUrl {
                backend: Backend::Postgres,
                url: url.clone(),
                source,
            })?
            .application_name("stockura");
        // One direct connection first: a refused or failing connection is reported at once
        // with the server's reason, instead of being retried until a pool timeout.
        let first = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| unreachable(sqlx::Error::PoolTimedOut))?
            .map_err(unreachable)?;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_lazy_with(options);
        first.close().await.map_err(unreachable)?;
        Ok(Self {
            pool,
            url: url.clone(),
        })
    }

    /// A connection that LISTENs for `NOTIFY stockura_schedule_changes` (payload: the new
    /// change version), sent by the version trigger with every change.
    pub async fn listen_changes(&self) -> Result<sqlx::postgres::PgListener, StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        Ok(listener)
    }
}

fn bind_all<'q>(mut q: PgQuery<'q>, binds: &'q [Bind]) -> PgQuery<'q> {
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(t.as_str()),
            Bind::Bool(v) => q.bind(*v),
            Bind::Id(id) => q.bind(*id),
            Bind::Time(t) => q.bind(*t),
            Bind::OptText(t) => q.bind(t.as_deref()),
            Bind::Int(n) => q.bind(*n),
            Bind::OptInt(n) => q.bind(*n),
            Bind::OptTime(t) => q.bind(*t),
            Bind::Json(v) => q.bind(Json(v)),
            Bind::OptJson(v) => q.bind(v.as_ref().map(Json)),
        };
    }
    q
}

fn decode_row(row: &PgRow) -> Result<Schedule, StoreError> {
    let id: Uuid = row.try_get("id")?;
    let json = |column: &str| -> Result<Value, StoreError> {
        Ok(row
            .try_get::<Option<Json<Value>>, _>(column)?
            .map(|j| j.0)
            .unwrap_or(Value::Null))
    };
    let policy: String = row.try_get("execution_policy")?;
    let mut bad = Vec::new();
    Ok(Schedule {
        id,
        name: row.try_get("name")?,
        task_name: row.try_get("task_name")?,
        cron_expression: row.try_get("cron_expression")?,
        timezone: row.try_get("timezone")?,
        enabled: row.try_get("enabled")?,
        args: decode::args(json("args")?, &mut bad),
        kwargs: decode::kwargs(json("kwargs")?, &mut bad),
        description: row.try_get("description")?,
        category: row.try_get("category")?,
        tags: decode::tags(json("tags")?, &mut bad),
        execution_policy: decode::policy(&policy, &mut bad),
        auto_generated_name: row.try_get("auto_generated_name")?,
        options: DeliveryOptions::from_json(decode::options(json("options")?, &mut bad)),
        jitter: Jitter::from_stored(
            row.try_get::<Option<i32>, _>("jitter_seconds")?
                .map(i64::from),
        ),
        last_run_at: row.try_get("last_run_at")?,
        total_run_count: row.try_get("total_run_count")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        pause: Pause {
            at: row.try_get("paused_at")?,
            by: row.try_get("paused_by")?,
            reason: row.try_get("pause_reason")?,
            until: row.try_get("paused_until")?,
        },
        resumed_at: row.try_get("resumed_at")?,
        unreadable: bad,
    })
}

impl Engine for PgStore {
    type Db = Postgres;
    const DIALECT: Dialect = Dialect::Postgres;

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    async fn reader(&self) -> Result<sqlx::pool::PoolConnection<Postgres>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    async fn rows(
        conn: &mut PgConnection,
        statement: &str,
        binds: &[Bind],
    ) -> Result<Vec<PgRow>, StoreError> {
        Ok(bind_all(sqlx::query(statement), binds)
            .fetch_all(&mut *conn)
            .await?)
    }

    fn schedule(row: &PgRow) -> Result<Schedule, StoreError> {
        decode_row(row)
    }

    fn task(row: &PgRow) -> Result<TaskSummary, StoreError> {
        decode_task(row)
    }

    fn text(row: &PgRow) -> Result<String, StoreError> {
        Ok(row.try_get(0)?)
    }

    fn run(row: &PgRow) -> Result<Run, StoreError> {
        decode_run(row)
    }

    async fn execute(
        conn: &mut PgConnection,
        statement: &str,
        binds: &[Bind],
    ) -> Result<u64, StoreError> {
        let done = bind_all(sqlx::query(statement), binds)
            .execute(&mut *conn)
            .await?;
        Ok(done.rows_affected())
    }

    async fn lock(conn: &mut PgConnection, key: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(key)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

impl NativeSchedules for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn visit_schedules(
        &self,
        filter: &ScheduleFilter,
        visit: &mut (dyn FnMut(Schedule) + Send),
    ) -> Result<(), StoreError> {
        let w = Where::filter(Dialect::Postgres, filter);
        let text = select(&w, sql::ORDER);
        // Decoded as the rows arrive: the raw rows and the schedules are never all held at once.
        let mut rows = bind_all(sqlx::query(&text), &w.binds).fetch(&self.pool);
        while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
            visit(decode_row(&row)?);
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
        let mut tx = self.pool.begin().await?;
        // One statement; its condition is `Switch::changes`, so a row another writer already
        // switched meanwhile is not written again.
        let mut w = Where::ids(Dialect::Postgres, ids);
        w = match switch {
            Switch::On { .. } => w.and_raw("NOT enabled"),
            Switch::Off(Pause { reason: None, .. }) => w.and_raw("enabled"),
            Switch::Off(p) => {
                let n = w.binds.len();
                w.binds.push(Bind::OptText(p.reason.clone()));
                w.binds.push(Bind::OptTime(p.until));
                w.and_raw(&format!(
                    "(enabled OR pause_reason IS DISTINCT FROM ${} OR paused_until IS DISTINCT FROM ${})",
                    n + 1,
                    n + 2
                ))
            }
        };
        let (set, binds) = sql::switch_set(switch, w.binds.len() + 1);
        let text = format!(
            "UPDATE celery_beat_schedules SET {set}, updated_at = GREATEST(${}, updated_at + interval '1 microsecond'){}",
            w.binds.len() + binds.len() + 1,
            w.sql()
        );
        w.binds.extend(binds);
        w.binds.push(Bind::Time(write_time(None)));
        bind_all(sqlx::query(&text), &w.binds)
            .execute(&mut *tx)
            .await?;
        let w = Where::ids(Dialect::Postgres, ids);
        let rows = bind_all(sqlx::query(&(select(&w, sql::ORDER))), &w.binds)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.iter().map(decode_row).collect()
    }

    async fn change_version(&self) -> Result<ChangeVersion, StoreError> {
        let (version, changed_at): (i64, DateTime<Utc>) =
            sqlx::query_as("SELECT version, changed_at FROM stockura_schedule_version")
                .fetch_one(&self.pool)
                .await?;
        Ok(ChangeVersion {
            version,
            changed_at,
        })
    }

    async fn changes_since(
        &self,
        _after: i64,
        _limit: usize,
    ) -> Result<Option<super::ChangeLog>, StoreError> {
        // The NOTIFY payload names the changed rows (migration 0008).
        Ok(None)
    }

    async fn status(&self) -> Result<DatabaseStatus, StoreError> {
        let server_version: String = sqlx::query_scalar("SHOW server_version")
            .fetch_one(&self.pool)
            .await?;
        let has = |table: &'static str| {
            let pool = self.pool.clone();
            async move {
                let found: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
                    .bind(table)
                    .fetch_one(&pool)
                    .await?;
                Ok::<bool, StoreError>(found.is_some())
            }
        };
        let applied: Vec<i64> = if has("stockura_migrations").await? {
            sqlx::query_scalar("SELECT version FROM stockura_migrations")
                .fetch_all(&self.pool)
                .await?
        } else {
            Vec::new()
        };
        let (enabled, disabled) = if has("celery_beat_schedules").await? {
            sqlx::query_as(
                "SELECT count(*) FILTER (WHERE enabled), count(*) FILTER (WHERE NOT enabled) FROM celery_beat_schedules",
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
            backend: Backend::Postgres,
            server_version: format!("PostgreSQL {server_version}"),
            pending: super::migrate::pending(super::migrate::POSTGRES, &applied)
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

fn decode_task(row: &PgRow) -> Result<TaskSummary, StoreError> {
    Ok(TaskSummary {
        task: TaskDefinition {
            id: row.try_get("id")?,
            task_name: row.try_get("task_name")?,
            category: row.try_get("category")?,
            description: row.try_get("description")?,
            parameter_schema: row
                .try_get::<Option<Json<Value>>, _>("parameter_schema")?
                .map(|j| j.0),
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        },
        schedule_count: row.try_get("schedule_count")?,
    })
}

fn decode_run(row: &PgRow) -> Result<Run, StoreError> {
    let mut bad = Vec::new();
    let json = |column: &str| -> Result<Value, StoreError> {
        Ok(row
            .try_get::<Option<Json<Value>>, _>(column)?
            .map(|j| j.0)
            .unwrap_or(Value::Null))
    };
    let trigger: String = row.try_get("trigger")?;
    let status: String = row.try_get("status")?;
    let id: i64 = row.try_get("id")?;
    let corrupt = |column: &'static str, e: crate::domain::DomainError| StoreError::Corrupt {
        id: format!("schedule_runs {id}"),
        column,
        problem: e.message,
    };
    Ok(Run {
        id,
        run: NewRun {
            schedule_id: row.try_get("schedule_id")?,
            schedule_name: row.try_get("schedule_name")?,
            task_name: row.try_get("task_name")?,
            celery_task_id: row.try_get("celery_task_id")?,
            scheduled_for: row.try_get("scheduled_for")?,
            dispatched_at: row.try_get("dispatched_at")?,
            trigger: trigger.parse().map_err(|e| corrupt("trigger", e))?,
            status: status.parse().map_err(|e| corrupt("status", e))?,
            detail: row.try_get("detail")?,
            arguments: Arguments::new(
                &decode::args(json("args")?, &mut bad),
                &decode::kwargs(json("kwargs")?, &mut bad),
            ),
            push_marker: row.try_get("push_marker")?,
        },
        created_at: row.try_get("created_at")?,
    })
}

/// From this many runs on, a claim insert is split in two statements on two connections.
const PARALLEL_CLAIMS_FROM: usize = 4_000;

type Inserted = Vec<(i64, Option<Uuid>, DateTime<Utc>, String)>;

impl PgStore {
    /// One INSERT of runs (arrays bound as parameters, unnested server-side); returns the rows
    /// it inserted. A run of a deleted schedule is skipped by its id in
    /// `stockura_deleted_schedule_ids` (migration 0011), looked up in `celery_beat_schedules`
    /// only when listed there, not by a lookup of every schedule. The lookup is a scalar
    /// subquery, run for the listed rows only: as `EXISTS`, the planner would hash the whole
    /// schedules table for them.
    async fn insert_chunk(
        &self,
        runs: &[NewRun],
        now: DateTime<Utc>,
    ) -> Result<Inserted, StoreError> {
        let col = |f: &dyn Fn(&NewRun) -> Option<String>| {
            runs.iter().map(f).collect::<Vec<Option<String>>>()
        };
        let rows = sqlx::query(
            "INSERT INTO schedule_runs (schedule_id, schedule_name, task_name, celery_task_id, scheduled_for, \
             dispatched_at, trigger, status, detail, args, kwargs, created_at, push_marker) \
             SELECT sid, sname, tname, tid, sfor, dat, trg, st, det, a::jsonb, k::jsonb, $12, pm \
             FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::timestamptz[], $6::timestamptz[], \
                         $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $13::text[]) \
                  AS t(sid, sname, tname, tid, sfor, dat, trg, st, det, a, k, pm) \
             WHERE NOT EXISTS (SELECT 1 FROM stockura_deleted_schedule_ids d WHERE d.id = sid) \
                OR (SELECT true FROM celery_beat_schedules s WHERE s.id = sid) \
             ON CONFLICT (schedule_id, scheduled_for, \
                          (CASE WHEN trigger IN ('schedule', 'catchup', 'backfill') AND status <> 'dry_run' THEN true END)) \
             DO NOTHING \
             RETURNING id, schedule_id, scheduled_for, trigger",
        )
        .bind(runs.iter().map(|r| r.schedule_id).collect::<Vec<_>>())
        .bind(col(&|r| Some(r.schedule_name.clone())))
        .bind(col(&|r| Some(r.task_name.clone())))
        .bind(runs.iter().map(|r| r.celery_task_id).collect::<Vec<_>>())
        .bind(runs.iter().map(|r| r.scheduled_for).collect::<Vec<_>>())
        .bind(runs.iter().map(|r| r.dispatched_at).collect::<Vec<_>>())
        .bind(col(&|r| Some(r.trigger.as_str().to_string())))
        .bind(col(&|r| Some(r.status.as_str().to_string())))
        .bind(col(&|r| r.detail.clone()))
        .bind(runs.iter().map(|r| r.arguments.args_text()).collect::<Vec<_>>())
        .bind(runs.iter().map(|r| r.arguments.kwargs_text()).collect::<Vec<_>>())
        .bind(now)
        .bind(col(&|r| r.push_marker.clone()))
        .fetch_all(&self.pool)
        .await?;
        let inserted = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("schedule_id")?,
                    r.try_get("scheduled_for")?,
                    r.try_get("trigger")?,
                ))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(inserted)
    }
}

impl RunStore for PgStore {
    async fn refuses_connections(&self) -> bool {
        // A real connection (not a bare TCP probe, which the server would log as an
        // incomplete startup packet), given 300 ms: only an outright refusal counts.
        let options = self.pool.connect_options();
        let attempt = tokio::time::timeout(
            std::time::Duration::from_millis(300),
            PgConnection::connect_with(&options),
        )
        .await;
        match attempt {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
                false
            }
            // Only "nobody listens": then no session of that server can commit the statement
            // being abandoned. A server shutting down smartly (57P03) or out of connection
            // slots (53300) still runs the sessions it has, so those do not count.
            Ok(Err(sqlx::Error::Io(e))) => e.kind() == std::io::ErrorKind::ConnectionRefused,
            Ok(Err(_)) | Err(_) => false,
        }
    }

    async fn insert_runs(&self, runs: &[NewRun]) -> Result<Vec<Option<i64>>, StoreError> {
        if runs.is_empty() {
            return Ok(Vec::new());
        }
        let now = write_time(None);
        // A large batch is claimed in two halves on two connections at once: the insert is
        // the longest step of a dispatch, and the server works on both. Each row claims its
        // own slot, so the halves need not share a transaction; if one fails, the batch is
        // handled as a database outage (re-inserting the rows that were claimed is harmless).
        let inserted = if runs.len() >= PARALLEL_CLAIMS_FROM {
            let (a, b) = runs.split_at(runs.len() / 2);
            let (mut a, b) = futures_util::future::try_join(
                self.insert_chunk(a, now),
                self.insert_chunk(b, now),
            )
            .await?;
            a.extend(b);
            a
        } else {
            self.insert_chunk(runs, now).await?
        };
        Ok(super::shared::align_claims(runs, inserted))
    }

    async fn mark_runs(
        &self,
        ids: &[i64],
        status: RunStatus,
        detail: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE schedule_runs SET status = $1, detail = $2, \
             dispatched_at = CASE WHEN $1 = 'dispatched' THEN dispatched_at END WHERE id = ANY($3)",
        )
        .bind(status.as_str())
        .bind(detail)
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn record_dispatch(&self, ran: &[(Uuid, DateTime<Utc>)]) -> Result<(), StoreError> {
        if ran.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE celery_beat_schedules s SET last_run_at = GREATEST(s.last_run_at, v.at), \
             total_run_count = s.total_run_count + v.n \
             FROM (SELECT id, max(at) AS at, count(*) AS n FROM UNNEST($1::uuid[], $2::timestamptz[]) AS u(id, at) GROUP BY id) v \
             WHERE s.id = v.id",
        )
        .bind(ran.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(ran.iter().map(|(_, at)| *at).collect::<Vec<_>>())
        .execute(&self.pool)
        .await?;
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
            .bind(cutoff)
            .bind(i64::from(limit))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn recent_runs(&self, ids: &[Uuid], per_schedule: u32) -> Result<Vec<Run>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let text = format!(
            "SELECT {} FROM UNNEST($1::uuid[]) AS u(sid) CROSS JOIN LATERAL \
             (SELECT * FROM schedule_runs r WHERE r.schedule_id = u.sid \
              ORDER BY r.scheduled_for DESC, r.id DESC LIMIT $2) l",
            sql::RUN_COLUMNS
        );
        let rows = sqlx::query(&text)
            .bind(ids)
            .bind(i64::from(per_schedule))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_run).collect()
    }

    async fn latest_dispatched(&self, ids: &[Uuid]) -> Result<Vec<LastDispatch>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(Uuid, Uuid, DateTime<Utc>)> = sqlx::query_as(
            "SELECT l.schedule_id, l.celery_task_id, l.dispatched_at FROM UNNEST($1::uuid[]) AS u(id) \
             CROSS JOIN LATERAL (SELECT schedule_id, celery_task_id, dispatched_at FROM schedule_runs r \
                 WHERE r.schedule_id = u.id AND r.status = 'dispatched' \
                 AND r.celery_task_id IS NOT NULL AND r.dispatched_at IS NOT NULL \
                 ORDER BY r.scheduled_for DESC LIMIT 5) l",
        )
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(super::traits::latest_of(rows.into_iter().map(
            |(schedule_id, celery_task_id, dispatched_at)| LastDispatch {
                schedule_id,
                celery_task_id,
                dispatched_at,
            },
        )))
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
             WHERE id = ANY($4) AND status IN ('owed', 'dispatched')",
        )
        .bind(status.as_str())
        .bind(dispatched_at)
        .bind(detail)
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

impl InstanceStore for PgStore {
    async fn put_instance(&self, i: &BeatInstance) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM stockura_beat_instances WHERE expires_at < $1")
            .bind(i.heartbeat_at - chrono::Duration::hours(1))
            .execute(&mut *tx)
            .await?;
        sqlx::query(sql::PUT_INSTANCE)
            .bind(i.instance_id)
            .bind(i.host.as_str())
            .bind(i64::from(i.pid))
            .bind(i.version.as_str())
            .bind(i.started_at)
            .bind(i.role.as_str())
            .bind(i.leadership.as_str())
            .bind(i64::try_from(i.schedules).unwrap_or(i64::MAX))
            .bind(i.last_tick_at)
            .bind(i.lag_ms)
            .bind(i.change_version)
            .bind(i.heartbeat_at)
            .bind(i.expires_at)
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
                let id: Uuid = row.try_get("instance_id")?;
                let role: String = row.try_get("role")?;
                Ok(BeatInstance {
                    instance_id: id,
                    host: row.try_get("host")?,
                    pid: u32::try_from(row.try_get::<i64, _>("pid")?).unwrap_or(0),
                    version: row.try_get("version")?,
                    started_at: row.try_get("started_at")?,
                    role: role.parse().map_err(|e: crate::domain::DomainError| {
                        StoreError::Corrupt {
                            id: format!("stockura_beat_instances {id}"),
                            column: "role",
                            problem: e.message,
                        }
                    })?,
                    leadership: row.try_get("leadership")?,
                    schedules: u64::try_from(row.try_get::<i64, _>("schedules")?).unwrap_or(0),
                    last_tick_at: row.try_get("last_tick_at")?,
                    lag_ms: row.try_get("lag_ms")?,
                    change_version: row.try_get("change_version")?,
                    heartbeat_at: row.try_get("heartbeat_at")?,
                    expires_at: row.try_get("expires_at")?,
                })
            })
            .collect()
    }

    async fn delete_instance(&self, id: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM stockura_beat_instances WHERE instance_id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl PgStore {
    /// A dedicated session for the advisory lock `key` (not yet taken).
    pub async fn advisory_lock(&self, key: i64) -> Result<AdvisoryLock, StoreError> {
        let options = PgConnectOptions::from_str(self.url.expose())
            .map_err(|source| StoreError::InvalidUrl {
                backend: Backend::Postgres,
                url: self.url.clone(),
                source,
            })?
            .application_name("stockura-beat-leader");
        let unreachable = |source| StoreError::Unreachable {
            backend: Backend::Postgres,
            url: self.url.clone(),
            source,
        };
        let conn = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| unreachable(sqlx::Error::PoolTimedOut))?
            .map_err(unreachable)?;
        Ok(AdvisoryLock {
            conn,
            key,
            held: false,
        })
    }
}
