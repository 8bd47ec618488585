-- 0015: `schedule backfill` records its runs (see the Postgres migration): the trigger may be
-- `backfill` (a claim, counted by the claim index) or `resend` (no claim, like a manual run).
-- SQLite cannot change a CHECK constraint in place: the history table is rebuilt with the
-- wider trigger list, its rows copied with their ids, and its indexes made again.
CREATE TABLE schedule_runs_0015 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id    TEXT NULL REFERENCES celery_beat_schedules (id) ON DELETE SET NULL,
    schedule_name  TEXT NOT NULL,
    task_name      TEXT NOT NULL,
    celery_task_id TEXT NULL,
    scheduled_for  TEXT NOT NULL,
    dispatched_at  TEXT NULL,
    trigger        TEXT NOT NULL
        CHECK (trigger IN ('schedule', 'catchup', 'manual', 'backfill', 'resend')),
    status         TEXT NOT NULL
        CHECK (status IN ('dispatched', 'missed', 'failed', 'dry_run', 'skipped', 'deferred', 'owed')),
    detail         TEXT NULL,
    args           TEXT NOT NULL DEFAULT '[]',
    kwargs         TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL,
    push_marker    TEXT NULL
);
-- The ids handed out so far carry over (a deleted newest run's id is not handed out again).
INSERT INTO sqlite_sequence (name, seq)
SELECT 'schedule_runs_0015', seq FROM sqlite_sequence WHERE name = 'schedule_runs';
INSERT INTO schedule_runs_0015 (id, schedule_id, schedule_name, task_name, celery_task_id,
    scheduled_for, dispatched_at, trigger, status, detail, args, kwargs, created_at, push_marker)
SELECT id, schedule_id, schedule_name, task_name, celery_task_id,
    scheduled_for, dispatched_at, trigger, status, detail, args, kwargs, created_at, push_marker
FROM schedule_runs;
DROP TABLE schedule_runs;
ALTER TABLE schedule_runs_0015 RENAME TO schedule_runs;
CREATE UNIQUE INDEX ux_schedule_runs_claim ON schedule_runs (
    schedule_id,
    scheduled_for,
    (CASE WHEN trigger IN ('schedule', 'catchup', 'backfill') AND status <> 'dry_run' THEN 1 END)
);
CREATE INDEX ix_schedule_runs_scheduled_for ON schedule_runs (scheduled_for DESC);
CREATE INDEX ix_schedule_runs_deferred ON schedule_runs (schedule_id) WHERE status = 'deferred';
CREATE INDEX ix_schedule_runs_owed ON schedule_runs (id) WHERE status = 'owed';
