"""Owns `login_failures:{scope}:{value}`: failed logins per username and per IP in a fixed window."""
from __future__ import annotations

import redis


def _key(scope: str, value: str) -> str:
    return f"login_failures:{scope}:{value}"


class LoginAttempts:
    def __init__(self, r: redis.Redis, limit: int, window_seconds: int):
        self.r = r
        self.limit = limit
        self.window = window_seconds

    def blocked_for(self, username_key: str, ip: str) -> int:
        """Seconds until another attempt is allowed, 0 when it is allowed now."""
        keys = [_key("user", username_key), _key("ip", ip)]
        pipe = self.r.pipeline()
        for k in keys:
            pipe.get(k)
            pipe.ttl(k)
        values = pipe.execute()
        waits = [
            max(ttl, 1)
            for count, ttl in zip(values[0::2], values[1::2])
            if count is not None and int(count) >= self.limit
        ]
        return max(waits, default=0)

    def record_failure(self, username_key: str, ip: str) -> None:
        pipe = self.r.pipeline()
        for k in (_key("user", username_key), _key("ip", ip)):
            pipe.incr(k)
            pipe.expire(k, self.window, nx=True)
        pipe.execute()
