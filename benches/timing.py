#!/usr/bin/env python3
"""Timing benchmark of `stockura run-beat`: sub-minute intervals and jitter.

Run (from the repository root, after `cargo build --release`):

    python3 benches/timing.py --mode every  [--n 1000] [--seconds 60] [--backend postgres,sqlite]
    python3 benches/timing.py --mode jitter [--n 10000] [--jitter 60] [--backend postgres,sqlite]

Standard library only; the helpers (a RESP client, a throwaway redis-server, /proc readings,
psql) are those of `benches/dispatch.py`. For every backend it creates its own database
(Postgres: a uniquely named database, dropped at the end; SQLite: a file in a temporary
directory), runs `stockura migrate`, seeds the schedules with one SQL statement and launches
`stockura run-beat` against a throwaway redis-server on a free 127.0.0.1 port.

* `--mode every`: N schedules `@every 1s`. After the beat's first batch and a settling second,
  for `--seconds` seconds a separate process polls `LLEN celery` on its own connection (about
  every 0.5 ms) and gives each message the time of the poll that first counted it. A message
  belongs to the whole second before it (lateness under a second; checked: every second must
  have exactly N messages, else the run is flagged). Lateness = arrival - slot: p50, p99, max
  over all messages. CPU: the beat's utime+stime over the window (/proc) as a share of one
  core, and the machine's idle share of all cores (/proc/stat) over the same window.
* `--mode jitter`: N schedules `M * * * *` (hourly at the minute M of a boundary 45 s to 105 s
  ahead, so that 10,000 hourly schedules fall due at one instant without waiting for the hour),
  each with `jitter_seconds` = `--jitter`. From 1 s before the boundary to `--jitter` + 5 s
  after, arrivals are counted per second (the spread: min, max, mean and coefficient of
  variation of the per-second counts over the jitter's seconds). Each run's own send time is
  computed here exactly as stockura does (docs/cron-semantics.md, "Jitter": splitmix64 of the
  id's halves and the slot second) and compared with the history's `dispatched_at` (the beat's
  clock, lateness from the send time: p50, p99, max) and, in arrival order, with the broker
  arrivals (k-th arrival against the k-th send time).

The beat logs at debug level; the medians of its own `batch stages` timings (claim, push, first
and last message sent, bookkeeping) for the batches that sent messages are in the `--json` rows
(`stages`).

Prints a markdown table; `--json` writes the raw results.
"""

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dispatch import (  # noqa: E402  (the sibling benchmark's helpers)
    Resp, cpu_seconds, db_url_with, log_events, psql, start_redis, vm_hwm_mb)

MASK = (1 << 64) - 1


def mix(x):
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def offset_ms(schedule_id, slot_secs, jitter_secs):
    """The jitter offset of a slot, as stockura computes it."""
    b = uuid.UUID(schedule_id).bytes
    hi, lo = int.from_bytes(b[:8], "big"), int.from_bytes(b[8:], "big")
    return mix(hi ^ mix(lo ^ mix(slot_secs & MASK))) % (jitter_secs * 1000)


