-- 0010: two indexes fewer on every claim insert, the longest step of a dispatch.
--
-- The slot's unique index now covers every run: a third key, true for a row that claims its
-- slot (trigger `schedule` or `catchup`, not a dry run) and NULL for any other, keeps the
-- uniqueness to the claims (NULLs never collide). Indexing every row, it also serves what
-- ix_schedule_runs_schedule served: history by schedule, a schedule's latest dispatches, and
-- detaching a deleted schedule's runs.
--
-- ix_schedule_runs_task served nothing: `history --task` matches the name or a dotted suffix
-- (`noop` finds `app.tasks.noop`), which a btree on task_name cannot answer, so the planner walks
-- ix_schedule_runs_scheduled_for newest first either way.

CREATE UNIQUE INDEX ux_schedule_runs_claim ON schedule_runs (
    schedule_id,
    scheduled_for,
    (CASE WHEN trigger IN ('schedule', 'catchup') AND status <> 'dry_run' THEN true END)
);
DROP INDEX IF EXISTS ux_schedule_runs_slot;
DROP INDEX IF EXISTS ix_schedule_runs_schedule;
DROP INDEX IF EXISTS ix_schedule_runs_task;
