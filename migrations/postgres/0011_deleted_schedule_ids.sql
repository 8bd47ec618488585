-- 0011: a claim checks that its schedule was not deleted against the ids of recently deleted
-- schedules, not by looking every schedule up.
--
-- The claim insert looked each of its rows' schedules up in celery_beat_schedules, so that a
-- schedule deleted after a scheduler loaded it gets no run (and no send). That table is
-- rewritten every minute by the schedulers' bookkeeping (last_run_at, total_run_count), so each
-- lookup walked dead row versions: about half of a 5,000-row claim statement on a table of
-- 100,000 schedules (BENCHMARKS.md). A deleted schedule's id is now kept here for a day by the
-- delete trigger of 0007, and the claim skips the rows whose schedule is listed: the same
-- answer for every schedule a scheduler can have loaded, since a running scheduler hears of a
-- delete within its sync interval (NOTIFY, the Redis event or the version poll). TRUNCATE fires
-- no delete trigger; it changes the version, and schedulers reload. A schedule inserted again
-- with a deleted id (restored from a backup, re-imported by another program) leaves the list at
-- once, so its runs are claimed again.

CREATE TABLE IF NOT EXISTS stockura_deleted_schedule_ids (
    id         UUID PRIMARY KEY,
    deleted_at TIMESTAMPTZ NOT NULL
);

CREATE OR REPLACE FUNCTION stockura_detach_runs() RETURNS trigger
LANGUAGE plpgsql AS $detach$
BEGIN
    UPDATE schedule_runs r SET schedule_id = NULL
    FROM stockura_deleted_schedules d WHERE r.schedule_id = d.id;
    DELETE FROM stockura_deleted_schedule_ids WHERE deleted_at < now() - interval '1 day';
    INSERT INTO stockura_deleted_schedule_ids (id, deleted_at)
    SELECT id, now() FROM stockura_deleted_schedules
    ON CONFLICT (id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at;
    RETURN NULL;
END
$detach$;

CREATE OR REPLACE FUNCTION stockura_forget_deleted_ids() RETURNS trigger
LANGUAGE plpgsql AS $forget$
BEGIN
    DELETE FROM stockura_deleted_schedule_ids d
    USING stockura_inserted_schedules i WHERE d.id = i.id;
    RETURN NULL;
END
$forget$;

DROP TRIGGER IF EXISTS stockura_forget_deleted_ids ON celery_beat_schedules;
CREATE TRIGGER stockura_forget_deleted_ids
    AFTER INSERT ON celery_beat_schedules
    REFERENCING NEW TABLE AS stockura_inserted_schedules
    FOR EACH STATEMENT EXECUTE FUNCTION stockura_forget_deleted_ids();
