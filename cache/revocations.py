"""Owns the `credential_revoked` channel: each web worker's dispatcher hears on it that a session
or a token ended (logout, revocation, password change, suspension) and closes the live streams and
sockets that it authenticated. A message missed (Redis restarting) is caught by the recheck each
live connection makes at every heartbeat (web/live.py)."""
from __future__ import annotations

import redis

CHANNEL = "credential_revoked"
EVERY = "*"  # every credential of the user; one credential is named as domain.credentials names it


def encode(user_id: int, credentials: list[str] | None) -> str:
    return f"{user_id}\n{EVERY if credentials is None else ' '.join(credentials)}"


def decode(data: str) -> tuple[int, frozenset[str] | None]:
    """(user id, the credentials revoked, or None for all of the user's)."""
    user, _, names = data.partition("\n")
    return int(user), None if names == EVERY else frozenset(names.split())


class Revocations:
    def __init__(self, r: redis.Redis):
        self.r = r

    def announce(self, user_id: int, credentials: list[str] | None = None) -> None:
        """credentials None: every session and token of the user ended."""
        if credentials is None or credentials:
            self.r.publish(CHANNEL, encode(user_id, credentials))
