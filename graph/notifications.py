"""Notifications in the graph: one node per group, joined by its actors (cypher/notifications/).
Writes take lists, so that a consumer handles a batch of events in one transaction."""
from __future__ import annotations

from graph.driver import Graph

NO_ID = 2**63 - 1  # "before every id": the first page, or every notification


class NotificationRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def add(self, items: list[dict]) -> None:
        """Each item into the group its bucket names (chosen by cache/notification_groups.py)."""
        if items:
            self.graph.apply("notifications/add", items=items)

    def retract(self, items: list[dict]) -> None:
        if items:
            self.graph.apply("notifications/retract", items=items)

    def forget(self, items: list[dict]) -> None:
        if items:
            self.graph.apply("notifications/forget", items=items)

    def page_ids(self, recipient_id: int, before_id: int | None, limit: int) -> list[int]:
        rows = self.graph.read(
            "notifications/page", recipient_id=recipient_id, before_id=before_id or NO_ID, limit=limit
        )
        return [r["id"] for r in rows]

    def hydrate(self, ids: list[int]) -> list[dict]:
        """Rows in the order of ids; ids that are gone are left out."""
        rows = {r["id"]: r for r in self.graph.read("notifications/hydrate", ids=ids)} if ids else {}
        return [rows[i] for i in ids if i in rows]

    def unread_count(self, recipient_id: int) -> int:
        return self.graph.read_one("notifications/unread_count", recipient_id=recipient_id)["unread"]

    def mark_read(self, recipient_id: int, up_to: int | None) -> int:
        row = self.graph.write_one("notifications/mark_read", recipient_id=recipient_id, up_to=up_to or NO_ID)
        return row["marked"]
