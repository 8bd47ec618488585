#!/usr/bin/env python3
"""Database-fault benchmark of `stockura run-beat` at its default settings (the reliability
issue's targets: a boundary during a 60 s database freeze sent <= 10 s late, nothing doubled;
while Postgres refuses connections, slots sent <= 0.5 s late).

Run (from the repository root, after `cargo build --release`):

    python3 benches/faults.py [--schedules 100] [--freeze 60] [--refuse 30] [--bin PATH]

Standard library only (it borrows the helpers of `benches/dispatch.py`). It:
  * starts a throwaway `redis-server` on a free 127.0.0.1 port (the broker, and the leadership
    lease through REDIS_URL) and creates its own Postgres database (dropped at the end),
  * seeds `--schedules` schedules `* * * * *` that never ran (they owe nothing at the start),
  * puts a TCP proxy of its own between `run-beat` and Postgres (127.0.0.1:5432): `freeze` stops
    forwarding in both directions without closing anything (a hung server: connections open, no
    answer, new connections accepted and left hanging); `refuse` resets every connection and
    stops listening (a stopped server: connections refused at once); both end by forwarding
    again,
  * launches `stockura run-beat` with no flag but the log format, and across five minute
    boundaries B0..B4 injects: nothing at B0; a freeze from `--freeze-lead` seconds (0.2 by default) before B1 lasting `--freeze`
    seconds (so B1 falls inside it); nothing at B2 (the recovery); a refusal from 10 s before B3
    lasting `--refuse` seconds; nothing at B4,
  * polls the broker list `celery` every 0.5 ms and reports, per boundary, how late its first
    and last message came (seconds after the boundary); then waits for the history to catch up
    and checks every slot: one message per schedule and boundary (no task id twice), and one
    `dispatched` row per schedule and boundary, nothing else.
Prints one JSON object.
"""

import argparse
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dispatch  # noqa: E402  (the helpers: Resp, start_redis, psql, db_url_with, free_port)


