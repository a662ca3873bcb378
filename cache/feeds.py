"""Owns every home-feed key: `feed:{user_id}` and `feed_celebs:{user_id}`.

A feed is a sorted set of tweet ids scored by their second of creation (ties fall back to the
member's own order, and ids of one second have the same number of digits, so the order is the id
order). Scores in whole seconds keep an 800-entry feed in a compact listpack. A sentinel member
"0" at score 0 marks a feed as built even when it holds no tweet, so "missing" always means "cold:
rebuild from Neo4j", and fan-out only ever adds to feeds that exist (a feed of a user inactive past
the TTL expires and is rebuilt on their next read).
"""
from __future__ import annotations

import redis

from domain.ids import id_time_ms

FEED_SIZE = 800
SENTINEL = "0"
BATCH = 1000

# KEYS: feeds; ARGV: size, member, score. Adds to each feed that exists, then trims (keeping the sentinel).
_PUSH = """
local added = 0
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', key, ARGV[3], ARGV[2])
    local extra = redis.call('ZCARD', key) - 1 - tonumber(ARGV[1])
    if extra > 0 then redis.call('ZREMRANGEBYRANK', key, 1, extra) end
    added = added + 1
  end
end
return added
"""

# KEYS: [feed]; ARGV: size, then member, score pairs. Adds many to one feed if it exists.
_PUSH_MANY = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 2, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i]) end
local extra = redis.call('ZCARD', KEYS[1]) - 1 - tonumber(ARGV[1])
if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 1, extra) end
return 1
"""


def feed_key(user_id: int) -> str:
    return f"feed:{user_id}"


def celebs_key(user_id: int) -> str:
    return f"feed_celebs:{user_id}"


def score(tweet_id: int) -> int:
    return id_time_ms(tweet_id) // 1000


class Feeds:
    size = FEED_SIZE

    def __init__(self, r: redis.Redis, ttl_seconds: int):
        self.r = r
        self.ttl = ttl_seconds
        self._push = r.register_script(_PUSH)
        self._push_many = r.register_script(_PUSH_MANY)

    def push(self, user_ids: list[int], tweet_id: int) -> int:
        """Fan-out: adds one tweet to many (existing) feeds, one script call per batch of feeds."""
        added = 0
        for start in range(0, len(user_ids), BATCH):
            keys = [feed_key(u) for u in user_ids[start : start + BATCH]]
            added += self._push(keys=keys, args=[FEED_SIZE, tweet_id, score(tweet_id)])
        return added

    def push_many(self, user_id: int, tweet_ids: list[int]) -> None:
        """Adds an author's recent tweets to one feed (a new follow)."""
        if tweet_ids:
            args = [FEED_SIZE]
            for t in tweet_ids:
                args += [t, score(t)]
            self._push_many(keys=[feed_key(user_id)], args=args)

    def remove(self, user_ids: list[int], tweet_ids: list[int]) -> None:
        """Unfollow and delete: takes tweets out of feeds, pipelined in batches."""
        if not tweet_ids:
            return
        for start in range(0, len(user_ids), BATCH):
            pipe = self.r.pipeline(transaction=False)
            for u in user_ids[start : start + BATCH]:
                pipe.zrem(feed_key(u), *tweet_ids)
            pipe.execute()

    def drop(self, user_ids: list[int]) -> None:
        """Forgets feeds so that they are rebuilt on the next read."""
        for start in range(0, len(user_ids), BATCH):
            chunk = user_ids[start : start + BATCH]
            self.r.delete(*[feed_key(u) for u in chunk], *[celebs_key(u) for u in chunk])

    def rebuild(self, user_id: int, tweet_ids: list[int], celebrity_ids: list[int]) -> None:
        pipe = self.r.pipeline()
        key, ckey = feed_key(user_id), celebs_key(user_id)
        pipe.delete(key, ckey)
        pipe.zadd(key, {SENTINEL: 0, **{str(t): score(t) for t in tweet_ids[:FEED_SIZE]}})
        pipe.sadd(ckey, SENTINEL, *celebrity_ids)
        pipe.expire(key, self.ttl)
        pipe.expire(ckey, self.ttl)
        pipe.execute()

    def add_celebrity(self, user_id: int, celebrity_id: int) -> None:
        if self.r.exists(celebs_key(user_id)):
            self.r.sadd(celebs_key(user_id), celebrity_id)

    def remove_celebrity(self, user_id: int, celebrity_id: int) -> None:
        self.r.srem(celebs_key(user_id), celebrity_id)

CELEBRITIES = "celebrities"


class Celebrities:
    """Owns `celebrities`: authors over the fan-out threshold (sentinel-marked, rebuilt when cold)."""

    def __init__(self, r: redis.Redis):
        self.r = r

    def members(self) -> list[int] | None:
        ids = self.r.smembers(CELEBRITIES)
        return [int(i) for i in ids if i != SENTINEL] if ids else None

    def load(self, ids: list[int]) -> None:
        pipe = self.r.pipeline()
        pipe.delete(CELEBRITIES)
        pipe.sadd(CELEBRITIES, SENTINEL, *ids)
        pipe.execute()

    def mark(self, user_id: int, celebrity: bool) -> bool:
        """Returns True when the status changed."""
        return bool((self.r.sadd if celebrity else self.r.srem)(CELEBRITIES, user_id))