def host_idle():
    """(idle jiffies, total jiffies) of all cores."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return fields[3] + fields[4], sum(fields)


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def seed(backend, url, n, cron, jitter, env, binary):
    subprocess.run([binary, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    jit = "NULL" if jitter is None else str(jitter)
    if backend == "postgres":
        psql(url, "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, "
                  "args, kwargs, jitter_seconds, created_at, updated_at) "
                  "SELECT gen_random_uuid(), 'bench_' || g, 'bench.tasks.noop', '%s', true, "
                  "'[]', jsonb_build_object('i', g), %s, now(), now() "
                  "FROM generate_series(1, %d) g" % (cron, jit, n))
    else:
        path = url[len("sqlite://"):]
        con = sqlite3.connect(path)
        stamp = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        con.execute(
            "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %d) "
            "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, args, "
            "kwargs, jitter_seconds, created_at, updated_at) "
            "SELECT lower(substr(h,1,8)||'-'||substr(h,9,4)||'-4'||substr(h,14,3)||'-a'||substr(h,18,3)||'-'||substr(h,21,12)), "
            "'bench_' || i, 'bench.tasks.noop', '%s', 1, '[]', json_object('i', i), %s, %s, %s "
            "FROM (SELECT i, hex(randomblob(16)) AS h FROM g)" % (n, cron, jit, stamp, stamp))
        con.commit()
        con.close()


def query(backend, url, sql):
    """Rows of `sql` as lists of text."""
    if backend == "postgres":
        out = subprocess.run(["psql", "-At", "-F", "\t", url, "-c", sql], capture_output=True,
                             text=True, check=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]
    con = sqlite3.connect(url[len("sqlite://"):])
    try:
        return [[str(v) for v in row] for row in con.execute(sql)]
    finally:
        con.close()


def parse_time(text):
    try:
        return float(text)
    except ValueError:
        pass
    text = text.strip().replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text).timestamp()


def arrivals(r, key, until, start_count=0):
    """Polls LLEN until `until`; returns the arrival time of every new message."""
    times, seen = [], start_count
    while time.time() < until:
        n = r.cmd("LLEN", key)
        if n > seen:
            now = time.time()
            times.extend([now] * (n - seen))
            seen = n
        time.sleep(0.0005)
    return times


def run(args, backend, redis_port):
    tmp = tempfile.mkdtemp(prefix="stockura-timing-")
    dbname = None
    if backend == "postgres":
        dbname = "stockura_timing_%s" % uuid.uuid4().hex
        psql(args.pg_url, "CREATE DATABASE %s" % dbname)
        url = db_url_with(args.pg_url, dbname)
    else:
        url = "sqlite://%s/bench.db" % tmp
    redis = "redis://127.0.0.1:%d/0" % redis_port
    env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "DATABASE_URL": url,
           "CELERY_BROKER_URL": redis, "REDIS_URL": redis,
           "STOCKURA_BEAT_NAMESPACE": "bench_%s" % uuid.uuid4().hex[:8],
           "STOCKURA_LOG": "stockura=debug"}
    r = Resp(redis_port)
    beat = None
    try:
        if args.mode == "every":
            seed(backend, url, args.n, "@every 1s", None, env, args.bin)
        else:
            now = time.time()
            boundary = (int(now + 45) // 60 + 1) * 60
            minute = datetime.fromtimestamp(boundary, timezone.utc).minute
            seed(backend, url, args.n, "%d * * * *" % minute, args.jitter, env, args.bin)
        log_path = os.path.join(tmp, "beat.log")
        log = open(log_path, "w")
        beat = subprocess.Popen([args.bin, "run-beat", "--log-format", "json"], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
        if args.mode == "every":
            res = measure_every(args, r, beat, backend)
        else:
            res = measure_jitter(args, r, beat, backend, url, boundary)
        beat.send_signal(signal.SIGTERM)
        beat.wait(20)
        log.close()
        res["stages"] = stage_medians(log_events(log_path)[1])
        return res
    finally:
        if beat is not None and beat.poll() is None:
            beat.send_signal(signal.SIGTERM)
            try:
                beat.wait(20)
            except subprocess.TimeoutExpired:
                beat.kill()
        if dbname:
            try:
                psql(args.pg_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname)
            except subprocess.CalledProcessError:
                pass


def measure_every(args, r, beat, backend):
    n = args.n
    deadline = time.time() + 60
    while r.cmd("LLEN", "celery") < n and time.time() < deadline:
        time.sleep(0.01)
    # Start on a whole second, with an empty list.
    start = int(time.time()) + 2
    while time.time() < start - 0.3:
        time.sleep(0.01)
    r.cmd("DEL", "celery")
    while time.time() < start:
        time.sleep(0.0005)
    base = r.cmd("LLEN", "celery")
    cpu0, idle0, t0 = cpu_seconds(beat.pid), host_idle(), time.time()
    times = arrivals(r, "celery", start + args.seconds)
    cpu1, idle1, t1 = cpu_seconds(beat.pid), host_idle(), time.time()
    per_second = {}
    late = []
    for t in times:
        slot = int(t)
        per_second[slot] = per_second.get(slot, 0) + 1
        late.append((t - slot) * 1000)
    full = [s for s in range(start, start + args.seconds) if per_second.get(s, 0) == n]
    odd = {s: c for s, c in per_second.items() if c != n and start <= s < start + args.seconds - 1}
    return dict(mode="every", backend=backend, n=n, seconds=args.seconds, messages=len(times),
                base=base, seconds_complete=len(full), seconds_odd=odd,
                late_p50=pct(late, 0.5), late_p99=pct(late, 0.99), late_max=max(late) if late else None,
                beat_cpu_share=(cpu1 - cpu0) / (t1 - t0),
                host_idle_share=(idle1[0] - idle0[0]) / max(1, idle1[1] - idle0[1]),
                rss_mb=vm_hwm_mb(beat.pid))


def measure_jitter(args, r, beat, backend, url, boundary):
    n, jitter = args.n, args.jitter
    while time.time() < boundary - 1.5:
        time.sleep(0.05)
    r.cmd("DEL", "celery")
    cpu0, idle0, t0 = cpu_seconds(beat.pid), host_idle(), time.time()
    times = arrivals(r, "celery", boundary + jitter + 5)
    cpu1, idle1, t1 = cpu_seconds(beat.pid), host_idle(), time.time()
    bins = [0] * (jitter + 5)
    before = 0
    for t in times:
        k = int(t - boundary)
        if t < boundary:
            before += 1
        elif k < len(bins):
            bins[k] += 1
    spread = bins[:jitter]
    mean = statistics.mean(spread)
    at = "extract(epoch FROM dispatched_at)" if backend == "postgres" else "dispatched_at"
    rows = query(backend, url,
                 "SELECT schedule_id, %s FROM schedule_runs WHERE status = 'dispatched'" % at)
    sends = sorted(boundary + offset_ms(sid, boundary, jitter) / 1000 for sid, _ in rows)
    beat_late = [(parse_time(at) - (boundary + offset_ms(sid, boundary, jitter) / 1000)) * 1000
                 for sid, at in rows]
    broker_late = [(a - s) * 1000 for a, s in zip(sorted(times), sends)]
    return dict(mode="jitter", backend=backend, n=n, jitter=jitter, messages=len(times),
                before_boundary=before, recorded=len(rows),
                per_second_min=min(spread), per_second_max=max(spread), per_second_mean=mean,
                per_second_cv=statistics.pstdev(spread) / mean if mean else None,
                after_jitter=sum(bins[jitter:]),
                first_s=(min(times) - boundary) if times else None,
                last_s=(max(times) - boundary) if times else None,
                beat_late_p50=pct(beat_late, 0.5), beat_late_p99=pct(beat_late, 0.99),
                beat_late_max=max(beat_late) if beat_late else None,
                broker_late_p50=pct(broker_late, 0.5), broker_late_p99=pct(broker_late, 0.99),
                broker_late_max=max(broker_late) if broker_late else None,
                beat_cpu_share=(cpu1 - cpu0) / (t1 - t0),
                host_idle_share=(idle1[0] - idle0[0]) / max(1, idle1[1] - idle0[1]),
                rss_mb=vm_hwm_mb(beat.pid))


def stage_medians(batches):
    """Medians of the beat's own timings per batch that sent messages (its debug events)."""
    out = {}
    for key in ("claim_ms", "push_ms", "first_sent_ms", "sent_ms", "bookkeeping_ms", "lag_ms",
                "took_ms"):
        values = [b[key] for b in batches
                  if b.get(key) is not None and (b.get("messages") or b.get("dispatched"))]
        if values:
            out[key] = statistics.median(values)
    return out


