-- 0006: heartbeats of running schedulers (used when there is no Redis), and the lookups of the
-- execution policies: runs held by the `queue` policy. (A schedule's last run is found through
-- ix_schedule_runs_schedule: every index on schedule_runs slows down each dispatch's claim insert.)

CREATE TABLE IF NOT EXISTS stockura_beat_instances (
    instance_id    TEXT PRIMARY KEY,
    host           TEXT NOT NULL,
    pid            INTEGER NOT NULL,
    version        TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('leader', 'standby')),
    leadership     TEXT NOT NULL,
    schedules      INTEGER NOT NULL DEFAULT 0,
    last_tick_at   TEXT NULL,
    lag_ms         INTEGER NULL,
    change_version INTEGER NOT NULL DEFAULT 0,
    heartbeat_at   TEXT NOT NULL,
    expires_at     TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_schedule_runs_deferred ON schedule_runs (schedule_id)
    WHERE status = 'deferred';
