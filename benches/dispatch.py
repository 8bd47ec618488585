#!/usr/bin/env python3
"""Dispatch benchmark of `stockura run-beat`.

Run (from the repository root, after `cargo build --release`):

    python3 benches/dispatch.py [--n 1000,10000] [--backend postgres,sqlite] [--boundaries 3]

Standard library only. For every backend x N it:
  * starts a throwaway `redis-server` on a free 127.0.0.1 port (no persistence),
  * creates its own database (Postgres: a uniquely named database, dropped at the end, through
    `psql`; SQLite: a file in a temporary directory), runs `stockura migrate` and seeds N
    schedules `* * * * *` with one SQL `INSERT ... SELECT` (all `last_run_at` two minutes back,
    so the start owes every schedule a catch-up run),
  * launches `stockura run-beat` (own STOCKURA_BEAT_NAMESPACE, JSON logs at debug level) and
    measures launch -> first / last catch-up message,
  * observes the broker list `celery` from this separate process by polling `LLEN` every
    0.5 ms over a dedicated connection (resolution: one poll, about 0.5-0.6 ms), across
    `--boundaries` minute boundaries: seconds from the boundary until the count reaches 1,
    50 %, 99 % and 100 % of N; the burst rate N / (last - first), or N / last when the whole
    batch lands at once (one MULTI/EXEC makes all N appear in one poll); the list is deleted
    after each boundary and 0.25 s before the next (a non-zero count there, messages of a batch
    that overran its minute, is reported as `stale`); the first boundary comes after the start's
    catch-up batch has finished (the list unchanged for 3 s),
  * reads the beat's utime+stime from /proc/<pid>/stat between bursts, scaled to a minute: the
    quiet figure from 10 s to 19.5 s after a boundary (heartbeats, leader lease, version polls),
    and the rest of the minute, from 10 s after a boundary to 2 s before the next, which
    includes the sync-latency `schedule add` and the messages encoded ahead of the next instant; VmHWM from /proc/<pid>/status (peak RSS),
  * sync latency: 20 s after each boundary, `stockura schedule add --last-run-at 60s --queue
    bench_sync` of one more schedule `* * * * *`: its last run a minute back makes the slot of
    the boundary 20 s ago owed, and a running beat catches up a schedule that arrives with
    such imported bookkeeping at once, so the entry is already due when it is saved. A thread
    blocks in `BLPOP bench_sync` on its own connection while the add runs; the latency is from
    the command returning to the pop (same host clock; negative when the message is in the
    broker before the CLI process has exited), also given from the add's start. Change -> plan
    (the beat's `schedule reloaded` log event) is recorded as well, and the harness checks that
    each sync schedule is sent again at the following boundaries.
  * on Postgres, snapshots of the server's activity 2 s before each boundary and right after its
    last message (`server_before` / `server_after` in the `--json` rows): checkpoints so far,
    buffers written by backends, WAL position in bytes, autovacuum and autoanalyze runs of the two
    tables, dead tuples of `celery_beat_schedules`, autovacuum workers running, and the size of
    `schedule_runs`,
With `--broker amqp` the messages go to RabbitMQ instead (`--amqp-url`, default
`amqp://guest:guest@127.0.0.1:5672`, in a virtual host made for the run with `rabbitmqctl` and
deleted after it): the queue's message count is polled with a passive `queue.declare` over a
dedicated connection (py-amqp: run the script with a Python that has it, such as the venv of
`--compare`, `target/bench-venv/bin/python`), and the counts are those the broker has
committed. Redis still carries the change events and the leadership. `--compare` then runs
celery beat against the same RabbitMQ.

Prints a markdown table of medians.
"""

import argparse
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime

TICKS = os.sysconf("SC_CLK_TCK")


