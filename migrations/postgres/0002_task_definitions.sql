-- 0002: task_definitions, a JSON Schema per Celery task for its keyword arguments.
-- Shared with the Python application; an existing table is adopted (missing columns added,
-- JSON converted to JSONB, a unique index on task_name ensured).

CREATE TABLE IF NOT EXISTS task_definitions (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    task_name        VARCHAR(255) NOT NULL UNIQUE,
    category         VARCHAR(50) NULL,
    description      TEXT NULL,
    parameter_schema JSONB NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE task_definitions
    ADD COLUMN IF NOT EXISTS category         VARCHAR(50) NULL,
    ADD COLUMN IF NOT EXISTS description      TEXT NULL,
    ADD COLUMN IF NOT EXISTS parameter_schema JSONB NULL,
    ADD COLUMN IF NOT EXISTS created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN IF NOT EXISTS updated_at       TIMESTAMPTZ NOT NULL DEFAULT now();

DO $adopt$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'task_definitions'
                 AND column_name = 'parameter_schema' AND data_type <> 'jsonb') THEN
        ALTER TABLE task_definitions ALTER COLUMN parameter_schema TYPE JSONB USING parameter_schema::text::jsonb;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM pg_index i
        WHERE i.indrelid = 'task_definitions'::regclass AND i.indisunique AND i.indnatts = 1
          AND i.indexprs IS NULL AND i.indpred IS NULL
          AND i.indkey[0] = (SELECT attnum FROM pg_attribute
                             WHERE attrelid = 'task_definitions'::regclass AND attname = 'task_name')) THEN
        CREATE UNIQUE INDEX ux_task_definitions_task_name ON task_definitions (task_name);
    END IF;
END
$adopt$;

CREATE INDEX IF NOT EXISTS ix_task_definitions_category ON task_definitions (category);
