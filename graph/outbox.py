"""The transactional outbox in Neo4j: a write and the event that tells of it commit together.

`write_recording` runs a repository's write query and, in the same managed transaction (which the
driver retries as a whole), records the event as an (:Event:Unrelayed) node when the write did
something. The relay (jobs/relay.py) reads those nodes, appends them to Redis Streams and marks them.
"""
from __future__ import annotations

from domain.events import Envelope, unwrap
from graph.driver import Graph, Tx


def _record_params(event: Envelope) -> dict:
    return {"id": event.id, "type": event.type, "payload": event.payload(), "at_ms": event.at_ms}


def _write_and_record(tx: Tx, name: str, params: dict, event: Envelope, when: str | None) -> dict | None:
    rows = tx.run(name, **params)
    row = rows[0] if rows else None
    if row is not None and (when is None or row[when]):
        tx.run("outbox/record", **_record_params(event))
    return row


def _write_then_record(tx: Tx, name: str, params: dict, events_of) -> tuple[dict | None, list[Envelope]]:
    rows = tx.run(name, **params)
    row = rows[0] if rows else None
    events = events_of(row) if row is not None else []
    for event in events:
        tx.run("outbox/record", **_record_params(event))
    return row, events


def write_then_record(graph: Graph, name: str, params: dict, events_of) -> tuple[dict | None, list[Envelope]]:
    """The first row of the write `name` and the events that `events_of(row)` makes of it (the
    removed follows of a block, a boost with its id), recorded in the same transaction."""
    return graph.write_with(_write_then_record, name, params, events_of)


def write_recording(graph: Graph, name: str, params: dict, event: Envelope | None,
                    when: str | None = None) -> dict | None:
    """The first row of the write `name`; `event` is recorded with it when the row exists and its
    column `when` (if named) is true: a repeated like or follow changes nothing and tells no one."""
    if event is None:
        return graph.write_one(name, **params)
    return graph.write_with(_write_and_record, name, params, event, when)


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
