-- 0011: on Postgres, a claim checks deleted schedules against a table of their ids (a lookup
-- per row in celery_beat_schedules, rewritten every minute, was half the claim statement).
-- SQLite's claim keeps its lookup of every schedule, and its foreign key detaches the history.
-- Nothing changes here.

SELECT 1;
