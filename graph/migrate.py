"""Applies cypher/migrations/*.cypher in name order, once each, recorded as (:Migration) nodes."""
from __future__ import annotations

import logging

from neo4j.exceptions import ClientError

from graph.driver import CYPHER_DIR, Graph

log = logging.getLogger(__name__)
MIGRATIONS_DIR = CYPHER_DIR / "migrations"


def statements(text: str) -> list[str]:
    """Splits a migration file on ';' at line ends; '//' comment lines are dropped."""
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";").strip()]


def migrate(graph: Graph) -> list[str]:
    """Idempotent and safe to run from several processes: every statement is IF NOT EXISTS or MERGE."""
    applied = []
    with graph.session() as s:
        done = {r["id"] for r in s.run("MATCH (m:Migration) RETURN m.id AS id").data()}
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
    return applied
