"""The relay: moves events from the Neo4j outbox (graph/outbox.py) to their Redis streams.

Requests nudge it with the events they committed (social/bus.py), so an event is on its stream a few
milliseconds after its write; a sweep every few seconds relays whatever a lost nudge left behind (a
crash between commit and nudge, Redis down). An event is marked relayed only once Redis has had time
to write it to its append-only file (fsync every second), so a Redis crash loses no event: the sweep
appends it again, and consumers skip what they have already handled. It runs in the consumer process
(jobs/consumer.py), as two threads; several relays may run, as a duplicate entry is harmless.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque

from bootstrap import Services
from cache.client import REDIS_DOWN
from domain.clock import now_ms
from domain.retry import forever

log = logging.getLogger(__name__)

NUDGE_WAIT_SECONDS = 0.5
DURABLE_AFTER_SECONDS = 2.0
STALE_AFTER_MS = 5000
SWEEP_EVERY_SECONDS = 1.0
SWEEP_BATCH = 500
TIDY_EVERY_SECONDS = 60.0
KEEP_RELAYED_MS = 86_400_000


class Relay:
    """Two loops on shared bookkeeping: `run_nudged` moves nudged events (Redis only, so it goes on
    while Neo4j is down), `run_outbox` marks them, sweeps and tidies (Neo4j, then Redis)."""

    def __init__(self, svc: Services):
        self.svc = svc
        self.lock = threading.Lock()
        self.unmarked: deque[tuple[float, list[int]]] = deque()  # appended, waiting to be durable
        self.in_flight: set[int] = set()
        self.next_tidy = 0.0

    def relay(self, events) -> int:
        """Appends nudged events to their streams."""
        with self.lock:
            return self._append([e for e in events if e.id not in self.in_flight])

    def sweep(self) -> int:
        """Relays events whose nudge never came."""
        stale = self.svc.outbox.stale(now_ms() - STALE_AFTER_MS, SWEEP_BATCH)
        with self.lock:
            return self._append([e for e in stale if e.id not in self.in_flight])

    def mark_durable(self, now: float) -> int:
        """Marks relayed what was appended at least DURABLE_AFTER_SECONDS before `now`."""
        with self.lock:
            ready = [ids for appended, ids in self.unmarked if now - appended >= DURABLE_AFTER_SECONDS]
        if not ready:
            return 0
        ids = [i for batch in ready for i in batch]
        self.svc.outbox.mark_relayed(ids)
        with self.lock:
            for _ in ready:
                self.unmarked.popleft()
            self.in_flight.difference_update(ids)
        return len(ids)

    def forget_unmarked(self) -> None:
        """Redis went away: what it had not yet written to disk may be gone, so the sweep relays
        again every event not marked yet (consumers skip the ones they already handled)."""
        with self.lock:
            self.unmarked.clear()
            self.in_flight.clear()

    def tidy(self) -> None:
        """Deletes events relayed a day ago, and stream entries every group is done with."""
        self.svc.outbox.purge(now_ms() - KEEP_RELAYED_MS, 5000)
        self.svc.event_streams.trim()

    def _append(self, events) -> int:
        if events:
            self.svc.event_streams.append(events)
            ids = [e.id for e in events]
            self.unmarked.append((time.monotonic(), ids))
            self.in_flight.update(ids)
        return len(events)

    def run_nudged(self, stop: threading.Event) -> None:
        forever(stop, "relay", lambda: self.relay(self.svc.event_streams.nudged(NUDGE_WAIT_SECONDS)), self._failed)

    def run_outbox(self, stop: threading.Event) -> None:
        def step():
            now = time.monotonic()
            self.mark_durable(now)
            self.sweep()
            if now >= self.next_tidy:
                self.tidy()
                self.next_tidy = now + TIDY_EVERY_SECONDS
            stop.wait(SWEEP_EVERY_SECONDS)

        forever(stop, "outbox sweep", step, self._failed)

    def _failed(self, err: Exception) -> None:
        if isinstance(err, REDIS_DOWN):
            self.forget_unmarked()
