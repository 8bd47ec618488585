-- 0016: jitter_seconds, the spread of a schedule's send times after its slots (`--jitter`).
-- NULL is no jitter. The Python application does not read it.
ALTER TABLE celery_beat_schedules
    ADD COLUMN IF NOT EXISTS jitter_seconds INTEGER NULL
        CONSTRAINT celery_beat_schedules_jitter_seconds_check
        CHECK (jitter_seconds IS NULL OR jitter_seconds BETWEEN 1 AND 3600);

-- A jitter changed by another program (plain SQL) reaches running schedulers like any other
-- change: both triggers also watch the new column.
DROP TRIGGER IF EXISTS stockura_schedule_version_bump ON celery_beat_schedules;
CREATE TRIGGER stockura_schedule_version_bump
    AFTER INSERT OR DELETE OR UPDATE OF name, task_name, cron_expression, timezone, enabled, args, kwargs,
        description, category, tags, execution_policy, auto_generated_name, options, jitter_seconds
    ON celery_beat_schedules FOR EACH STATEMENT EXECUTE FUNCTION stockura_bump_schedule_version();
DROP TRIGGER IF EXISTS stockura_schedule_changed_row ON celery_beat_schedules;
CREATE TRIGGER stockura_schedule_changed_row
    AFTER INSERT OR DELETE OR UPDATE OF name, task_name, cron_expression, timezone, enabled, args, kwargs,
        description, category, tags, execution_policy, auto_generated_name, options, jitter_seconds
    ON celery_beat_schedules FOR EACH ROW EXECUTE FUNCTION stockura_collect_schedule_id();
