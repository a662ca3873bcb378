"""Benchmark 6: the PageRank refresh (load the follow graph, rank, write back), checked against
networkx on the same graph: the ranks written to Neo4j must equal networkx.pagerank within 1e-6.
And the full popularity refresh."""
from __future__ import annotations

import time

import networkx as nx

from bench.core import Context
from ranking.refresh import refresh_pagerank, refresh_popular

TOLERANCE = 1e-6


def _networkx_difference(ctx: Context) -> float:
    """The largest difference between a rank stored in Neo4j and networkx's for that user."""
    edges = ctx.svc.ranking.follow_edges()
    graph = nx.DiGraph()
    graph.add_nodes_from(edges["ids"])
    graph.add_edges_from((u, v) for u, follows in zip(edges["ids"], edges["follows"]) for v in follows)
    expected = nx.pagerank(graph, alpha=0.85, tol=1e-6)
    stored = ctx.svc.graph.driver.execute_query(
        "MATCH (u:User) RETURN u.id AS id, u.rank AS rank", result_transformer_=lambda r: r.data()
    )
    return max(abs((row["rank"] or 0.0) - expected[row["id"]]) for row in stored)


def run(ctx: Context) -> None:
    stats = refresh_pagerank(ctx.svc)
    total = round(stats["load_s"] + stats["compute_s"] + stats["write_s"], 1)
    difference = _networkx_difference(ctx)
    ctx.add(
        "6. PageRank refresh",
        total,
        "s",
        "≤ 20 s, = networkx within 1e-6",
        total <= 20 and difference <= TOLERANCE,
        f"load {stats['load_s']} s, compute {stats['compute_s']} s, write {stats['write_s']} s; "
        f"{stats['users']:,} users, {stats['edges']:,} edges; largest difference from networkx {difference:.1e}",
    )
    started = time.perf_counter()
    scored = refresh_popular(ctx.svc)
    ctx.add("popularity full refresh", round(time.perf_counter() - started, 1), "s", "", None, f"{scored:,} recent tweets scored")
