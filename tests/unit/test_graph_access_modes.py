"""Each named query of graph/ runs in the transaction its work needs: a query that only reads runs as
a read transaction (`Graph.read`: auto-commit in read mode), which a routing driver sends to a
secondary, and a write transaction only ever runs queries that write, so no read loads the primary
for nothing.
(Neo4j itself refuses a write in a read transaction: tests/integration/test_neo4j_routing.py.)"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from graph.driver import CYPHER_DIR

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "graph").glob("*.py")) + [ROOT / "web" / "cli_cypher.py"]
WRITES_DATA = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE)\b", re.IGNORECASE)
READ_CALLS = {"read", "read_one"}
WRITE_CALLS = {"write", "write_one", "apply", "apply_bookmarked"}
WRITERS_BY_NAME = {"write_recording", "write_then_record", "group_committed"}  # (graph, name, ...)


def _name(node: ast.expr) -> str | None:
    """A query name given as a literal, or as an f-string turned into a glob (`search/*`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "*" for v in node.values)
    return None


def _uses() -> list[tuple[str, str, str]]:
    """(where, "read" or "write", query name) of every named query that graph/ runs."""
    found = []
    for path in SOURCES:
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            func = call.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if called in READ_CALLS | WRITE_CALLS:
                named = [(call.args[0], "read" if called in READ_CALLS else "write")]
            elif called == "write_all":
                named = [(step.elts[0], "write") for step in call.args if isinstance(step, ast.Tuple)]
            elif called in WRITERS_BY_NAME and len(call.args) > 1:
                named = [(call.args[1], "write")]
            else:
                continue
            found += [(where, mode, name) for node, mode in named if (name := _name(node)) is not None]
    return found


def _writes(query: Path) -> bool:
    return bool(WRITES_DATA.search(re.sub(r"//[^\n]*", "", query.read_text(encoding="utf-8"))))


USES = _uses()


def test_the_audit_finds_the_repositories_queries():
    assert len(USES) > 80
    assert ("read", "feed/follower_count") in {(mode, name) for _, mode, name in USES}
    assert ("write", "tweets/like") in {(mode, name) for _, mode, name in USES}


@pytest.mark.parametrize("where,mode,name", USES, ids=[f"{m}:{n}" for _, m, n in USES])
def test_each_query_runs_as_the_transaction_it_needs(where, mode, name):
    files = sorted(CYPHER_DIR.glob(f"{name}.cypher"))
    assert files, f"{where}: no cypher/{name}.cypher"
    if "*" in name:  # an f-string: some query of the family must fit (users/{query}: the pages)
        assert any(_writes(f) == (mode == "write") for f in files), f"{where}: no {mode} query among {name}"
        return
    assert _writes(files[0]) == (mode == "write"), (
        f"{where}: {name} runs as a {mode} transaction but {'writes' if mode == 'read' else 'only reads'}")
