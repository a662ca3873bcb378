"""Blocks and mutes in the graph: (:User)-[:BLOCKS|MUTES {created_at}]->(:User)."""
from __future__ import annotations

from domain.events import Envelope, Unfollowed, envelop
from domain.pages import PageRequest
from domain.visibility import Relations
from graph.driver import Graph
from graph.outbox import write_then_record


def _unfollowed(row: dict) -> list[Envelope]:
    return [envelop(Unfollowed(a, b)) for a, b in row["unfollowed"]]


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
        row, events = write_then_record(self.graph, "relations/block", params, _unfollowed)
        return bool(row and row["created"]), events

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
