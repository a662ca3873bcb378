"""Each process's one subscriber connection (on a cluster, to any one node: a classic PUBLISH
reaches them all): it holds the `user_push:{user_id}` channels of the users with open streams here
(cache/user_streams.py), and the `credential_revoked` channel (cache/revocations.py), and hands what
it hears to the inboxes of the open streams."""
from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field

import redis

from cache import revocations
from cache.client import is_cluster
from cache.user_streams import Frame, channel
from domain.retry import forever

log = logging.getLogger(__name__)

DISPATCHER_NAME = "event-dispatcher"  # the Redis client name of each process's subscriber
SYNC = "sync"  # queued to a listener: read the stream after your last id (a message may be missed)
REVOKED = "revoked"  # queued to a listener: its session or token ended, close the connection


@dataclass(eq=False)
class Listener:
    """One open stream's inbox: live frames, SYNC when it must read the stream itself, or REVOKED.
    `credential` names the session or token that opened it (cache/revocations.py)."""

    user_id: int
    credential: str = ""
    inbox: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=256))

    def put(self, item) -> None:
        try:
            self.inbox.put_nowait(item)
        except queue.Full:  # a slow client: drop what is queued, it reads the stream instead
            with self.inbox.mutex:
                revoked = REVOKED in self.inbox.queue
                self.inbox.queue.clear()
            self.inbox.put_nowait(REVOKED if revoked or item == REVOKED else SYNC)

    def get(self, timeout: float):
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return None


class Dispatcher:
    """One per process, on one Redis connection: subscribes to the channels of the users it has
    listeners for, and hands each message to their inboxes. Only its own thread (a greenlet under
    gevent) touches the connection; subscriptions change between reads, at most POLL_SECONDS late.
    A new or re-made subscription gets SYNC once Redis confirms it, so nothing published before it
    is missed."""

    POLL_SECONDS = 0.05

    def __init__(self, client: redis.Redis):
        self.client = client
        self.pubsub = None  # made by its thread, at its first poll and after each reset
        self.listeners: dict[int, set[Listener]] = {}
        self.confirmed: set[int] = set()
        self.changes: set[int] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.hears_revocations = False
        self.polled_at = 0.0  # monotonic time of the last poll's start

    def attach(self, user_id: int, credential: str = "") -> Listener:
        listener = Listener(user_id, credential)
        with self.lock:
            self._start()
            self.listeners.setdefault(user_id, set()).add(listener)
            if user_id in self.confirmed:
                listener.put(SYNC)
            else:
                self.changes.add(user_id)
        return listener

    def detach(self, listener: Listener) -> None:
        with self.lock:
            users = self.listeners.get(listener.user_id, set())
            users.discard(listener)
            if not users:
                self.listeners.pop(listener.user_id, None)
                self.changes.add(listener.user_id)

    def open_streams(self) -> int:
        with self.lock:
            return sum(len(s) for s in self.listeners.values())

    def state_of(self, user_id: int) -> str:
        """What this dispatcher knows of a user's subscription, for a log line."""
        with self.lock:
            return (f"listeners {len(self.listeners.get(user_id, ()))}, confirmed {user_id in self.confirmed}, "
                    f"change pending {user_id in self.changes}, thread alive {bool(self.thread and self.thread.is_alive())}, "
                    f"last poll {time.monotonic() - self.polled_at:.1f} s ago")

    def _start(self) -> None:
        """Called under the lock. A thread that ended (only what `forever` does not catch can end
        it) is replaced, after a reset: every listener is then subscribed again and synced."""
        if self.thread is not None and not self.thread.is_alive():
            log.error("push dispatcher had stopped; starting it again")
            self.thread = None
            self._drop_connection()
            self._resubscribe_all()
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="push-dispatcher", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        """For the life of the process; a lost connection is dropped and every listener resubscribed."""
        try:
            forever(threading.Event(), "push dispatcher", self._poll, lambda err: self._reset(), first=0.1, cap=2.0)
        except BaseException as err:
            log.error("push dispatcher stopped by %r", err)
            raise

    def _poll(self) -> None:
        self.polled_at = time.monotonic()
        self._apply_changes()
        message = self.pubsub.get_message(timeout=self.POLL_SECONDS)
        while message is not None:
            self._dispatch(message)
            message = self.pubsub.get_message(timeout=0)

    def _reset(self) -> None:
        """Drops the connection; every user with listeners is subscribed again, then synced."""
        self._drop_connection()
        with self.lock:
            self._resubscribe_all()

    def _drop_connection(self) -> None:
        """The next poll makes a new one. On a cluster it picks its node afresh from the cluster's
        current layout (the node it had may be the master that just failed): classic pub/sub
        reaches every node."""
        pubsub, self.pubsub = self.pubsub, None
        try:
            if pubsub is not None:
                pubsub.reset()
            if is_cluster(self.client):
                self.client.nodes_manager.initialize()
        except Exception:
            pass

    def _resubscribe_all(self) -> None:
        """Under the lock: every user with listeners is subscribed at the next poll, then synced."""
        self.hears_revocations = False
        self.confirmed.clear()
        self.changes.update(self.listeners)

    def _apply_changes(self) -> None:
        with self.lock:
            changes, self.changes = self.changes, set()
            wanted = {u for u in changes if u in self.listeners}
            unwanted = [u for u in changes if u not in self.listeners]
            for u in unwanted:
                self.confirmed.discard(u)
        try:
            if self.pubsub is None:
                self.pubsub = self.client.pubsub()
            if not self.hears_revocations:
                self.pubsub.subscribe(revocations.CHANNEL)
                self.hears_revocations = True
            if wanted:
                self.pubsub.subscribe(*[channel(u) for u in wanted])
            if unwanted and self.pubsub.subscribed:
                self.pubsub.unsubscribe(*[channel(u) for u in unwanted])
        except BaseException:
            with self.lock:
                self.changes |= set(changes)
            raise

    def _dispatch(self, message: dict) -> None:
        kind = message["type"]
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        data = message["data"]
        if isinstance(data, bytes):
            data = data.decode()
        if name == revocations.CHANNEL:
            if kind == "message":
                self._revoke(*revocations.decode(data))
            return
        user_id = int(name.rsplit(":", 1)[1])
        if kind == "subscribe":
            with self.lock:
                targets = list(self.listeners.get(user_id, ()))
                if targets:
                    self.confirmed.add(user_id)
            for listener in targets:
                listener.put(SYNC)
        elif kind == "message":
            entry_id, event, payload = data.split("\n", 2)
            with self.lock:
                targets = list(self.listeners.get(user_id, ()))
            frame = Frame(entry_id, event, payload)
            for listener in targets:
                listener.put(frame)

    def _revoke(self, user_id: int, credentials: frozenset[str] | None) -> None:
        with self.lock:
            targets = [l for l in self.listeners.get(user_id, ()) if credentials is None or l.credential in credentials]
        for listener in targets:
            listener.put(REVOKED)
