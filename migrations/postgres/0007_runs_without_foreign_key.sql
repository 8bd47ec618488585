-- 0007: schedule_runs.schedule_id loses its foreign key; a statement trigger detaches the
-- history of deleted schedules instead (as ON DELETE SET NULL did). The key's check cost a
-- row lock and a lookup per inserted run: about 70 ms of every 10,000-run claim insert, the
-- longest step of a dispatch. Claims still insert runs only for schedules that exist.

ALTER TABLE schedule_runs DROP CONSTRAINT IF EXISTS schedule_runs_schedule_id_fkey;

CREATE OR REPLACE FUNCTION stockura_detach_runs() RETURNS trigger
LANGUAGE plpgsql AS $detach$
BEGIN
    UPDATE schedule_runs r SET schedule_id = NULL
    FROM stockura_deleted_schedules d WHERE r.schedule_id = d.id;
    RETURN NULL;
END
$detach$;

DROP TRIGGER IF EXISTS stockura_detach_runs ON celery_beat_schedules;
CREATE TRIGGER stockura_detach_runs
    AFTER DELETE ON celery_beat_schedules
    REFERENCING OLD TABLE AS stockura_deleted_schedules
    FOR EACH STATEMENT EXECUTE FUNCTION stockura_detach_runs();
