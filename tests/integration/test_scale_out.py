"""Scale-out of the job processes: two consumer processes in the same consumer groups share the
streams, and each event is handled once; two RQ worker processes on the same queues run each job
once, and two schedulers enqueue each periodic job once per interval (docs/scale-out.md)."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from rq import Queue, Worker, get_current_job
from rq.serializers import JSONSerializer

from cache.client import redis_client
from domain.events import Followed, envelop
from jobs import consumer as consumer_module
from jobs import schedule
from jobs.consumer import Consumer
from jobs.handlers import HANDLERS

ROOT = Path(__file__).resolve().parents[2]
JOBS = 120
DELAYED = 6

EVENTS = 300


def test_two_consumers_in_one_group_handle_each_event_once_between_them(private, monkeypatch):
    handled: Counter[int] = Counter()
    by_consumer: Counter[str] = Counter()
    lock = threading.Lock()

    def count(svc, events):
        with lock:
            handled.update(e.id for e in events)
            by_consumer[threading.current_thread().name] += len(events)

    monkeypatch.setitem(HANDLERS, "counting", {Followed: (count,)})
    monkeypatch.setattr(consumer_module, "READ_COUNT", 7)  # small reads, so both get a share
    events = [envelop(Followed(i, i + 1)) for i in range(1, EVENTS + 1)]
    consumers = [Consumer(private, "counting", name) for name in ("node-a", "node-b")]
    for c in consumers:
        c.step(block_ms=None)  # both join the group before anything is appended
    stop = threading.Event()

    def run(c: Consumer):
        while not stop.is_set():
            c.step(block_ms=20)

    threads = [threading.Thread(target=run, args=(c,), name=c.name) for c in consumers]
    for t in threads:
        t.start()
    for start in range(0, EVENTS, 25):
        private.event_streams.append(events[start:start + 25])
    deadline = threading.Event()
    for _ in range(600):
        if sum(handled.values()) >= EVENTS and private.event_streams.backlog() == 0:
            break
        deadline.wait(0.05)
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert sorted(handled) == sorted(e.id for e in events)
    assert set(handled.values()) == {1}, "an event was handled twice"
    assert private.event_streams.backlog() == 0
    assert all(by_consumer[c.name] > 0 for c in consumers), f"one consumer did all the work: {by_consumer}"


def count_run(key: str, n: int) -> None:
    """The job the two workers share: each run counted, and by which worker process."""
    r = get_current_job().connection
    r.hincrby(key, str(n), 1)
    r.hincrby(f"{key}:by", str(os.getpid()), 1)
    time.sleep(0.005)  # long enough that one worker cannot drain the queue before the other asks


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_two_rq_workers_on_the_same_queues_run_each_job_once(services, tmp_path):
    """Two `python -m jobs.worker` processes, as `WORKERS=2 make up` starts them, on queues of this
    test's own (the stack's worker serves the real ones), with jobs due now and jobs delayed."""
    r = services.rq_redis  # RQ's own server beside a cluster; the one server otherwise
    tag = secrets.token_hex(4)
    names = [f"test-{tag}-high", f"test-{tag}-low"]
    queues = [Queue(name, connection=r, serializer=JSONSerializer) for name in names]
    key = f"test-rq-runs:{tag}"
    workers = [subprocess.Popen([sys.executable, "-m", "jobs.worker", *names], cwd=ROOT, env=os.environ,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
               for log in (open(tmp_path / f"worker-{i}.log", "wb") for i in (1, 2))]
    try:
        assert _wait(lambda: len(Worker.all(connection=r, queue=queues[0])) == 2, 60), "the workers did not start"
        for n in range(JOBS):
            queues[n % 2].enqueue(count_run, key, n)
        for n in range(JOBS, JOBS + DELAYED):  # moved to their queue by whichever worker holds the lock
            queues[n % 2].enqueue_in(timedelta(seconds=1), count_run, key, n)
        everything = JOBS + DELAYED
        assert _wait(lambda: r.hlen(key) == everything and all(len(q) == 0 for q in queues), 120), \
            f"{r.hlen(key)} of {everything} jobs ran"
        time.sleep(1.5)  # a second run of a job would show by now (none is still queued or delayed)
        runs = {int(n): int(c) for n, c in r.hgetall(key).items()}
        by_worker = {int(p): int(c) for p, c in r.hgetall(f"{key}:by").items()}
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(30)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
        r.delete(key, f"{key}:by")
        for q in queues:
            q.delete(delete_jobs=True)
    assert runs == {n: 1 for n in range(JOBS + DELAYED)}, "a job ran twice, or not at all"
    assert set(by_worker) == {w.pid for w in workers}, f"one worker did all the work: {by_worker}"
    assert all(w.returncode == 0 for w in workers), "a worker did not stop cleanly on SIGTERM"


def test_two_schedulers_enqueue_each_periodic_job_once_per_interval(services):
    """Two `jobs.schedule` loops (a restart's overlap, or a second host) ticking at the same moments."""
    r = services.rq_redis  # RQ's own server beside a cluster; the one server otherwise
    for func, _, _, _ in schedule.SCHEDULE:
        r.delete(schedule._next_key(func))
    tag = secrets.token_hex(4)
    own = {name: Queue(f"test-{tag}-{name}", connection=r, serializer=JSONSerializer)
           for name in {q for _, q, _, _ in schedule.SCHEDULE}}
    moments = [1000.0 + 15 * i for i in range(0, 90)]  # 22 minutes, ticked every 15 s
    enqueued: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def scheduler():
        client = redis_client(services.settings.rq_url, decode=False)
        try:
            for now in moments:
                barrier.wait(10)  # both tick at the same moment, racing for each due job
                done = schedule.tick(client, own, now)
                with lock:
                    enqueued.update(done)
        finally:
            client.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        in_queues = sum(len(q) for q in own.values())
    finally:
        for func, _, _, _ in schedule.SCHEDULE:
            r.delete(schedule._next_key(func))
        for q in own.values():
            q.delete(delete_jobs=True)
    span = moments[-1] - moments[0]
    expected = {func.__name__: int(span // every) + 1 for func, _, every, _ in schedule.SCHEDULE}
    assert dict(enqueued) == expected
    assert in_queues == sum(expected.values())
