-- 0008: on Postgres, the change NOTIFY names the schedules a statement changed. SQLite has no
-- NOTIFY (the beat polls the version); nothing changes here.

SELECT 1;
