"""Query plans warmed at start: every query of cypher/ (not migrations or the seed) is planned
once with EXPLAIN, which plans and caches without running anything, so the first request on a
fresh stack does not pay for Cypher planning (tens to hundreds of milliseconds a query). The plan
cache is the database server's, shared by every client, so `flask --app wsgi db migrate` does it
once, after the migrations (which would invalidate plans) and before the stack's processes start.

Neo4j's plan cache is keyed by the query text and its parameters' types, so each parameter gets a
sample of the type its name says (ids and limits are integers, `ids` lists of them, and so on).
"""
from __future__ import annotations

import logging
import re
import os
import time
from concurrent.futures import ThreadPoolExecutor

import neo4j.exceptions

from graph.driver import CYPHER_DIR, Graph, cypher

log = logging.getLogger(__name__)

SKIPPED = ("migrations", "seed")
THREADS = os.cpu_count() or 1
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_INTEGER = re.compile(r"(^|_)(id|limit|ms|ts|k|threshold|hours|up_to|count|version|skip|candidates)$")
_INTEGERS = re.compile(r"(^|_)(ids|exclude|hidden)$")
SAMPLES = {
    "suspended": False,
    "changes": {"bio": ""},
    "props": {"state": "ready"},
    "from_": ["uploading"],
    "roles": ["user"],
    "rows": [{"id": 1}],  # batches (UNWIND) of maps
    "items": [{"id": 1}],
    "events": [{"id": 1}],
}


def sample(name: str):
    """A value of the type a parameter of that name takes."""
    if name in SAMPLES:
        return SAMPLES[name]
    if _INTEGERS.search(name):
        return [1]
    if _INTEGER.search(name):
        return 1
    return "warmup"


def hot_queries() -> list[str]:
    return sorted(
        str(path.relative_to(CYPHER_DIR).with_suffix(""))
        for path in CYPHER_DIR.rglob("*.cypher")
        if path.relative_to(CYPHER_DIR).parts[0] not in SKIPPED
    )


def _plan(graph: Graph, names: list[str]) -> int:
    planned = 0
    with graph.session() as session:  # EXPLAIN runs nothing: no managed transaction needed
        for name in names:
            text = cypher(name)
            params = {p: sample(p) for p in dict.fromkeys(_PARAM.findall(text))}
            try:
                session.run("EXPLAIN " + text, params).consume()
                planned += 1
            except neo4j.exceptions.ClientError as err:  # a sample of the wrong type: planned at first use
                log.debug("warm-up skipped %s: %s", name, err.code)
    return planned


def warm(graph: Graph, threads: int = THREADS) -> int:
    """Plans every hot query once, on `threads` sessions at a time (planning is CPU work in Neo4j:
    one per core); returns how many were planned. A database that is down ends the warm-up
    quietly: the process starts anyway and /readyz tells."""
    started, planned = time.perf_counter(), 0
    names = hot_queries()
    try:
        with ThreadPoolExecutor(threads) as pool:
            planned = sum(pool.map(lambda share: _plan(graph, share), [names[i::threads] for i in range(threads)]))
    except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired, OSError) as err:
        log.warning("query warm-up stopped, Neo4j unavailable: %s", err)
    log.info("warmed %d query plans in %.2f s", planned, time.perf_counter() - started)
    return planned
