-- 0008: the NOTIFY of a schedule statement names the rows it changed, so a scheduler can reload
-- just those. Payload forms on stockura_schedule_changes:
--   "V"            version V, anything may have changed (task definitions, TRUNCATE): reload all
--   "V:"           version V, a schedule statement that changed no row
--   "V:id,id,..."  version V, exactly these schedules changed (at most 64 ids)
--   "V:*"          version V, more rows than that: reload all
-- A row trigger collects the ids in a transaction-local setting; the statement trigger (which
-- fires after the statement's row triggers) bumps the version, notifies and clears it.

CREATE OR REPLACE FUNCTION stockura_collect_schedule_id() RETURNS trigger
LANGUAGE plpgsql AS $collect$
DECLARE
    acc TEXT := coalesce(current_setting('stockura.changed_ids', true), '');
    id  TEXT;
BEGIN
    IF acc = '*' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN id := OLD.id::text; ELSE id := NEW.id::text; END IF;
    IF length(acc) >= 64 * 37 THEN
        acc := '*';
    ELSIF acc = '' THEN
        acc := id;
    ELSE
        acc := acc || ',' || id;
    END IF;
    PERFORM set_config('stockura.changed_ids', acc, true);
    RETURN NULL;
END
$collect$;

CREATE OR REPLACE FUNCTION stockura_bump_schedule_version() RETURNS trigger
LANGUAGE plpgsql AS $bump$
DECLARE
    v BIGINT;
    ids TEXT;
BEGIN
    UPDATE stockura_schedule_version SET version = version + 1, changed_at = now() RETURNING version INTO v;
    IF TG_TABLE_NAME = 'celery_beat_schedules' AND TG_OP <> 'TRUNCATE' THEN
        ids := coalesce(current_setting('stockura.changed_ids', true), '');
        PERFORM set_config('stockura.changed_ids', '', true);
        PERFORM pg_notify('stockura_schedule_changes', v::text || ':' || ids);
    ELSE
        PERFORM pg_notify('stockura_schedule_changes', v::text);
    END IF;
    RETURN NULL;
END
$bump$;

DROP TRIGGER IF EXISTS stockura_schedule_changed_row ON celery_beat_schedules;
CREATE TRIGGER stockura_schedule_changed_row
    AFTER INSERT OR DELETE OR UPDATE OF name, task_name, cron_expression, timezone, enabled, args, kwargs,
        description, category, tags, execution_policy, auto_generated_name, options
    ON celery_beat_schedules FOR EACH ROW EXECUTE FUNCTION stockura_collect_schedule_id();
