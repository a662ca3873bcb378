"""The notify group's writes after its pushes (jobs/persist_later.py), against a recording store
of our own: order kept, runs of one kind written together, acknowledgements only after the writes
before them, and a failed write kept for the next try."""
from __future__ import annotations

import pytest
from neo4j.exceptions import ServiceUnavailable

from jobs import persist_later
from jobs.persist_later import PersistLater


class Store:
    """The writes a NotificationStore was asked for, in order; `failing` makes the next ones fail."""

    def __init__(self):
        self.calls: list[tuple[str, list]] = []
        self.failing: Exception | None = None

    def _call(self, kind: str, items: list) -> None:
        if self.failing:
            raise self.failing
        self.calls.append((kind, items))

    def add(self, items):
        self._call("add", items)

    def retract(self, items):
        self._call("retract", items)

    def forget(self, items):
        self._call("forget", items)

    def unread_count(self, recipient_id: int) -> int:
        return 7


def queued(later: PersistLater) -> None:
    later.gather(wait=0)


def one_batch_queued(store: Store, acks: list) -> PersistLater:
    """One batch's write and its acknowledgement, taken by the writer."""
    later = PersistLater(store)
    later.add([1])
    later.then(lambda: acks.append("batch"))
    queued(later)
    return later


def test_writes_of_one_kind_in_a_row_are_one_write_and_their_order_with_others_is_kept():
    store, acks = Store(), []
    later = PersistLater(store)
    later.add([1])
    later.then(lambda: acks.append("first batch"))
    later.add([2, 3])
    later.retract([2])
    later.add([4])
    later.then(lambda: acks.append("second batch"))
    queued(later)
    assert store.calls == [] and acks == []  # queued: the pushes went first
    later.write()
    assert store.calls == [("add", [1, 2, 3]), ("retract", [2]), ("add", [4])]
    assert acks == ["first batch", "second batch"]


def test_an_acknowledgement_runs_only_after_the_writes_queued_before_it():
    store, seen = Store(), []
    later = PersistLater(store)
    later.add([1])
    later.then(lambda: seen.append(list(store.calls)))
    later.retract([1])
    later.then(lambda: seen.append(list(store.calls)))
    queued(later)
    later.write()
    assert seen == [[("add", [1])], [("add", [1]), ("retract", [1])]]


def test_a_write_that_fails_stays_pending_with_its_acknowledgement_and_is_written_next_time():
    store, acks = Store(), []
    later = one_batch_queued(store, acks)
    store.failing = ServiceUnavailable("Neo4j went away")
    for _ in range(persist_later.MAX_ATTEMPTS + 2):  # a database down is waited out, never given up on
        with pytest.raises(ServiceUnavailable):
            later.write()
    assert acks == []
    store.failing = None
    later.write()
    assert store.calls == [("add", [1])] and acks == ["batch"]


def test_a_write_that_keeps_failing_for_another_reason_is_dropped_and_the_rest_goes_on():
    store, acks = Store(), []
    later = one_batch_queued(store, acks)
    store.failing = ValueError("a bug")
    for _ in range(persist_later.MAX_ATTEMPTS - 1):
        with pytest.raises(ValueError):
            later.write()
    later.write()  # the last attempt gives it up
    assert store.calls == [] and acks == ["batch"]


def test_reads_go_straight_to_the_store():
    assert PersistLater(Store()).unread_count(1) == 7


def test_a_long_run_is_cut_into_writes_of_bounded_size(monkeypatch):
    monkeypatch.setattr(persist_later, "ITEMS_PER_WRITE", 3)
    store, acks = Store(), []
    later = PersistLater(store)
    for n in range(4):
        later.add([n, n])
        later.then(lambda n=n: acks.append(n))
    queued(later)
    later.write()
    assert store.calls == [("add", [0, 0, 1, 1]), ("add", [2, 2, 3, 3])] and acks == [0, 1, 2, 3]
