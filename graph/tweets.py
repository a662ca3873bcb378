"""Tweets and likes in the graph."""
from __future__ import annotations

from domain.events import Envelope
from domain.ids import public
from domain.pages import PageRequest
from graph.driver import Graph
from graph.outbox import group_committed, write_recording


class TweetRepository:
    def __init__(self, graph: Graph):
        self.graph = graph
        by_tweet = lambda item: (item["tweet_id"], item["user_id"])  # noqa: E731
        self._create = group_committed(graph, "tweets/create")
        self._like = group_committed(graph, "tweets/like", "created", by_tweet)
        self._unlike = group_committed(graph, "tweets/unlike", "removed", by_tweet)

    def create(self, tweet_id: int, author_id: int, text: str, now_ms: int, event: Envelope | None = None,
               media_ids: list[int] = ()) -> dict:
        """The new tweet's public object."""
        params = {"id": tweet_id, "author_id": author_id, "text": text, "now_ms": now_ms,
                  "media_ids": list(media_ids)}
        return public(self._create.submit((params, event)), "author")

    def hydrate(self, ids: list[int], viewer_id: int | None = None) -> list[dict]:
        """Public tweet objects in the order of ids; deleted ones are left out."""
        rows = {r["id"]: r for r in self.graph.read("tweets/hydrate", ids=ids, viewer_id=viewer_id)}
        return [public(rows[i], "author") for i in ids if i in rows]

    def liked_by_author(self, ids: list[int]) -> set[int]:
        """Those of ids whose author has liked them."""
        return {r["id"] for r in self.graph.read("tweets/liked_by_author", ids=ids)} if ids else set()

    def author_id(self, tweet_id: int) -> int | None:
        row = self.graph.read_one("tweets/author", id=tweet_id)
        return row["author_id"] if row else None

    def delete(self, tweet_id: int, event: Envelope | None = None) -> bool:
        return write_recording(self.graph, "tweets/delete", {"id": tweet_id}, event, when="deleted")["deleted"] > 0

    def like(self, user_id: int, tweet_id: int, now_ms: int, event: Envelope | None = None) -> dict | None:
        params = {"user_id": user_id, "tweet_id": tweet_id, "now_ms": now_ms}
        return self._like.submit((params, event))

    def unlike(self, user_id: int, tweet_id: int, event: Envelope | None = None) -> dict | None:
        params = {"user_id": user_id, "tweet_id": tweet_id}
        return self._unlike.submit((params, event))

    def likers_page(self, tweet_id: int, page: PageRequest) -> list[dict]:
        before_ts, before_id = page.key or (None, None)
        return self.graph.read(
            "tweets/likers_page",
            tweet_id=tweet_id,
            before_ts=before_ts,
            before_id=before_id,
            limit=page.limit + 1,
        )

    def by_author_page(self, user_id: int, page: PageRequest) -> list[int]:
        before_id = page.key[0] if page.key else None
        rows = self.graph.read(
            "tweets/by_author_page", user_id=user_id, before_id=before_id, limit=page.limit + 1
        )
        return [r["id"] for r in rows]

    def home_page(self, viewer_id: int, page: PageRequest) -> list[int]:
        before_id = page.key[0] if page.key else None
        rows = self.graph.read("feed/home", viewer_id=viewer_id, before_id=before_id, limit=page.limit + 1)
        return [r["id"] for r in rows]
