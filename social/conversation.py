"""Use cases of conversation reads: a tweet's thread, tag pages, trending tags and search, and the
search consumer group's handler that makes new tweets searchable. Each read shows only what the
viewer sees (social/visibility.py): Cypher pages take `$hidden`, and every tweet passes the
hydration that leaves hidden authors out."""
from __future__ import annotations

from typing import Protocol

import orjson

from domain import entities, search as search_rules
from domain.clock import now_ms
from domain.events import Envelope
from domain.errors import NotFound
from domain.pages import PageRequest, encode_cursor, split_page
from social import hydrate, ports, visibility


class ConversationPorts(hydrate.HydratePorts, Protocol):
    """What the conversation reads use: hydration (with the visibility rule), the search indexes
    and the cached trending tags."""

    search: ports.SearchIndex
    trending: ports.TrendingCache


DESCENDANTS_LIMIT = 1000
TRENDING_WINDOW_MS = 24 * 3_600_000
TRENDING_SIZE = 50
SEARCH_CANDIDATES = 1000


def _placeholder(tweet_id: int, reason: str) -> bytes:
    """What a thread shows in place of a tweet that is deleted or hidden from the viewer."""
    return orjson.dumps({"id": str(tweet_id), "unavailable": reason})


def context(svc: ConversationPorts, tweet_id: int, viewer_id: int | None) -> bytes:
    """{ancestors, descendants}, oldest first. An ancestor deleted or hidden is a placeholder, so
    the thread reads on; a deleted reply that has replies is a placeholder, a hidden one is left out."""
    rows = svc.tweets.context(tweet_id, DESCENDANTS_LIMIT)
    if rows is None:
        raise NotFound("tweet_not_found", "No such tweet.")
    live = [r["id"] for r in rows["ancestors"] + rows["descendants"] if not r["deleted"]]
    found = hydrate.tweets_by_id(svc, [tweet_id, *live], viewer_id)
    if tweet_id not in found:
        raise NotFound("tweet_not_found", "No such tweet.")
    ancestors = [
        found.get(r["id"]) or _placeholder(r["id"], "deleted" if r["deleted"] else "hidden") for r in rows["ancestors"]
    ]
    descendants = [
        _placeholder(r["id"], "deleted") if r["deleted"] else found[r["id"]]
        for r in rows["descendants"]
        if r["deleted"] or r["id"] in found
    ]
    return b'{"ancestors":[%s],"descendants":[%s]}' % (b",".join(ancestors), b",".join(descendants))


def tagged(svc: ConversationPorts, tag: str, page: PageRequest, viewer_id: int | None) -> tuple[list[bytes], str | None]:
    hidden = sorted(visibility.hidden(svc, viewer_id))
    ids, cursor = split_page(svc.tweets.tag_page(entities.check_tag(tag), page, hidden), page.limit, lambda i: (i,))
    return hydrate.tweets_json(svc, ids, viewer_id), cursor


def trending(svc: ConversationPorts, k: int) -> list[dict]:
    """The top k tags of the last 24 hours, from the cached top (computed again when it expires)."""
    top = svc.trending.top(k)
    if top is None:
        rows = svc.tweets.trending_tags(now_ms() - TRENDING_WINDOW_MS, TRENDING_SIZE)
        svc.trending.replace(rows)
        top = rows[:k]
    return top


def search(svc: ConversationPorts, kind: str, q: str | None, page: PageRequest, viewer_id: int | None):
    """Tweets (as JSON bytes) or users matching q, best first. The cursor is the offset of the next
    page among the best SEARCH_CANDIDATES matches."""
    query = search_rules.lucene_query(search_rules.check_query(q))
    if query is None:
        return [], None
    skip = page.key[0] if page.key else 0
    hidden = sorted(visibility.hidden(svc, viewer_id))
    ids = svc.search.ids(kind, query, hidden, skip, page.limit + 1, SEARCH_CANDIDATES)
    cursor = encode_cursor((skip + page.limit,)) if len(ids) > page.limit else None
    ids = ids[: page.limit]
    if kind == "tweets":
        return hydrate.tweets_json(svc, ids, viewer_id), cursor
    return svc.users.hydrate(ids, viewer_id), cursor


def index_posted(svc: ConversationPorts, events: list[Envelope]) -> None:
    """A run of posts joins the search index in one transaction (jobs/handlers.py, the search group):
    searchable within about a second, at one index refresh per batch instead of one per post."""
    svc.search.index_tweets([e.event.tweet_id for e in events])
