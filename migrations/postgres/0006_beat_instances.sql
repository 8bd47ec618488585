-- 0006: heartbeats of running schedulers (used when there is no Redis), and the lookups of the
-- execution policies: runs held by the `queue` policy. (A schedule's last run is found through
-- ix_schedule_runs_schedule: every index on schedule_runs slows down each dispatch's claim insert.)

CREATE TABLE IF NOT EXISTS stockura_beat_instances (
    instance_id    UUID PRIMARY KEY,
    host           VARCHAR(255) NOT NULL,
    pid            BIGINT NOT NULL,
    version        VARCHAR(64) NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    role           VARCHAR(20) NOT NULL CHECK (role IN ('leader', 'standby')),
    leadership     VARCHAR(20) NOT NULL,
    schedules      BIGINT NOT NULL DEFAULT 0,
    last_tick_at   TIMESTAMPTZ NULL,
    lag_ms         BIGINT NULL,
    change_version BIGINT NOT NULL DEFAULT 0,
    heartbeat_at   TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_schedule_runs_deferred ON schedule_runs (schedule_id)
    WHERE status = 'deferred';
