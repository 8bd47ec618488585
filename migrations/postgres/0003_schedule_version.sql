-- 0003: a durable change marker. Every statement that changes what a scheduler runs (any
-- write to celery_beat_schedules except run bookkeeping, any write to task_definitions) bumps
-- stockura_schedule_version in the same transaction, whoever writes: stockura, the Python
-- application, psql. The trigger also sends NOTIFY stockura_schedule_changes with the new
-- version, so a scheduler on Postgres hears of changes without Redis.

CREATE TABLE IF NOT EXISTS stockura_schedule_version (
    version    BIGINT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Exactly one row.
CREATE UNIQUE INDEX IF NOT EXISTS stockura_schedule_version_one_row ON stockura_schedule_version ((true));
INSERT INTO stockura_schedule_version (version, changed_at)
SELECT 0, now() WHERE NOT EXISTS (SELECT 1 FROM stockura_schedule_version);

CREATE OR REPLACE FUNCTION stockura_bump_schedule_version() RETURNS trigger
LANGUAGE plpgsql AS $bump$
DECLARE
    v BIGINT;
BEGIN
    UPDATE stockura_schedule_version SET version = version + 1, changed_at = now() RETURNING version INTO v;
    PERFORM pg_notify('stockura_schedule_changes', v::text);
    RETURN NULL;
END
$bump$;

DROP TRIGGER IF EXISTS stockura_schedule_version_bump ON celery_beat_schedules;
CREATE TRIGGER stockura_schedule_version_bump
    AFTER INSERT OR DELETE OR UPDATE OF name, task_name, cron_expression, timezone, enabled, args, kwargs,
        description, category, tags, execution_policy, auto_generated_name, options
    ON celery_beat_schedules FOR EACH STATEMENT EXECUTE FUNCTION stockura_bump_schedule_version();
DROP TRIGGER IF EXISTS stockura_schedule_version_truncate ON celery_beat_schedules;
CREATE TRIGGER stockura_schedule_version_truncate
    AFTER TRUNCATE ON celery_beat_schedules FOR EACH STATEMENT EXECUTE FUNCTION stockura_bump_schedule_version();

DROP TRIGGER IF EXISTS stockura_schedule_version_bump ON task_definitions;
CREATE TRIGGER stockura_schedule_version_bump
    AFTER INSERT OR DELETE OR UPDATE ON task_definitions
    FOR EACH STATEMENT EXECUTE FUNCTION stockura_bump_schedule_version();
DROP TRIGGER IF EXISTS stockura_schedule_version_truncate ON task_definitions;
CREATE TRIGGER stockura_schedule_version_truncate
    AFTER TRUNCATE ON task_definitions FOR EACH STATEMENT EXECUTE FUNCTION stockura_bump_schedule_version();
