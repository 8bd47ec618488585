-- 0016: jitter_seconds, the spread of a schedule's send times after its slots (see the
-- Postgres migration). NULL is no jitter.
-- Whole seconds only: SQLite would keep 30.5 as a REAL, which no scheduler could read.
ALTER TABLE celery_beat_schedules ADD COLUMN jitter_seconds INTEGER NULL
    CHECK (jitter_seconds IS NULL
           OR (typeof(jitter_seconds) = 'integer' AND jitter_seconds BETWEEN 1 AND 3600));

-- A jitter changed by another program (plain SQL) reaches running schedulers like any other
-- change: the change-log trigger also watches the new column.
DROP TRIGGER IF EXISTS stockura_version_celery_beat_schedules_update;
CREATE TRIGGER stockura_version_celery_beat_schedules_update AFTER UPDATE OF name, task_name, cron_expression, timezone, enabled, args, kwargs, description, category, tags, execution_policy, auto_generated_name, options, jitter_seconds ON celery_beat_schedules
BEGIN
    UPDATE stockura_schedule_version SET version = version + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
    INSERT INTO stockura_schedule_changes (version, schedule_id) SELECT version, NEW.id FROM stockura_schedule_version;
    DELETE FROM stockura_schedule_changes WHERE version <= (SELECT version FROM stockura_schedule_version) - 1000;
END;
