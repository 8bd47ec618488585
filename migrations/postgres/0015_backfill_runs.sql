-- 0015: `schedule backfill` records its runs.
-- A backfilled slot (trigger `backfill`) claims its slot as a scheduled or catch-up run does: the
-- claim index now counts it, so a slot that a scheduler sent is not backfilled, and a backfilled
-- slot is sent neither by a second backfill nor by a scheduler. A re-send of a slot already
-- dispatched (`schedule backfill --include-dispatched`, trigger `resend`) claims nothing, like a
-- manual run.
ALTER TABLE schedule_runs DROP CONSTRAINT IF EXISTS schedule_runs_trigger_check;
-- NOT VALID: every existing row already satisfies the wider check; no scan of the history.
ALTER TABLE schedule_runs ADD CONSTRAINT schedule_runs_trigger_check
    CHECK (trigger IN ('schedule', 'catchup', 'manual', 'backfill', 'resend'))
    NOT VALID;
-- No existing row is a backfill: the new index has the same keys as the old one. It is built
-- under another name first (reading the table once; writes wait meanwhile), then takes the
-- old one's name, which the claim statements do not use (they name the expression).
CREATE UNIQUE INDEX ux_schedule_runs_claim_0015 ON schedule_runs (
    schedule_id,
    scheduled_for,
    (CASE WHEN trigger IN ('schedule', 'catchup', 'backfill') AND status <> 'dry_run' THEN true END)
);
DROP INDEX IF EXISTS ux_schedule_runs_claim;
ALTER INDEX ux_schedule_runs_claim_0015 RENAME TO ux_schedule_runs_claim;
