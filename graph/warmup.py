"""Queries warmed at start, so the first request on a fresh stack does not pay for Cypher
planning or for the first run of a plan (tens to hundreds of milliseconds a query). The plan cache
is the database server's, shared by every client, so `flask --app wsgi db migrate` does it once,
after the migrations (which would invalidate plans) and before the stack's processes start.

A query anchored on ids (a parameter named `id`, `ids` or `..._id`) is run once in a transaction
that is rolled back: its sample ids match nothing, so it does no work and changes nothing, but a
plan only planned (EXPLAIN) still costs its first run several times a later one's. The others
(whole-graph analytics, ranking loads, searches) are only planned with EXPLAIN, which runs nothing.

Neo4j's plan cache is keyed by the query text and its parameters' types, so each parameter gets a
sample of the type its name says (ids and limits are integers, `ids` lists of them, and so on), and
a parameter that is often null (an anonymous viewer, a first page) is warmed both ways.
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

# Not warmed: the schema's and the seed's, and the shell's (`flask cypher run` of analytics and admin
# queries, where a person waits on one query once, not a request on many): 8 of 108 queries.
SKIPPED = ("migrations", "seed", "analytics", "admin")
THREADS = os.cpu_count() or 1
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_INTEGER = re.compile(
    r"(^|_)(i|id|limit|ms|ts|k|threshold|hours|hour|bucket|position|up_to|count|version|skip|candidates)$")
_INTEGERS = re.compile(r"(^|_)(ids|exclude|hidden)$")
_ANCHOR = re.compile(r"(^|_)(id|ids|items|rows|events)$")
NULLABLE = ("viewer_id", "before_id", "before_ts")
NO_ID = -1  # ids are positive: a sample id matches nothing
SAMPLES = {
    "suspended": False,
    "changes": {"bio": ""},
    "props": {"state": "ready"},
    "from_": ["uploading"],
    "roles": ["user"],
    "tags": ["warmup"],
}
BATCHES = ("rows", "items", "events")  # lists of maps, one per item of a batch (UNWIND)
_UNWIND = re.compile(r"UNWIND \$(\w+) AS (\w+)")


def sample(name: str):
    """A value of the type a parameter of that name takes."""
    if name in SAMPLES:
        return SAMPLES[name]
    if _INTEGERS.search(name):
        return [NO_ID]
    if _ANCHOR.search(name):
        return NO_ID
    if _INTEGER.search(name):
        return 1
    return "warmup"


def hot_queries() -> list[str]:
    return sorted(
        str(path.relative_to(CYPHER_DIR).with_suffix(""))
        for path in CYPHER_DIR.rglob("*.cypher")
        if path.relative_to(CYPHER_DIR).parts[0] not in SKIPPED
    )


def batch_sample(text: str, name: str) -> list[dict]:
    """One item of a batch parameter, with a sample of each key the query reads from it."""
    items = [var for param, var in _UNWIND.findall(text) if param == name]
    keys = re.findall(rf"\b{items[0]}\.(\w+)", text) if items else ["id"]
    return [{key: sample(key) for key in dict.fromkeys(keys)}]


def variants(text: str) -> list[dict]:
    """The sample parameters of a query: one set, and one more per combination of nullable ones."""
    names = list(dict.fromkeys(_PARAM.findall(text)))
    nullable = [n for n in names if n in NULLABLE]
    base = {n: batch_sample(text, n) if n in BATCHES else sample(n) for n in names}
    return [{n: None if n in nullable and mask >> nullable.index(n) & 1 else v for n, v in base.items()}
            for mask in range(2 ** len(nullable))]


def _run_rolled_back(session: neo4j.Session, text: str, params: dict) -> bool:
    """Whether the query ran; a sample its body cannot use (a batch of pairs, not of maps) fails it."""
    tx = session.begin_transaction()
    try:
        tx.run(text, params).consume()
        return True
    except neo4j.exceptions.ClientError:
        return False
    finally:
        tx.close()  # rolls back: never committed


def _warm_one(session: neo4j.Session, name: str) -> None:
    text = cypher(name)
    anchored = any(_ANCHOR.search(p) for p in _PARAM.findall(text))
    for params in variants(text):
        if not (anchored and _run_rolled_back(session, text, params)):
            session.run("EXPLAIN " + text, params).consume()


def _plan(graph: Graph, names: list[str]) -> int:
    planned = 0
    with graph.session() as session:
        for name in names:
            try:
                _warm_one(session, name)
                planned += 1
            except neo4j.exceptions.ClientError as err:  # a sample of the wrong type: planned at first use
                log.debug("warm-up skipped %s: %s", name, err.code)
    return planned


def warm(graph: Graph, threads: int = THREADS) -> int:
    """Warms every hot query, on `threads` sessions at a time (planning is CPU work in Neo4j: one
    per core); returns how many were warmed. A database that is down ends the warm-up
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
