"""The transactional outbox in Neo4j: a write and the event that tells of it commit together.

`write_recording` runs a repository's write query and, in the same managed transaction (which the
driver retries as a whole), records the event as an (:Event:Unrelayed) node when the write did
something. The relay (jobs/relay.py) reads those nodes, appends them to Redis Streams and marks them.
"""
from __future__ import annotations

import neo4j

from graph.driver import Graph, cypher
from domain.events import Envelope, unwrap


def record_params(event: Envelope) -> dict:
    return {"id": event.id, "type": event.type, "payload": event.payload(), "at_ms": event.at_ms}


def _write_and_record(tx: neo4j.ManagedTransaction, query: str, params: dict, record: str,
                      event: dict, when: str | None) -> dict | None:
    rows = tx.run(query, params).data()
    row = rows[0] if rows else None
    if row is not None and (when is None or row[when]):
        tx.run(record, event).consume()
    return row


def write_recording(graph: Graph, name: str, params: dict, event: Envelope | None,
                    when: str | None = None) -> dict | None:
    """The first row of the write `name`; `event` is recorded with it when the row exists and its
    column `when` (if named) is true: a repeated like or follow changes nothing and tells no one."""
    if event is None:
        return graph.write_one(name, **params)
    with graph.session() as s:
        return s.execute_write(
            _write_and_record, cypher(name), params, cypher("outbox/record"), record_params(event), when
        )


class Outbox:
    """The relay's side of the outbox."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def stale(self, before_ms: int, limit: int) -> list[Envelope]:
        return [unwrap(**row) for row in self.graph.read("outbox/stale", before_ms=before_ms, limit=limit)]

    def mark_relayed(self, ids: list[int]) -> int:
        return self.graph.write_one("outbox/mark_relayed", ids=ids)["marked"]

    def purge(self, before_ms: int, limit: int) -> int:
        return self.graph.write_one("outbox/purge", before_ms=before_ms, limit=limit)["purged"]
