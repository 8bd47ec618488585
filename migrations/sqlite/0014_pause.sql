-- 0014: a schedule switched off says who did it, when, why and until when (see the Postgres
-- migration). Times as RFC 3339 UTC text with microseconds, like the other timestamps.
ALTER TABLE celery_beat_schedules ADD COLUMN paused_at TEXT NULL;
ALTER TABLE celery_beat_schedules ADD COLUMN paused_by TEXT NULL;
ALTER TABLE celery_beat_schedules ADD COLUMN pause_reason TEXT NULL;
ALTER TABLE celery_beat_schedules ADD COLUMN paused_until TEXT NULL;
ALTER TABLE celery_beat_schedules ADD COLUMN resumed_at TEXT NULL;
CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_paused_until
    ON celery_beat_schedules (paused_until) WHERE paused_until IS NOT NULL;
