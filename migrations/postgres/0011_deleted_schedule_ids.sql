-- 0011: a claim checks that its schedule was not deleted against the ids of recently deleted
-- schedules, not by looking every schedule up.
--
-- The claim insert looked each of its rows' schedules up in celery_beat_schedules, so that a
-- schedule deleted after a scheduler loaded it gets no run (and no send). That table is
-- rewritten every minute by the schedulers' bookkeeping (last_run_at, total_run_count), so each
-- lookup walked dead row versions: about half of a 5,000-row claim statement on a table of
-- 100,000 schedules (BENCHMARKS.md). A deleted schedule's id is now kept here for a day, by
-- the delete trigger of 0007 and by a truncate trigger, and the claim refuses a row whose
-- schedule is listed here and is not in celery_beat_schedules (looked up for the listed rows
-- only: a schedule restored with its id, however it came back, is claimed again). A running
-- scheduler hears of a delete within its sync interval (NOTIFY, the Redis event or the version
-- poll), far within the day; the day bounds the list that every claim statement reads.

CREATE TABLE IF NOT EXISTS stockura_deleted_schedule_ids (
    id         UUID PRIMARY KEY,
    deleted_at TIMESTAMPTZ NOT NULL
);

-- What a delete and a truncate both do: detach the history of the schedules `ids`, and list
-- them (dropping what was listed more than a day ago).
CREATE OR REPLACE FUNCTION stockura_forget_schedules(ids UUID[]) RETURNS void
LANGUAGE plpgsql AS $forget$
BEGIN
    UPDATE schedule_runs SET schedule_id = NULL WHERE schedule_id = ANY (ids);
    DELETE FROM stockura_deleted_schedule_ids WHERE deleted_at < now() - interval '1 day';
    INSERT INTO stockura_deleted_schedule_ids (id, deleted_at)
    SELECT id, now() FROM unnest(ids) AS u(id)
    ON CONFLICT (id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at;
END
$forget$;

CREATE OR REPLACE FUNCTION stockura_detach_runs() RETURNS trigger
LANGUAGE plpgsql AS $detach$
BEGIN
    PERFORM stockura_forget_schedules(ARRAY(SELECT id FROM stockura_deleted_schedules));
    RETURN NULL;
END
$detach$;

-- TRUNCATE fires no delete trigger: the same, for every schedule, before they go.
CREATE OR REPLACE FUNCTION stockura_truncate_schedules() RETURNS trigger
LANGUAGE plpgsql AS $truncate$
BEGIN
    PERFORM stockura_forget_schedules(ARRAY(SELECT id FROM celery_beat_schedules));
    RETURN NULL;
END
$truncate$;

DROP TRIGGER IF EXISTS stockura_truncate_schedules ON celery_beat_schedules;
CREATE TRIGGER stockura_truncate_schedules
    BEFORE TRUNCATE ON celery_beat_schedules
    FOR EACH STATEMENT EXECUTE FUNCTION stockura_truncate_schedules();
