"""Owns the profile read model: `user_ids` (username key → id), `profile:{id}` (the public fields,
pre-serialised), `profile_counts:{id}` ("version:followers:following:tweets") and `following:{id}`
(whom a user follows, sentinel-marked: a set that exists is complete). All but `user_ids` expire
a week after they were written, so a write that bypassed the events (a seed) is not stale for ever.

A profile is read in one script call; whatever is missing is reported as None, and the use case
(social/profiles.py) reads it from Neo4j and writes it back. Counts are written through with the
version Neo4j gave them, and an older version never replaces a newer one.
"""
from __future__ import annotations

from dataclasses import dataclass

import orjson
import redis

USER_IDS = "user_ids"
SENTINEL = "0"
OBJECT_TTL = 7 * 86400


def profile_key(user_id: int | str) -> str:
    return f"profile:{user_id}"


def counts_key(user_id: int | str) -> str:
    return f"profile_counts:{user_id}"


def following_key(user_id: int | str) -> str:
    return f"following:{user_id}"


# KEYS: [user ids]. ARGV: username key (or ''), user id (or ''), viewer id (or ''), profile prefix,
# following prefix, counts prefix. Flags: 1 or 0, -1 when the set that answers it is cold.
_READ = """
local id = ARGV[2]
if id == '' then
  id = redis.call('HGET', KEYS[1], ARGV[1])
  if not id then return {false} end
end
local following, followed_by = -1, -1
if ARGV[3] ~= '' then
  local mine, theirs = ARGV[5] .. ARGV[3], ARGV[5] .. id
  if redis.call('EXISTS', mine) == 1 then following = redis.call('SISMEMBER', mine, id) end
  if redis.call('EXISTS', theirs) == 1 then followed_by = redis.call('SISMEMBER', theirs, ARGV[3]) end
end
return {id, redis.call('GET', ARGV[4] .. id), redis.call('GET', ARGV[6] .. id), following, followed_by}
"""

# KEYS: [counts]; ARGV: version, followers, following, tweets, ttl. Never goes back in time.
_SET_COUNTS = """
local cur = redis.call('GET', KEYS[1])
if cur and tonumber(string.match(cur, '^(%d+):')) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2] .. ':' .. ARGV[3] .. ':' .. ARGV[4], 'EX', ARGV[5])
return 1
"""

_FIELDS = ("id", "username", "display_name", "bio", "created_at")


@dataclass
class ProfileRead:
    user_id: int
    body: bytes | None  # the public fields' JSON, without its closing brace
    counts: tuple[int, int, int] | None  # followers, following, tweets
    following: bool | None  # None: the viewer's following set is cold (or no viewer)
    followed_by: bool | None


def profile_body(row: dict) -> bytes:
    return orjson.dumps({f: str(row[f]) if f == "id" else row[f] for f in _FIELDS})[:-1]


def _splice(body: bytes, counts: tuple[int, int, int], flags: tuple[bool, bool] | None) -> bytes:
    """The contract's User object from its stored parts."""
    out = body + b',"followers_count":%d,"following_count":%d,"tweets_count":%d' % counts
    if flags is not None:
        out += b',"following":%s,"followed_by":%s' % tuple(b"true" if f else b"false" for f in flags)
    return out + b"}"


def _flag(raw: int) -> bool | None:
    return None if raw < 0 else bool(raw)


class Profiles:
    def __init__(self, raw: redis.Redis):
        """raw must not decode responses: bodies are spliced as bytes."""
        self.r = raw
        self._read = raw.register_script(_READ)
        self._set_counts = raw.register_script(_SET_COUNTS)

    def read(self, viewer_id: int | None, username_key: str = "", user_id: int | None = None) -> ProfileRead | None:
        """One round trip; None when the username is not (yet) known to Redis."""
        args = [username_key, "" if user_id is None else user_id, "" if viewer_id is None else viewer_id,
                profile_key(""), following_key(""), counts_key("")]
        out = self._read(keys=[USER_IDS], args=args)
        if not out or out[0] is None:
            return None
        counts = tuple(int(c) for c in out[2].split(b":")[1:]) if out[2] else None
        return ProfileRead(int(out[0]), out[1], counts, _flag(out[3]), _flag(out[4]))

    def remember_id(self, username_key: str, user_id: int) -> None:
        self.r.hset(USER_IDS, username_key, user_id)

    def put(self, row: dict) -> bytes:
        """A profile read from Neo4j (users/profiles): its body, and its counts if not older."""
        body = profile_body(row)
        self.r.set(profile_key(row["id"]), body, ex=OBJECT_TTL)
        self.set_counts([row])
        return body

    def set_counts(self, rows: list[dict]) -> None:
        """Rows {id, counts_version, followers_count, following_count, tweets_count}."""
        pipe = self.r.pipeline(transaction=False)
        for row in rows:
            self._set_counts(
                keys=[counts_key(row["id"])],
                args=[row["counts_version"], row["followers_count"], row["following_count"], row["tweets_count"],
                      OBJECT_TTL],
                client=pipe,
            )
        pipe.execute()

    def splice(self, body: bytes, counts: tuple[int, int, int], flags: tuple[bool, bool] | None) -> bytes:
        return _splice(body, counts, flags)

    def forget(self, user_id: int) -> None:
        self.r.delete(profile_key(user_id))

    def forget_counts(self, *user_ids: int) -> None:
        """After a committed write that changed these counts: the next read takes them from the
        graph, so the writer reads its own write before the consumer's versioned update lands."""
        self.r.delete(*[counts_key(u) for u in user_ids])

    def set_following(self, follower_id: int, followee_id: int, following: bool) -> None:
        """Only a following set that is already complete (built from Neo4j) is kept up to date."""
        key = following_key(follower_id)
        if self.r.exists(key):
            (self.r.sadd if following else self.r.srem)(key, followee_id)

    def load_following(self, user_id: int, followee_ids: list[int]) -> None:
        pipe = self.r.pipeline()
        pipe.delete(following_key(user_id))
        pipe.sadd(following_key(user_id), SENTINEL, *followee_ids)
        pipe.expire(following_key(user_id), OBJECT_TTL)
        pipe.execute()
