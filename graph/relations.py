"""Blocks, mutes and bookmarks in the graph: (:User)-[:BLOCKS|MUTES]->(:User), (:User)-[:BOOKMARKED]->(:Tweet)."""
from __future__ import annotations

import neo4j

from domain.events import Envelope, Unfollowed, envelop
from domain.pages import PageRequest
from domain.visibility import Relations
from graph.driver import Graph, cypher
from graph.outbox import record_params


def _block_and_record(tx: neo4j.ManagedTransaction, params: dict) -> tuple[bool, list[Envelope]]:
    row = tx.run(cypher("relations/block"), params).single()
    if row is None:
        return False, []
    events = [envelop(Unfollowed(a, b)) for a, b in row["unfollowed"]]
    for event in events:
        tx.run(cypher("outbox/record"), record_params(event)).consume()
    return row["created"], events


class RelationRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def relations(self, user_ids: list[int]) -> dict[int, Relations]:
        rows = self.graph.read("visibility/relations", ids=user_ids)
        return {
            r["user_id"]: Relations(frozenset(r["blocks"]), frozenset(r["blocked_by"]), frozenset(r["mutes"]))
            for r in rows
        }

    def block(self, user_id: int, other_id: int, now_ms: int) -> tuple[bool, list[Envelope]]:
        """Whether the block is new, and the Unfollowed events of the follows it removed (recorded in
        its transaction)."""
        params = {"user_id": user_id, "other_id": other_id, "now_ms": now_ms}
        with self.graph.session() as s:
            return s.execute_write(_block_and_record, params)

    def unblock(self, user_id: int, other_id: int) -> bool:
        return self.graph.write_one("relations/unblock", user_id=user_id, other_id=other_id)["removed"]

    def mute(self, user_id: int, other_id: int, now_ms: int) -> bool:
        return self.graph.write_one("relations/mute", user_id=user_id, other_id=other_id, now_ms=now_ms)["created"]

    def unmute(self, user_id: int, other_id: int) -> bool:
        return self.graph.write_one("relations/unmute", user_id=user_id, other_id=other_id)["removed"]

    def page(self, kind: str, user_id: int, page: PageRequest) -> list[dict]:
        """kind blocks or mutes: rows of (id, ts), newest first, limit + 1 of them."""
        before_ts, before_id = page.key or (None, None)
        return self.graph.read(f"relations/{kind}_page", user_id=user_id, before_ts=before_ts,
                               before_id=before_id, limit=page.limit + 1)
