"""Group commit: concurrent writes of one kind share one transaction (one commit, one log flush).

A writer that finds nobody committing leads at once (a lone write never waits); writers that arrive
while a commit runs queue up, and when it ends the first of them leads the next batch with all the
others. Each writer gets back its own item's answer only after the commit, so an acknowledged write
is never lost. If a batch fails, each of its items is written again alone: one bad item fails only
itself. Built on `threading` locks and events, which gevent's monkey-patching makes cooperative, so
it serves gunicorn's gevent workers and plain threads (tests, the consumer) alike.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")

MAX_BATCH = 200
_UNSET = object()


class _Slot(Generic[Item, Answer]):
    __slots__ = ("item", "answer", "error", "done", "lead")

    def __init__(self, item: Item):
        self.item = item
        self.answer = _UNSET
        self.error: BaseException | None = None
        self.done = threading.Event()
        self.lead = False  # woken to lead the next batch rather than with an answer


class GroupCommit(Generic[Item, Answer]):
    """`write(items)` commits items in one transaction and returns one answer per item, in order.
    `alone(error)` says whether a failed batch is worth writing again item by item: not when the
    database is down (each item would only wait for the same failure)."""

    def __init__(self, write: Callable[[Sequence[Item]], Sequence[Answer]], max_batch: int = MAX_BATCH,
                 alone: Callable[[BaseException], bool] = lambda error: True):
        self.write = write
        self.max_batch = max_batch
        self.alone = alone
        self._lock = threading.Lock()
        self._queue: list[_Slot] = []
        self._busy = False  # a leader is writing
        self.batches = 0  # commits attempted, for tests and metrics

    def submit(self, item: Item) -> Answer:
        """The answer of this item's write, once it has committed (or its own error)."""
        slot: _Slot = _Slot(item)
        with self._lock:
            self._queue.append(slot)
            lead = not self._busy
            if lead:
                self._busy = True
        if not lead:
            slot.done.wait()
        if lead or slot.lead:
            self._lead()
        if slot.error is not None:
            raise slot.error
        return slot.answer

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
        try:
            self._commit(batch)
        except BaseException as error:  # e.g. the leader's greenlet killed: nobody waits forever
            for s in batch:
                if s.answer is _UNSET and s.error is None:
                    s.error = error
            raise
        finally:
            with self._lock:
                if self._queue:
                    nxt = self._queue[0]
                    nxt.lead = True
                    nxt.done.set()  # it leads the next batch, with whoever queued meanwhile
                else:
                    self._busy = False
            for slot in batch:
                slot.done.set()

    def _commit(self, batch: list[_Slot]) -> None:
        self.batches += 1
        try:
            answers = self.write([s.item for s in batch])
        except Exception as error:
            if len(batch) == 1 or not self.alone(error):
                for s in batch:
                    s.error = error
                return
            for s in batch:
                self._commit([s])
            return
        for s, answer in zip(batch, answers, strict=True):
            s.answer = answer
