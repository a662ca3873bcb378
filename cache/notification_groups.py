"""Owns `notif_group:{u:ID}:{prefix}` and its `:order` (in the recipient's slot): the state of each recipient's latest
notification group of a prefix (`like:<tweet>`, `follow`, `message:<event>`), from which a live
frame is pushed as soon as its event is seen, before the notification reaches Neo4j (docs/events.md).

The hash holds the group's hour bucket and one field per member (`m:<member>` = the event that made
it a member); the sorted set orders `<event id>:<member>:<actor>` by event id (time-ordered ids, all
scores 0, zero-padded so that lexical order is numeric order). Joining decides the group: the
latest one if it started less than 12 hour-buckets before, else a new one; the Neo4j write that
follows (cypher/notifications/add.cypher) takes that same bucket, so both show the same group. Both
keys expire 13 hours after their last change: by then no event can join that group any more.
"""
from __future__ import annotations

from dataclasses import dataclass

import redis

from cache.client import run_scripts, user_tag

GROUP_HOURS = 12
TTL_SECONDS = (GROUP_HOURS + 1) * 3600
ID_DIGITS = 19  # a positive 63-bit id

# KEYS: [hash, order]; ARGV: hour, member, event id (padded), actor id, ttl, group hours.
# Returns: bucket, 1 if this event is the member's (new now, or a redelivery), count, newest three.
_JOIN = """
local last = redis.call('HGET', KEYS[1], 'bucket')
local hour = tonumber(ARGV[1])
local bucket
if last and hour < tonumber(last) + tonumber(ARGV[6]) then
  bucket = last
else
  redis.call('DEL', KEYS[1], KEYS[2])
  bucket = ARGV[1]
  redis.call('HSET', KEYS[1], 'bucket', bucket)
end
local field = 'm:' .. ARGV[2]
if redis.call('HSETNX', KEYS[1], field, ARGV[3]) == 1 then
  redis.call('ZADD', KEYS[2], 0, ARGV[3] .. ':' .. ARGV[2] .. ':' .. ARGV[4])
end
local mine = redis.call('HGET', KEYS[1], field) == ARGV[3] and 1 or 0
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return {bucket, mine, redis.call('HLEN', KEYS[1]) - 1, redis.call('ZREVRANGE', KEYS[2], 0, 2)}
"""

# KEYS: [hash, order]; ARGV: member. Takes the member out of the latest group, if it is there.
_LEAVE = """
local field = 'm:' .. ARGV[1]
local event = redis.call('HGET', KEYS[1], field)
if not event then return 0 end
redis.call('HDEL', KEYS[1], field)
for _, entry in ipairs(redis.call('ZRANGE', KEYS[2], '[' .. event .. ':' .. ARGV[1] .. ':', '+', 'BYLEX', 'LIMIT', 0, 1)) do
  if string.sub(entry, 1, #event + #ARGV[1] + 2) == event .. ':' .. ARGV[1] .. ':' then
    redis.call('ZREM', KEYS[2], entry)
  end
end
return 1
"""


def _key(recipient_id: int, prefix: str) -> str:
    return f"notif_group:{user_tag(recipient_id)}:{prefix}"


def _keys(recipient_id: int, prefix: str) -> list[str]:
    return [_key(recipient_id, prefix), _key(recipient_id, prefix) + ":order"]


@dataclass(frozen=True)
class Joined:
    """The group as one event left it."""

    bucket: int
    mine: bool  # the event is this member's (new, or the same event again): its frame is due
    count: int
    newest: list[tuple[int, int]]  # (event id, actor id) of the newest three members, newest first

    @property
    def id(self) -> int:
        """A group's id is its newest event's."""
        return self.newest[0][0]


class NotificationGroups:
    def __init__(self, r: redis.Redis):
        """r decodes responses."""
        self.r = r
        self._join = r.register_script(_JOIN)
        self._leave = r.register_script(_LEAVE)

    def join(self, items: list[dict]) -> list[Joined]:
        """Adds each item (recipient_id, prefix, hour, member, event_id, actor_id), in order, to
        its recipient's group, in one round trip. Idempotent per event."""
        answers = run_scripts(self.r, (
            (self._join, _keys(i["recipient_id"], i["prefix"]),
             [i["hour"], i["member"], str(i["event_id"]).zfill(ID_DIGITS), i["actor_id"], TTL_SECONDS, GROUP_HOURS])
            for i in items))
        return [
            Joined(int(bucket), bool(mine), int(count),
                   [(int(e), int(a)) for e, _, a in (entry.split(":") for entry in newest)])
            for bucket, mine, count, newest in answers
        ]

    def leave(self, items: list[dict]) -> None:
        """Takes each item's member (an unlike, an unfollow) out of its recipient's latest group."""
        run_scripts(self.r, ((self._leave, _keys(i["recipient_id"], i["prefix"]), [i["member"]]) for i in items))

    def forget(self, items: list[dict]) -> None:
        """Drops the groups of each (recipient_id, prefix): a deleted tweet's likes."""
        if items:
            self.r.delete(*[k for i in items for k in _keys(i["recipient_id"], i["prefix"])])
