-- 0012: a slot whose push the broker refused stays owed.
-- A claimed run whose message the broker did not take is no longer recorded `failed` at once:
-- it is `owed`, retried with the same Celery task id until the broker takes it (then
-- `dispatched`) or its deadline passes (then `failed`). A scheduler that becomes the leader
-- takes over the owed runs from this table.
ALTER TABLE schedule_runs DROP CONSTRAINT IF EXISTS schedule_runs_status_check;
-- NOT VALID: every existing row already satisfies the wider check; no scan of the history.
ALTER TABLE schedule_runs ADD CONSTRAINT schedule_runs_status_check
    CHECK (status IN ('dispatched', 'missed', 'failed', 'dry_run', 'skipped', 'deferred', 'owed'))
    NOT VALID;
CREATE INDEX IF NOT EXISTS ix_schedule_runs_owed ON schedule_runs (schedule_id)
    WHERE status = 'owed';
