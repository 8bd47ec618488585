-- 0009: every change to celery_beat_schedules is logged with the version it bumped and the
-- schedule's id, in the same transaction, whoever writes; a scheduler whose version poll finds
-- a change reloads just the logged rows (the SQLite counterpart of the Postgres NOTIFY payload
-- of 0008). A NULL id is a task-definition change. The log keeps the latest 1,000 versions: a
-- scheduler further behind reloads everything.

CREATE TABLE IF NOT EXISTS stockura_schedule_changes (
    version     INTEGER PRIMARY KEY,
    schedule_id TEXT NULL
);

DROP TRIGGER IF EXISTS stockura_version_celery_beat_schedules_insert;
CREATE TRIGGER stockura_version_celery_beat_schedules_insert AFTER INSERT ON celery_beat_schedules
BEGIN
    UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
    INSERT INTO stockura_schedule_changes (version, schedule_id) SELECT version, NEW.id FROM stockura_schedule_version;
    DELETE FROM stockura_schedule_changes WHERE version <= (SELECT version FROM stockura_schedule_version) - 1000;
END;

DROP TRIGGER IF EXISTS stockura_version_celery_beat_schedules_delete;
CREATE TRIGGER stockura_version_celery_beat_schedules_delete AFTER DELETE ON celery_beat_schedules
BEGIN
    UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
    INSERT INTO stockura_schedule_changes (version, schedule_id) SELECT version, OLD.id FROM stockura_schedule_version;
    DELETE FROM stockura_schedule_changes WHERE version <= (SELECT version FROM stockura_schedule_version) - 1000;
END;

DROP TRIGGER IF EXISTS stockura_version_celery_beat_schedules_update;
CREATE TRIGGER stockura_version_celery_beat_schedules_update AFTER UPDATE OF name, task_name, cron_expression, timezone, enabled, args, kwargs, description, category, tags, execution_policy, auto_generated_name, options ON celery_beat_schedules
BEGIN
    UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
    INSERT INTO stockura_schedule_changes (version, schedule_id) SELECT version, NEW.id FROM stockura_schedule_version;
    DELETE FROM stockura_schedule_changes WHERE version <= (SELECT version FROM stockura_schedule_version) - 1000;
END;

DROP TRIGGER IF EXISTS stockura_version_task_definitions_insert;
CREATE TRIGGER stockura_version_task_definitions_insert AFTER INSERT ON task_definitions
BEGIN
    UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
    INSERT INTO stockura_schedule_changes (version, schedule_id) SELECT version, NULL FROM stockura_schedule_version;
END;

DROP TRIGGER IF EXISTS stockura_version_task_definitions_delete;
CREATE TRIGGER stockura_version_task_definitions_delete AFTER DELETE ON task_definitions
BEGIN
    UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
    INSERT INTO stockura_schedule_changes (version, schedule_id) SELECT version, NULL FROM stockura_schedule_version;
END;

DROP TRIGGER IF EXISTS stockura_version_task_definitions_update;
CREATE TRIGGER stockura_version_task_definitions_update AFTER UPDATE ON task_definitions
BEGIN
    UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
    INSERT INTO stockura_schedule_changes (version, schedule_id) SELECT version, NULL FROM stockura_schedule_version;
END;
