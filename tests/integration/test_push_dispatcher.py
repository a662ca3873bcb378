"""A process's push dispatcher (cache/dispatcher.py) against the real Redis: a dispatcher whose
thread has ended is started again by the next stream that attaches, and every stream is synced."""
from __future__ import annotations

import secrets
import time

import pytest

from cache.dispatcher import SYNC, Dispatcher


class Stopped(BaseException):
    """What `forever` does not catch, as a greenlet's kill would be."""


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the ending, on purpose
def test_a_dispatcher_whose_thread_ended_is_started_again_and_syncs_every_stream(services, monkeypatch):
    dispatcher = Dispatcher(services.redis)
    first = dispatcher.attach(10**15 + secrets.randbelow(10**15))
    assert first.get(5) == SYNC

    def stop(*args, **kwargs):
        raise Stopped()

    monkeypatch.setattr(dispatcher.pubsub, "get_message", stop)
    dispatcher.thread.join(5)
    assert not dispatcher.thread.is_alive()
    monkeypatch.undo()

    second = dispatcher.attach(10**15 + secrets.randbelow(10**15))
    assert second.get(5) == SYNC
    assert first.get(5) == SYNC  # subscribed again after the reset, so synced again
    assert dispatcher.thread.is_alive()
    assert time.monotonic() - dispatcher.polled_at < 5
