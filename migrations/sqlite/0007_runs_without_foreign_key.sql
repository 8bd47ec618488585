-- 0007: on Postgres, schedule_runs.schedule_id loses its foreign key for a trigger (the key's
-- check slowed every claim insert). SQLite keeps its foreign key (ON DELETE SET NULL): its check
-- is one primary-key lookup in the same process. Nothing changes here.

SELECT 1;
