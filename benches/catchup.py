#!/usr/bin/env python3
"""Long catch-up benchmark of `stockura run-beat` (the reliability issue's 5M-row case).

Run (from the repository root, after `cargo build --release`):

    python3 benches/catchup.py [--schedules 5000] [--minutes 1000] [--backend postgres]
                               [--signal before-live|after-live|none]

Standard library only (it borrows the helpers of `benches/dispatch.py`). It:
  * starts a throwaway `redis-server` on a free 127.0.0.1 port and creates its own database
    (Postgres: a uniquely named one, dropped at the end; SQLite: a file in a temporary dir),
  * seeds `--schedules` schedules `* * * * *` whose last run was `--minutes` minutes ago (each
    owes one catch-up run and up to 1,000 missed rows: 5,000 x 1,000 is 5 million rows), plus
    one probe schedule `* * * * *` on the queue `live` that never ran (it owes nothing, so its
    only messages are live slots),
  * launches `stockura run-beat` about 25 s before a minute boundary, so the boundary falls
    during the catch-up, and measures:
      - launch -> first catch-up message, and how many catch-up messages arrive;
      - how late the probe's message of that boundary reaches the broker (list `live`, polled
        every 0.5 ms), against the live-slot target of 0.25 s;
      - with `--signal before-live`: SIGTERM 10 s after the launch (before the boundary), the
        time until the process exits; with `after-live`: SIGTERM 3 s after the boundary;
  * counts the history rows at the end (catch-up, missed, live) and checks every message id is
    distinct.
Prints one JSON object.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dispatch  # noqa: E402  (the helpers: Resp, start_redis, psql, db_url_with)


def seed(backend, url, schedules, minutes, env, binary):
    subprocess.run([binary, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    if backend != "postgres":
        raise SystemExit("only --backend postgres is seeded by this script")
    dispatch.psql(url,
        "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, args, "
        "kwargs, last_run_at, created_at, updated_at) "
        "SELECT gen_random_uuid(), 'catchup_' || g, 'bench.tasks.noop', '* * * * *', true, '[]', "
        "jsonb_build_object('i', g), date_trunc('minute', now()) - interval '%d minutes', "
        "now() - interval '2 days', now() - interval '2 days' FROM generate_series(1, %d) g"
        % (minutes, schedules))
    dispatch.psql(url,
        "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, args, "
        "kwargs, options, created_at, updated_at) VALUES (gen_random_uuid(), 'live_probe', "
        "'bench.tasks.noop', '* * * * *', true, '[]', '{}', '{\"queue\": \"live\"}', now(), now())")


def count_rows(url):
    done = subprocess.run(
        ["psql", "-At", "-F", " ", url, "-c",
         "SELECT trigger, status, count(*) FROM schedule_runs GROUP BY 1, 2 ORDER BY 1, 2"],
        capture_output=True, text=True, check=True)
    return {"%s/%s" % tuple(line.split()[:2]): int(line.split()[2])
            for line in done.stdout.split("\n") if line.strip()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--schedules", type=int, default=5000)
    p.add_argument("--minutes", type=int, default=1000)
    p.add_argument("--backend", default="postgres")
    p.add_argument("--signal", default="none", choices=["none", "before-live", "after-live"])
    p.add_argument("--bin", default="target/release/stockura")
    p.add_argument("--pg-url", default=os.environ.get(
        "STOCKURA_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--lead", type=float, default=25.0,
                   help="seconds between the launch and the next minute boundary")
    args = p.parse_args()

    redis, port = dispatch.start_redis()
    tmp = tempfile.mkdtemp(prefix="stockura-catchup-")
    dbname = "stockura_catchup_%s" % uuid.uuid4().hex
    dispatch.psql(args.pg_url, "CREATE DATABASE %s" % dbname)
    url = dispatch.db_url_with(args.pg_url, dbname)
    broker = "redis://127.0.0.1:%d/0" % port
    env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "DATABASE_URL": url,
           "CELERY_BROKER_URL": broker, "REDIS_URL": broker,
           "STOCKURA_BEAT_NAMESPACE": "catchup_%s" % uuid.uuid4().hex[:8]}
    r = dispatch.Resp(port)
    beat = None
    result = {"schedules": args.schedules, "minutes": args.minutes, "signal": args.signal}
    try:
        seed(args.backend, url, args.schedules, args.minutes, env, args.bin)
        # Launch `lead` seconds before a boundary (waiting for the next one that leaves room).
        boundary = (int(time.time()) // 60 + 1) * 60
        if boundary - time.time() < args.lead:
            boundary += 60
        while time.time() < boundary - args.lead:
            time.sleep(0.01)
        log = open(os.path.join(tmp, "beat.log"), "w")
        t_launch = time.time()
        beat = subprocess.Popen([args.bin, "run-beat", "--log-format", "json"], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
        first = None
        signalled = None
        live_at = None
        deadline = boundary + 600
        while time.time() < deadline and beat.poll() is None:
            now = time.time()
            if first is None and r.cmd("LLEN", "celery") > 0:
                first = now - t_launch
            if live_at is None and r.cmd("LLEN", "live") > 0:
                live_at = now - boundary
            if signalled is None and (
                    (args.signal == "before-live" and now >= t_launch + 10)
                    or (args.signal == "after-live" and live_at is not None
                        and now >= boundary + 3)):
                beat.send_signal(signal.SIGTERM)
                signalled = now
            if args.signal == "none" and live_at is not None and now > boundary + 5:
                break
            time.sleep(0.0005)
        if signalled is not None:
            beat.wait(timeout=600)
            result["stop_s"] = round(time.time() - signalled, 3)
            result["exit_code"] = beat.returncode
        result["first_catchup_message_s"] = first and round(first, 3)
        result["live_late_s"] = live_at and round(live_at, 4)
        result["celery_messages"] = r.cmd("LLEN", "celery")
        ids = [json.loads(m)["headers"]["id"] for m in r.cmd("LRANGE", "celery", 0, -1)]
        result["distinct_ids"] = len(set(ids)) == len(ids)
        if beat.poll() is None:
            beat.send_signal(signal.SIGTERM)
            t = time.time()
            beat.wait(timeout=600)
            result["final_stop_s"] = round(time.time() - t, 3)
        result["rows"] = count_rows(url)
        print(json.dumps(result))
    finally:
        dispatch.tear_down(beat, redis, args.pg_url, dbname)


if __name__ == "__main__":
    main()