class Proxy:
    """A TCP proxy on 127.0.0.1 that can freeze (stop forwarding, keep connections) or refuse
    (reset connections, stop listening)."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.port = dispatch.free_port()
        self.frozen = threading.Event()
        self.lock = threading.Lock()
        self.conns = []
        self.listener = None
        self.listen()

    def listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.listener = s
        threading.Thread(target=self.accept, args=(s,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns.append((client, upstream))
            threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()

    def pump(self, a, b):
        peers = {a: b, b: a}
        try:
            while True:
                if self.frozen.is_set():
                    time.sleep(0.005)
                    continue
                ready, _, _ = select.select([a, b], [], [], 0.05)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        raise OSError("closed")
                    peers[s].sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def freeze(self):
        self.frozen.set()

    def thaw(self):
        self.frozen.clear()

    def refuse(self):
        # shutdown() wakes the accepting thread and stops listening at once (close() alone
        # would leave the port listening until that thread's accept returned).
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            conns, self.conns = self.conns, []
        for client, upstream in conns:
            for s in (client, upstream):
                try:
                    # A reset, as a stopped server's kernel answers.
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    s.close()
                except OSError:
                    pass

    def accept_again(self):
        self.listen()


def history(url):
    done = subprocess.run(
        ["psql", "-At", "-F", " ", url, "-c",
         "SELECT extract(epoch FROM scheduled_for)::bigint, trigger, status, count(*) "
         "FROM schedule_runs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"],
        capture_output=True, text=True, check=True)
    return [line.split() for line in done.stdout.split("\n") if line.strip()]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--schedules", type=int, default=100)
    p.add_argument("--freeze", type=float, default=60.0)
    p.add_argument("--freeze-lead", type=float, default=0.2,
                   help="seconds before B1 the freeze begins (0.2: the claim of B1 is in flight)")
    p.add_argument("--refuse", type=float, default=30.0)
    p.add_argument("--bin", default="target/release/stockura")
    p.add_argument("--pg-url", default=os.environ.get(
        "STOCKURA_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    args = p.parse_args()
    n = args.schedules

    redis, port = dispatch.start_redis()
    tmp = tempfile.mkdtemp(prefix="stockura-faults-")
    dbname = "stockura_faults_%s" % uuid.uuid4().hex
    dispatch.psql(args.pg_url, "CREATE DATABASE %s" % dbname)
    url = dispatch.db_url_with(args.pg_url, dbname)
    pg_port = int(args.pg_url.split("@")[-1].split("/")[0].split(":")[1])
    proxy = Proxy(pg_port)
    proxied = url.replace(":%d/" % pg_port, ":%d/" % proxy.port)
    broker = "redis://127.0.0.1:%d/0" % port
    env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "DATABASE_URL": proxied,
           "CELERY_BROKER_URL": broker, "REDIS_URL": broker,
           "STOCKURA_BEAT_NAMESPACE": "faults_%s" % uuid.uuid4().hex[:8]}
    r = dispatch.Resp(port)
    beat = None
    result = {"schedules": n, "freeze_s": args.freeze, "freeze_lead_s": args.freeze_lead,
              "refuse_s": args.refuse}
    try:
        subprocess.run([args.bin, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        dispatch.psql(url,
            "INSERT INTO celery_beat_schedules (id, name, task_name, cron_expression, enabled, "
            "args, kwargs, created_at, updated_at) SELECT gen_random_uuid(), 'fault_' || g, "
            "'bench.tasks.noop', '* * * * *', true, '[]', jsonb_build_object('i', g), now(), "
            "now() FROM generate_series(1, %d) g" % n)
        # The launch 25 s before B0 (no boundary before it).
        b0 = (int(time.time()) // 60 + 1) * 60
        if b0 - time.time() < 25:
            b0 += 60
        while time.time() < b0 - 25:
            time.sleep(0.01)
        boundaries = [b0 + 60 * k for k in range(5)]
        events = [
            (boundaries[1] - args.freeze_lead, proxy.freeze, "freeze"),
            (boundaries[1] - args.freeze_lead + args.freeze, proxy.thaw, "thaw"),
            (boundaries[3] - 10, proxy.refuse, "refuse"),
            (boundaries[3] - 10 + args.refuse, proxy.accept_again, "accept"),
        ]
        log = open(os.path.join(tmp, "beat.log"), "w")
        beat = subprocess.Popen([args.bin, "run-beat", "--log-format", "json"], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
        arrivals = []  # (time, count) whenever the count grows
        last = 0
        end = boundaries[-1] + 20
        while time.time() < end and beat.poll() is None:
            now = time.time()
            while events and now >= events[0][0]:
                events.pop(0)[1]()
            count = r.cmd("LLEN", "celery")
            if count != last:
                arrivals.append((now, count))
                last = count
            time.sleep(0.0005)
        late = []
        for b in boundaries:
            # What the list held before the boundary (messages are never taken off it).
            base = max([c for t, c in arrivals if t < b - 1] or [0])
            first = next((t for t, c in arrivals if t >= b - 1 and c > base), None)
            done = next((t for t, c in arrivals if t >= b - 1 and c >= base + n), None)
            late.append({
                "boundary": "B%d" % boundaries.index(b),
                "first_late_s": first and round(first - b, 3),
                "last_late_s": done and round(done - b, 3),
            })
        result["boundaries"] = late
        ids = [json.loads(m)["headers"]["id"] for m in r.cmd("LRANGE", "celery", 0, -1)]
        result["messages"] = len(ids)
        result["distinct_task_ids"] = len(set(ids))
        # The history of the outage is written once the database answers again.
        want = {b: n for b in boundaries}
        deadline = time.time() + 60
        while True:
            rows = history(url)
            got = {}
            other = []
            for at, trigger, status, count in rows:
                if trigger == "schedule" and status == "dispatched":
                    got[int(at)] = int(count)
                else:
                    other.append([at, trigger, status, int(count)])
            if all(got.get(b) == c for b, c in want.items()) or time.time() > deadline:
                break
            time.sleep(1)
        result["dispatched_rows"] = {"B%d" % k: got.get(b, 0) for k, b in enumerate(boundaries)}
        result["other_rows"] = [row for row in other if int(row[0]) <= boundaries[-1]]
        result["ok"] = (result["messages"] == n * 5
                        and result["distinct_task_ids"] == result["messages"]
                        and all(got.get(b) == n for b in boundaries)
                        and not result["other_rows"])
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=60)
        result["exit_code"] = beat.returncode
        print(json.dumps(result))
    finally:
        proxy.thaw()
        dispatch.tear_down(beat, redis, args.pg_url, dbname)


if __name__ == "__main__":
    main()
