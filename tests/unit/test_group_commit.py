"""The group-commit batcher (graph/group_commit.py) on a fake write port: threads here, greenlets
in a monkey-patched child process."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from graph.group_commit import GroupCommit


class FakeWrites:
    """A write port that records each batch; the first batch can be held open."""

    def __init__(self, hold_first: bool = False, bad: set | None = None, error=ValueError):
        self.batches: list[list] = []
        self.hold = threading.Event()
        if not hold_first:
            self.hold.set()
        self.bad = bad or set()
        self.error = error

    def __call__(self, items):
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.hold.wait()
        if self.bad & set(items):
            raise self.error(f"bad item in {items}")
        return [item * 10 for item in items]


def _until(predicate) -> None:
    while not predicate():
        time.sleep(0.001)


def _submit_in_threads(gc: GroupCommit, items) -> tuple[list[threading.Thread], dict]:
    results: dict = {}

    def run(item):
        try:
            results[item] = gc.submit(item)
        except Exception as err:
            results[item] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in items]
    for t in threads:
        t.start()
    return threads, results


def test_a_lone_write_commits_at_once_in_a_batch_of_its_own():
    writes = FakeWrites()
    gc = GroupCommit(writes)
    assert gc.submit(7) == 70
    assert gc.submit(8) == 80
    assert writes.batches == [[7], [8]]


def test_writers_arriving_during_a_commit_share_the_next_one_and_each_gets_its_own_answer():
    writes = FakeWrites(hold_first=True)
    gc = GroupCommit(writes)
    first, results = _submit_in_threads(gc, [1])
    _until(lambda: writes.batches)
    others, later = _submit_in_threads(gc, [2, 3, 4, 5, 6])
    _until(lambda: len(gc._queue) == 5)
    assert not later  # nobody is answered before their commit
    writes.hold.set()
    for t in first + others:
        t.join()
    assert writes.batches[0] == [1]
    assert sorted(writes.batches[1]) == [2, 3, 4, 5, 6]
    assert len(writes.batches) == 2
    assert results == {1: 10} and later == {i: i * 10 for i in (2, 3, 4, 5, 6)}


def test_a_failing_item_is_written_again_alone_and_fails_only_itself():
    writes = FakeWrites(hold_first=True, bad={4})
    gc = GroupCommit(writes)
    first, _ = _submit_in_threads(gc, [1])
    _until(lambda: writes.batches)
    others, results = _submit_in_threads(gc, [2, 3, 4, 5])
    _until(lambda: len(gc._queue) == 4)
    writes.hold.set()
    for t in first + others:
        t.join()
    assert {i: results[i] for i in (2, 3, 5)} == {2: 20, 3: 30, 5: 50}
    assert isinstance(results[4], ValueError)
    assert sorted(writes.batches[1]) == [2, 3, 4, 5]
    assert sorted(b[0] for b in writes.batches[2:]) == [2, 3, 4, 5]  # then each alone


def test_an_error_that_would_fail_every_item_is_not_retried_item_by_item():
    writes = FakeWrites(hold_first=True, bad={1, 2, 3}, error=ConnectionError)
    gc = GroupCommit(writes, alone=lambda err: not isinstance(err, ConnectionError))
    first, _ = _submit_in_threads(gc, [1])
    _until(lambda: writes.batches)
    others, results = _submit_in_threads(gc, [2, 3])
    _until(lambda: len(gc._queue) == 2)
    writes.hold.set()
    for t in first + others:
        t.join()
    assert all(isinstance(results[i], ConnectionError) for i in (2, 3))
    assert len(writes.batches) == 2


def test_a_batch_holds_at_most_max_batch_items_and_the_rest_follow():
    writes = FakeWrites(hold_first=True)
    gc = GroupCommit(writes, max_batch=3)
    first, _ = _submit_in_threads(gc, [0])
    _until(lambda: writes.batches)
    others, results = _submit_in_threads(gc, list(range(1, 8)))
    _until(lambda: len(gc._queue) == 7)
    writes.hold.set()
    for t in first + others:
        t.join()
    assert [len(b) for b in writes.batches] == [1, 3, 3, 1]
    assert results == {i: i * 10 for i in range(1, 8)}


def test_a_leader_that_dies_mid_commit_leaves_no_writer_waiting():
    class Dies(BaseException):
        pass

    calls = []

    def write(items):
        calls.append(items)
        if len(calls) == 1:
            raise Dies()
        return [i for i in items]

    gc = GroupCommit(write)
    with pytest.raises(Dies):
        gc.submit(1)
    assert gc.submit(2) == 2  # the batcher is free again


def test_greenlets_under_gevent_monkey_patching_share_commits():
    script = textwrap.dedent("""
        from gevent import monkey; monkey.patch_all()
        import gevent
        from graph.group_commit import GroupCommit
        batches = []
        def write(items):
            batches.append(list(items))
            gevent.sleep(0.01)  # the commit's network wait: other greenlets run and queue up
            return [i + 1 for i in items]
        gc = GroupCommit(write)
        results = {}
        def one(i):
            results[i] = gc.submit(i)
        gevent.joinall([gevent.spawn(one, i) for i in range(50)])
        assert results == {i: i + 1 for i in range(50)}, results
        assert len(batches) < 50, batches
        print(len(batches))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
