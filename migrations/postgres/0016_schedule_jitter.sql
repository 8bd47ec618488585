-- 0016: jitter_seconds, the spread of a schedule's send times after its slots (`--jitter`).
-- NULL is no jitter. The Python application does not read it.
ALTER TABLE celery_beat_schedules
    ADD COLUMN IF NOT EXISTS jitter_seconds INTEGER NULL
        CONSTRAINT celery_beat_schedules_jitter_seconds_check
        CHECK (jitter_seconds IS NULL OR jitter_seconds BETWEEN 1 AND 3600);
