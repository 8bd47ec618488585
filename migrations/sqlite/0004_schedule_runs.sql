-- 0004: schedule_runs, the history of every run the scheduler dispatched, skipped or missed.

CREATE TABLE IF NOT EXISTS schedule_runs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id    TEXT NULL REFERENCES celery_beat_schedules (id) ON DELETE SET NULL,
    schedule_name  TEXT NOT NULL,
    task_name      TEXT NOT NULL,
    celery_task_id TEXT NULL,
    scheduled_for  TEXT NOT NULL,
    dispatched_at  TEXT NULL,
    trigger        TEXT NOT NULL CHECK (trigger IN ('schedule', 'catchup', 'manual')),
    status         TEXT NOT NULL
        CHECK (status IN ('dispatched', 'missed', 'failed', 'dry_run', 'skipped', 'deferred')),
    detail         TEXT NULL,
    args           TEXT NOT NULL DEFAULT '[]',
    kwargs         TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_schedule_runs_slot ON schedule_runs (schedule_id, scheduled_for)
    WHERE trigger IN ('schedule', 'catchup');
CREATE INDEX IF NOT EXISTS ix_schedule_runs_schedule ON schedule_runs (schedule_id, scheduled_for DESC);
CREATE INDEX IF NOT EXISTS ix_schedule_runs_scheduled_for ON schedule_runs (scheduled_for DESC);
CREATE INDEX IF NOT EXISTS ix_schedule_runs_task ON schedule_runs (task_name);
