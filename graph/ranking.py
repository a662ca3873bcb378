"""The graph side of ranking: the follow graph PageRank reads, the ranks it writes back, and the
popularity scores of recent tweets (cypher/ranking/)."""
from __future__ import annotations

from graph.driver import Graph


class RankingRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def follow_edges(self) -> dict[str, list]:
        """`ids`, every user's id, and `follows`, at the same positions, the ids each follows."""
        return self.graph.read_one("ranking/follow_edges")

    def write_ranks(self, rows: list[list]) -> None:
        self.graph.write("ranking/write_ranks", rows=rows)

    def rank_coverage(self) -> dict:
        """How many users there are, and how many hold a rank."""
        return self.graph.read_one("ranking/rank_coverage")

    def popular(self, now_ms: int, window_hours: int) -> list[dict]:
        """Every recent tweet's score: {id, author_id, score}, in no order."""
        columns = self.graph.read_one("ranking/popular", now_ms=now_ms, window_hours=window_hours)
        return [{"id": i, "author_id": a, "score": s}
                for i, a, s in zip(columns["ids"], columns["author_ids"], columns["scores"])]

    def tweet_scores(self, tweet_ids: list[int], now_ms: int) -> list[dict]:
        return self.graph.read("ranking/tweet_scores", ids=tweet_ids, now_ms=now_ms)
