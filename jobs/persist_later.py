"""The notify group's Neo4j writes, off its push loop (jobs/consumer.py). The group pushes each
batch's frames at once and queues the batch's notification writes here; one thread writes them at
once, and what queued while it wrote in as few transactions as their order allows (consecutive
writes of one kind are one transaction), and only then acknowledges the batches they came from. So
a slow commit delays no frame, the writes of several batches share a commit under load, and a crash
before the write leaves the entries unacknowledged: they are handled again, and the writes merge.
The writer waits for nothing more: `GET /notifications` shows a pushed notification as soon as it
did when each batch wrote its own."""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from bootstrap import DEPENDENCY_DOWN
from domain.retry import forever

log = logging.getLogger(__name__)

QUEUED = 1000  # writes and acknowledgements waiting; a full queue holds the group back (Neo4j down)
ITEMS_PER_WRITE = 1000  # a run stops growing past this many notifications: one transaction stays small
MAX_ATTEMPTS = 5


class PersistLater:
    """A notification store whose writes (add, retract, forget) are queued in order and written by
    `run`; `then(done)` queues done to run once every write queued before it is written. Reads go
    straight to the store."""

    def __init__(self, store):
        self.store = store
        self.queue: queue.Queue[tuple[str, object]] = queue.Queue(QUEUED)
        self.pending: list[tuple[str, object]] = []
        self.failures = 0

    def add(self, items: list[dict]) -> None:
        self._put("add", items)

    def retract(self, items: list[dict]) -> None:
        self._put("retract", items)

    def forget(self, items: list[dict]) -> None:
        self._put("forget", items)

    def then(self, done: Callable[[], object]) -> None:
        self.queue.put(("then", done))

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def _put(self, kind: str, items: list[dict]) -> None:
        if items:
            self.queue.put((kind, list(items)))

    def gather(self, wait: float) -> None:
        """Takes what is queued: the first within `wait` seconds, then whatever is queued behind it."""
        try:
            self.pending.append(self.queue.get(timeout=wait))
            while len(self.pending) < QUEUED:
                self.pending.append(self.queue.get_nowait())
        except queue.Empty:
            return

    def write(self) -> None:
        """Writes the pending writes in order: a run of writes of one kind, with the acknowledgements
        between them, is one transaction, after which those acknowledgements run (none runs before
        the writes queued ahead of it). A failed run stays pending, and is written again whole."""
        while self.pending:
            kind = next((k for k, _ in self.pending if k != "then"), None)
            run, size = 0, 0
            while run < len(self.pending) and self.pending[run][0] in (kind, "then") and size < ITEMS_PER_WRITE:
                size += len(self.pending[run][1]) if self.pending[run][0] == kind else 0
                run += 1
            items = [item for k, value in self.pending[:run] if k == kind for item in value]
            if items:
                self._write(kind, items)
            for k, done in self.pending[:run]:
                if k == "then":
                    done()
            del self.pending[:run]

    def _write(self, kind: str, items: list[dict]) -> None:
        """One write; one that keeps failing for another reason than a database down is dropped."""
        try:
            getattr(self.store, kind)(items)
        except DEPENDENCY_DOWN:
            raise
        except Exception as err:
            self.failures += 1
            if self.failures < MAX_ATTEMPTS:
                raise
            log.error("notification %s of %d items failed %d times, dropped: %r", kind, len(items), self.failures, err)
        self.failures = 0

    def run(self, stop: threading.Event) -> None:
        def step():
            if not self.pending:
                self.gather(wait=0.5)
            self.write()

        forever(stop, "notification writes", step)
        while not self.queue.empty():  # stopping: what was handled is written and acknowledged
            self.gather(wait=0)
        try:
            self.write()
        except Exception as err:  # left unacknowledged: handled again at the next start
            log.warning("notification writes left at stop: %r", err)
