"""Owns `api_token:{hash}`: a short-lived cache of bearer token → owner, so API calls skip Neo4j.

A revoked token leaves a tombstone for longer than any entry lives, and an entry is only ever
added where there is none (SET NX): a lookup that read the graph just before a revoke can
therefore never put the revoked token back.
"""
from __future__ import annotations

import orjson
import time

import redis

TTL_SECONDS = 600
REVOKED = "revoked"
TOMBSTONE_SECONDS = 2 * TTL_SECONDS


def _key(token_hash: str) -> str:
    return f"api_token:{token_hash}"


key_of = _key


def owner_of(raw: str | None) -> dict | None:
    """The owner a cache entry names; None when not cached or revoked (the graph then answers)."""
    if raw is None or raw == REVOKED:
        return None
    return orjson.loads(raw)


class TokenCache:
    def __init__(self, r: redis.Redis):
        self.r = r

    def get(self, token_hash: str) -> dict | None:
        """The cached owner; None when not cached or revoked (the graph then answers)."""
        return owner_of(self.r.get(_key(token_hash)))

    def put(self, token_hash: str, owner: dict) -> None:
        """Never over a tombstone; an expiring token's entry lapses with it."""
        ttl_ms = TTL_SECONDS * 1000
        if owner.get("expires_at"):
            ttl_ms = min(ttl_ms, owner["expires_at"] - int(time.time() * 1000))
        if ttl_ms > 0:
            self.r.set(_key(token_hash), orjson.dumps(owner), px=ttl_ms, nx=True)

    def forget(self, *token_hashes: str) -> None:
        if token_hashes:
            pipe = self.r.pipeline(transaction=False)
            for h in token_hashes:
                pipe.set(_key(h), REVOKED, ex=TOMBSTONE_SECONDS)
            pipe.execute()
