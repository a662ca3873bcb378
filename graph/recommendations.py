"""Recommendations from the follow graph: the queries in cypher/recommendations/."""
from __future__ import annotations

from graph.driver import Graph


class RecommendationRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def who_to_follow(self, user_id: int, limit: int, hidden: list[int] = ()) -> list[dict]:
        """Friends of friends, best first, none in hidden: rows of (id, username, common,
        adamic_adar, rank, boost, score, via)."""
        return self.graph.read("recommendations/who_to_follow", user_id=user_id, limit=limit, hidden=list(hidden))

    def popular_users(self, user_id: int, limit: int, exclude: list[int]) -> list[dict]:
        """The best-ranked accounts the user does not follow, other than those in exclude (which
        holds those hidden from the user too)."""
        return self.graph.read(
            "recommendations/popular_users", user_id=user_id, limit=limit, exclude=exclude
        )
