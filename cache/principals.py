"""Who is calling and what they may do, in one round trip: one script reads a session (or a
bearer token's cache entry) and the cached grant of the user it names, with the grant's version
and epoch. It owns no key: the names come from cache.sessions, cache.tokens and cache.grants,
and each owner parses its own part."""
from __future__ import annotations

from dataclasses import dataclass

import redis

from cache import grants, sessions, tokens
from domain.roles import Grant

# KEYS: [session hash or token entry]; ARGV: kind (session|token), grant prefix, version prefix, epoch key.
_READ = """
local owner, uid
if ARGV[1] == 'session' then
  owner = redis.call('HGETALL', KEYS[1])
  uid = redis.call('HGET', KEYS[1], 'user_id')
else
  owner = redis.call('GET', KEYS[1])
  uid = owner and string.match(owner, '"user_id": *(%d+)')
end
if not uid then return {owner} end
return {owner, uid, redis.call('GET', ARGV[2] .. uid), redis.call('GET', ARGV[3] .. uid), redis.call('GET', ARGV[4])}
"""


@dataclass
class Caller:
    owner: dict | None  # the session's hash, or the token's cached owner; None when Redis holds neither
    grant: tuple[Grant | None, str] | None  # as GrantCache.get answers, for the owner's user


class Principals:
    def __init__(self, r: redis.Redis):
        """r decodes responses."""
        self._read = r.register_script(_READ)

    def _caller(self, key: str, kind: str) -> Caller:
        out = self._read(keys=[key], args=[kind, grants.KEY_PREFIX, grants.VERSION_PREFIX, grants.EPOCH_KEY])
        if kind == "session":
            owner = dict(zip(out[0][0::2], out[0][1::2])) if out and out[0] else None
        else:
            owner = tokens.owner_of(out[0]) if out else None
        if len(out) < 5:
            return Caller(owner, None)
        return Caller(owner, grants.cached_grant(int(out[1]), *out[2:5]))

    def by_session(self, secret: str) -> Caller:
        return self._caller(sessions.key_of(secret), "session")

    def by_token(self, token_hash: str) -> Caller:
        return self._caller(tokens.key_of(token_hash), "token")
