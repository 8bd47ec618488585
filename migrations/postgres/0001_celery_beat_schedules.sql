-- 0001: celery_beat_schedules, created fresh or adopted in place.
--
-- The Python application may already have created this table with only
-- id, name (UNIQUE), task_name, cron_expression, enabled, args, kwargs, description,
-- created_at, updated_at (args/kwargs as JSON or JSONB). This migration keeps every row:
-- it adds the missing columns, converts JSON/TEXT to JSONB and naive timestamps (taken as UTC)
-- to TIMESTAMPTZ, fills NULLs that the new NOT NULL columns forbid, drops the unique
-- constraint on name, and adds the indexes. Runs inside one transaction.

CREATE TABLE IF NOT EXISTS celery_beat_schedules (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name             VARCHAR(255) NOT NULL,
    task_name        VARCHAR(255) NOT NULL,
    cron_expression  VARCHAR(100) NOT NULL,
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    args             JSONB NOT NULL DEFAULT '[]',
    kwargs           JSONB NOT NULL DEFAULT '{}',
    description      TEXT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE celery_beat_schedules
    ADD COLUMN IF NOT EXISTS timezone            VARCHAR(64) NULL,
    ADD COLUMN IF NOT EXISTS category            VARCHAR(50) NULL,
    ADD COLUMN IF NOT EXISTS tags                JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN IF NOT EXISTS execution_policy    VARCHAR(20) NOT NULL DEFAULT 'allow'
        CONSTRAINT celery_beat_schedules_execution_policy_check
        CHECK (execution_policy IN ('allow', 'skip', 'queue')),
    ADD COLUMN IF NOT EXISTS auto_generated_name BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN IF NOT EXISTS options             JSONB NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS last_run_at         TIMESTAMPTZ NULL,
    ADD COLUMN IF NOT EXISTS total_run_count     BIGINT NOT NULL DEFAULT 0;

DO $adopt$
DECLARE
    col record;
    con record;
BEGIN
    -- JSON or TEXT parameters become JSONB (GIN-indexable, same meaning for the Python side).
    FOR col IN
        SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'celery_beat_schedules'
          AND column_name IN ('args', 'kwargs', 'tags', 'options')
          AND data_type <> 'jsonb'
    LOOP
        EXECUTE format('ALTER TABLE celery_beat_schedules ALTER COLUMN %I DROP DEFAULT', col.column_name);
        EXECUTE format('ALTER TABLE celery_beat_schedules ALTER COLUMN %I TYPE JSONB USING %I::text::jsonb',
                       col.column_name, col.column_name);
    END LOOP;

    -- Naive timestamps were written in UTC by the application.
    FOR col IN
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'celery_beat_schedules'
          AND column_name IN ('created_at', 'updated_at', 'last_run_at')
          AND data_type = 'timestamp without time zone'
    LOOP
        EXECUTE format('ALTER TABLE celery_beat_schedules ALTER COLUMN %I TYPE TIMESTAMPTZ USING %I AT TIME ZONE ''UTC''',
                       col.column_name, col.column_name);
    END LOOP;

    -- Ids stored as text become UUIDs (fails, changing nothing, if one is not a UUID).
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'celery_beat_schedules'
                 AND column_name = 'id' AND data_type <> 'uuid') THEN
        ALTER TABLE celery_beat_schedules ALTER COLUMN id DROP DEFAULT;
        ALTER TABLE celery_beat_schedules ALTER COLUMN id TYPE UUID USING id::text::uuid;
    END IF;

    -- Names are no longer unique: drop every unique constraint or index on (name) alone.
    FOR con IN
        SELECT c.conname FROM pg_constraint c
        WHERE c.conrelid = 'celery_beat_schedules'::regclass AND c.contype = 'u'
          AND c.conkey = ARRAY[(SELECT attnum FROM pg_attribute
                                WHERE attrelid = 'celery_beat_schedules'::regclass AND attname = 'name')]::int2[]
    LOOP
        EXECUTE format('ALTER TABLE celery_beat_schedules DROP CONSTRAINT %I', con.conname);
    END LOOP;
    FOR con IN
        SELECT i.indexrelid::regclass::text AS idx FROM pg_index i
        WHERE i.indrelid = 'celery_beat_schedules'::regclass AND i.indisunique AND NOT i.indisprimary
          AND i.indnatts = 1 AND i.indexprs IS NULL AND i.indpred IS NULL
          AND i.indkey[0] = (SELECT attnum FROM pg_attribute
                             WHERE attrelid = 'celery_beat_schedules'::regclass AND attname = 'name')
    LOOP
        EXECUTE format('DROP INDEX %s', con.idx);
    END LOOP;
END
$adopt$;

UPDATE celery_beat_schedules SET args = '[]' WHERE args IS NULL OR args = 'null'::jsonb;
UPDATE celery_beat_schedules SET kwargs = '{}' WHERE kwargs IS NULL OR kwargs = 'null'::jsonb;
UPDATE celery_beat_schedules SET enabled = TRUE WHERE enabled IS NULL;
UPDATE celery_beat_schedules SET created_at = now() WHERE created_at IS NULL;
UPDATE celery_beat_schedules SET updated_at = created_at WHERE updated_at IS NULL;

ALTER TABLE celery_beat_schedules
    ALTER COLUMN id SET DEFAULT gen_random_uuid(),
    ALTER COLUMN enabled SET DEFAULT TRUE,
    ALTER COLUMN enabled SET NOT NULL,
    ALTER COLUMN args SET DEFAULT '[]',
    ALTER COLUMN args SET NOT NULL,
    ALTER COLUMN kwargs SET DEFAULT '{}',
    ALTER COLUMN kwargs SET NOT NULL,
    ALTER COLUMN tags SET DEFAULT '[]',
    ALTER COLUMN options SET DEFAULT '{}',
    ALTER COLUMN created_at SET DEFAULT now(),
    ALTER COLUMN created_at SET NOT NULL,
    ALTER COLUMN updated_at SET DEFAULT now(),
    ALTER COLUMN updated_at SET NOT NULL;

CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_name ON celery_beat_schedules (name);
CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_task_name ON celery_beat_schedules (task_name);
CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_enabled ON celery_beat_schedules (enabled);
CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_category ON celery_beat_schedules (category);
CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_tags ON celery_beat_schedules USING GIN (tags);
