//! `stockura migrate` adopts a table created by the Python application, keeping every row.

use serde_json::json;
use sqlx::Connection;

use crate::support::TestDb;

async fn legacy(db: &TestDb, ddl: &str) {
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::raw_sql(ddl).execute(&mut conn).await.unwrap();
}

const ROWS: &str = "
INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, args, kwargs, description, created_at, updated_at) VALUES
 ('0b7e6a52-4f0c-4a0e-9d44-6f1f0a000001', 'fetch_daily', 'app.tasks.fetch_listed_info_task_asyncpg', '0 0 * * *', true,
  '[]', '{\"period_type\": \"daily\"}', 'daily fetch', '2025-01-01 09:00:00', '2025-01-02 09:00:00'),
 ('0b7e6a52-4f0c-4a0e-9d44-6f1f0a000002', 'fetch_weekly', 'app.tasks.fetch_listed_info_task_asyncpg', '0 0 * * 0', false,
  NULL, NULL, NULL, '2025-01-01 09:00:00', NULL);";

#[tokio::test]
async fn adopts_a_python_created_table_with_json_columns_and_a_unique_constraint() {
    let db = TestDb::postgres_empty().await;
    legacy(
        &db,
        &format!(
            "CREATE TABLE celery_beat_schedules (
                id UUID PRIMARY KEY, name VARCHAR(255) NOT NULL, task_name VARCHAR(255) NOT NULL,
                cron_expression VARCHAR(100) NOT NULL, enabled BOOLEAN DEFAULT TRUE, args JSON DEFAULT '[]',
                kwargs JSON DEFAULT '{{}}', description TEXT, created_at TIMESTAMP, updated_at TIMESTAMP,
                CONSTRAINT celery_beat_schedules_name_key UNIQUE (name));{ROWS}"
        ),
    )
    .await;
    // Before migrating, stockura refuses to touch it.
    let out = db.cmd().args(["schedule", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    let report = db.json(&["migrate"]);
    assert_eq!(report["adopted_rows"], 2);
    assert_eq!(report["applied"], crate::support::all_migrations());
    let list = db.json(&["schedule", "list"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let daily = &rows[0];
    assert_eq!(daily["id"], "0b7e6a52-4f0c-4a0e-9d44-6f1f0a000001");
    assert_eq!(daily["kwargs"], json!({"period_type": "daily"}));
    assert_eq!(daily["description"], "daily fetch");
    assert_eq!(
        daily["created_at"], "2025-01-01T09:00:00Z",
        "naive timestamps are taken as UTC"
    );
    assert_eq!(daily["updated_at"], "2025-01-02T09:00:00Z");
    assert_eq!(
        (
            daily["tags"].clone(),
            daily["execution_policy"].clone(),
            daily["options"].clone()
        ),
        (json!([]), json!("allow"), json!({}))
    );
    let weekly = &rows[1];
    assert_eq!(
        (
            weekly["args"].clone(),
            weekly["kwargs"].clone(),
            weekly["enabled"].clone()
        ),
        (json!([]), json!({}), json!(false))
    );
    assert_eq!(weekly["updated_at"], weekly["created_at"]);
    // The unique constraint is gone: the same name again is allowed.
    db.json(&[
        "schedule",
        "add",
        "--task",
        "t",
        "--cron",
        "@daily",
        "--name",
        "fetch_daily",
    ]);
    // Updates work on adopted rows (optimistic concurrency on the converted timestamps).
    let updated = db.json(&[
        "schedule",
        "update",
        "0b7e6a52-4f0c-4a0e-9d44-6f1f0a000001",
        "--tag",
        "adopted",
    ]);
    assert_eq!(updated["tags"], json!(["adopted"]));
    assert_eq!(updated["kwargs"], json!({"period_type": "daily"}));
    // Column types and indexes are those of a fresh database.
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let types: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_name = 'celery_beat_schedules' AND column_name IN ('args', 'kwargs', 'created_at', 'tags') ORDER BY column_name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        types,
        [
            ("args", "jsonb"),
            ("created_at", "timestamp with time zone"),
            ("kwargs", "jsonb"),
            ("tags", "jsonb")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE tablename = 'celery_beat_schedules' AND indexname LIKE 'ix_%' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        indexes,
        [
            "ix_celery_beat_schedules_category",
            "ix_celery_beat_schedules_enabled",
            "ix_celery_beat_schedules_name",
            "ix_celery_beat_schedules_paused_until",
            "ix_celery_beat_schedules_tags",
            "ix_celery_beat_schedules_task_name"
        ]
    );
    // Idempotent.
    assert_eq!(db.json(&["migrate"])["applied"], json!([]));
}

#[tokio::test]
async fn adopts_a_jsonb_table_with_a_unique_index_instead_of_a_constraint() {
    let db = TestDb::postgres_empty().await;
    legacy(
        &db,
        &format!(
            "CREATE TABLE celery_beat_schedules (
                id UUID PRIMARY KEY, name VARCHAR(255) NOT NULL, task_name VARCHAR(255) NOT NULL,
                cron_expression VARCHAR(100) NOT NULL, enabled BOOLEAN NOT NULL DEFAULT TRUE, args JSONB,
                kwargs JSONB, description TEXT, created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                updated_at TIMESTAMPTZ);
             CREATE UNIQUE INDEX ix_legacy_name ON celery_beat_schedules (name);{ROWS}"
        ),
    )
    .await;
    assert_eq!(db.json(&["migrate"])["adopted_rows"], 2);
    db.json(&[
        "schedule",
        "add",
        "--task",
        "t",
        "--cron",
        "@daily",
        "--name",
        "fetch_weekly",
    ]);
    let twins = db.json(&["schedule", "list", "--search", "fetch_weekly"]);
    assert_eq!(twins.as_array().unwrap().len(), 2);
    // Rows the Python side inserts afterwards, without the new columns, get the defaults.
    legacy(&db, "INSERT INTO celery_beat_schedules (name, task_name, cron_expression) VALUES ('py', 'app.tasks.py_task', '@hourly')").await;
    let py = db.json(&["schedule", "show", "py"]);
    assert_eq!(
        (
            py["args"].clone(),
            py["kwargs"].clone(),
            py["enabled"].clone()
        ),
        (json!([]), json!({}), json!(true))
    );
}
