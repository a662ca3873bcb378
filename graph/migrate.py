"""Applies cypher/migrations/*.cypher in name order, once each, recorded as (:Migration) nodes,
and returns once every index is online; or, for work beside the process that applies them, waits
until they are applied."""
from __future__ import annotations

import logging
import time

import neo4j
from neo4j.exceptions import ClientError

from graph.driver import CYPHER_DIR, Graph

log = logging.getLogger(__name__)
MIGRATIONS_DIR = CYPHER_DIR / "migrations"
INDEX_WAIT_SECONDS = 1800  # the indexes of a bulk-loaded 100k-user graph fill in about 10 s here
AWAIT_POLL_SECONDS = 0.25


def statements(text: str) -> list[str]:
    """Splits a migration file on ';' at line ends; '//' comment lines are dropped."""
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";").strip()]


def _applied(session: neo4j.Session) -> set[str]:
    return {r["id"] for r in session.run("MATCH (m:Migration) RETURN m.id AS id").data()}


def _await_indexes(session: neo4j.Session, seconds: float) -> None:
    """A new index fills in the background; until it is online, queries that need it scan (and the
    warm-up would plan them so), and its filling competes with the first requests."""
    session.run("CALL db.awaitIndexes($seconds)", seconds=max(1, int(seconds))).consume()


def migrate(graph: Graph) -> list[str]:
    """Idempotent and safe to run from several processes: every statement is IF NOT EXISTS or MERGE."""
    applied = []
    with graph.session() as s:
        done = _applied(s)
        for path in sorted(MIGRATIONS_DIR.glob("*.cypher")):
            if path.stem in done:
                continue
            for stmt in statements(path.read_text(encoding="utf-8")):
                try:
                    s.run(stmt.rstrip(";")).consume()
                except ClientError as err:
                    if "EquivalentSchemaRuleAlreadyExists" not in (err.code or ""):
                        raise
            s.run(
                "MERGE (m:Migration {id: $id}) ON CREATE SET m.applied_at = datetime()",
                id=path.stem,
            ).consume()
            log.info("applied migration %s", path.stem)
            applied.append(path.stem)
        started = time.perf_counter()
        _await_indexes(s, INDEX_WAIT_SECONDS)
        if applied:
            log.info("indexes online after %.1f s", time.perf_counter() - started)
    return applied


def await_migrated(graph: Graph, seconds: float = INDEX_WAIT_SECONDS) -> None:
    """Returns once every migration has been applied (by another process) and every index is
    online; a TimeoutError after `seconds`."""
    wanted = {path.stem for path in MIGRATIONS_DIR.glob("*.cypher")}
    deadline = time.monotonic() + seconds
    with graph.session() as s:
        while not wanted <= _applied(s):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the migrations were not applied within {seconds} s")
            time.sleep(AWAIT_POLL_SECONDS)
        _await_indexes(s, deadline - time.monotonic())
