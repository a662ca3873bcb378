"""The graph side of the feed read model: what Redis rebuilds from and fans out to."""
from __future__ import annotations

from graph.driver import Graph


class FeedSource:
    def __init__(self, graph: Graph):
        self.graph = graph

    def rebuild(self, viewer_id: int, celebrity_ids: list[int], limit: int) -> tuple[list[str], list[int]]:
        """(feed members, newest first; the celebrities followed)."""
        row = self.graph.read_one(
            "feed/rebuild", viewer_id=viewer_id, celebrity_ids=celebrity_ids, limit=limit
        )
        return (row["members"], row["celebrities"]) if row else ([], [])

    def followers(self, author_id: int) -> list[int]:
        return self.graph.read_one("feed/followers", author_id=author_id)["ids"]

    def audiences(self, author_ids: list[int], threshold: int) -> dict[int, list[int] | None]:
        """Each author's followers, or None for an author above the threshold (a celebrity)."""
        return {r["author_id"]: r["ids"] for r in self.graph.read("feed/audiences", author_ids=author_ids,
                                                                   threshold=threshold)}

    def follower_count(self, author_id: int) -> int:
        row = self.graph.read_one("feed/follower_count", author_id=author_id)
        return row["followers"] if row else 0

    def author_recent(self, author_id: int, limit: int) -> list[str]:
        """The author's newest feed members: tweets and boosts."""
        return [r["member"] for r in self.graph.read("feed/author_recent", author_id=author_id, limit=limit)]

    def celebrities(self, threshold: int) -> list[int]:
        return self.graph.read_one("feed/celebrities", threshold=threshold)["ids"]

    def flagged_by(self, kind: str, user_id: int) -> list[int]:
        """Every tweet a user likes, boosts or bookmarks (kind liked, boosted, bookmarked): the
        complete set a viewer flag is read from."""
        return self.graph.read_one(f"tweets/{kind}_by", user_id=user_id)["ids"]

    def own_flags(self, tweet_ids: list[int]) -> dict[int, dict[str, bool]]:
        """Each tweet's own author's flags on it (liked, boosted, bookmarked)."""
        return {r.pop("id"): r for r in self.graph.read("tweets/own_flags", ids=tweet_ids)}

    def counts(self, tweet_ids: list[int]) -> list[dict]:
        return self.graph.read("tweets/counts", ids=tweet_ids)

    def following(self, user_id: int) -> list[int]:
        return self.graph.read_one("feed/following", user_id=user_id)["ids"]
