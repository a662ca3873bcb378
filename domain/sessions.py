"""A signed-in session as the service knows it: who, since when, until when, from which client."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Session:
    id: str
    user_id: int
    username: str
    csrf_token: str
    created_at: int
    last_seen_at: int
    expires_at: int
    user_agent: str
