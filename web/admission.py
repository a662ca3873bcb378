"""Admission control per worker process, so that a spike beyond capacity sheds load with an
immediate 503 and Retry-After instead of queueing without bound. A request is refused when

- the worker's event loop lags more than `max_lag_seconds` behind (CPU saturated: every request
  already waits that long for its turn to run, and serving more would only lengthen the wait), or
- `concurrency` requests are running and `queue` more are waiting for a slot (I/O saturated, for
  example a slow database), or a waiting request got no slot within `wait_seconds`.

Under gunicorn's gevent workers `threading` and `time.sleep` are monkey-patched, so the semaphore,
the lock and the lag probe below are gevent's, and a waiting request costs a greenlet, not a thread.
Long-lived connections (event streams, WebSockets) and the probes of monitoring are not counted:
they would hold a slot for hours, and a probe must answer while the worker sheds.
"""
from __future__ import annotations

import threading
import time
from collections import deque

import orjson
from gevent.monkey import is_module_patched
from prometheus_client import Counter

SHED = Counter("http_requests_shed_total", "Requests refused with 503 because the worker was full", ["reason"])
NOT_COUNTED = frozenset({"/healthz", "/readyz", "/metrics", "/api/v1/stream", "/api/v1/ws"})
RETRY_AFTER_SECONDS = 1
PROBE_SECONDS = 0.05
PROBES_KEPT = 4  # a window of about 0.2 s when the loop keeps up
BODY = orjson.dumps(
    {
        "error": {
            "code": "overloaded",
            "message": "The service is at capacity; retry in a moment.",
            "retry_after": RETRY_AFTER_SECONDS,
        }
    }
)


class Admission:
    def __init__(self, app, concurrency: int, queue: int, wait_seconds: float, max_lag_seconds: float):
        self.app = app
        self.slots = threading.BoundedSemaphore(concurrency)
        self.queue = queue
        self.wait_seconds = wait_seconds
        self.max_lag = max_lag_seconds
        self.waiting = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") in NOT_COUNTED:
            return self.app(environ, start_response)
        if LAG.seconds() > self.max_lag:
            return self._shed("lag", start_response)
        if not self._admit():
            return self._shed("full", start_response)
        try:
            return self.app(environ, start_response)
        finally:
            self.slots.release()  # the view has run; sending its finished body is the server's work

    def _admit(self) -> bool:
        if self.slots.acquire(blocking=False):
            return True
        with self.lock:
            if self.waiting >= self.queue:
                return False
            self.waiting += 1
        try:
            return self.slots.acquire(timeout=self.wait_seconds)
        finally:
            with self.lock:
                self.waiting -= 1

    def _shed(self, reason: str, start_response):
        SHED.labels(reason).inc()
        start_response(
            "503 Service Unavailable",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(BODY))),
                ("Retry-After", str(RETRY_AFTER_SECONDS)),
            ],
        )
        return [BODY]


class LoopLag:
    """How late a short sleep wakes up is how long a ready request waits for the CPU. One probe per
    process, started by the first request (gunicorn forks its workers after importing the app).

    The lag is the least of the last few probes: one view that held the loop once (a burst of
    JSON, a garbage collection) makes one probe late, and the requests queued behind it must not
    be shed for it; a saturated loop makes every probe late."""

    def __init__(self):
        self.recent: deque[float] = deque([0.0], maxlen=PROBES_KEPT)
        self.measured: bool | None = None
        self.probe: threading.Thread | None = None
        self.lock = threading.Lock()

    def seconds(self) -> float:
        """0 outside gevent: with OS threads a late wake-up measures GIL contention, not a queue."""
        if self.measured is None:  # decided in the worker, after gevent has patched it
            self.measured = is_module_patched("threading")
        if not self.measured:
            return 0.0
        if self.probe is None:
            with self.lock:
                if self.probe is None:
                    self.probe = threading.Thread(target=self._measure, name="loop-lag", daemon=True)
                    self.probe.start()
        return min(self.recent)

    def _measure(self) -> None:
        while True:
            started = time.monotonic()
            time.sleep(PROBE_SECONDS)
            self.recent.append(time.monotonic() - started - PROBE_SECONDS)


LAG = LoopLag()
