"""Owns `api_token:{hash}`: a short-lived cache of bearer token → owner, so API calls skip Neo4j."""
from __future__ import annotations

import json

import redis

TTL_SECONDS = 600


def key_of(token_hash: str) -> str:
    return f"api_token:{token_hash}"


def owner_of(raw: str | None) -> dict | None:
    return json.loads(raw) if raw else None


class TokenCache:
    def __init__(self, r: redis.Redis):
        self.r = r

    def get(self, token_hash: str) -> dict | None:
        return owner_of(self.r.get(key_of(token_hash)))

    def put(self, token_hash: str, owner: dict) -> None:
        self.r.set(key_of(token_hash), json.dumps(owner), ex=TTL_SECONDS)

    def forget(self, *token_hashes: str) -> None:
        if token_hashes:
            self.r.delete(*(key_of(h) for h in token_hashes))