class Resp:
    """A minimal RESP2 client: enough for LLEN, DEL, PING."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def cmd(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._read()

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b":":
            return int(rest)
        if kind in (b"+",):
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2 :]
            return data
        if kind == b"*":
            return [self._read() for _ in range(int(rest))]
        raise RuntimeError("bad reply %r" % line)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_redis():
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if Resp(port).cmd("PING") == "PONG":
                return proc, port
        except OSError:
            time.sleep(0.02)
    raise SystemExit("redis-server did not start")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def vm_hwm_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class RedisQueues:
    """The broker's queues on Redis: lists."""

    def __init__(self, port):
        self.port = port
        self.r = Resp(port)

    def count(self, queue):
        return self.r.cmd("LLEN", queue)

    def clear(self, *queues):
        self.r.cmd("DEL", *queues)

    def pop(self, queue, timeout):
        """Blocks until a message is in `queue` (on a connection of its own); returns it."""
        item = Resp(self.port).cmd("BLPOP", queue, timeout)
        return item[1] if item else None


class AmqpQueues:
    """The broker's queues on RabbitMQ, through py-amqp: counts by passive declarations."""

    def __init__(self, url):
        import amqp  # noqa: PLC0415  (only --broker amqp needs it)
        self.amqp = amqp
        self.url = url
        self.conn = self._connect()
        self.ch = self.conn.channel()

    def _connect(self):
        rest = self.url.split("://", 1)[1]
        auth, rest = rest.rsplit("@", 1)
        hostport, vhost = rest.split("/", 1)
        user, password = auth.split(":", 1)
        conn = self.amqp.Connection(host=hostport, userid=user, password=password,
                                    virtual_host=vhost or "/")
        conn.connect()
        return conn

    def count(self, queue):
        try:
            return self.ch.queue_declare(queue, passive=True).message_count
        except self.amqp.exceptions.NotFound:
            self.ch = self.conn.channel()
            return 0

    def clear(self, *queues):
        for q in queues:
            try:
                self.ch.queue_purge(q)
            except self.amqp.exceptions.NotFound:
                self.ch = self.conn.channel()

    def pop(self, queue, timeout):
        deadline = time.time() + timeout
        conn = self._connect()
        ch = conn.channel()
        try:
            while time.time() < deadline:
                try:
                    msg = ch.basic_get(queue, no_ack=True)
                except self.amqp.exceptions.NotFound:
                    ch = conn.channel()
                    msg = None
                if msg is not None:
                    return msg.body
                time.sleep(0.0005)
            return None
        finally:
            conn.close()


def make_vhost():
    name = "stockura-bench-%s" % uuid.uuid4().hex[:12]
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"],
                   check=True, stdout=subprocess.DEVNULL)
    return name


def drop_vhost(name):
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def broker_for(args, redis_port):
    """(broker URL, queues, vhost or None) for this run."""
    if args.broker == "amqp":
        vhost = make_vhost()
        url = "%s/%s" % (args.amqp_url.rstrip("/"), vhost)
        return url, AmqpQueues(url), vhost
    return "redis://127.0.0.1:%d/0" % redis_port, RedisQueues(redis_port), None


