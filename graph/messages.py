"""Direct messages in the graph: (sender)-[:SENT]->(:Message)-[:TO]->(recipient)."""
from __future__ import annotations

from domain.events import Envelope
from domain.ids import public
from graph.driver import Graph
from graph.notifications import NO_ID
from graph.outbox import write_recording


def conversation_key(a: int, b: int) -> str:
    """The same for both directions of a conversation."""
    return f"{min(a, b)}:{max(a, b)}"


class MessageRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def create(self, message_id: int, sender_id: int, recipient_id: int, text: str, now_ms: int,
               event: Envelope) -> dict | None:
        params = {
            "id": message_id, "sender_id": sender_id, "recipient_id": recipient_id, "text": text,
            "now_ms": now_ms, "conversation": conversation_key(sender_id, recipient_id),
        }
        row = write_recording(self.graph, "messages/create", params, event)
        return public(row) if row else None

    def page_ids(self, a: int, b: int, before_id: int | None, limit: int) -> list[int]:
        rows = self.graph.read(
            "messages/page", conversation=conversation_key(a, b), before_id=before_id or NO_ID, limit=limit
        )
        return [r["id"] for r in rows]

    def hydrate(self, ids: list[int]) -> list[dict]:
        rows = {r["id"]: r for r in self.graph.read("messages/hydrate", ids=ids)}
        return [public(rows[i]) for i in ids if i in rows]
