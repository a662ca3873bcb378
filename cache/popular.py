"""Owns the top K read models: `popular:global` (the global top), `popular:author:{u:ID}` (each
author's best recent tweets), `popular:authors` (the authors who have such a top, so that a full
refresh drops the others' without scanning the keyspace) and `popular:net:{u:ID}` (a viewer's
network top, briefly cached, in the viewer's slot: the home page reads it with the feed)."""
from __future__ import annotations

import json
from collections import defaultdict

import redis

from cache.client import user_tag

GLOBAL = "popular:global"
AUTHORS = "popular:authors"
SENTINEL = "0"  # in AUTHORS once it is complete: without it, the keyspace is scanned once
CHUNK = 10_000
GLOBAL_SIZE = 1000
AUTHOR_SIZE = 20
NETWORK_TTL = 30


def author_key(author_id: int | str) -> str:
    return f"popular:author:{user_tag(author_id)}"


def network_key(user_id: int) -> str:
    return f"popular:net:{user_tag(user_id)}"


class Popular:
    def __init__(self, r: redis.Redis):
        self.r = r

    def replace_all(self, scored: list[dict]) -> None:
        """A full refresh: rows {id, author_id, score} for every recent tweet."""
        by_author: dict[int, dict[int, float]] = defaultdict(dict)
        for row in scored:
            by_author[row["author_id"]][row["id"]] = row["score"]
        best = sorted(scored, key=lambda r: (r["score"], r["id"]), reverse=True)[:GLOBAL_SIZE]
        stale = self._author_keys()
        pipe = self.r.pipeline(transaction=False)
        pipe.delete(GLOBAL)
        if best:
            pipe.zadd(GLOBAL, {r["id"]: r["score"] for r in best})
        for author_id, tweets in by_author.items():
            key = author_key(author_id)
            stale.discard(key)
            top = dict(sorted(tweets.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)[:AUTHOR_SIZE])
            pipe.delete(key)
            pipe.zadd(key, top)
        for key in stale:
            pipe.delete(key)
        pipe.delete(AUTHORS)
        authors = [SENTINEL, *by_author]
        for start in range(0, len(authors), CHUNK):
            pipe.sadd(AUTHORS, *authors[start : start + CHUNK])
        pipe.execute()

    def _author_keys(self) -> set[str]:
        known = self.r.smembers(AUTHORS)
        if SENTINEL in known:
            return {author_key(a) for a in known if a != SENTINEL}
        return set(self.r.scan_iter(match=author_key("*"), count=1000))  # the set was lost: once

    def update(self, scored: list[dict]) -> None:
        """An incremental rescore (likes changed): keeps both tops at their sizes."""
        pipe = self.r.pipeline(transaction=False)
        for row in scored:
            pipe.zadd(GLOBAL, {row["id"]: row["score"]})
            pipe.zadd(author_key(row["author_id"]), {row["id"]: row["score"]})
            pipe.zremrangebyrank(author_key(row["author_id"]), 0, -(AUTHOR_SIZE + 1))
        if scored:
            pipe.sadd(AUTHORS, *{row["author_id"] for row in scored})
        pipe.zremrangebyrank(GLOBAL, 0, -(GLOBAL_SIZE + 1))
        pipe.execute()

    def remove(self, tweet_id: int, author_id: int) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.zrem(GLOBAL, tweet_id)
        pipe.zrem(author_key(author_id), tweet_id)
        pipe.execute()

    def global_top(self, k: int) -> list[int]:
        return [int(m) for m in self.r.zrange(GLOBAL, 0, k - 1, desc=True)]

    def global_scores(self, k: int) -> list[tuple[int, float]]:
        return [(int(m), s) for m, s in self.r.zrange(GLOBAL, 0, k - 1, desc=True, withscores=True)]

    def compute_network_top(self, user_id: int, author_ids: list[int]) -> list[int]:
        """Merges the followed authors' own tops into the viewer's, cached for NETWORK_TTL seconds."""
        pipe = self.r.pipeline(transaction=False)
        for a in author_ids:
            pipe.zrange(author_key(a), 0, AUTHOR_SIZE - 1, desc=True, withscores=True)
        merged = [(s, int(m)) for rows in pipe.execute() for m, s in rows]
        top = [tweet_id for _, tweet_id in sorted(merged, reverse=True)[:GLOBAL_SIZE // 20]]
        self.r.set(network_key(user_id), json.dumps(top), ex=NETWORK_TTL)
        return top
