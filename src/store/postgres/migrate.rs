//! Postgres migrations: applied in one transaction under a lock shared by every host, and
//! checked before any other command uses the database.

use super::PgStore;
use crate::config::Backend;
use crate::store::StoreError;
use crate::store::migrate::{self, MigrationReport};

impl PgStore {
    /// Fails unless every migration this binary knows has been applied.
    pub async fn check_current(&self) -> Result<(), StoreError> {
        let exists: Option<String> =
            sqlx::query_scalar("SELECT to_regclass('stockura_migrations')::text")
                .fetch_one(&self.pool)
                .await?;
        let applied: Vec<i64> = if exists.is_some() {
            sqlx::query_scalar("SELECT version FROM stockura_migrations")
                .fetch_all(&self.pool)
                .await?
        } else {
            Vec::new()
        };
        migrate::check(&self.url, migrate::POSTGRES, &applied)
    }
}

/// Applies every pending migration, adopting a `celery_beat_schedules` table the Python
/// application created (its rows are kept and counted).
pub(super) async fn run(store: &PgStore) -> Result<MigrationReport, StoreError> {
    let mut tx = store.pool.begin().await?;
    // One migrator at a time, across every host.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('stockura:migrate'))")
        .execute(&mut *tx)
        .await?;
    let adopting: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('celery_beat_schedules')::text")
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS stockura_migrations (version BIGINT PRIMARY KEY, \
             description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .execute(&mut *tx)
    .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM stockura_migrations")
        .fetch_all(&mut *tx)
        .await?;
    migrate::check_not_newer(&store.url, migrate::POSTGRES, &applied)?;
    let mut report = MigrationReport::new(Backend::Postgres);
    for m in migrate::pending(migrate::POSTGRES, &applied) {
        if m.version == 1 && adopting.is_some() {
            let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM celery_beat_schedules")
                .fetch_one(&mut *tx)
                .await?;
            report.adopted_rows = Some(rows);
        }
        sqlx::Executor::execute(&mut *tx, m.sql).await?;
        sqlx::query("INSERT INTO stockura_migrations (version, description) VALUES ($1, $2)")
            .bind(m.version)
            .bind(m.description)
            .execute(&mut *tx)
            .await?;
        report.applied.push(m.label());
    }
    tx.commit().await?;
    report.version = migrate::latest(migrate::POSTGRES);
    Ok(report)
}