def fmt(v, digits=1):
    return "-" if v is None else ("%.*f" % (digits, v))


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", choices=["every", "jitter"], required=True)
    p.add_argument("--n", type=int)
    p.add_argument("--seconds", type=int, default=60, help="every: how long to measure")
    p.add_argument("--jitter", type=int, default=60, help="jitter: seconds")
    p.add_argument("--backend", default="postgres,sqlite")
    p.add_argument("--bin", default="target/release/stockura")
    p.add_argument("--pg-url", default=os.environ.get(
        "STOCKURA_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--json", help="also write the raw results to this file")
    args = p.parse_args()
    if args.n is None:
        args.n = 1000 if args.mode == "every" else 10000
    results = []
    for backend in args.backend.split(","):
        redis, port = start_redis()
        try:
            print("# %s %s N=%d load %s" % (args.mode, backend, args.n, os.getloadavg()),
                  file=sys.stderr)
            res = run(args, backend, port)
            res["load"] = os.getloadavg()
            print(json.dumps(res), file=sys.stderr)
            results.append(res)
        finally:
            redis.terminate()
            redis.wait()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if args.mode == "every":
        print("| backend | N | seconds | messages | complete seconds | lateness p50 ms | p99 ms | "
              "max ms | beat CPU (share of a core) | machine idle |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for x in results:
            print("| %s | {:,} | %d | {:,} | %d/%d | %s | %s | %s | %.1f %% | %.1f %% |".format(
                x["n"], x["messages"]) % (
                x["backend"], x["seconds"], x["seconds_complete"], x["seconds"],
                fmt(x["late_p50"]), fmt(x["late_p99"]), fmt(x["late_max"]),
                100 * x["beat_cpu_share"], 100 * x["host_idle_share"]))
    else:
        print("| backend | N | jitter s | messages | per second min / mean / max | CV | first s | "
              "last s | late vs send time, beat p50 / p99 / max ms | broker p50 / p99 / max ms | "
              "beat CPU | machine idle |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for x in results:
            print("| %s | {:,} | %d | {:,} | %d / %.1f / %d | %.3f | %s | %s | %s / %s / %s | %s / %s / %s | %.1f %% | %.1f %% |".format(
                x["n"], x["messages"]) % (
                x["backend"], x["jitter"], x["per_second_min"], x["per_second_mean"],
                x["per_second_max"], x["per_second_cv"] or 0, fmt(x["first_s"], 3), fmt(x["last_s"], 3),
                fmt(x["beat_late_p50"]), fmt(x["beat_late_p99"]), fmt(x["beat_late_max"]),
                fmt(x["broker_late_p50"]), fmt(x["broker_late_p99"]), fmt(x["broker_late_max"]),
                100 * x["beat_cpu_share"], 100 * x["host_idle_share"]))


if __name__ == "__main__":
    main()
