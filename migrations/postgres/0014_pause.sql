-- 0014: a schedule switched off says who did it, when, why and until when.
-- `enabled` stays the switch every scheduler (the Python one included) reads; these columns
-- only describe it while it is false. `schedule pause` fills all four (`paused_until` only with
-- `--until`), `schedule disable` who and when; `enable`/`resume` (or a scheduler, once
-- `paused_until` has passed) clear them and set `resumed_at`: the slots before that instant
-- were not missed, so no catch-up owes them.
-- Every stockura statement that writes them also sets `enabled`, so the version triggers
-- (which watch `enabled`) see the change; a program that pauses a schedule should do the same.
-- Nullable, no default: adding them rewrites nothing.
ALTER TABLE celery_beat_schedules
    ADD COLUMN IF NOT EXISTS paused_at    TIMESTAMPTZ NULL,
    ADD COLUMN IF NOT EXISTS paused_by    TEXT NULL,
    ADD COLUMN IF NOT EXISTS pause_reason TEXT NULL,
    ADD COLUMN IF NOT EXISTS paused_until TIMESTAMPTZ NULL,
    ADD COLUMN IF NOT EXISTS resumed_at   TIMESTAMPTZ NULL;
-- The scheduler asks for the earliest `paused_until` of the schedules still off.
CREATE INDEX IF NOT EXISTS ix_celery_beat_schedules_paused_until
    ON celery_beat_schedules (paused_until) WHERE paused_until IS NOT NULL;
