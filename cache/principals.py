"""Who is calling and what they may do, in one round trip: one script authenticates a session (the
session store's own script, run inside this one: idle expiry and touch included) or reads a bearer
token's cache entry, and reads the cached grant of the user it names, with the grant's version and
epoch. It owns no key: the names come from cache.sessions, cache.tokens and cache.grants, and each
owner parses its own part. On a cluster the session (or token) and the grant lie in different slots:
the session store's script, then the grant's read (two round trips)."""
from __future__ import annotations

from dataclasses import dataclass

import redis

from cache import grants, tokens
from cache.client import is_cluster, key_parts
from cache.sessions import SessionStore, key_of as session_key
from domain.roles import Grant
from domain.sessions import Session

# KEYS: [session hash or token entry]; ARGV: now ms, idle ms, touch every ms (the session script's),
# then kind (session|token), the grant key's and the version key's head and tail around the user id,
# the epoch key.
_READ = """
local function session()
%s
end
local owner, uid = nil, nil
if ARGV[4] == 'session' then
  owner = session()
  if owner then
    for i = 1, #owner, 2 do if owner[i] == 'user_id' then uid = owner[i + 1] end end
  end
else
  owner = redis.call('GET', KEYS[1])
  if owner then uid = string.match(owner, '"user_id": *(%%d+)') end
end
if not uid then return {owner or false} end
return {owner, uid, redis.call('GET', ARGV[5] .. uid .. ARGV[6]), redis.call('GET', ARGV[7] .. uid .. ARGV[8]),
        redis.call('GET', ARGV[9])}
"""


@dataclass
class Caller:
    grant: tuple[Grant | None, str] | None  # as GrantCache.get answers, for the caller's user


@dataclass
class SessionCaller(Caller):
    session: Session | None  # None: no live session with that secret


@dataclass
class TokenCaller(Caller):
    owner: dict | None  # the token's cached owner; None when not cached (or revoked)


class Principals:
    def __init__(self, r: redis.Redis, sessions: SessionStore):
        """r decodes responses."""
        self.r = r
        self.sessions = sessions
        self.cluster = is_cluster(r)
        self._read = r.register_script(_READ % SessionStore.AUTHENTICATE)

    def _call(self, key: str, kind: str) -> list:
        if self.cluster:
            return self._call_apart(key, kind)
        args = [*self.sessions.authenticate_args(), kind, *key_parts(grants.grant_key),
                *key_parts(grants.version_key), grants.EPOCH_KEY]
        return self._read(keys=[key], args=args)

    def _call_apart(self, key: str, kind: str) -> list:
        """The script's answer, read in two steps: the caller, then their grant."""
        if kind == "session":
            owner = self.sessions.by_key(key)
            uid = owner and dict(zip(owner[0::2], owner[1::2])).get("user_id")
        else:
            owner = self.r.get(key)
            found = tokens.owner_of(owner)
            uid = found and found.get("user_id")
        if not uid:
            return [owner]
        return [owner, uid, *grants.GrantCache(self.r).read(int(uid))]

    @staticmethod
    def _grant(out: list) -> tuple[Grant | None, str] | None:
        return grants.cached_grant(int(out[1]), *out[2:5]) if len(out) == 5 else None

    def by_session(self, secret: str) -> SessionCaller:
        out = self._call(session_key(secret), "session")
        return SessionCaller(self._grant(out), self.sessions.authenticated(out[0] if out else None))

    def by_token(self, token_hash: str) -> TokenCaller:
        out = self._call(tokens.key_of(token_hash), "token")
        return TokenCaller(self._grant(out), tokens.owner_of(out[0] if out else None))
