"""Owns `session:{id}` hashes and `user_sessions:{u:ID}` indexes: server-side login sessions.
A session is found by its cookie alone, so its key cannot carry its user's tag: it lies in a slot
of its own, and the few writes that touch a session and its index do so in two steps, the index
first (an index entry without its session is only tidied away; never the reverse, a session that
revoking every session of its user could miss).

The cookie carries a random secret; Redis keys and the public session id are its SHA-256, so a
listing of sessions never reveals a usable cookie. A session ends at its absolute expiry or after
`idle_seconds` without use, whichever comes first: the key's TTL is the nearer of the two, pushed
on at each touch. Touch and expiry run as one script on the one key, so a revoke (a DEL) racing a
touch can never leave a partial hash behind, and a hash that is not whole counts as no session.
"""
from __future__ import annotations

import hashlib
import secrets
import time

import redis

from cache.client import user_tag
from domain.sessions import Session

TOUCH_EVERY_MS = 60_000
FIELDS = ("id", "user_id", "username", "csrf_token", "created_at", "last_seen_at", "expires_at", "user_agent")

# KEYS: [session]; ARGV: now ms, idle ms, touch every ms. The session's fields, or nil when it is
# gone, expired, idle too long or not whole (then it is deleted).
_AUTHENTICATE = """
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return nil end
local f = {}
for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
local now, idle = tonumber(ARGV[1]), tonumber(ARGV[2])
local last, expires = tonumber(f['last_seen_at']), tonumber(f['expires_at'])
if not last or not expires or not f['user_id'] or not f['csrf_token'] or expires <= now or now - last > idle then
  redis.call('DEL', KEYS[1])
  return nil
end
if now - last > tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], math.min(expires - now, idle))
end
return h
"""


def session_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


def _key(sid: str) -> str:
    return f"session:{sid}"


key_of = _key


def _index(user_id: int) -> str:
    return f"user_sessions:{user_tag(user_id)}"


def _session(flat: list) -> Session:
    data = dict(zip(flat[0::2], flat[1::2]))
    return Session(
        id=data["id"],
        user_id=int(data["user_id"]),
        username=data["username"],
        csrf_token=data["csrf_token"],
        created_at=int(data["created_at"]),
        last_seen_at=int(data["last_seen_at"]),
        expires_at=int(data["expires_at"]),
        user_agent=data.get("user_agent", ""),
    )


class SessionStore:
    def __init__(self, r: redis.Redis, ttl_seconds: int, idle_seconds: int):
        self.r = r
        self.ttl = ttl_seconds
        self.idle = idle_seconds
        self._authenticate = r.register_script(_AUTHENTICATE)

    def create(self, user_id: int, username: str, user_agent: str) -> tuple[str, Session]:
        """A new secret every time: a login never reuses a session id (no fixation)."""
        secret = secrets.token_urlsafe(32)
        now = int(time.time() * 1000)
        s = Session(
            id=session_id(secret),
            user_id=user_id,
            username=username,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.ttl * 1000,
            user_agent=user_agent[:256],
        )
        pipe = self.r.pipeline(transaction=True)
        pipe.zadd(_index(user_id), {s.id: s.expires_at})
        pipe.zremrangebyscore(_index(user_id), 0, now)
        pipe.execute()
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(_key(s.id), mapping={k: str(v) for k, v in s.__dict__.items()})
        pipe.expire(_key(s.id), min(self.ttl, self.idle))
        pipe.execute()
        return secret, s

    def by_id(self, sid: str) -> Session | None:
        """The live session with this id (its touch included), else None."""
        flat = self.by_key(_key(sid))
        return _session(flat) if flat else None

    def by_key(self, key: str) -> list | None:
        """The live session's fields, flat, as the script answers (its touch included), else None."""
        return self._authenticate(keys=[key], args=self.authenticate_args())

    def authenticate(self, secret: str) -> Session | None:
        return self.by_id(session_id(secret))

    # For cache/principals.py, which runs the same authentication inside its own script (with the
    # caller's grant read in the same round trip): the script's body, its arguments, its answer.
    AUTHENTICATE = _AUTHENTICATE

    def authenticate_args(self) -> list[int]:
        return [int(time.time() * 1000), self.idle * 1000, TOUCH_EVERY_MS]

    @staticmethod
    def authenticated(flat: list | None) -> Session | None:
        return _session(flat) if flat else None

    def list(self, user_id: int) -> list[Session]:
        now = int(time.time() * 1000)
        self.r.zremrangebyscore(_index(user_id), 0, now)
        sids = self.r.zrange(_index(user_id), 0, -1)
        pipe = self.r.pipeline(transaction=False)
        for sid in sids:
            pipe.hgetall(_key(sid))
        found, gone = [], []
        for sid, data in zip(sids, pipe.execute()):
            if data.keys() >= set(FIELDS) and now - int(data["last_seen_at"]) <= self.idle * 1000:
                found.append(_session([x for kv in data.items() for x in kv]))
            else:
                gone.append(sid)
        if gone:
            self.r.zrem(_index(user_id), *gone)
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    def revoke(self, user_id: int, sid: str) -> bool:
        """Only a session of user_id can be revoked; another user's id is 'not found'."""
        if self.r.zrem(_index(user_id), sid) == 0:
            return False
        self.r.delete(_key(sid))
        return True

    def revoke_all(self, user_id: int, keep: str | None = None) -> list[str]:
        """Revokes every session of the user but `keep`; returns the ids revoked."""
        sids = [sid for sid in self.r.zrange(_index(user_id), 0, -1) if sid != keep]
        if sids:
            self.r.delete(*(_key(sid) for sid in sids))
            self.r.zrem(_index(user_id), *sids)
        return sids
