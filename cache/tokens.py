"""Owns `api_token:{hash}`: a short-lived cache of bearer token → owner, so API calls skip Neo4j."""
from __future__ import annotations

import json

import redis

TTL_SECONDS = 600


def _key(token_hash: str) -> str:
    return f"api_token:{token_hash}"


class TokenCache:
    def __init__(self, r: redis.Redis):
        self.r = r

    def get(self, token_hash: str) -> dict | None:
        raw = self.r.get(_key(token_hash))
        return json.loads(raw) if raw else None

    def put(self, token_hash: str, owner: dict) -> None:
        self.r.set(_key(token_hash), json.dumps(owner), ex=TTL_SECONDS)

    def forget(self, *token_hashes: str) -> None:
        if token_hashes:
            self.r.delete(*(_key(h) for h in token_hashes))
