"""Owns the profile read model: `user_ids` (username key → id, remembered by profile reads and by
the mentions of posts), `profile:{u:ID}` (the public fields,
pre-serialised), `profile_counts:{u:ID}` ("version:followers:following:tweets") and
`following:{u:ID}` (whom a user follows, sentinel-marked: a set that exists is complete); each
user's three in one slot. All but `user_ids` expire
a week after they were written, so a write that bypassed the events (a seed) is not stale for ever.

A profile is read in one script call, or rides in the caller's (cache/principals.py: one round trip
for the whole request); on a cluster, where it spans the viewer's slot, the user's and `user_ids`'s,
in one pipeline after the name's lookup. Whatever is missing is reported as None, and the use case
(social/profiles.py) reads it from Neo4j and writes it back. Counts are written through with the
version Neo4j gave them, and an older version never replaces a newer one.
"""
from __future__ import annotations

from dataclasses import dataclass

import orjson
import redis

from cache.client import is_cluster, key_parts, run_scripts, user_tag
from cache.principals import Rider

USER_IDS = "user_ids"
SENTINEL = "0"
OBJECT_TTL = 7 * 86400


def profile_key(user_id: int | str) -> str:
    return f"profile:{user_tag(user_id)}"


def counts_key(user_id: int | str) -> str:
    return f"profile_counts:{user_tag(user_id)}"


def following_key(user_id: int | str) -> str:
    return f"following:{user_tag(user_id)}"


# The profile read as a rider (cache/principals.py). viewer: the viewer's id, or ''. a: the username
# key (or ''), the user id (or '': by name, or the viewer's own), the `user_ids` key, then the
# profile, following and counts keys' heads and tails around the id. Flags: 1 or 0, -1 when the set
# that answers it is cold.
_RIDE = """
local function ride(viewer, a)
  local id = a[2]
  if id == '' and a[1] ~= '' then id = redis.call('HGET', a[3], a[1]) elseif id == '' then id = viewer end
  if not id or id == '' then return {false} end
  local following, followed_by = -1, -1
  if viewer ~= '' then
    local mine, theirs = a[6] .. viewer .. a[7], a[6] .. id .. a[7]
    if redis.call('EXISTS', mine) == 1 then following = redis.call('SISMEMBER', mine, id) end
    if redis.call('EXISTS', theirs) == 1 then followed_by = redis.call('SISMEMBER', theirs, viewer) end
  end
  return {id, redis.call('GET', a[4] .. id .. a[5]), redis.call('GET', a[8] .. id .. a[9]), following, followed_by}
end
"""
# ARGV: the viewer's id (or ''), then the rider's arguments.
_READ = _RIDE + "return ride(ARGV[1], {unpack(ARGV, 2)})"

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


def _ride_args(username_key: str, user_id: int | None) -> list:
    return [username_key, "" if user_id is None else user_id, USER_IDS,
            *key_parts(profile_key), *key_parts(following_key), *key_parts(counts_key)]


def _parsed(out: list) -> ProfileRead | None:
    """The script's answer (as bytes, or as strings when it rode in the caller's); None: no such name."""
    if not out or out[0] is None:
        return None
    body, counts = (x.encode() if isinstance(x, str) else x for x in out[1:3])
    counts = tuple(int(c) for c in counts.split(b":")[1:]) if counts else None
    return ProfileRead(int(out[0]), body, counts, _flag(out[3]), _flag(out[4]))


class Profiles:
    def __init__(self, raw: redis.Redis):
        """raw must not decode responses: bodies are spliced as bytes."""
        self.r = raw
        self.cluster = is_cluster(raw)
        self._read = raw.register_script(_READ)
        self._set_counts = raw.register_script(_SET_COUNTS)

    def read(self, viewer_id: int | None, username_key: str = "", user_id: int | None = None) -> ProfileRead | None:
        """One round trip; None when the username is not (yet) known to Redis."""
        if self.cluster:
            out = self._read_apart(viewer_id, username_key, user_id)
        else:
            out = self._read(keys=[USER_IDS], args=["" if viewer_id is None else viewer_id,
                                                    *_ride_args(username_key, user_id)])
        return _parsed(out)

    def rider(self, username_key: str = "") -> Rider:
        """The same read, riding in the caller's script, for whoever the caller turns out to be;
        without a name, of the caller's own profile."""
        return Rider(_RIDE, _ride_args(username_key, None), _parsed)

    def _read_apart(self, viewer_id: int | None, username_key: str, user_id: int | None) -> list:
        """The script's answer, from the slots it spans: the id, then one pipeline."""
        if user_id is None:
            user_id = self.r.hget(USER_IDS, username_key)
            if user_id is None:
                return [None]
        user_id = int(user_id)
        pipe = self.r.pipeline(transaction=False)
        pipe.get(profile_key(user_id))
        pipe.get(counts_key(user_id))
        if viewer_id is not None:
            for owner, member in ((viewer_id, user_id), (user_id, viewer_id)):
                pipe.exists(following_key(owner))
                pipe.sismember(following_key(owner), member)
        body, counts, *flags = pipe.execute()
        following = [int(m) if alive else -1 for alive, m in zip(flags[0::2], flags[1::2])] or [-1, -1]
        return [user_id, body, counts, *following]

    def ids_of(self, username_keys: list[str]) -> dict[str, int]:
        """The ids Redis knows of these username keys. A name never changes hands (no user is
        renamed or deleted), so a known one is never stale."""
        if not username_keys:
            return {}
        return {k: int(i) for k, i in zip(username_keys, self.r.hmget(USER_IDS, username_keys)) if i is not None}

    def remember_ids(self, ids: dict[str, int]) -> None:
        if ids:
            self.r.hset(USER_IDS, mapping=ids)

    def put(self, row: dict) -> bytes:
        """A profile read from Neo4j (users/profiles): its body, and its counts if not older."""
        body = profile_body(row)
        self.r.set(profile_key(row["id"]), body, ex=OBJECT_TTL)
        self.set_counts([row])
        return body

    def set_counts(self, rows: list[dict]) -> None:
        """Rows {id, counts_version, followers_count, following_count, tweets_count}."""
        run_scripts(self.r, ((self._set_counts, [counts_key(row["id"])],
                              [row["counts_version"], row["followers_count"], row["following_count"],
                               row["tweets_count"], OBJECT_TTL]) for row in rows))

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
        pipe = self.r.pipeline(transaction=True)
        pipe.delete(following_key(user_id))
        pipe.sadd(following_key(user_id), SENTINEL, *followee_ids)
        pipe.expire(following_key(user_id), OBJECT_TTL)
        pipe.execute()
