"""Scale-out of the job processes: two consumer processes in the same consumer groups share the
streams, and each event is handled once (docs/scale-out.md)."""
from __future__ import annotations

import threading
from collections import Counter

from domain.events import Followed, envelop
from jobs import consumer as consumer_module
from jobs.consumer import Consumer
from jobs.handlers import HANDLERS

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
