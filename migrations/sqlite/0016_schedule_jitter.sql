-- 0016: jitter_seconds, the spread of a schedule's send times after its slots (see the
-- Postgres migration). NULL is no jitter.
ALTER TABLE celery_beat_schedules ADD COLUMN jitter_seconds INTEGER NULL
    CHECK (jitter_seconds IS NULL OR jitter_seconds BETWEEN 1 AND 3600);
