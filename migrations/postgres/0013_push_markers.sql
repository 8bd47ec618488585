-- 0013: a claimed run remembers the push its message went out in.
-- A scheduler claims a slot as `owed` with the id of the push that is to carry its message
-- (`push_marker`); the push sets the broker key `<prefix>stockura:push:<push_marker>` in the
-- same atomic step as the message, and the row becomes `dispatched` once the push answered.
-- A scheduler that finds the row still `owed` (the previous one died, or lost its lease, in
-- between) asks the broker for that key: present, the message is there and is not sent again.
-- Nullable, no default: adding it rewrites nothing.
ALTER TABLE schedule_runs ADD COLUMN IF NOT EXISTS push_marker TEXT;
-- Every claim now enters the partial index of owed rows until its push answered: the index is
-- on the row id (appended in order) instead of the schedule id (a random uuid, so each claim
-- touched a random page of the index). Building it reads the table once (seconds for millions
-- of rows, writes wait meanwhile) and holds only the few owed rows.
DROP INDEX IF EXISTS ix_schedule_runs_owed;
CREATE INDEX ix_schedule_runs_owed ON schedule_runs (id) WHERE status = 'owed';
