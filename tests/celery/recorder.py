"""Celery app used by stockura's integration tests (tests/it/celery.rs).

An unmodified Celery worker runs these tasks; each records exactly what it
received, so the tests can prove that messages written by stockura (not by
Celery) are executed as Celery would execute its own.

Configured from the environment only:

STOCKURA_TEST_BROKER_URL      broker URL (Redis, or pyamqp:// for RabbitMQ)
STOCKURA_TEST_RESULT_BACKEND  result backend URL (Redis); also where records go
STOCKURA_TEST_KEY_PREFIX      when set, broker_transport_options global_keyprefix
STOCKURA_TEST_QUEUE_MAX_PRIORITY
                              when set, task_queue_max_priority (AMQP queues
                              are declared with x-max-priority)
STOCKURA_TEST_RECORD_KEY      Redis list (on the result backend) tasks RPUSH to
STOCKURA_TEST_WATCH_STDIN     when set, exit as soon as stdin reaches EOF (the
                              test process holds the other end: no worker
                              outlives it, even when it is killed)
"""

import json
import os
import sys
import threading
import time
from datetime import datetime, timezone

import redis
from celery import Celery

app = Celery("recorder")
app.conf.update(
    broker_url=os.environ["STOCKURA_TEST_BROKER_URL"],
    result_backend=os.environ["STOCKURA_TEST_RESULT_BACKEND"],
    result_expires=3600,
    task_acks_late=False,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
)
if os.environ.get("STOCKURA_TEST_KEY_PREFIX"):
    app.conf.broker_transport_options = {
        "global_keyprefix": os.environ["STOCKURA_TEST_KEY_PREFIX"],
    }
if os.environ.get("STOCKURA_TEST_QUEUE_MAX_PRIORITY"):
    app.conf.task_queue_max_priority = int(os.environ["STOCKURA_TEST_QUEUE_MAX_PRIORITY"])

_client = None


def _record(task, args, kwargs):
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ["STOCKURA_TEST_RESULT_BACKEND"])
    request = task.request
    delivery_info = request.delivery_info or {}
    entry = {
        "id": request.id,
        "task": task.name,
        "args": list(args),
        "kwargs": kwargs,
        "routing_key": delivery_info.get("routing_key"),
        "priority": delivery_info.get("priority"),
        "hostname": request.hostname,
        "received_at": datetime.now(timezone.utc).isoformat(),
    }
    _client.rpush(
        os.environ["STOCKURA_TEST_RECORD_KEY"],
        json.dumps(entry, ensure_ascii=False).encode("utf-8"),
    )


@app.task(bind=True, name="stockura_test.record")
def record(self, *args, **kwargs):
    _record(self, args, kwargs)
    return "ok"


@app.task(bind=True, name="stockura_test.slow")
def slow(self, *args, **kwargs):
    time.sleep(kwargs.get("seconds", 2))
    _record(self, args, kwargs)
    return "ok"


@app.task(bind=True, name="stockura_test.fail")
def fail(self, *args, **kwargs):
    _record(self, args, kwargs)
    raise ValueError("boom")


def _exit_on_stdin_eof():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    os._exit(3)


if os.environ.get("STOCKURA_TEST_WATCH_STDIN"):
    threading.Thread(target=_exit_on_stdin_eof, daemon=True).start()
