"""The event consumers: `python -m jobs.consumer`. One thread runs the relay (jobs/relay.py), one
thread per consumer group (jobs/handlers.py) reads the event streams with XREADGROUP and acknowledges
what it handled. After a crash the process starts again under the same consumer name
(CONSUMER_NAME, by default the host name) and first re-reads what it had been given but had not
acknowledged; entries of consumers that never came back are claimed with XAUTOCLAIM. A handled
event is remembered for an hour, so a redelivery or a duplicate entry is skipped. The notify group
acknowledges a batch only once its notifications are written, which a thread of their own does
after the pushes (jobs/persist_later.py).
"""
from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import threading
import time
from collections import Counter
from dataclasses import replace
from functools import partial

import redis

from bootstrap import DEPENDENCY_DOWN, Services
from cache.streams import Entry, EventStreams
from domain.events import FAMILIES, runs
from domain.retry import forever
from jobs.handlers import HANDLERS, handle
from jobs.persist_later import PersistLater
from jobs.relay import Relay
from jobs.runtime import services

log = logging.getLogger(__name__)

READ_COUNT = 100
BLOCK_MS = 1000
CLAIM_IDLE_MS = 60_000
CLAIM_EVERY_SECONDS = 30.0
# Seconds a group waits after a batch that was not full, gathering the next one: ranking rescores
# each liked tweet once per batch, and a popularity half a second old is fresh enough for a top
# list; search refreshes its index once per batch, and a post searchable within a second is soon
# enough for search.
LINGER_SECONDS = {"ranking": 0.5, "search": 0.5}
MAX_ATTEMPTS = 5
RETRY_PAUSE_SECONDS = 0.2
# Groups whose notification writes follow their pushes on a thread of their own (jobs/persist_later.py).
PERSIST_LATER = ("notify",)
TRANSIENT = (*DEPENDENCY_DOWN, OSError)


class Consumer:
    """One consumer of one group: handles entries in stream order, retrying a failed one before
    going on (a handler that fails MAX_ATTEMPTS times for other reasons than an unreachable
    database is set aside in the dead-letter stream)."""

    def __init__(self, svc: Services, group: str, name: str, streams: EventStreams | None = None,
                 later: PersistLater | None = None):
        self.svc = svc if later is None else replace(svc, notifications=later)
        self.later = later
        self.group = group
        self.name = name
        self.streams = streams or svc.event_streams
        self.families = sorted({FAMILIES[kind] for kind in HANDLERS[group]})
        self.failures: Counter[str] = Counter()
        self.own_pending = True
        self.next_claim = 0.0
        self.claim_idle_ms = CLAIM_IDLE_MS
        self.linger = LINGER_SECONDS.get(group, 0.0)
        self.ready = False

    def step(self, block_ms: int | None = BLOCK_MS) -> int:
        """One read and its handling; the number of entries read."""
        if not self.ready:
            self.streams.ensure_group(self.group, self.families)
            self.ready = True
        if self.own_pending:
            entries = self.streams.read(self.group, self.families, self.name, READ_COUNT, None, own_pending=True)
            self.own_pending = bool(entries)
        elif time.monotonic() >= self.next_claim:
            entries = self.streams.claim_abandoned(self.group, self.families, self.name, self.claim_idle_ms, READ_COUNT)
            self.next_claim = time.monotonic() + CLAIM_EVERY_SECONDS
        else:
            entries = self.streams.read(self.group, self.families, self.name, READ_COUNT, block_ms, own_pending=False)
        if entries and not self.process(entries):
            self.own_pending = True
        if entries and self.linger and len(entries) < READ_COUNT:
            time.sleep(self.linger)
        return len(entries)

    def process(self, entries: list[Entry]) -> bool:
        """Handles the entries not done yet, run by run of one kind of event; False when one failed:
        it stays pending, and later ones wait for it."""
        done = self.streams.done(self.group, entries)
        finished = [e for e, d in zip(entries, done) if d]
        try:
            for _, run in runs([e for e, d in zip(entries, done) if not d], lambda e: type(e.event.event)):
                try:
                    handle(self.svc, self.group, [e.event for e in run])
                    finished += run
                except TRANSIENT:
                    raise
                except Exception:
                    for entry in run:  # one by one, to find the one that fails
                        try:
                            handle(self.svc, self.group, [entry.event])
                        except TRANSIENT:
                            raise
                        except Exception as err:
                            if not self._give_up(entry, err):
                                return False
                        finished.append(entry)
            return True
        finally:
            if self.later is None:
                self.streams.finish(self.group, finished)
            else:  # acknowledged once their notification writes are done
                self.later.then(partial(self.streams.finish, self.group, finished))

    def _give_up(self, entry: Entry, err: Exception) -> bool:
        self.failures[entry.id] += 1
        if self.failures[entry.id] < MAX_ATTEMPTS:
            log.warning("%s: event %s failed (attempt %d): %r", self.group, entry.event.id, self.failures[entry.id], err)
            time.sleep(RETRY_PAUSE_SECONDS * self.failures[entry.id])
            return False
        log.error("%s: event %s failed %d times, set aside in the dead-letter stream: %r",
                  self.group, entry.event.id, MAX_ATTEMPTS, err)
        self.streams.bury(self.group, entry, repr(err))
        del self.failures[entry.id]
        return True

    def run(self, stop: threading.Event) -> None:
        forever(stop, self.group, self.step, self._failed)

    def _failed(self, err: Exception) -> None:
        """A database down: after the pause, start again from our own pending entries."""
        if isinstance(err, redis.ResponseError) and "NOGROUP" in str(err):
            self.ready = False  # Redis lost its data: the groups are made again
        self.own_pending = True


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    svc = services()
    svc.connect()
    gc.freeze()  # what start-up built lives as long as the process: no full collection walks it
    name = os.environ.get("CONSUMER_NAME") or socket.gethostname()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    relay = Relay(svc)
    later = {group: PersistLater(svc.notifications) for group in PERSIST_LATER}
    workers = [threading.Thread(target=relay.run_nudged, args=(stop,), name="relay"),
               threading.Thread(target=relay.run_outbox, args=(stop,), name="outbox")]
    workers += [threading.Thread(target=Consumer(svc, g, name, later=later.get(g)).run, args=(stop,), name=g)
                for g in HANDLERS]
    written = threading.Event()  # set once the groups have stopped: the writers then write what is left
    writers = [threading.Thread(target=w.run, args=(written,), name=f"{g} writes") for g, w in later.items()]
    for w in workers + writers:
        w.start()
    log.info("consumer %s: relay and groups %s running", name, ", ".join(HANDLERS))
    while not stop.wait(1.0):
        pass
    for w in workers:
        w.join(timeout=10)
    written.set()
    for w in writers:
        w.join(timeout=10)
    svc.close()


if __name__ == "__main__":
    main()
