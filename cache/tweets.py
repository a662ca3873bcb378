"""Owns the pre-serialised read model of tweets: `tweet:{id}`, `user_brief:{id}`, the counters
`like_counts`, `reply_counts` and `boost_counts`, the viewer flags `liked:{u:ID}`, `boosted:{u:ID}`
and `bookmarked:{u:ID}` (in their viewer's slot), and `author_entries:{u:ID}` (recent entries of
authors merged at read time: their tweets and boosts, as feed members). Bodies and counters are
global: on a cluster they are read per slot.

A home-feed page reads them all in its one script call (cache/home_page.py); other pages read
them in one pipeline and one multi-get of the authors; the JSON is spliced from stored bytes.
"""
from __future__ import annotations

import orjson
import redis

from cache.client import Call, is_cluster, mget, run_scripts, user_tag
from domain.entries import parse_member
from domain.ids import id_time_ms
from domain.tweet_state import COUNTS, FLAGS

SENTINEL = "0"
CUT = "more"  # an author list's sentinel when the graph holds older entries (spelt so in the Lua too)
OBJECT_TTL = 7 * 86400

# KEYS: [a counter hash]; ARGV: tweet id, version, count. A write-through that never goes back in
# time: like (reply, boost) transactions on one tweet are serialised by Neo4j and each returns a
# higher version.
_SET_COUNT = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local v = tonumber(string.match(cur, '^(%d+):'))
  if v >= tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
return 1
"""

# KEYS: [a user's flag set]; ARGV: tweet id, 1 (add) or 0 (remove). Only a set built whole from
# Neo4j (it exists) is kept up to date.
_SET_FLAG = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[2] == '1' then return redis.call('SADD', KEYS[1], ARGV[1]) end
return redis.call('SREM', KEYS[1], ARGV[1])
"""

# KEYS: [an author's recent entries]; ARGV: member, score, how many to keep. Only a list that was
# built whole (it exists) is added to; newest first (`score`), the sentinel last (score 0). A list
# past its size loses its oldest seconds whole, so that every second it holds is whole, and its
# sentinel becomes the cut's.
_PUSH_AUTHOR = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local size, n = tonumber(ARGV[3]), redis.call('ZCARD', KEYS[1])
if n > size + 1 then
  local first = redis.call('ZRANGE', KEYS[1], size, size, 'WITHSCORES')[2]
  if first ~= redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] then
    redis.call('ZREMRANGEBYSCORE', KEYS[1], first, '(0')
  else  -- all in one second, which holds them ascending: the oldest go
    redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - size - 2)
  end
  redis.call('ZREM', KEYS[1], '0')
  redis.call('ZADD', KEYS[1], 0, 'more')
