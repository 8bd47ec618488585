//! SQLite migrations: applied on first use in one write transaction, after adopting a
//! `celery_beat_schedules` table another program created with an older shape.

use chrono::Utc;

use super::{SqliteStore, format_time};
use crate::config::Backend;
use crate::store::StoreError;
use crate::store::migrate::{self, MigrationReport};

impl SqliteStore {
    pub(super) async fn applied(
        &self,
        conn: &mut sqlx::SqliteConnection,
    ) -> Result<Vec<i64>, StoreError> {
        let exists: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'stockura_migrations'",
        )
        .fetch_one(&mut *conn)
        .await?;
        if exists == 0 {
            return Ok(Vec::new());
        }
        Ok(
            sqlx::query_scalar("SELECT version FROM stockura_migrations")
                .fetch_all(&mut *conn)
                .await?,
        )
    }
}

/// Applies every pending migration; a read, without the write lock, when there is none.
pub(super) async fn run(store: &SqliteStore) -> Result<MigrationReport, StoreError> {
    let mut report = MigrationReport::new(Backend::Sqlite);
    report.version = migrate::latest(migrate::SQLITE);
    // Fast path: a read, no write lock, when the schema is current (every command opens here).
    let mut conn = store.pool.acquire().await?;
    let applied = store.applied(&mut conn).await?;
    migrate::check_not_newer(&store.url, migrate::SQLITE, &applied)?;
    if migrate::pending(migrate::SQLITE, &applied).next().is_none() {
        return Ok(report);
    }
    drop(conn);
    if store.read_only {
        let pending = migrate::pending(migrate::SQLITE, &applied).count();
        return Err(StoreError::ReadOnly {
            what: format!("apply {pending} pending migration(s)"),
            source: None,
        });
    }
    let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS stockura_migrations (version INTEGER PRIMARY KEY, \
             description TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let applied = store.applied(&mut tx).await?;
    for m in migrate::pending(migrate::SQLITE, &applied) {
        if m.version == 1 {
            report.adopted_rows = adopt_legacy_table(&mut tx, m.sql).await?;
        }
        sqlx::Executor::execute(&mut *tx, m.sql).await?;
        sqlx::query("INSERT INTO stockura_migrations (version, description, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.description)
                .bind(format_time(Utc::now()))
                .execute(&mut *tx)
                .await?;
        report.applied.push(m.label());
    }
    tx.commit().await?;
    Ok(report)
}

/// Adopts a `celery_beat_schedules` table that another program created with the older shape
/// (`id, name (unique), task_name, cron_expression, enabled, args, kwargs, description,
/// created_at, updated_at`). SQLite cannot drop a unique constraint in place, so the table is
/// rebuilt: renamed, created anew by `create_sql`, every row copied (ids normalised to the
/// hyphenated lower-case form, NULLs replaced by the defaults), the old table dropped. Returns
/// the number of rows kept, or `None` when there was nothing to adopt. Runs inside the
/// migration's transaction.
async fn adopt_legacy_table(
    tx: &mut sqlx::SqliteConnection,
    create_sql: &str,
) -> Result<Option<i64>, StoreError> {
    let columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('celery_beat_schedules')")
            .fetch_all(&mut *tx)
            .await?;
    if columns.is_empty() || columns.iter().any(|c| c == "execution_policy") {
        return Ok(None);
    }
    const LEGACY: &str = "stockura_legacy_celery_beat_schedules";
    sqlx::Executor::execute(
        &mut *tx,
        format!("ALTER TABLE celery_beat_schedules RENAME TO {LEGACY}").as_str(),
    )
    .await?;
    sqlx::Executor::execute(&mut *tx, create_sql).await?;
    let now = format!("'{}'", format_time(Utc::now()));
    let has = |c: &str| columns.iter().any(|x| x == c);
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    let mut copy = |target: &str, source: String| {
        targets.push(target.to_string());
        sources.push(source);
    };
    copy(
        "id",
        "CASE WHEN length(id) = 32 THEN lower(substr(id, 1, 8) || '-' || substr(id, 9, 4) || '-' || \
         substr(id, 13, 4) || '-' || substr(id, 17, 4) || '-' || substr(id, 21)) ELSE lower(id) END"
            .into(),
    );
    for c in ["name", "task_name", "cron_expression"] {
        copy(c, c.to_string());
    }
    let defaults = [
        ("enabled", "1"),
        ("args", "'[]'"),
        ("kwargs", "'{}'"),
        ("tags", "'[]'"),
        ("options", "'{}'"),
    ];
    for (c, default) in defaults {
        if has(c) {
            copy(c, format!("COALESCE({c}, {default})"));
        }
    }
    for c in [
        "timezone",
        "description",
        "category",
        "execution_policy",
        "auto_generated_name",
        "last_run_at",
        "total_run_count",
    ] {
        if has(c) {
            copy(c, c.to_string());
        }
    }
    let created = if has("created_at") {
        format!("COALESCE(created_at, {now})")
    } else {
        now.clone()
    };
    let updated = if has("updated_at") {
        format!("COALESCE(updated_at, {created})")
    } else {
        created.clone()
    };
    copy("created_at", created);
    copy("updated_at", updated);
    let insert = format!(
        "INSERT INTO celery_beat_schedules ({}) SELECT {} FROM {LEGACY}",
        targets.join(", "),
        sources.join(", ")
    );
    let done = sqlx::Executor::execute(&mut *tx, insert.as_str()).await?;
    sqlx::Executor::execute(&mut *tx, format!("DROP TABLE {LEGACY}").as_str()).await?;
    Ok(Some(
        i64::try_from(done.rows_affected()).unwrap_or(i64::MAX),
    ))
}
