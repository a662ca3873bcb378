"""Owns every home-feed key: `home_feed:{u:ID}`, `feed_celebs:{u:ID}` and `feed_boosts:{u:ID}`, tagged by
their reader, so one reader's keys share a slot; fan-out goes by slot, one script call per slot and
batch (on a single server, per batch), all in one pipeline.

A feed entry is a tweet id (a post) or a boost's member `"{boost_id}:{tweet_id}:{booster_id}"`:
its place in the feed is its entry id (the tweet's id, or the boost's own time-ordered id).
`feed_boosts:{user_id}` maps each boosted tweet id to its entry, so a tweet shows once per feed
however many followed users boost it: a boost is added only when neither the tweet nor another
boost of it is already there (as Mastodon's reblog tracking does).

A feed is a sorted set of entries scored by their second of creation, negated: newest first. Scores
in whole seconds keep an 800-entry feed in a compact listpack, and a listpack finds an insert's place
by walking from its head, so the newest entry (nearly every insert) is placed at once instead of
after the whole feed (a fan-out costs Redis about half what it did with the oldest first). Within
one second the set orders members ascending; ids of one second have the same number of digits, so
that is the id order, and readers take each second's entries backwards (cache/home_page.py). A
sentinel member "0" at score 0 (so last) marks a feed as built even when it holds no tweet, so
"missing" always means "cold: rebuild from Neo4j", and fan-out only ever adds to feeds that exist (a
feed of a user inactive past the TTL expires and is rebuilt on their next read). Feeds ordered oldest
first lived under `feed:{u:ID}`; they are never read and expire with their TTL.
"""
from __future__ import annotations

import redis

from cache.client import by_slot, run_scripts, user_tag
from domain.entries import boost_member, parse_member
from domain.ids import id_time_ms

FEED_SIZE = 800
SENTINEL = "0"
BATCH = 1000

# KEYS: feeds; ARGV: size, then (score, member) pairs. Adds them to each feed that exists, then
# trims its oldest (keeping the sentinel, last).
_PUSH = """
local added = 0
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', key, unpack(ARGV, 2))
    local extra = redis.call('ZCARD', key) - 1 - tonumber(ARGV[1])
    if extra > 0 then redis.call('ZREMRANGEBYRANK', key, -1 - extra, -2) end
    added = added + 1
  end
end
return added
"""

# Adds one entry to a feed (KEYS pair feed, feed_boosts) unless it is a boost (tweet ~= '') of a
# tweet the feed shows already; then trims. The boosts map is reset when it outgrows its feed.
_ADD = """
local function add(key, bkey, member, score, tweet, size, ttl)
  if tweet ~= '' then
    if redis.call('ZSCORE', key, tweet) or redis.call('HEXISTS', bkey, tweet) == 1 then return 0 end
    if redis.call('HLEN', bkey) > 2 * size then redis.call('DEL', bkey) end
    redis.call('HSET', bkey, tweet, member)
    redis.call('EXPIRE', bkey, ttl)
  end
  redis.call('ZADD', key, score, member)
  local extra = redis.call('ZCARD', key) - 1 - size
  if extra > 0 then redis.call('ZREMRANGEBYRANK', key, -1 - extra, -2) end
  return 1
end
"""

# KEYS: [feed, feed_boosts]; ARGV: size, ttl, then (member, score, tweet id of a boost or '')
# triples. Adds many entries to one feed if it exists.
_PUSH_MANY = _ADD + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 3, #ARGV, 3 do add(KEYS[1], KEYS[2], ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[1]), ARGV[2]) end
return 1
"""

# KEYS: feed, feed_boosts pairs; ARGV: size, ttl, member, score, tweet id. A boost's fan-out.
_PUSH_BOOST = _ADD + """
local added = 0
for i = 1, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    added = added + add(KEYS[i], KEYS[i + 1], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[1]), ARGV[2])
  end
end
return added
"""

# KEYS: feed, feed_boosts pairs; ARGV: member, tweet id. Takes a boost back out.
_REMOVE_BOOST = """
for i = 1, #KEYS, 2 do
  redis.call('ZREM', KEYS[i], ARGV[1])
  if redis.call('HGET', KEYS[i + 1], ARGV[2]) == ARGV[1] then redis.call('HDEL', KEYS[i + 1], ARGV[2]) end
