"""Owns `session:{id}` hashes and `user_sessions:{user_id}` indexes: server-side login sessions.

The cookie carries a random secret; Redis keys and the public session id are its SHA-256, so a
listing of sessions never reveals a usable cookie.
"""
from __future__ import annotations

import hashlib
import secrets
import time
import redis

from domain.sessions import Session

TOUCH_EVERY_MS = 60_000


def session_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


def _key(sid: str) -> str:
    return f"session:{sid}"


def key_of(secret: str) -> str:
    return _key(session_id(secret))


def _index(user_id: int) -> str:
    return f"user_sessions:{user_id}"


class SessionStore:
    def __init__(self, r: redis.Redis, ttl_seconds: int):
        self.r = r
        self.ttl = ttl_seconds

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
        pipe = self.r.pipeline()
        pipe.hset(_key(s.id), mapping={k: str(v) for k, v in s.__dict__.items()})
        pipe.expire(_key(s.id), self.ttl)
        pipe.zadd(_index(user_id), {s.id: s.expires_at})
        pipe.zremrangebyscore(_index(user_id), 0, now)
        pipe.execute()
        return secret, s

    def _load(self, sid: str) -> Session | None:
        return self._parse(self.r.hgetall(_key(sid)))

    @staticmethod
    def _parse(data: dict) -> Session | None:
        if not data:
            return None
        return Session(
            id=data["id"],
            user_id=int(data["user_id"]),
            username=data["username"],
            csrf_token=data["csrf_token"],
            created_at=int(data["created_at"]),
            last_seen_at=int(data["last_seen_at"]),
            expires_at=int(data["expires_at"]),
            user_agent=data["user_agent"],
        )

    def authenticate(self, secret: str, loaded: dict | None = None) -> Session | None:
        """loaded: the session's hash when the caller already read it (cache/principals.py)."""
        s = self._load(session_id(secret)) if loaded is None else self._parse(loaded)
        if s is None:
            return None
        now = int(time.time() * 1000)
        if now - s.last_seen_at > TOUCH_EVERY_MS:
            self.r.hset(_key(s.id), "last_seen_at", str(now))
        return s

    def list(self, user_id: int) -> list[Session]:
        now = int(time.time() * 1000)
        self.r.zremrangebyscore(_index(user_id), 0, now)
        sessions = (self._load(sid) for sid in self.r.zrange(_index(user_id), 0, -1))
        return sorted((s for s in sessions if s), key=lambda s: s.created_at, reverse=True)

    def revoke(self, user_id: int, sid: str) -> bool:
        """Only a session of user_id can be revoked; another user's id is 'not found'."""
        if self.r.zrem(_index(user_id), sid) == 0:
            return False
        self.r.delete(_key(sid))
        return True

    def revoke_all(self, user_id: int) -> int:
        sids = self.r.zrange(_index(user_id), 0, -1)
        pipe = self.r.pipeline()
        for sid in sids:
            pipe.delete(_key(sid))
        pipe.delete(_index(user_id))
        pipe.execute()
        return len(sids)
