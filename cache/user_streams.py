"""Owns `user_events:{u:ID}`, each user's Redis Stream of pushed frames (notification, tweet,
message), the `user_push:{user_id}` channels that announce new entries to the web workers, and
`user_events_seen`, when each user last had a stream open (frames of new tweets go only to followers
seen within the day that the streams keep: the others have nothing to resume).

The stream is what a reconnecting client replays after its Last-Event-ID (the entry ids are the
SSE event ids); it keeps at least the last 1000 entries and at least a day of them, and the key
expires a day after its last push. The channel only wakes the worker that holds the user's open
streams (cache/dispatcher.py); any message it may miss (a Redis restart) is read back from the stream.
The channels are classic pub/sub: on a cluster a message published on any node reaches every node,
so each web worker's one subscriber connection hears every user's, wherever their stream's slot is.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import redis

from cache.client import run_scripts, user_tag

SEEN = "user_events_seen"
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
    return f"user_events:{user_tag(user_id)}"


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
        return run_scripts(self.r, (
            (self._push, [stream_key(user_id)],
             [key, str(max(0, at_ms - DEDUP_LOOKBACK_MS)), event, data, KEEP_ENTRIES, KEEP_SECONDS, channel(user_id)])
            for user_id, key, at_ms, event, data in frames))

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
