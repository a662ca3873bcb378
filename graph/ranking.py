"""The graph side of ranking: the follow graph PageRank reads, the ranks it writes back, and the
popularity scores of recent tweets (cypher/ranking/)."""
from __future__ import annotations

from graph.driver import Graph


class RankingRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def follow_edges(self) -> list[dict]:
        """One row per user: its id and the ids it follows."""
        return self.graph.read("ranking/follow_edges")

    def write_ranks(self, rows: list[list]) -> None:
        self.graph.write("ranking/write_ranks", rows=rows)

    def rank_coverage(self) -> dict:
        """How many users there are, and how many hold a rank."""
        return self.graph.read_one("ranking/rank_coverage")

    def popular(self, now_ms: int, window_hours: int, k: int) -> list[dict]:
        return self.graph.read("ranking/popular", now_ms=now_ms, window_hours=window_hours, k=k)

    def tweet_scores(self, tweet_ids: list[int], now_ms: int) -> list[dict]:
        return self.graph.read("ranking/tweet_scores", ids=tweet_ids, now_ms=now_ms)
