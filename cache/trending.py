"""Owns `trending:tags`: the top tags of the last 24 hours, a read model refreshed from Neo4j at
most every REFRESH_SECONDS (by the first read after it expires), like the network's popular top."""
from __future__ import annotations

import orjson
import redis

TRENDING = "trending:tags"
SIZE = 50
REFRESH_SECONDS = 60


class TrendingTags:
    def __init__(self, r: redis.Redis):
        self.r = r

    def top(self, k: int) -> list[dict] | None:
        """[{tag, count}], most first; None when it must be computed again."""
        raw = self.r.get(TRENDING)
        return orjson.loads(raw)[:k] if raw is not None else None

    def replace(self, rows: list[dict]) -> None:
        self.r.set(TRENDING, orjson.dumps(rows[:SIZE]), ex=REFRESH_SECONDS)
