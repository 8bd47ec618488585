-- 0002: task_definitions, a JSON Schema per Celery task for its keyword arguments.

CREATE TABLE IF NOT EXISTS task_definitions (
    id               TEXT PRIMARY KEY NOT NULL,
    task_name        TEXT NOT NULL UNIQUE CHECK (length(task_name) BETWEEN 1 AND 255),
    category         TEXT NULL CHECK (category IS NULL OR length(category) <= 50),
    description      TEXT NULL,
    parameter_schema TEXT NULL CHECK (parameter_schema IS NULL OR json_valid(parameter_schema)),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_task_definitions_category ON task_definitions (category);
