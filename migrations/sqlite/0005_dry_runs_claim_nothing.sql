-- 0005: dry runs record slots without claiming them, so a `run-beat --dry-run` next to a live
-- scheduler never takes its slots.

DROP INDEX IF EXISTS ux_schedule_runs_slot;
CREATE UNIQUE INDEX ux_schedule_runs_slot ON schedule_runs (schedule_id, scheduled_for)
    WHERE trigger IN ('schedule', 'catchup') AND status <> 'dry_run';
