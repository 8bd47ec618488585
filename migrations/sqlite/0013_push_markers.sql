-- 0013: a claimed run remembers the push its message went out in (see the Postgres migration).
ALTER TABLE schedule_runs ADD COLUMN push_marker TEXT;
-- The partial index of owed rows on the row id (appended in order) instead of the schedule id
-- (a random uuid text): every claim enters it until its push answered.
DROP INDEX IF EXISTS ix_schedule_runs_owed;
CREATE INDEX ix_schedule_runs_owed ON schedule_runs (id) WHERE status = 'owed';
