"""Owns `login_failures:{scope}:{value}`: failed logins in a fixed window, counted three ways.

- per (account, client address): a hard block after `limit` failures: the guesser is stopped, but
  the owner, signing in from anywhere else, is not;
- per client address: a hard block after `limit` failures over every account (spraying);
- per account from anywhere: no block, only a growing delay (domain.credentials.login_delay_seconds).

Client addresses arrive already keyed (domain.credentials.client_key: IPv6 by /64).
"""
from __future__ import annotations

import redis


def _key(scope: str, value: str) -> str:
    return f"login_failures:{scope}:{value}"


class LoginAttempts:
    def __init__(self, r: redis.Redis, limit: int, window_seconds: int):
        self.r = r
        self.limit = limit
        self.window = window_seconds

    def _blocking(self, account: str, client: str) -> list[str]:
        return [_key("pair", f"{account}|{client}"), _key("ip", client)]

    def check(self, account: str, client: str) -> tuple[int, int]:
        """(seconds until this client may try this account again, 0 if now; the account's failures)."""
        pipe = self.r.pipeline(transaction=False)
        for k in self._blocking(account, client):
            pipe.get(k)
            pipe.ttl(k)
        pipe.get(_key("user", account))
        values = pipe.execute()
        pairs = values[:-1]
        waits = [
            max(ttl, 1)
            for count, ttl in zip(pairs[0::2], pairs[1::2])
            if count is not None and int(count) >= self.limit
        ]
        return max(waits, default=0), int(values[-1] or 0)

    def record_failure(self, account: str, client: str) -> bool:
        """Counts one failure; True when it just reached a block (a lockout to log)."""
        pipe = self.r.pipeline(transaction=False)
        for k in (*self._blocking(account, client), _key("user", account)):
            pipe.incr(k)
            pipe.expire(k, self.window, nx=True)
        counts = pipe.execute()[0:4:2]
        return any(int(c) == self.limit for c in counts)

    def record_success(self, account: str, client: str) -> None:
        """The owner got in from here: this address's failures for the account are forgiven."""
        self.r.delete(_key("pair", f"{account}|{client}"))
