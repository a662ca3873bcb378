"""The transactional outbox in Neo4j: a write and the event that tells of it commit together.

`write_recording` runs a repository's write query and, in the same managed transaction (which the
driver retries as a whole), records the event as an (:Event:Unrelayed) node when the write did
something. `group_committed` does the same for a batch of concurrent writes of one kind (each item
with its own event and its own row), in one transaction (graph/group_commit.py) of one statement:
each item carries its event, which the batched query records when the item did something. The relay
(jobs/relay.py) reads those nodes, appends them to Redis Streams and marks them.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from neo4j.exceptions import ServiceUnavailable, SessionExpired

from domain.events import Envelope, unwrap
from graph.driver import Graph, Tx, advance_chain
from graph.group_commit import GroupCommit


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _record_params(event: Envelope) -> dict:
    """The event node's properties (cypher/outbox/record.cypher)."""
    return {"id": event.id, "type": event.type, "payload": event.payload(),
            "created_at": EPOCH + timedelta(milliseconds=event.at_ms)}


def _write_and_record(tx: Tx, name: str, params: dict, event: Envelope, when: str | None) -> dict | None:
    rows = tx.run(name, **params)
    row = rows[0] if rows else None
    if row is not None and (when is None or row[when]):
        tx.run("outbox/record", events=[_record_params(event)])
    return row


def _by_item(rows: list[dict], count: int) -> list[dict | None]:
    """The rows of a batched write in the order of its items (each row names its item's `i`)."""
    ordered: list[dict | None] = [None] * count
    for row in rows:
        ordered[row.pop("i")] = row
    return ordered


def _write_batch(tx: Tx, name: str, items: list[dict]) -> list[dict | None]:
    """The rows of the batched write `name`, by item, which records the items' events itself."""
    return _by_item(tx.run(name, items=items), len(items))


def _worth_alone(error: BaseException) -> bool:
    """A batch that failed because Neo4j is unreachable would fail item by item too."""
    return not isinstance(error, (ServiceUnavailable, SessionExpired))


class _Bookmarked(GroupCommit):
    """Each item's answer comes with the bookmarks of the batch's transaction, which the leader ran
    in its own context: every submitter's chain (graph/driver.py) moves on to them, so each user's
    write is followed by their reads on any node, whoever led the batch."""

    def submit(self, item):
        answer, bookmarks = super().submit(item)
        advance_chain(bookmarks)
        return answer


def group_committed(graph: Graph, name: str, lock_order: Callable[[dict], tuple] | None = None,
                    rerunnable: bool = False) -> GroupCommit:
    """A group-committing writer of the batched write `name` (its $items each carry `i`, which its
    rows return, and `events`, which it records when the item did something): submit((params, event
    or None)) answers that item's row, or None when it matched nothing. Items are written in
    `lock_order`, so that two batches lock nodes in the same order. A `rerunnable` write (likes,
    follows: run again, it changes nothing and records nothing) is one round trip, an auto-commit
    transaction tried again on transient errors (`Graph.apply`); the others (posts, whose second run
    would fail on the tweet's id) take a managed transaction's three, which fails rather than runs
    twice when the connection drops while it commits."""

    def write(batch: list[tuple[dict, Envelope | None]]) -> list[tuple[dict | None, object]]:
        items = [{**params, "i": i, "events": [] if event is None else [_record_params(event)]}
                 for i, (params, event) in enumerate(batch)]
        if lock_order:
            items.sort(key=lock_order)
        if rerunnable:
            rows, bookmarks = graph.apply_bookmarked(name, items=items)
            rows = _by_item(rows, len(items))
        else:
            rows, bookmarks = graph.write_bookmarked(_write_batch, name, items)
        return [(row, bookmarks) for row in rows]

    return _Bookmarked(write, alone=_worth_alone)


def _write_then_record(tx: Tx, name: str, params: dict, events_of) -> tuple[dict | None, list[Envelope]]:
    rows = tx.run(name, **params)
    row = rows[0] if rows else None
    events = events_of(row) if row is not None else []
    if events:
        tx.run("outbox/record", events=[_record_params(e) for e in events])
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
        return self.graph.apply("outbox/mark_relayed", ids=ids)[0]["marked"]

    def purge(self, before_ms: int, limit: int) -> int:
        return self.graph.apply("outbox/purge", before_ms=before_ms, limit=limit)[0]["purged"]
