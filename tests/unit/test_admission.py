"""Admission control sheds load with an immediate 503 once the running and waiting requests are full."""
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

import orjson
from werkzeug.test import Client

from web import admission
from web.admission import Admission

ROOT = Path(__file__).resolve().parents[2]


class SlowApp:
    """A WSGI app whose requests to /slow hold until released."""

    def __init__(self):
        self.release = threading.Event()
        self.started = threading.Semaphore(0)

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            self.started.release()
            self.release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def _in_background(client, path, results):
    thread = threading.Thread(target=lambda: results.append(client.get(path).status_code))
    thread.start()
    return thread


def test_requests_beyond_the_running_and_waiting_bounds_get_503_with_retry_after_at_once():
    app = SlowApp()
    client = Client(Admission(app, concurrency=2, queue=1, wait_seconds=5, max_lag_seconds=60))
    results = []
    running = [_in_background(client, "/slow", results) for _ in range(2)]
    for _ in running:
        assert app.started.acquire(timeout=5)
    waiting = _in_background(client, "/fast", results)
    time.sleep(0.2)  # it now waits for a slot

    started = time.monotonic()
    refused = client.get("/fast")
    assert time.monotonic() - started < 0.5
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert orjson.loads(refused.data)["error"]["code"] == "overloaded"

    app.release.set()
    for thread in (*running, waiting):
        thread.join(5)
    assert sorted(results) == [200, 200, 200]
    assert client.get("/fast").status_code == 200


def test_a_waiting_request_is_refused_when_no_slot_frees_in_time():
    app = SlowApp()
    client = Client(Admission(app, concurrency=1, queue=5, wait_seconds=0.2, max_lag_seconds=60))
    results = []
    holder = _in_background(client, "/slow", results)
    assert app.started.acquire(timeout=5)
    started = time.monotonic()
    assert client.get("/fast").status_code == 503
    assert 0.15 < time.monotonic() - started < 2
    app.release.set()
    holder.join(5)


def test_probes_and_event_streams_are_not_counted():
    app = SlowApp()
    client = Client(Admission(app, concurrency=1, queue=0, wait_seconds=0, max_lag_seconds=60))
    results = []
    holder = _in_background(client, "/slow", results)
    assert app.started.acquire(timeout=5)
    assert client.get("/fast").status_code == 503
    assert client.get("/healthz").status_code == 200
    app.release.set()
    holder.join(5)


def test_slots_are_given_back_when_the_app_raises():
    def broken(environ, start_response):
        raise RuntimeError("boom")

    admission = Admission(broken, concurrency=1, queue=0, wait_seconds=0, max_lag_seconds=60)
    for _ in range(3):
        try:
            Client(admission).get("/x")
        except RuntimeError:
            pass
    assert admission.slots.acquire(blocking=False)


GEVENT_WORKER = """
from gevent import monkey
monkey.patch_all()
import json, time
import gevent
from werkzeug.test import Client
from web.admission import Admission

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]

def busy(seconds):  # a view hogging the CPU: the loop runs nothing else meanwhile
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        pass

client = Client(Admission(app, concurrency=10, queue=10, wait_seconds=1, max_lag_seconds=0.25))
seen = {"first": client.get("/fast").status_code}  # the first request starts the probe
gevent.sleep(0.3)
busy(0.8)  # once
gevent.sleep(0.001)  # the loop turns: the probe wakes up (late) and takes its measure
seen["after one hog"] = client.get("/fast").status_code

def saturate():
    for _ in range(10):
        busy(0.4)
        gevent.sleep(0.001)

hogs = gevent.spawn(saturate)
statuses = []
while not hogs.dead:
    gevent.sleep(0.01)
    statuses.append(client.get("/fast").status_code)
seen["while saturated"] = sorted(set(statuses))
seen["probe while saturated"] = client.get("/healthz").status_code
for _ in range(100):  # caught up: admitted again
    gevent.sleep(0.1)
    if client.get("/fast").status_code == 200:
        seen["caught up"] = 200
        break
print(json.dumps(seen))
"""


def test_a_gevent_worker_sheds_while_its_loop_keeps_lagging_but_not_for_one_late_turn():
    """CPU saturation shows as lag before any slot fills: every ready request already waits that
    long. One long view makes the loop late once, which must not shed the requests queued behind
    it. The worker runs as under gunicorn (gevent-patched), with the real probe."""
    out = subprocess.run([sys.executable, "-c", GEVENT_WORKER], capture_output=True, text=True, timeout=60,
                         cwd=ROOT, check=True).stdout
    assert orjson.loads(out.strip().splitlines()[-1]) == {
        "first": 200,
        "after one hog": 200,
        "while saturated": [200, 503],
        "probe while saturated": 200,
        "caught up": 200,
    }


def test_outside_gevent_thread_contention_is_not_taken_for_lag(monkeypatch):
    client = Client(Admission(SlowApp(), concurrency=10, queue=10, wait_seconds=1, max_lag_seconds=0.25))
    monkeypatch.setattr(admission.LAG, "recent", deque([0.4]))
    assert client.get("/fast").status_code == 200
    assert admission.LAG.probe is None



def test_the_lag_probe_is_on_under_gevent_and_off_with_os_threads(monkeypatch):
    """Decided once, in the worker: gevent's patched threading turns loop-lag shedding on."""
    plain = admission.LoopLag()
    assert plain.seconds() == 0.0 and plain.measured is False
    monkeypatch.setattr(admission, "is_module_patched", lambda name: name == "threading")
    patched = admission.LoopLag()
    patched.probe = object()  # no probe thread: the test only asks whether it would measure
    patched.recent = deque([0.4])
    assert patched.seconds() == 0.4 and patched.measured is True
