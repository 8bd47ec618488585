-- 0013: a claimed run remembers the push its message went out in (see the Postgres migration).
ALTER TABLE schedule_runs ADD COLUMN push_marker TEXT;
