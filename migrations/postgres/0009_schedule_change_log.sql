-- 0009: on SQLite, a log of the schedules each change version touched (SQLite has no NOTIFY).
-- Postgres names the changed rows in its NOTIFY payload (0008); nothing changes here.

SELECT 1;
