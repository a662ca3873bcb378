"""Owns `live_connections:{u:ID}`: the open streams and sockets of each user, across every web
worker, as leases (member: a connection id, score: when the lease runs out). An open connection
renews its lease at every heartbeat; one of a worker that died lapses within LEASE_SECONDS, so a
crash never holds a user's slots for long. An open connection's renewal rides in the read of its
credential (cache/principals.py): its whole periodic check is one round trip."""
from __future__ import annotations

import redis

from cache.client import key_parts, user_tag
from cache.principals import Rider

LEASE_SECONDS = 45  # three heartbeats (web/live.py)


def _key(user_id: int) -> str:
    return f"live_connections:{user_tag(user_id)}"


# Takes or renews the lease of connection `id` in the leases `key`: 0 when taken, else the ms until
# the oldest lease lapses (when a slot may free up at the latest).
_ACQUIRE_FN = """
local function acquire(key, id, cap, lease_ms)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZSCORE', key, id) == false and redis.call('ZCARD', key) >= tonumber(cap) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return math.max(1, tonumber(oldest[2]) - now)
  end
  redis.call('ZADD', key, now + tonumber(lease_ms), id)
  redis.call('PEXPIRE', key, tonumber(lease_ms))
  return 0
end
"""
# KEYS: [leases]; ARGV: connection id, cap, lease ms.
_ACQUIRE = _ACQUIRE_FN + "return acquire(KEYS[1], ARGV[1], ARGV[2], ARGV[3])"
# The renewal as a rider of the caller's script (cache/principals.py): the caller's own leases,
# once the script knows who calls; false when it does not (the renewal is then made on its own).
_RIDE = _ACQUIRE_FN + """
local function ride(viewer, a)
  if viewer == '' then return false end
  return acquire(a[1] .. viewer .. a[2], a[3], a[4], a[5])
end
"""


class LiveConnections:
    def __init__(self, r: redis.Redis, cap: int):
        self.r = r
        self.cap = cap
        self._acquire = r.register_script(_ACQUIRE)

    def acquire(self, user_id: int, connection_id: str) -> float:
        """Takes (or renews) a slot: 0.0, else the seconds until one may be free."""
        wait_ms = self._acquire(keys=[_key(user_id)], args=[connection_id, self.cap, LEASE_SECONDS * 1000])
        return int(wait_ms) / 1000

    def rider(self, connection_id: str) -> Rider:
        """The renewal of acquire, riding in the caller's script: its answer as acquire's, or None
        when nothing was renewed (a cluster, or a caller the script could not name)."""
        return Rider(_RIDE, [*key_parts(_key), connection_id, self.cap, LEASE_SECONDS * 1000],
                     lambda wait_ms: None if wait_ms is None else int(wait_ms) / 1000)

    def release(self, user_id: int, connection_id: str) -> None:
        self.r.zrem(_key(user_id), connection_id)

    def count(self, user_id: int) -> int:
        return self.r.zcount(_key(user_id), "(" + str(int(self.r.time()[0]) * 1000), "+inf")
