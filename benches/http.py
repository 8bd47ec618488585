#!/usr/bin/env python3
"""Benchmark of `run-beat --http` at 100,000 schedules: how fast each endpoint answers.

Run (from the repository root, after `cargo build --release`):

    python3 benches/http.py [--n 100000] [--backend postgres,sqlite] [--requests 40]
                            [--per-schedule true,false]

Standard library only (it borrows the helpers of `benches/dispatch.py`). For every backend and
per-schedule setting it:
  * starts a throwaway `redis-server` (the broker) on a free 127.0.0.1 port and creates its own
    database (Postgres: a uniquely named one, dropped at the end; SQLite: a temporary file),
    seeded with N schedules `* * * * *` that last ran two minutes ago (each has a catch-up
    message and missed slots: every per-schedule series exists),
  * launches `stockura run-beat --http 127.0.0.1:<free port>` and waits until `/readyz` says
    ready (schedules loaded, catch-up done),
  * requests each endpoint `--requests` times, one new connection per request, one after the
    other, spread over at least one minute boundary (so some requests meet a 100,000-slot
    batch), and times each from connect to the last byte: median, p90, p99 and max in ms, the
    first request's time and the largest after it (the first `/metrics` writes the
    per-schedule series itself; later ones find them written ahead), and the body size,
  * reads the boundary batches' lag from the beat's log (`batch` events), to see whether
    scrapes during a boundary delay it.
Prints a markdown table.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dispatch  # noqa: E402  (the helpers: start_redis, psql, db_url_with, seed, tear_down)


def get(port, path):
    """One GET on a new connection: (status, body bytes, seconds). A path ending in ` gzip`
    is asked for with `Accept-Encoding: gzip`, as Prometheus asks (the body is not decoded)."""
    extra = ""
    if path.endswith(" gzip"):
        path, extra = path[:-5], "Accept-Encoding: gzip\r\n"
    t0 = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(("GET %s HTTP/1.1\r\nHost: bench\r\n%s\r\n" % (path, extra)).encode())
    chunks = []
    while True:
        data = s.recv(1 << 20)
        if not data:
            break
        chunks.append(data)
    s.close()
    took = time.perf_counter() - t0
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body, took


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run(args, backend, per_schedule):
    redis, redis_port = dispatch.start_redis()
    tmp = tempfile.mkdtemp(prefix="stockura-http-")
    dbname = "stockura_http_%s" % uuid.uuid4().hex
    if backend == "postgres":
        dispatch.psql(args.pg_url, "CREATE DATABASE %s" % dbname)
        url = dispatch.db_url_with(args.pg_url, dbname)
    else:
        url = "sqlite://%s/bench.db" % tmp
    port = dispatch.free_port()
    broker = "redis://127.0.0.1:%d/0" % redis_port
    env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "DATABASE_URL": url,
           "CELERY_BROKER_URL": broker, "REDIS_URL": broker,
           "STOCKURA_BEAT_NAMESPACE": "bench_%s" % uuid.uuid4().hex[:8]}
    beat = None
    rows = []
    try:
        dispatch.seed(backend, url, args.n, env, args.bin)
        log_path = os.path.join(tmp, "beat.log")
        beat = subprocess.Popen(
            [args.bin, "run-beat", "--log-format", "json", "--http", "127.0.0.1:%d" % port,
             "--metrics-per-schedule", per_schedule],
            env=env, stdout=subprocess.DEVNULL, stderr=open(log_path, "w"))
        deadline = time.time() + 300
        while True:
            try:
                if get(port, "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit("run-beat did not become ready")
            time.sleep(0.2)
        one_id = None
        status, body, _ = get(port, "/?q=bench_77777")
        marker = b'href="/schedules/'
        at = body.find(marker)
        if at >= 0:
            one_id = body[at + len(marker):at + len(marker) + 36].decode()
        paths = ["/healthz", "/readyz", "/metrics", "/metrics gzip", "/", "/?q=bench_77777&page=1",
                 "/?page=1000"]
        if one_id:
            paths.append("/schedules/%s" % one_id)
        # Spread the requests over at least 70 s: one boundary or two fall among them.
        rounds = max(args.requests, 1)
        gap = 70.0 / rounds
        times = {p: [] for p in paths}
        sizes = {}
        for _ in range(rounds):
            started = time.time()
            for p in paths:
                status, body, took = get(port, p)
                if status != 200:
                    raise SystemExit("%s answered %d" % (p, status))
                times[p].append(took * 1000)
                sizes[p] = len(body)
            left = gap - (time.time() - started)
            if left > 0:
                time.sleep(left)
        _, batches = dispatch.log_events(log_path)
        lags = [b["lag_ms"] for b in batches if b.get("lag_ms") is not None
                and (b.get("dispatched") or 0) >= args.n]
        for p in paths:
            v = times[p]
            rows.append({"backend": backend, "per_schedule": per_schedule, "path": p,
                         "median_ms": quantile(v, 0.5), "p90_ms": quantile(v, 0.9),
                         "p99_ms": quantile(v, 0.99), "max_ms": max(v), "first_ms": v[0],
                         "rest_max_ms": max(v[1:] or v), "bytes": sizes[p],
                         "requests": len(v), "boundary_lag_ms": lags})
    finally:
        dispatch.tear_down(beat, redis, args.pg_url, dbname)
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--backend", default="postgres,sqlite")
    p.add_argument("--per-schedule", default="true,false")
    p.add_argument("--requests", type=int, default=40)
    p.add_argument("--bin", default="target/release/stockura")
    p.add_argument("--pg-url", default=os.environ.get(
        "STOCKURA_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--json", help="also write the raw results to this file")
    args = p.parse_args()
    rows = []
    for backend in args.backend.split(","):
        for per in args.per_schedule.split(","):
            rows.extend(run(args, backend, per))
    print("| backend | per-schedule | path | median ms | p90 ms | p99 ms | max ms | first ms | max after the first ms | bytes |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | `%s` | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d |" % (
            r["backend"], r["per_schedule"], r["path"], r["median_ms"], r["p90_ms"],
            r["p99_ms"], r["max_ms"], r["first_ms"], r["rest_max_ms"], r["bytes"]))
    lags = sorted({(r["backend"], r["per_schedule"], tuple(r["boundary_lag_ms"])) for r in rows})
    for backend, per, lag in lags:
        print("# %s per-schedule=%s: boundary batch lag_ms %s" % (backend, per, list(lag)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
