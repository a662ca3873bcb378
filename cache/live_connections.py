"""Owns `live_connections:{u:ID}`: the open streams and sockets of each user, across every web
worker, as leases (member: a connection id, score: when the lease runs out). An open connection
renews its lease at every heartbeat; one of a worker that died lapses within LEASE_SECONDS, so a
crash never holds a user's slots for long."""
from __future__ import annotations

import redis

from cache.client import user_tag

LEASE_SECONDS = 45  # three heartbeats (web/live.py)


def _key(user_id: int) -> str:
    return f"live_connections:{user_tag(user_id)}"


# KEYS: [leases]; ARGV: connection id, cap, lease ms. Returns 0 when taken, else the ms until the
# oldest lease lapses (when a slot may free up at the latest).
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) - now)
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 0
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

    def release(self, user_id: int, connection_id: str) -> None:
        self.r.zrem(_key(user_id), connection_id)

    def count(self, user_id: int) -> int:
        return self.r.zcount(_key(user_id), "(" + str(int(self.r.time()[0]) * 1000), "+inf")
