"""Ranking procedures run by jobs: PageRank written back to Neo4j, popularity into Redis."""
from __future__ import annotations

import logging
import time
from typing import Protocol

import numpy as np

from domain.clock import now_ms
from ranking.pagerank import pagerank
from social import ports


class RankingPorts(Protocol):
    """What the ranking procedures use: the graph they score and the top lists they write."""

    ranking: ports.RankingSource
    popular: ports.PopularLists

log = logging.getLogger(__name__)
WRITE_BATCH = 10_000
WINDOW_HOURS = 7 * 24


def refresh_pagerank(svc: RankingPorts) -> dict:
    """Loads the FOLLOWS graph as adjacency lists, ranks it, writes User.rank in batches."""
    started = time.perf_counter()
    edges = svc.ranking.follow_edges()
    ids = np.array(edges["ids"], dtype=np.int64)
    index = {u: i for i, u in enumerate(edges["ids"])}
    degree = np.fromiter(map(len, edges["follows"]), dtype=np.int64, count=len(ids))
    sources = np.repeat(np.arange(len(ids)), degree)
    targets = np.fromiter((index[v] for follows in edges["follows"] for v in follows), dtype=np.int64,
                          count=int(degree.sum()))
    loaded = time.perf_counter()
    ranks = pagerank(len(ids), sources, targets)
    computed = time.perf_counter()
    pairs = [[int(u), float(r)] for u, r in zip(ids, ranks)]
    for start in range(0, len(pairs), WRITE_BATCH):
        svc.ranking.write_ranks(pairs[start : start + WRITE_BATCH])
    stats = {
        "users": len(ids),
        "edges": int(degree.sum()),
        "load_s": round(loaded - started, 2),
        "compute_s": round(computed - loaded, 2),
        "write_s": round(time.perf_counter() - computed, 2),
    }
    log.info("pagerank refreshed: %s", stats)
    return stats


def ranks_missing(svc: RankingPorts) -> bool:
    """A new graph (or one loaded in bulk since the last run) where most users have no rank yet."""
    coverage = svc.ranking.rank_coverage()
    return coverage["users"] > 2 * coverage["ranked"]


def refresh_pagerank_if_missing(svc: RankingPorts) -> dict | None:
    """Runs PageRank now rather than at the next period when ranks are missing; else does nothing."""
    return refresh_pagerank(svc) if ranks_missing(svc) else None


def refresh_popular(svc: RankingPorts, at_ms: int | None = None) -> int:
    """Recomputes every recent tweet's score (time decay moves them all) and replaces the tops."""
    scored = svc.ranking.popular(at_ms or now_ms(), WINDOW_HOURS)
    svc.popular.replace_all(scored)
    return len(scored)


def rescore(svc: RankingPorts, tweet_ids: list[int], at_ms: int | None = None) -> None:
    """A like or unlike moved these tweets: their scores are recomputed now."""
    svc.popular.update(svc.ranking.tweet_scores(tweet_ids, at_ms or now_ms()))
