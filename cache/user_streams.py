"""Owns `user_events:{user_id}`, each user's Redis Stream of pushed frames (notification, tweet,
message), the `user_push:{user_id}` channels that announce new entries to the web workers, and
`user_events_seen`, when each user last had a stream open (frames of new tweets go only to followers
seen within the day that the streams keep: the others have nothing to resume).

The stream is what a reconnecting client replays after its Last-Event-ID (the entry ids are the
SSE event ids); it keeps at least the last 1000 entries and at least a day of them, and the key
expires a day after its last push. The channel only wakes the worker that holds the user's open
streams: one Dispatcher per process holds one subscriber connection for all of them, and any
message it may miss (a Redis restart) is read back from the stream.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field

import redis

from domain.retry import forever

log = logging.getLogger(__name__)

SEEN = "user_events_seen"
DISPATCHER_NAME = "event-dispatcher"  # the Redis client name of each process's subscriber
KEEP_ENTRIES = 1000
KEEP_SECONDS = 86400
DEDUP_LOOKBACK_MS = 60_000
REPLAY_BATCH = 500

# KEYS: [stream]; ARGV: key, since (ms), event name, data, keep entries, keep seconds, channel.
# A push of the same event (a redelivery) since it happened is not added twice: the entries since
# then are few, as pushes of one event follow it within moments.
_PUSH = """
local seen = redis.call('XRANGE', KEYS[1], ARGV[2], '+')
for _, entry in ipairs(seen) do
  local f = entry[2]
  for i = 1, #f, 2 do
    if f[i] == 'eid' and f[i + 1] == ARGV[1] then return entry[1] end
  end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'eid', ARGV[1], 'event', ARGV[3], 'data', ARGV[4])
local now = redis.call('TIME')
redis.call('XTRIM', KEYS[1], 'MINID', '~', (tonumber(now[1]) - tonumber(ARGV[6])) * 1000)
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('PUBLISH', ARGV[7], id .. '\\n' .. ARGV[3] .. '\\n' .. ARGV[4])
return id
"""


def stream_key(user_id: int) -> str:
    return f"user_events:{user_id}"


def channel(user_id: int) -> str:
    return f"user_push:{user_id}"


def id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass(frozen=True)
class Frame:
    id: str  # the stream entry id, sent as the SSE event id
    event: str  # notification | tweet | message
    data: str  # the JSON frame, as WebSocket clients also get it


class UserStreams:
    def __init__(self, r: redis.Redis):
        """r decodes responses."""
        self.r = r
        self._push = r.register_script(_PUSH)

    def push(self, frames: list[tuple[int, str, int, str, str]]) -> list[str]:
        """Appends each (user id, key, at_ms, event name, data) to that user's stream and announces
        it, in one round trip. Idempotent per user and key: the key names the event and the frame."""
        pipe = self.r.pipeline(transaction=False)
        for user_id, key, at_ms, event, data in frames:
            since = str(max(0, at_ms - DEDUP_LOOKBACK_MS))
            self._push(
                keys=[stream_key(user_id)],
                args=[key, since, event, data, KEEP_ENTRIES, KEEP_SECONDS, channel(user_id)],
                client=pipe,
            )
        return pipe.execute()

    def seen(self, user_id: int) -> None:
        """Called as a stream opens and as it closes (a stream lives minutes, far less than a day)."""
        now = time.time()
        pipe = self.r.pipeline(transaction=False)
        pipe.zadd(SEEN, {str(user_id): now})
        pipe.zremrangebyscore(SEEN, 0, now - KEEP_SECONDS)
        pipe.execute()

    def recently_seen(self, user_ids: list[int]) -> list[int]:
        if not user_ids:
            return []
        since = time.time() - KEEP_SECONDS
        scores = self.r.zmscore(SEEN, [str(u) for u in user_ids])
        return [u for u, s in zip(user_ids, scores) if s is not None and s >= since]

    def tail(self, user_id: int) -> str:
        """The id of the newest entry: a new stream starts after it."""
        last = self.r.xrevrange(stream_key(user_id), count=1)
        return last[0][0] if last else "0-0"

    def after(self, user_id: int, last_id: str) -> list[Frame]:
        frames: list[Frame] = []
        while True:
            batch = self.r.xrange(stream_key(user_id), min=f"({last_id}", count=REPLAY_BATCH)
            frames += [Frame(i, f["event"], f["data"]) for i, f in batch]
            if len(batch) < REPLAY_BATCH:
                return frames
            last_id = batch[-1][0]

    def lost_since(self, user_id: int, last_id: str) -> bool:
        """Whether entries after last_id were trimmed (older than the stream keeps)."""
        try:
            info = self.r.xinfo_stream(stream_key(user_id))
        except redis.ResponseError:
            return False  # no stream: nothing was pushed for a day
        return id_key(info.get("max-deleted-entry-id", "0-0")) > id_key(last_id)


SYNC = "sync"  # queued to a listener: read the stream after your last id (a message may be missed)


@dataclass(eq=False)
class Listener:
    """One open stream's inbox: live frames, or SYNC when it must read the stream itself."""

    user_id: int
    inbox: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=256))

    def put(self, item) -> None:
        try:
            self.inbox.put_nowait(item)
        except queue.Full:  # a slow client: drop what is queued, it reads the stream instead
            with self.inbox.mutex:
                self.inbox.queue.clear()
            self.inbox.put_nowait(SYNC)

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
        self.pubsub = client.pubsub()
        self.listeners: dict[int, set[Listener]] = {}
        self.confirmed: set[int] = set()
        self.changes: set[int] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def attach(self, user_id: int) -> Listener:
        listener = Listener(user_id)
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

    def _start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="push-dispatcher", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        """For the life of the process; a lost connection is dropped and every listener resubscribed."""
        forever(threading.Event(), "push dispatcher", self._poll, lambda err: self._reset(), first=0.1, cap=2.0)

    def _poll(self) -> None:
        self._apply_changes()
        message = self.pubsub.get_message(timeout=self.POLL_SECONDS)
        while message is not None:
            self._dispatch(message)
            message = self.pubsub.get_message(timeout=0)

    def _reset(self) -> None:
        """Drops the connection; every user with listeners is subscribed again, then synced."""
        try:
            self.pubsub.reset()
        except Exception:
            pass
        with self.lock:
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
        user_id = int(name.rsplit(":", 1)[1])
        if kind == "subscribe":
            with self.lock:
                targets = list(self.listeners.get(user_id, ()))
                if targets:
                    self.confirmed.add(user_id)
            for listener in targets:
                listener.put(SYNC)
        elif kind == "message":
            data = message["data"]
            if isinstance(data, bytes):
                data = data.decode()
            entry_id, event, payload = data.split("\n", 2)
            with self.lock:
                targets = list(self.listeners.get(user_id, ()))
            frame = Frame(entry_id, event, payload)
            for listener in targets:
                listener.put(frame)
