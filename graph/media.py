"""Media uploads in the graph: (:User)-[:UPLOADED]->(:Media), and (:Tweet)-[:HAS_MEDIA]->(:Media)."""
from __future__ import annotations

from domain.events import Envelope
from graph.driver import Graph
from graph.outbox import write_recording


class MediaRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def create(self, media_id: int, owner_id: int, media_type: str, total_bytes: int, chunk_size: int,
               now_ms: int, expires_ms: int) -> dict | None:
        """{media, owner_id}, or None when the owner does not exist."""
        return self.graph.write_one(
            "media/create", id=media_id, owner_id=owner_id, media_type=media_type, total_bytes=total_bytes,
            chunk_size=chunk_size, now_ms=now_ms, expires_ms=expires_ms)

    def get(self, media_id: int) -> dict | None:
        """{media, owner_id}."""
        return self.graph.read_one("media/get", id=media_id)

    def transition(self, media_id: int, from_states: tuple[str, ...], props: dict,
                   event: Envelope | None = None) -> dict | None:
        """{media, owner_id} after the change, or None when the upload was not in from_states; the
        event is recorded with a change."""
        params = {"id": media_id, "from_": list(from_states), "props": props}
        return write_recording(self.graph, "media/transition", params, event)

    def attachable(self, author_id: int, media_ids: list[int]) -> list[dict]:
        return self.graph.read("media/attachable", author_id=author_id, ids=media_ids)

    def of_tweet(self, tweet_id: int) -> list[int]:
        return [r["id"] for r in self.graph.read("media/of_tweet", tweet_id=tweet_id)]

    def release(self, media_ids: list[int]) -> list[int]:
        """Deletes those no tweet carries any longer; their ids."""
        return [r["id"] for r in self.graph.write("media/release", ids=media_ids)]

    def stale(self, now_ms: int, limit: int) -> list[int]:
        return [r["id"] for r in self.graph.read("media/stale", now_ms=now_ms, limit=limit)]

    def delete_unready(self, media_ids: list[int]) -> list[int]:
        return [r["id"] for r in self.graph.write("media/delete", ids=media_ids)]