end
return 1
"""

# Where a page must stop merging an author's list (cache/home_page.py), given `got`, what it read
# of it: the newest `count` entries before `before`, the oldest last. nil when the page may go on
# (the list gave `count`, or holds all there is); else the list was cut, and the graph alone holds
# its older entries: the oldest entry it gave (or `before`, when it gave none), or 'cold' when it
# has no entry left. Only a list that ran out is looked at: its sentinel, its last member (score 0),
# is read from the tail. A list of `size` entries or more counts as cut too (lists written before
# the mark).
AUTHOR_HORIZON = """
local function author_horizon(key, got, count, size, before)
  if #got == count then return nil end
  local n = redis.call('ZCARD', key)
  if not (redis.call('ZRANGE', key, -1, -1)[1] == 'more' or n - 1 >= size) then return nil end
  if n == 1 then return 'cold' end
  return got[#got] and string.match(got[#got], '^%d+') or before
end
"""


def score(entry_id: int) -> int:
    """An entry's score in an author's list: its second, negated, so the newest come first. Whole
    seconds keep a list of 800 in Redis's compact listpack, which is walked from its head to place an
    insert: the newest entry (nearly every insert) is placed at once. Within one second the set
    orders members ascending; ids of one second have the same number of digits, so that is the id
    order, and readers take each second's entries backwards (cache/home_page.py)."""
    return -(id_time_ms(entry_id) // 1000)


def entry_score(member) -> int:
    return score(parse_member(member)[0])


def tweet_key(tweet_id: int) -> str:
    return f"tweet:{tweet_id}"


def user_key(user_id: int) -> str:
    return f"user_brief:{user_id}"




def stored_count(raw: bytes | None) -> int | None:
    """A stored count is 'version:count' (the write-through of set_count)."""
    return int(raw.split(b":")[1]) if raw else None


def count_key(kind: str) -> str:
    """like_counts, reply_counts, boost_counts."""
    return f"{kind}_counts"


def flag_key(kind: str, user_id: int) -> str:
    """liked:{u:ID}, boosted:{u:ID}, bookmarked:{u:ID}."""
    return f"{kind}:{user_tag(user_id)}"


def author_key(user_id: int | str) -> str:
    return f"author_entries:{user_tag(user_id)}"


def tweet_body(tweet: dict) -> bytes:
    """The stored form: author id, '|', then the tweet's JSON up to (not including) its author:
    the fields that never change once posted."""
    head = orjson.dumps({
        "id": tweet["id"], "text": tweet["text"], "created_at": tweet["created_at"],
        "in_reply_to": tweet["in_reply_to"], "entities": tweet["entities"], "media": tweet.get("media", []),
    })
    return f"{tweet['author']['id']}|".encode() + head[:-1]


def user_body(user: dict) -> bytes:
    return orjson.dumps({"id": user["id"], "username": user["username"], "display_name": user["display_name"]})


class TweetCache:
    def __init__(self, r: redis.Redis, author_size: int):
        """r must not decode responses: bodies are spliced as bytes. author_size: the newest entries
        an author's list keeps (settings.feed_size)."""
        self.r = r
        self.author_size = author_size
        self._set_count = r.register_script(_SET_COUNT)
        self._push_author = r.register_script(_PUSH_AUTHOR)
        self._set_flag = r.register_script(_SET_FLAG)

    def put(self, tweets: list[dict], new: bool = False) -> dict[int, bytes]:
        """Stores the tweets (and their authors, when not stored yet); their bodies by id. New
        tweets (just posted) also get their counts, all 0 at version 0, unless a write-through of
        a later version came first: their first like or notification then reads no count from Neo4j."""
        pipe = self.r.pipeline(transaction=False)
        bodies = self.queue_put(pipe, tweets, new)
        pipe.execute()
        return bodies

    def queue_put(self, pipe, tweets: list[dict], new: bool = False) -> dict[int, bytes]:
        """put's commands, added to a pipeline that the caller sends."""
        bodies = {int(t["id"]): tweet_body(t) for t in tweets}
        for t in tweets:
            pipe.set(tweet_key(int(t["id"])), bodies[int(t["id"])], ex=OBJECT_TTL)
            pipe.set(user_key(int(t["author"]["id"])), user_body(t["author"]), ex=OBJECT_TTL, nx=True)
            for kind in COUNTS if new else ():
                pipe.hsetnx(count_key(kind), int(t["id"]), "0:0")
        return bodies

    def forget_tweet(self, tweet_id: int, author_id: int) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.delete(tweet_key(tweet_id))
        for kind in COUNTS:
            pipe.hdel(count_key(kind), tweet_id)
        pipe.zrem(author_key(author_id), tweet_id)
        pipe.execute()

    def authors_of(self, tweet_ids: list[int]) -> list[int | None]:
        """The authors' ids from the cached bodies (None where not cached)."""
        bodies = mget(self.r, [tweet_key(t) for t in tweet_ids])
        return [int(b.split(b"|", 1)[0]) if b else None for b in bodies]

    def author_of(self, tweet_id: int) -> int | None:
        return self.authors_of([tweet_id])[0]

    def forget_user(self, user_id: int) -> None:
        self.r.delete(user_key(user_id))

    def set_count(self, kind: str, tweet_id: int, version: int, count: int) -> None:
        self._set_count(keys=[count_key(kind)], args=[tweet_id, version, count])

    def set_flag(self, kind: str, user_id: int, tweet_id: int, on: bool) -> None:
        """Only a set that is already complete (built from Neo4j) is kept up to date."""
        self._set_flag(keys=[flag_key(kind, user_id)], args=[tweet_id, int(on)])

    def set_count_and_flag(self, kind: str, flag: str, tweet_id: int, version: int, count: int, user_id: int,
                           on: bool) -> None:
        """A user's change of a tweet's count (like, boost) and of their own flag, in one round trip."""
        run_scripts(self.r, [(self._set_count, [count_key(kind)], [tweet_id, version, count]),
                             (self._set_flag, [flag_key(flag, user_id)], [tweet_id, int(on)])])

    def load_flags(self, kind: str, user_id: int, tweet_ids: list[int]) -> None:
        key = flag_key(kind, user_id)
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(key)
        pipe.sadd(key, SENTINEL, *tweet_ids)
        pipe.expire(key, OBJECT_TTL)
        pipe.execute()

    def own_flags(self, tweet_ids: list[int], author_ids: list[int]) -> list[dict[str, bool] | None]:
        """Each tweet's own author's flags on it, from the author's sets; None where one of them is
        cold (not built whole from Neo4j)."""
        pipe = self.r.pipeline(transaction=False)
        for t, a in zip(tweet_ids, author_ids):
            for kind in FLAGS:
                pipe.smismember(flag_key(kind, a), [t, SENTINEL])
        out = iter(pipe.execute())
        flags = [{kind: next(out) for kind in FLAGS} for _ in tweet_ids]
        return [{k: bool(on) for k, (on, _) in f.items()} if all(built for _, built in f.values()) else None
                for f in flags]

    def read(self, tweet_ids: list[int], viewer_id: int | None):
        """(bodies, {count kind: counts}, {flag kind: flags, or None when the viewer's set is cold})
        for tweet_ids, in order; no flags for an anonymous viewer. One pipeline on a server; on a
        cluster the bodies, which lie in many slots, are read apart (one MGET per slot)."""
        if not tweet_ids:
            return [], {kind: [] for kind in COUNTS}, {kind: [] for kind in FLAGS} if viewer_id is not None else {}
        keys = [tweet_key(t) for t in tweet_ids]
        cluster = is_cluster(self.r)
        pipe = self.r.pipeline(transaction=False)
        if not cluster:
            pipe.mget(keys)
        for kind in COUNTS:
            pipe.hmget(count_key(kind), tweet_ids)
        if viewer_id is not None:
            for kind in FLAGS:
                pipe.exists(flag_key(kind, viewer_id))
                pipe.smismember(flag_key(kind, viewer_id), tweet_ids)
        out = pipe.execute()
        if cluster:
            out.insert(0, mget(self.r, keys))
        counts = {kind: [stored_count(c) for c in raw] for kind, raw in zip(COUNTS, out[1:4])}
        flags = {}
        if viewer_id is not None:
            for i, kind in enumerate(FLAGS):
                alive, members = out[4 + 2 * i], out[5 + 2 * i]
                flags[kind] = [bool(x) for x in members] if alive else None
        return out[0], counts, flags

    def users(self, user_ids: list[int]) -> list[bytes | None]:
        return mget(self.r, [user_key(u) for u in user_ids])

    def put_users(self, users: list[dict]) -> dict[int, bytes]:
        """Stores the users' brief bodies; the bodies by id."""
        bodies = {int(u["id"]): user_body(u) for u in users}
        pipe = self.r.pipeline(transaction=False)
        for user_id, body in bodies.items():
            pipe.set(user_key(user_id), body, ex=OBJECT_TTL)
        pipe.execute()
        return bodies

    def put_new_user(self, user: dict) -> None:
        """A user who just registered: their brief, and their flag sets, built whole (empty)."""
        pipe = self.r.pipeline(transaction=False)
        pipe.set(user_key(int(user["id"])), user_body(user), ex=OBJECT_TTL)
        for kind in FLAGS:
            pipe.sadd(flag_key(kind, int(user["id"])), SENTINEL)
            pipe.expire(flag_key(kind, int(user["id"])), OBJECT_TTL)
        pipe.execute()

    def push_author_tweet(self, author_id: int, member: str | int) -> None:
        """member: a tweet id, or a boost's feed member (cache/feeds.py)."""
        script, keys, args = self.author_push_call(author_id, member)
        script(keys=keys, args=args)

    def author_push_call(self, author_id: int, member: str | int) -> Call:
        return self._push_author, [author_key(author_id)], [member, entry_score(member), self.author_size]

    def remove_author_entry(self, author_id: int, member: str) -> None:
        self.r.zrem(author_key(author_id), member)

    def load_author_tweets(self, author_id: int, members: list) -> None:
        """members: the author's newest entries, at most author_size: when there are that many, the
        graph may hold older ones, and the oldest second, which may be partial, is left out."""
        scores = {m: entry_score(m) for m in members}
        end = SENTINEL
        if len(members) >= self.author_size:
            oldest = max(scores.values())
            scores = {m: s for m, s in scores.items() if s != oldest} or scores
            end = CUT
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(author_key(author_id))
        pipe.zadd(author_key(author_id), {end: 0, **scores})
        pipe.expire(author_key(author_id), OBJECT_TTL)
        pipe.execute()
