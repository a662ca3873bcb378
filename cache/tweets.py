"""Owns the pre-serialised read model of tweets: `tweet:{id}`, `user_brief:{id}`, `like_counts`,
`liked:{user_id}`, and `author_tweets:{user_id}` (recent tweets of authors merged at read time).

A home-feed page reads them all in its one script call (cache/home_page.py); other pages read
them in one pipeline and one multi-get of the authors; the JSON is spliced from stored bytes.
"""
from __future__ import annotations

import orjson
import redis

from cache.feeds import score

SENTINEL = "0"
AUTHOR_TWEETS = 800
OBJECT_TTL = 7 * 86400

# KEYS: [like_counts]; ARGV: tweet id, version, count. A write-through that never goes back in time:
# like transactions on one tweet are serialised by Neo4j and each returns a higher version.
_SET_COUNT = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local v = tonumber(string.match(cur, '^(%d+):'))
  if v >= tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
return 1
"""


def tweet_key(tweet_id: int) -> str:
    return f"tweet:{tweet_id}"


def user_key(user_id: int) -> str:
    return f"user_brief:{user_id}"


def liked_key(user_id: int) -> str:
    return f"liked:{user_id}"


def author_key(user_id: int) -> str:
    return f"author_tweets:{user_id}"


LIKE_COUNTS = "like_counts"


def like_count(raw: bytes | None) -> int | None:
    """A stored count is 'version:count' (the write-through of set_like_count)."""
    return int(raw.split(b":")[1]) if raw else None


def tweet_body(tweet: dict) -> bytes:
    """The stored form: author id, '|', then the tweet's JSON up to (not including) its author."""
    head = orjson.dumps({"id": tweet["id"], "text": tweet["text"], "created_at": tweet["created_at"],
                         "media": tweet.get("media", [])})
    return f"{tweet['author']['id']}|".encode() + head[:-1]


def user_body(user: dict) -> bytes:
    return orjson.dumps({"id": user["id"], "username": user["username"], "display_name": user["display_name"]})


class TweetCache:
    author_size = AUTHOR_TWEETS

    def __init__(self, r: redis.Redis):
        """r must not decode responses: bodies are spliced as bytes."""
        self.r = r
        self._set_count = r.register_script(_SET_COUNT)

    def put(self, tweets: list[dict]) -> dict[int, bytes]:
        """Stores the tweets (and their authors, when not stored yet); their bodies by id."""
        bodies = {int(t["id"]): tweet_body(t) for t in tweets}
        pipe = self.r.pipeline(transaction=False)
        for t in tweets:
            pipe.set(tweet_key(int(t["id"])), bodies[int(t["id"])], ex=OBJECT_TTL)
            pipe.set(user_key(int(t["author"]["id"])), user_body(t["author"]), ex=OBJECT_TTL, nx=True)
        pipe.execute()
        return bodies

    def forget_tweet(self, tweet_id: int, author_id: int) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.delete(tweet_key(tweet_id))
        pipe.hdel(LIKE_COUNTS, tweet_id)
        pipe.zrem(author_key(author_id), tweet_id)
        pipe.execute()

    def forget_user(self, user_id: int) -> None:
        self.r.delete(user_key(user_id))

    def set_like_count(self, tweet_id: int, version: int, count: int) -> None:
        self._set_count(keys=[LIKE_COUNTS], args=[tweet_id, version, count])

    def set_liked(self, user_id: int, tweet_id: int, liked: bool) -> None:
        """Only a liked set that is already complete (built from Neo4j) is kept up to date."""
        key = liked_key(user_id)
        if self.r.exists(key):
            (self.r.sadd if liked else self.r.srem)(key, tweet_id)

    def load_liked(self, user_id: int, tweet_ids: list[int]) -> None:
        pipe = self.r.pipeline()
        pipe.delete(liked_key(user_id))
        pipe.sadd(liked_key(user_id), SENTINEL, *tweet_ids)
        pipe.expire(liked_key(user_id), OBJECT_TTL)
        pipe.execute()

    def read(self, tweet_ids: list[int], viewer_id: int | None):
        """(bodies, counts, liked or None when the viewer's set is cold) for tweet_ids, in order."""
        pipe = self.r.pipeline(transaction=False)
        pipe.mget([tweet_key(t) for t in tweet_ids])
        pipe.hmget(LIKE_COUNTS, tweet_ids)
        if viewer_id is not None:
            pipe.exists(liked_key(viewer_id))
            pipe.smismember(liked_key(viewer_id), tweet_ids)
        out = pipe.execute()
        counts = [like_count(c) for c in out[1]]
        liked = [bool(x) for x in out[3]] if viewer_id is not None and out[2] else None
        return out[0], counts, liked

    def users(self, user_ids: list[int]) -> list[bytes | None]:
        return self.r.mget([user_key(u) for u in user_ids])

    def put_users(self, users: list[dict]) -> dict[int, bytes]:
        """Stores the users' brief bodies; the bodies by id."""
        bodies = {int(u["id"]): user_body(u) for u in users}
        pipe = self.r.pipeline(transaction=False)
        for user_id, body in bodies.items():
            pipe.set(user_key(user_id), body, ex=OBJECT_TTL)
        pipe.execute()
        return bodies

    def push_author_tweet(self, author_id: int, tweet_id: int) -> None:
        key = author_key(author_id)
        if self.r.exists(key):
            pipe = self.r.pipeline()
            pipe.zadd(key, {tweet_id: score(tweet_id)})
            pipe.zremrangebyrank(key, 1, -(AUTHOR_TWEETS + 1))
            pipe.execute()

    def load_author_tweets(self, author_id: int, tweet_ids: list[int]) -> None:
        pipe = self.r.pipeline()
        pipe.delete(author_key(author_id))
        pipe.zadd(author_key(author_id), {SENTINEL: 0, **{t: score(t) for t in tweet_ids}})
        pipe.expire(author_key(author_id), OBJECT_TTL)
        pipe.execute()
