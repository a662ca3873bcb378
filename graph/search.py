"""Full-text search over the graph's indexes (cypher/search/; users' index in migration 0020,
tweets' in 0040)."""
from __future__ import annotations

from neo4j.exceptions import ClientError

from domain.errors import BadRequest
from graph.driver import Graph


class SearchRepository:
    def __init__(self, graph: Graph):
        self.graph = graph

    def ids(self, kind: str, query: str, hidden: list[int], skip: int, limit: int, candidates: int) -> list[int]:
        """Ids of tweets or users (kind) matching a Lucene query built by domain/search.py, best
        first. Lucene's own refusals never leave this method as they are."""
        try:
            rows = self.graph.read(f"search/{kind}", query=query, hidden=hidden, skip=skip, limit=limit,
                                   candidates=candidates)
        except ClientError:
            raise BadRequest("invalid_query", "The search could not be understood.", field="q") from None
        return [r["id"] for r in rows]

    def index_tweets(self, tweet_ids: list[int]) -> None:
        """New tweets join the tweets' index, in one transaction: one refresh of the index for all."""
        self.graph.apply("search/index_tweets", ids=tweet_ids)
