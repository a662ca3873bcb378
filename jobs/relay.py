"""The relay: moves events from the Neo4j outbox (graph/outbox.py) to their Redis streams.

Requests nudge it with the events they committed (social/bus.py), so an event is on its stream a few
milliseconds after its write; a sweep every few seconds relays whatever a lost nudge left behind (a
crash between commit and nudge, Redis down). An event is marked relayed only once Redis confirms it
keeps the entry (cache/streams.py: a replica has it, or the server's append-only file, synced before
each answer), so neither a crash nor a failover loses an event: what was not confirmed stays
unrelayed and the sweep appends it again; consumers skip what they have already handled. It runs in
the consumer process (jobs/consumer.py), as two threads; several relays may run, as a duplicate entry
is harmless.
"""
from __future__ import annotations

import logging
import threading
import time

from bootstrap import Services
from domain.clock import now_ms
from domain.retry import forever

log = logging.getLogger(__name__)

NUDGE_WAIT_SECONDS = 0.5
STALE_AFTER_MS = 5000
RETRY_UNKEPT_SECONDS = 5.0  # an entry Redis did not confirm is appended again after this
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
        self.kept: list[int] = []  # appended and confirmed kept by Redis, to be marked relayed
        self.in_flight: set[int] = set()  # appended and kept, not yet marked
        self.retry_at: dict[int, float] = {}  # appended but not confirmed: when to append again
        self.next_tidy = 0.0

    def relay(self, events) -> int:
        """Appends nudged events to their streams."""
        with self.lock:
            return self._append([e for e in events if e.id not in self.in_flight and e.id not in self.retry_at])

    def sweep(self) -> int:
        """Relays events whose nudge never came, and those Redis did not confirm it kept."""
        stale = self.svc.outbox.stale(now_ms() - STALE_AFTER_MS, SWEEP_BATCH)
        now = time.monotonic()
        with self.lock:
            due = {e.id for e in stale}
            for event_id in [i for i, at in self.retry_at.items() if at <= now and i not in due]:
                del self.retry_at[event_id]  # marked by another relay meanwhile
            return self._append([e for e in stale
                                 if e.id not in self.in_flight and self.retry_at.get(e.id, 0.0) <= now])

    def mark_kept(self) -> int:
        """Marks relayed the events whose entries Redis confirmed it keeps."""
        with self.lock:
            ids, self.kept = self.kept, []
        if not ids:
            return 0
        try:
            self.svc.outbox.mark_relayed(ids)
        except Exception:
            with self.lock:
                self.kept = ids + self.kept  # marked on the next round
            raise
        with self.lock:
            self.in_flight.difference_update(ids)
        return len(ids)

    def tidy(self) -> None:
        """Deletes events relayed a day ago, and stream entries every group is done with."""
        self.svc.outbox.purge(now_ms() - KEEP_RELAYED_MS, 5000)
        self.svc.event_streams.trim()

    def _append(self, events) -> int:
        if events:
            kept = {e.id for e in self.svc.event_streams.append(events)}
            retry_at = time.monotonic() + RETRY_UNKEPT_SECONDS
            for e in events:
                if e.id in kept:
                    self.retry_at.pop(e.id, None)
                    self.in_flight.add(e.id)
                    self.kept.append(e.id)
                else:
                    self.retry_at[e.id] = retry_at
        return len(events)

    def run_nudged(self, stop: threading.Event) -> None:
        forever(stop, "relay", lambda: self.relay(self.svc.event_streams.nudged(NUDGE_WAIT_SECONDS)))

    def run_outbox(self, stop: threading.Event) -> None:
        def step():
            now = time.monotonic()
            self.mark_kept()
            self.sweep()
            if now >= self.next_tidy:
                self.tidy()
                self.next_tidy = now + TIDY_EVERY_SECONDS
            stop.wait(SWEEP_EVERY_SECONDS)

        forever(stop, "outbox sweep", step)