def watch(r, key, n, deadline, start):
    """Polls the queue's count until n messages are there or the deadline passes; returns the
    seconds from `start` at which the count reached 1, 50 %, 99 %, 100 % of n (None if never)."""
    marks = [1, max(1, n // 2), max(1, (n * 99 + 99) // 100), n]
    seen = [None] * 4
    while time.time() < deadline:
        count = r.count(key)
        now = time.time()
        for i, m in enumerate(marks):
            if seen[i] is None and count >= m:
                seen[i] = now - start
        if seen[3] is not None:
            break
        time.sleep(0.0005)
    return seen


def settle(r, key, quiet, deadline):
    """Waits until the queue's count has not changed for `quiet` seconds (or the deadline
    passes)."""
    last, since = r.count(key), time.time()
    while time.time() < deadline:
        time.sleep(0.05)
        count = r.count(key)
        if count != last:
            last, since = count, time.time()
        elif time.time() - since >= quiet:
            return


def psql(admin, sql):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", admin, "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


SERVER_STATS = (
    "SELECT (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter), "
    "(SELECT buffers_backend FROM pg_stat_bgwriter), pg_current_wal_lsn() - '0/0'::pg_lsn, "
    "(SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables "
    " WHERE relname IN ('celery_beat_schedules', 'schedule_runs')), "
    "coalesce((SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'celery_beat_schedules'), 0), "
    "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'), "
    "coalesce(pg_total_relation_size(to_regclass('schedule_runs')), 0)")
SERVER_FIELDS = ("checkpoints", "buffers_backend", "wal_bytes", "autovacuums",
                 "schedules_dead_tuples", "autovacuum_workers_now", "runs_bytes")


def tear_down(beat, redis, admin, dbname):
    """Stops what a run started: the beat (killed if still running), the throwaway
    redis-server, and the run's own Postgres database."""
    if beat is not None and beat.poll() is None:
        beat.kill()
        beat.wait()
    redis.kill()
    redis.wait()
    psql(admin, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname)


def server_stats(url):
    """What the Postgres server did around a boundary: checkpoints, WAL written, autovacuum.
    None where the server cannot say (PostgreSQL 17 moved the checkpoint counters out of
    pg_stat_bgwriter): the measurement goes on without it."""
    done = subprocess.run(["psql", "-At", "-F", " ", url, "-c", SERVER_STATS],
                          capture_output=True, text=True)
    values = done.stdout.split()
    if done.returncode != 0 or len(values) != len(SERVER_FIELDS):
        if not getattr(server_stats, "warned", False):
            server_stats.warned = True
            why = (done.stderr.strip().splitlines() or ["no output"])[0]
            print("# server activity not recorded: %s" % why, file=sys.stderr)
        return None
    return dict(zip(SERVER_FIELDS, (int(float(v)) for v in values)))


def db_url_with(admin, name):
    base = admin.split("?")[0]
    scheme_end = base.find("://") + 3
    cut = base.rfind("/")
    if cut < scheme_end:
        cut = len(base)
    return base[:cut] + "/" + name


def seed(backend, url, n, env, binary):
    subprocess.run([binary, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    if backend == "postgres":
        psql(url, "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, "
                  "args, kwargs, last_run_at, created_at, updated_at) "
                  "SELECT gen_random_uuid(), 'bench_' || g, 'bench.tasks.noop', '* * * * *', true, "
                  "'[]', jsonb_build_object('i', g), date_trunc('minute', now()) - interval '2 minutes', "
                  "now(), now() FROM generate_series(1, %d) g" % n)
    else:
        path = url[len("sqlite://"):]
        con = sqlite3.connect(path)
        stamp = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
        last = "strftime('%Y-%m-%dT%H:%M:00Z', 'now', '-2 minutes')"
        con.execute(
            "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %d) "
            "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, args, "
            "kwargs, last_run_at, created_at, updated_at) "
            "SELECT lower(substr(h,1,8)||'-'||substr(h,9,4)||'-4'||substr(h,14,3)||'-a'||substr(h,18,3)||'-'||substr(h,21,12)), "
            "'bench_' || i, 'bench.tasks.noop', '* * * * *', 1, '[]', json_object('i', i), %s, %s, %s "
            "FROM (SELECT i, hex(randomblob(16)) AS h FROM g)" % (n, last, stamp, stamp))
        con.commit()
        con.close()


def log_events(path):
    """(name -> epoch seconds of the beat's `schedule reloaded` events, the `batch` events)."""
    out, batches = {}, []
    with open(path, errors="replace") as f:
        for line in f:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            fields = ev.get("fields", ev)
            if fields.get("message") == "schedule reloaded":
                ts = ev.get("timestamp", "")
                t = datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
                out.setdefault(fields.get("schedule"), t)
            elif fields.get("message") == "batch":
                batches.append({k: fields.get(k) for k in ("dispatched", "missed", "lag_ms", "took_ms")})
            elif fields.get("message") == "batch stages":
                batches.append({k: fields.get(k) for k in (
                    "rows", "messages", "chunks", "prebuilt", "prebuilt_used", "build_ms", "claim_ms", "push_ms", "first_sent_ms",
                    "sent_ms", "bookkeeping_ms")})
    return out, batches


def run_stockura(args, backend, n, redis_port):
    tmp = tempfile.mkdtemp(prefix="stockura-dispatch-")
    broker, r, vhost = broker_for(args, redis_port)
    events = "redis://127.0.0.1:%d/0" % redis_port
    dbname = None
    if backend == "postgres":
        dbname = "stockura_dispatch_%s" % uuid.uuid4().hex
        psql(args.pg_url, "CREATE DATABASE %s" % dbname)
        url = db_url_with(args.pg_url, dbname)
    else:
        url = "sqlite://%s/bench.db" % tmp
    env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "DATABASE_URL": url,
           "CELERY_BROKER_URL": broker, "REDIS_URL": events,
           "STOCKURA_BEAT_NAMESPACE": "bench_%s" % uuid.uuid4().hex[:8],
           "STOCKURA_LOG": "stockura=debug"}
    beat = None
    try:
        seed(backend, url, n, env, args.bin)
        log_path = os.path.join(tmp, "beat.log")
        log = open(log_path, "w")
        r.clear("celery")
        t_launch = time.time()
        beat = subprocess.Popen([args.bin, "run-beat", "--log-format", "json"], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
        launch = watch(r, "celery", n, t_launch + 60, t_launch)
        # A minute boundary that fell during the start's catch-up batch is sent after it: let
        # that finish too, so no boundary below counts messages of another.
        settle(r, "celery", 3.0, t_launch + 120)
        r.clear("celery")
        rows, syncs, idle, idle_pure, sync_dispatch = [], [], [], [], []
        sync_names = []
        for b in range(args.boundaries):
            boundary = (int(time.time()) // 60 + 1) * 60
            if b > 0 and prev_idle_start is not None:
                while time.time() < boundary - 2:
                    time.sleep(0.05)
                c1, t1 = cpu_seconds(beat.pid), time.time()
                idle.append((c1 - prev_idle_start[0]) / (t1 - prev_idle_start[1]) * 60)
            before = server_stats(url) if dbname else None
            while time.time() < boundary - 0.25:
                time.sleep(0.01)
            # Anything still in the list belongs to an earlier batch (say one that overran its
            # minute): counted, reported and removed before the watch.
            stale = r.count("celery")
            r.clear("celery")
            if stale:
                print("# warning: %d messages of an earlier batch were in the list %.2f s before "
                      "the boundary" % (stale, 0.25), file=sys.stderr)
            while time.time() < boundary - 0.2:
                time.sleep(0.01)
            expect = n
            seen = watch(r, "celery", expect, boundary + 55, boundary)
            after = server_stats(url) if dbname else None
            sync_sent = r.count("bench_sync")
            r.clear("celery", "bench_sync")
            first, p50, p99, last = seen
            rate = None
            if last is not None:
                span = last - first if last > first else last
                rate = expect / span if span > 0 else None
            rows.append(dict(first=first, p50=p50, p99=p99, last=last, rate=rate, stale=stale,
                             sync_sent=sync_sent, sync_expected=len(sync_names),
                             server_before=before, server_after=after))
            prev_idle_start = None
            # Quiet: after the burst's bookkeeping (up to about 6 s at 100,000), before the add.
            time.sleep(max(0.0, boundary + 10 - time.time()))
            quiet_start = (cpu_seconds(beat.pid), time.time())
            while time.time() < boundary + 19.5:
                time.sleep(0.05)
            c1, t1 = cpu_seconds(beat.pid), time.time()
            idle_pure.append((c1 - quiet_start[0]) / (t1 - quiet_start[1]) * 60)
            prev_idle_start = quiet_start
            while time.time() < boundary + 20:
                time.sleep(0.05)
            # Sync latency: a schedule whose slot is now. It is saved with its last run one
            # minute back (as if imported from another scheduler), so the slot of the boundary
            # 20 s ago is owed and a running beat sends it as soon as the change arrives. A
            # second connection waits on its queue (BLPOP) while the add runs.
            name = "sync_%d" % b
            popped = {}

            def wait_for_sync(popped=popped):
                item = r.pop("bench_sync", 15)
                popped["at"] = time.time()
                popped["item"] = item

            waiter = threading.Thread(target=wait_for_sync)
            waiter.start()
            time.sleep(0.05)
            t_add = time.time()
            subprocess.run([args.bin, "schedule", "add", "--task", "bench.tasks.sync", "--cron",
                            "* * * * *", "--name", name, "--queue", "bench_sync",
                            # Its own kwargs: one job per boundary, not the same job again
                            # (which `schedule add` refuses).
                            "--param", "boundary=%d" % b,
                            "--last-run-at", "60s"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            t_returned = time.time()
            waiter.join()
            if popped.get("item") is not None:
                sync_dispatch.append(((popped["at"] - t_returned) * 1000,
                                      (popped["at"] - t_add) * 1000))
            syncs.append((name, t_returned))
            sync_names.append(name)
        time.sleep(1)
        rss = vm_hwm_mb(beat.pid)
        beat.send_signal(signal.SIGTERM)
        try:
            beat.wait(15)
        except subprocess.TimeoutExpired:
            beat.kill()
        log.close()
        reloads, batches = log_events(log_path)
        sync_ms = [(reloads[nm] - t) * 1000 for nm, t in syncs if nm in reloads]
        return dict(backend=backend, n=n, rows=rows, idle=idle, idle_pure=idle_pure, rss=rss, launch=launch,
                    sync_ms=sync_ms, batches=batches, sync_seen="%d/%d" % (len(sync_ms), len(syncs)),
                    sync_dispatch_ms=[d for d, _ in sync_dispatch],
                    sync_dispatch_from_start_ms=[d for _, d in sync_dispatch],
                    sync_dispatched="%d/%d" % (len(sync_dispatch), len(syncs)))
    finally:
        if beat is not None and beat.poll() is None:
            beat.kill()
        if vhost:
            drop_vhost(vhost)
        if dbname:
            try:
                psql(args.pg_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname)
            except subprocess.CalledProcessError:
                pass


APP = """
from celery import Celery
from celery.schedules import crontab
app = Celery("benchapp", broker=%(broker)r)
app.conf.update(timezone="UTC", enable_utc=True, redbeat_redis_url=%(redis)r,
                redbeat_key_prefix="bench_redbeat:",
                beat_schedule={"bench_%%d" %% i: {"task": "bench.tasks.noop", "schedule": crontab(),
                               "kwargs": {"i": i}} for i in range(1, %(n)d + 1)})
"""


def run_incumbent(args, which, n, redis_port):
    """celery beat (PersistentScheduler) or RedBeat with the same N `* * * * *` entries."""
    tmp = tempfile.mkdtemp(prefix="stockura-dispatch-%s-" % which)
    broker, r, vhost = broker_for(args, redis_port)
    with open(os.path.join(tmp, "benchapp.py"), "w") as f:
        f.write(APP % {"broker": broker, "n": n,
                       "redis": "redis://127.0.0.1:%d/0" % redis_port})
    # `python -m celery`: a venv moved since it was made keeps a working python, not scripts.
    cmd = [os.path.join(os.path.abspath(args.venv), "bin", "python"), "-m", "celery", "-A", "benchapp", "beat", "-l", "warning",
           "--schedule", os.path.join(tmp, "beat-schedule"), "--pidfile", ""]
    if which == "redbeat":
        cmd += ["-S", "redbeat.RedBeatScheduler", "--max-interval", "5"]
    beat = None
    rows, idle, prev = [], [], None
    try:
        r.clear("celery")
        beat = subprocess.Popen(cmd, cwd=tmp, env={"PATH": os.environ.get("PATH", ""), "HOME": tmp},
                                stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(tmp, "beat.log"), "w"))
        started = time.time()
        for b in range(args.compare_boundaries):
            # The first boundary at least 20 s after the launch: RedBeat first copies the N
            # entries into Redis, and a boundary during that is not a fair measurement.
            boundary = (int(max(time.time(), started + 20)) // 60 + 1) * 60
            if prev is not None:
                while time.time() < boundary - 2:
                    time.sleep(0.05)
                idle.append((cpu_seconds(beat.pid) - prev[0]) / (time.time() - prev[1]) * 60)
            while time.time() < boundary - 0.2:
                time.sleep(0.01)
            r.clear("celery")
            first, p50, p99, last = watch(r, "celery", n, boundary + 58, boundary)
            rate = None
            if last is not None:
                span = last - first if last > first else last
                rate = n / span if span > 0 else None
            rows.append(dict(first=first, p50=p50, p99=p99, last=last, rate=rate))
            prev = None
            if last is not None and time.time() < boundary + 50:
                time.sleep(max(0.0, last + boundary + 5 - time.time()))
                prev = (cpu_seconds(beat.pid), time.time())
        rss = vm_hwm_mb(beat.pid)
    finally:
        if beat is not None:
            beat.send_signal(signal.SIGTERM)
            try:
                beat.wait(15)
            except subprocess.TimeoutExpired:
                beat.kill()
        if vhost:
            drop_vhost(vhost)
    return dict(backend=which, n=n, rows=rows, idle=idle, rss=rss, launch=[None] * 4,
                sync_ms=[], batches=[], sync_seen="-", sync_dispatch_ms=[], sync_dispatched="-")


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, unit="", digits=3):
    if v is None:
        return "not within the minute"
    return ("%." + str(digits) + "f%s") % (v, unit)


def main():
    # A SIGTERM unwinds like an exception: the throwaway redis-server, the beat and the
    # benchmark database are removed on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", default="1000,10000")
    p.add_argument("--backend", default="postgres,sqlite")
    p.add_argument("--boundaries", type=int, default=3)
    p.add_argument("--bin", default="target/release/stockura")
    p.add_argument("--pg-url", default=os.environ.get(
        "STOCKURA_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--compare", action="store_true",
                   help="also drive celery beat (PersistentScheduler) and RedBeat with the same N")
    p.add_argument("--compare-only", action="store_true", help="only the incumbents")
    p.add_argument("--compare-boundaries", type=int, default=3)
    p.add_argument("--incumbents", default="celery-beat,redbeat")
    p.add_argument("--venv", default="target/bench-venv",
                   help="virtualenv with celery[redis]==5.7.0 and celery-redbeat")
    p.add_argument("--json", help="also write the raw results to this file")
    p.add_argument("--broker", choices=["redis", "amqp"], default="redis",
                   help="where the messages go (amqp needs py-amqp: see above)")
    p.add_argument("--amqp-url", default=os.environ.get(
        "STOCKURA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672"),
        help="RabbitMQ without a vhost (one is made per run)")
    args = p.parse_args()
    results = []
    configs = [] if args.compare_only else [(b, n) for b in args.backend.split(",")
                                            for n in [int(x) for x in args.n.split(",")]]
    if args.compare or args.compare_only:
        configs += [(w, n) for w in args.incumbents.split(",") for n in [int(x) for x in args.n.split(",")]]
    for backend, n in configs:
            redis, port = start_redis()
            try:
                print("# %s N=%d load %s" % (backend, n, os.getloadavg()), file=sys.stderr)
                if backend in ("celery-beat", "redbeat"):
                    res = run_incumbent(args, backend, n, port)
                else:
                    res = run_stockura(args, backend, n, port)
                res["load"] = os.getloadavg()
                res["broker"] = args.broker
                print(json.dumps(res), file=sys.stderr)
                results.append(res)
            finally:
                redis.terminate()
                redis.wait()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    print("| scheduler | backend | N | boundaries | first s | median s | p99 s | last s | msg/s | "
          "idle CPU-s/min (quiet / with one add) | peak RSS | launch→first s | launch→last s | "
          "sync: add returned → dispatch ms (median) | sync: change → plan ms (median) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for res in results:
        rows = res["rows"]
        rate = med([x["rate"] for x in rows])
        who = res["backend"] if res["backend"] in ("celery-beat", "redbeat") else "stockura"
        print("| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %.0f MB | %s | %s | %s (%s) | %s (%s) |" % (
            who, "%s, %s" % ("-" if who != "stockura" else res["backend"], res.get("broker", "redis")),
            "{:,}".format(res["n"]), len(rows),
            fmt(med([x["first"] for x in rows])), fmt(med([x["p50"] for x in rows])),
            fmt(med([x["p99"] for x in rows])), fmt(med([x["last"] for x in rows])),
            "{:,.0f}".format(rate) if rate else "-",
            "%s / %s" % (fmt(med(res.get("idle_pure", [])), digits=3) if res.get("idle_pure") else "-",
                         fmt(med(res["idle"]), digits=3) if res["idle"] else "-"), res["rss"],
            fmt(res["launch"][0]) if who == "stockura" else "-",
            fmt(res["launch"][3]) if who == "stockura" else "-",
            fmt(med(res.get("sync_dispatch_ms", [])), digits=1) if who == "stockura" else "-",
            res.get("sync_dispatched", "-"),
            fmt(med(res["sync_ms"]), digits=1) if who == "stockura" else "-", res["sync_seen"]))


if __name__ == "__main__":
    main()
