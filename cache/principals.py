"""Who is calling and what they may do, in one round trip: one script authenticates a session (the
session store's own script, run inside this one: idle expiry and touch included) or reads a bearer
token's cache entry, and reads the cached grant of the user it names, with the grant's version and
epoch. It owns no key: the names come from cache.sessions, cache.tokens and cache.grants, and each
owner parses its own part. On a cluster the session (or token) and the grant lie in different slots:
the session store's script, then the grant's read (two round trips).

A request may also name a `Rider`: a read of another owner's (a profile) that needs to know who
calls, done in the same script once the caller's id is known, so that the whole request costs one
round trip. On a cluster nothing rides: the request reads it on its own."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import redis
from redis.commands.core import Script

from cache import grants, tokens
from cache.client import is_cluster, key_parts
from cache.sessions import SessionStore, key_of as session_key, session_id
from domain.roles import Grant
from domain.sessions import Session

# KEYS: [session hash or token entry]; ARGV: now ms, idle ms, touch every ms (the session script's),
# then kind (session|token), the grant key's and the version key's head and tail around the user id,
# the epoch key.
_CALLER = """
local function session()
%s
end
local function caller()
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
end
""" % SessionStore.AUTHENTICATE
_ARGS = 9  # the caller's own arguments; a rider's follow them
_READ = _CALLER + "return caller()"
# A rider's Lua defines `local function ride(viewer, a)`: viewer is the caller's user id ('' for
# nobody: a token whose entry is not cached names its owner only later, from Neo4j, and what the
# rider read then leaves the viewer's part unknown), a the rider's own arguments; it returns what the
# rider's parse takes.
_RIDE = f"""
local out = caller()
return {{out, ride(out[2] or '', {{unpack(ARGV, {_ARGS + 1})}})}}
"""


@dataclass(frozen=True)
class Rider:
    """A read that rides in the caller's script: its Lua (defining `ride`), its arguments, and how
    its answer is parsed (with a client that decodes responses: strings, not bytes)."""

    lua: str
    args: list
    parse: Callable[[Any], Any]


@dataclass
class Caller:
    grant: tuple[Grant | None, str] | None  # as GrantCache.get answers, for the caller's user
    ridden: Any  # the rider's answer; None: nothing rode


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
        self._read = r.register_script(_READ)
        self._with_rider: dict[str, Script] = {}  # by the rider's Lua

    def _call(self, key: str, kind: str, rider: Rider | None) -> tuple[list, Any]:
        if self.cluster:
            return self._call_apart(key, kind), None
        args = [*self.sessions.authenticate_args(), kind, *key_parts(grants.grant_key),
                *key_parts(grants.version_key), grants.EPOCH_KEY]
        if rider is None:
            return self._read(keys=[key], args=args), None
        script = self._with_rider.get(rider.lua)
        if script is None:
            script = self._with_rider[rider.lua] = self.r.register_script(_CALLER + rider.lua + _RIDE)
        out, ridden = script(keys=[key], args=args + rider.args)
        return out, rider.parse(ridden)

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

    def by_session(self, secret: str, rider: Rider | None = None) -> SessionCaller:
        return self.by_session_id(session_id(secret), rider)

    def by_session_id(self, sid: str, rider: Rider | None = None) -> SessionCaller:
        out, ridden = self._call(session_key(sid), "session", rider)
        return SessionCaller(self._grant(out), ridden, self.sessions.authenticated(out[0] if out else None))

    def by_token(self, token_hash: str, rider: Rider | None = None) -> TokenCaller:
        out, ridden = self._call(tokens.key_of(token_hash), "token", rider)
        return TokenCaller(self._grant(out), ridden, tokens.owner_of(out[0] if out else None))
