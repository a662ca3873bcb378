"""Benchmark 6: the PageRank refresh (load the follow graph, rank, write back); and popularity."""
from __future__ import annotations

from bench.core import Context
from ranking.refresh import refresh_pagerank, refresh_popular
import time


def run(ctx: Context) -> None:
    stats = refresh_pagerank(ctx.svc)
    total = round(stats["load_s"] + stats["compute_s"] + stats["write_s"], 1)
    ctx.add(
        "6. PageRank refresh",
        total,
        "s",
        "≤ 20 s",
        total <= 20,
        f"load {stats['load_s']} s, compute {stats['compute_s']} s, write {stats['write_s']} s; "
        f"{stats['users']:,} users, {stats['edges']:,} edges",
    )
    started = time.perf_counter()
    scored = refresh_popular(ctx.svc)
    ctx.add("popularity full refresh", round(time.perf_counter() - started, 1), "s", "", None, f"{scored:,} recent tweets scored")
