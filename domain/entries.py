"""Home-feed entries: a post is its tweet id; a boost is `"{boost id}:{tweet id}:{booster id}"`.
Both are ordered and paged by their entry id (the tweet's, or the boost's own time-ordered id).
The cached feeds (cache/feeds.py) and the graph's feed queries (cypher/feed/) speak this form."""
from __future__ import annotations

Entry = tuple[int, int, int | None]  # (entry id, tweet id, booster id or None for a post)


def boost_member(boost_id: int, tweet_id: int, booster_id: int) -> str:
    return f"{boost_id}:{tweet_id}:{booster_id}"


def parse_member(member) -> Entry:
    text = member.decode() if isinstance(member, bytes) else str(member)
    if ":" not in text:
        return int(text), int(text), None
    entry, tweet, booster = text.split(":")
    return int(entry), int(tweet), int(booster)


def member_of(entry: Entry) -> str:
    entry_id, tweet_id, booster_id = entry
    return str(tweet_id) if booster_id is None else boost_member(entry_id, tweet_id, booster_id)
