-- 0001: celery_beat_schedules for the embedded database. Same columns and meaning as
-- Postgres: UUIDs as lower-case hyphenated TEXT, JSON as TEXT, timestamps as RFC 3339 UTC
-- TEXT with microseconds (so that text order is time order), booleans as 0/1.

CREATE TABLE IF NOT EXISTS celery_beat_schedules (
    id                  TEXT PRIMARY KEY NOT NULL,
    name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    task_name           TEXT NOT NULL CHECK (length(task_name) BETWEEN 1 AND 255),
    cron_expression     TEXT NOT NULL CHECK (length(cron_expression) <= 100),
    timezone            TEXT NULL CHECK (timezone IS NULL OR length(timezone) <= 64),
    enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    args                TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(args) AND json_type(args) = 'array'),
    kwargs              TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(kwargs) AND json_type(kwargs) = 'object'),
    description         TEXT NULL,
    category            TEXT NULL CHECK (category IS NULL OR length(category) <= 50),
    tags                TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
    execution_policy    TEXT NOT NULL DEFAULT 'allow' CHECK (execution_policy IN ('allow', 'skip', 'queue')),
    auto_generated_name INTEGER NOT NULL DEFAULT 0 CHECK (auto_generated_name IN (0, 1)),
    options             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options) AND json_type(options) = 'object'),
    last_run_at         TEXT NULL,
    total_run_count     INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_name ON celery_beat_schedules (name);
CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_task_name ON celery_beat_schedules (task_name);
CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_enabled ON celery_beat_schedules (enabled);
CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_category ON celery_beat_schedules (category);