end
return 1
"""


def feed_key(user_id: int) -> str:
    return f"home_feed:{user_tag(user_id)}"


def celebs_key(user_id: int) -> str:
    return f"feed_celebs:{user_tag(user_id)}"


def boosts_key(user_id: int) -> str:
    return f"feed_boosts:{user_tag(user_id)}"


def score(tweet_id: int) -> int:
    """An entry's score in a feed or an author's list: its second, negated (newest first)."""
    return -(id_time_ms(tweet_id) // 1000)


def entry_score(member) -> int:
    return score(parse_member(member)[0])


class Feeds:
    size = FEED_SIZE

    def __init__(self, r: redis.Redis, ttl_seconds: int):
        self.r = r
        self.ttl = ttl_seconds
        self._push = r.register_script(_PUSH)
        self._push_many = r.register_script(_PUSH_MANY)
        self._push_boost = r.register_script(_PUSH_BOOST)
        self._remove_boost = r.register_script(_REMOVE_BOOST)

    def _batches(self, user_ids: list[int]):
        """The readers in groups that one script call may touch: one slot, at most BATCH feeds."""
        for group in by_slot(self.r, user_ids, feed_key):
            for start in range(0, len(group), BATCH):
                yield group[start : start + BATCH]

    def push(self, user_ids: list[int], tweet_ids: list[int]) -> int:
        """Fan-out: adds tweets to many (existing) feeds, one script call per batch of feeds."""
        args = [FEED_SIZE, *(x for t in tweet_ids for x in (score(t), t))]
        return sum(run_scripts(self.r, ((self._push, [feed_key(u) for u in batch], args)
                                        for batch in self._batches(user_ids))))

    def push_many(self, user_id: int, members: list) -> None:
        """Adds an author's recent entries (tweets and boosts) to one feed (a new follow)."""
        if members:
            args = [FEED_SIZE, self.ttl]
            for m in members:
                entry_id, tweet_id, booster_id = parse_member(m)
                args += [m, score(entry_id), "" if booster_id is None else tweet_id]
            self._push_many(keys=[feed_key(user_id), boosts_key(user_id)], args=args)

    def _pairs(self, user_ids: list[int]) -> list[str]:
        return [k for u in user_ids for k in (feed_key(u), boosts_key(u))]

    def push_boost(self, user_ids: list[int], boost_id: int, tweet_id: int, booster_id: int) -> int:
        """A boost's fan-out to (existing) feeds that do not show that tweet yet."""
        args = [FEED_SIZE, self.ttl, boost_member(boost_id, tweet_id, booster_id), score(boost_id), tweet_id]
        return sum(run_scripts(self.r, ((self._push_boost, self._pairs(batch), args)
                                        for batch in self._batches(user_ids))))

    def remove_boost(self, user_ids: list[int], boost_id: int, tweet_id: int, booster_id: int) -> None:
        args = [boost_member(boost_id, tweet_id, booster_id), tweet_id]
        run_scripts(self.r, ((self._remove_boost, self._pairs(batch), args) for batch in self._batches(user_ids)))

    def remove(self, user_ids: list[int], members: list) -> None:
        """Unfollow and delete: takes entries (tweet ids, boost members) out of feeds, pipelined in batches."""
        if not members:
            return
        for start in range(0, len(user_ids), BATCH):
            pipe = self.r.pipeline(transaction=False)
            for u in user_ids[start : start + BATCH]:
                pipe.zrem(feed_key(u), *members)
            pipe.execute()

    def drop(self, user_ids: list[int]) -> None:
        """Forgets feeds so that they are rebuilt on the next read."""
        for start in range(0, len(user_ids), BATCH):
            chunk = user_ids[start : start + BATCH]
            self.r.delete(*[feed_key(u) for u in chunk], *[celebs_key(u) for u in chunk],
                          *[boosts_key(u) for u in chunk])

    def rebuild(self, user_id: int, members: list, celebrity_ids: list[int]) -> None:
        """members: the newest entries, one per tweet (cypher/feed/rebuild.cypher)."""
        pipe = self.r.pipeline(transaction=True)
        key, ckey, bkey = feed_key(user_id), celebs_key(user_id), boosts_key(user_id)
        members = [str(m) for m in members[:FEED_SIZE]]
        pipe.delete(key, ckey, bkey)
        pipe.zadd(key, {SENTINEL: 0, **{m: entry_score(m) for m in members}})
        pipe.sadd(ckey, SENTINEL, *celebrity_ids)
        boosts = {e[1]: m for m, e in ((m, parse_member(m)) for m in members) if e[2] is not None}
        if boosts:
            pipe.hset(bkey, mapping=boosts)
            pipe.expire(bkey, self.ttl)
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
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(CELEBRITIES)
        pipe.sadd(CELEBRITIES, SENTINEL, *ids)
        pipe.execute()

    def mark(self, user_id: int, celebrity: bool) -> bool:
        """Returns True when the status changed."""
        return bool((self.r.sadd if celebrity else self.r.srem)(CELEBRITIES, user_id))
