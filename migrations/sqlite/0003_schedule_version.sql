-- 0003: a durable change marker, bumped by triggers in the same transaction as every change to
-- celery_beat_schedules (run bookkeeping excluded) and task_definitions, whoever writes.

CREATE TABLE IF NOT EXISTS stockura_schedule_version (
    version    INTEGER NOT NULL,
    changed_at TEXT NOT NULL
);
INSERT INTO stockura_schedule_version (version, changed_at)
SELECT 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE NOT EXISTS (SELECT 1 FROM stockura_schedule_version);

CREATE TRIGGER IF NOT EXISTS stockura_version_celery_beat_schedules_insert AFTER INSERT ON celery_beat_schedules
BEGIN UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'); END;

CREATE TRIGGER IF NOT EXISTS stockura_version_celery_beat_schedules_delete AFTER DELETE ON celery_beat_schedules
BEGIN UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'); END;

CREATE TRIGGER IF NOT EXISTS stockura_version_celery_beat_schedules_update AFTER UPDATE OF name, task_name, cron_expression, timezone, enabled, args, kwargs, description, category, tags, execution_policy, auto_generated_name, options ON celery_beat_schedules
BEGIN UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'); END;

CREATE TRIGGER IF NOT EXISTS stockura_version_task_definitions_insert AFTER INSERT ON task_definitions
BEGIN UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'); END;

CREATE TRIGGER IF NOT EXISTS stockura_version_task_definitions_delete AFTER DELETE ON task_definitions
BEGIN UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'); END;

CREATE TRIGGER IF NOT EXISTS stockura_version_task_definitions_update AFTER UPDATE ON task_definitions
BEGIN UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'); END;
