"""Tweets, replies, likes, boosts, bookmarks and tags in the graph."""
from __future__ import annotations

from typing import Callable

from domain.events import Envelope
from domain.ids import public
from domain.pages import PageRequest
from graph.driver import Graph
from graph.outbox import group_committed, write_recording, write_then_record


def _public(row: dict) -> dict:
    out = public(row, "author")
    if out.get("in_reply_to") is not None:
        out["in_reply_to"] = public(out["in_reply_to"], "author")
    return out


class TweetRepository:
    def __init__(self, graph: Graph):
        self.graph = graph
        by_tweet = lambda item: (item["tweet_id"], item["user_id"])  # noqa: E731
        self._create = group_committed(graph, "tweets/create")
        self._like = group_committed(graph, "tweets/like", by_tweet, rerunnable=True)
        self._unlike = group_committed(graph, "tweets/unlike", by_tweet, rerunnable=True)

    def create(self, tweet_id: int, author_id: int, text: str, now_ms: int, event: Envelope | None = None,
               media_ids: list[int] = (), *, in_reply_to_id: int | None = None, mentioned_ids: list[int] = (),
               tags: list[str] = ()) -> dict | None:
        """The new tweet's public object, with `parent_replies` (the answered tweet's reply count and
        its version) for a reply; None when the answered tweet is gone or its author blocks the poster."""
        params = {"id": tweet_id, "author_id": author_id, "text": text, "now_ms": now_ms,
                  "media_ids": list(media_ids), "in_reply_to_id": in_reply_to_id,
                  "mentioned_ids": list(mentioned_ids), "tags": list(tags)}
        row = self._create.submit((params, event))
        return _public(row) if row is not None else None

    def hydrate(self, ids: list[int], viewer_id: int | None = None) -> list[dict]:
        """Public tweet objects in the order of ids; deleted ones are left out."""
        rows = {r["id"]: r for r in self.graph.read("tweets/hydrate", ids=ids, viewer_id=viewer_id)}
        return [_public(rows[i]) for i in ids if i in rows]

    def author_id(self, tweet_id: int) -> int | None:
        row = self.graph.read_one("tweets/author", id=tweet_id)
        return row["author_id"] if row else None

    def delete(self, tweet_id: int, event: Envelope | None = None) -> dict | None:
        """{deleted, parent_replies} or None when there was no such tweet."""
        return write_recording(self.graph, "tweets/delete", {"id": tweet_id}, event, when="deleted")

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

    def boost(self, user_id: int, tweet_id: int, boost_id: int, now_ms: int,
              events_of: Callable[[dict], list[Envelope]]) -> tuple[dict | None, list[Envelope]]:
        """The row and the events that events_of made of it (recorded in the same transaction)."""
        params = {"user_id": user_id, "tweet_id": tweet_id, "boost_id": boost_id, "now_ms": now_ms}
        return write_then_record(self.graph, "tweets/boost", params, events_of)

    def unboost(self, user_id: int, tweet_id: int,
                events_of: Callable[[dict], list[Envelope]]) -> tuple[dict | None, list[Envelope]]:
        params = {"user_id": user_id, "tweet_id": tweet_id}
        return write_then_record(self.graph, "tweets/unboost", params, events_of)

    def bookmark(self, user_id: int, tweet_id: int, now_ms: int, on: bool) -> bool:
        """False when there is no such tweet."""
        if on:
            return self.graph.write_one("tweets/bookmark", user_id=user_id, tweet_id=tweet_id, now_ms=now_ms) is not None
        return self.graph.write_one("tweets/unbookmark", user_id=user_id, tweet_id=tweet_id) is not None

    def bookmarks_page(self, user_id: int, page: PageRequest, hidden: list[int]) -> list[dict]:
        before_ts, before_id = page.key or (None, None)
        return self.graph.read("tweets/bookmarks_page", user_id=user_id, hidden=hidden, before_ts=before_ts,
                               before_id=before_id, limit=page.limit + 1)

    def reply_target(self, tweet_id: int) -> int | None:
        """The author of a tweet that can be answered, or None."""
        row = self.graph.read_one("tweets/reply_target", id=tweet_id)
        return row["author_id"] if row else None

    def context(self, tweet_id: int, limit: int) -> dict | None:
        """{ancestors, descendants} as rows {id, deleted, parent?}, oldest first; None for no tweet."""
        return self.graph.read_one("tweets/context", id=tweet_id, limit=limit)

    def tag_page(self, tag: str, page: PageRequest, hidden: list[int]) -> list[int]:
        before_id = page.key[0] if page.key else None
        rows = self.graph.read("tweets/tag_page", tag=tag, hidden=hidden, before_id=before_id, limit=page.limit + 1)
        return [r["id"] for r in rows]

    def trending_tags(self, since_ms: int, k: int) -> list[dict]:
        return self.graph.read("tweets/trending_tags", since_ms=since_ms, k=k)

    def by_author_page(self, user_id: int, page: PageRequest) -> list[int]:
        before_id = page.key[0] if page.key else None
        rows = self.graph.read(
            "tweets/by_author_page", user_id=user_id, before_id=before_id, limit=page.limit + 1
        )
        return [r["id"] for r in rows]

    def home_page(self, viewer_id: int, page: PageRequest) -> list[str]:
        """Feed members past the cached ones (cypher/feed/home.cypher)."""
        before_id = page.key[0] if page.key else None
        rows = self.graph.read("feed/home", viewer_id=viewer_id, before_id=before_id, limit=page.limit + 1)
        return [r["member"] for r in rows]
