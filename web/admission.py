"""Admission control per worker process: at most `concurrency` requests run at once and at most
`queue` wait for a turn, each for at most `wait_seconds`. Beyond that a request is refused at once
with 503 and Retry-After, so a spike beyond capacity sheds load instead of queueing without bound.

Under gunicorn's gevent workers `threading` is monkey-patched, so the semaphore and lock below are
gevent's and a waiting request costs a greenlet, not a thread. Long-lived connections (event
streams, WebSockets) and the probes of monitoring are not counted: they would hold a slot for hours.
"""
from __future__ import annotations

import threading

import orjson
from prometheus_client import Counter

SHED = Counter("http_requests_shed_total", "Requests refused with 503 because the worker was full")
NOT_COUNTED = frozenset({"/healthz", "/readyz", "/metrics", "/api/v1/stream", "/api/v1/ws"})
RETRY_AFTER_SECONDS = 1
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
    def __init__(self, app, concurrency: int, queue: int, wait_seconds: float):
        self.app = app
        self.slots = threading.BoundedSemaphore(concurrency)
        self.queue = queue
        self.wait_seconds = wait_seconds
        self.waiting = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") in NOT_COUNTED:
            return self.app(environ, start_response)
        if not self._admit():
            SHED.inc()
            start_response(
                "503 Service Unavailable",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(BODY))),
                    ("Retry-After", str(RETRY_AFTER_SECONDS)),
                ],
            )
            return [BODY]
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
