"""Tweet objects for pages, spliced from Redis's pre-serialised bodies: the cached read path.
Whatever Redis lacks is read from Neo4j once and written back."""
from __future__ import annotations

from typing import Protocol

import orjson

from cache.home_page import Hydration
from social import ports


class HydratePorts(Protocol):
    """What hydration uses: the cached bodies, and the graph for what the cache lacks."""

    tweets: ports.TweetStore
    users: ports.UserStore
    feed_source: ports.FeedSource
    tweet_cache: ports.TweetCache


def _fill_bodies(svc: HydratePorts, ids: list[int], bodies: list) -> list:
    missing = [t for t, b in zip(ids, bodies) if b is None]
    if not missing:
        return bodies
    found = svc.tweets.hydrate(missing)
    fresh = svc.tweet_cache.put(found)
    return [b if b is not None else fresh.get(t) for t, b in zip(ids, bodies)]


def _fill_counts(svc: HydratePorts, ids: list[int], counts: list) -> list:
    missing = [t for t, c in zip(ids, counts) if c is None]
    if not missing:
        return counts
    fresh = {}
    for row in svc.feed_source.like_counts(missing):
        svc.tweet_cache.set_like_count(row["id"], row["version"], row["like_count"])
        fresh[row["id"]] = row["like_count"]
    return [c if c is not None else fresh.get(t, 0) for t, c in zip(ids, counts)]


def _liked(svc: HydratePorts, ids: list[int], viewer_id: int | None, liked) -> list[bool]:
    if viewer_id is None:
        return [False] * len(ids)
    if liked is None:
        all_liked = svc.feed_source.liked_by(viewer_id)
        svc.tweet_cache.load_liked(viewer_id, all_liked)
        liked_set = set(all_liked)
        return [t in liked_set for t in ids]
    return liked


def _authors(svc: HydratePorts, author_ids: list[int], known: dict[int, bytes]) -> dict[int, bytes]:
    """The authors' bodies: those already read (known), then Redis, then Neo4j for the rest."""
    unique = list(dict.fromkeys(author_ids))
    found = {a: known[a] for a in unique if known.get(a) is not None}
    rest = [a for a in unique if a not in found]
    if rest:
        found.update(zip(rest, svc.tweet_cache.users(rest)))
    missing = [a for a, b in found.items() if b is None]
    if missing:
        users = svc.users.hydrate(missing)
        found.update(svc.tweet_cache.put_users(users))
    return found


def user_briefs(svc: HydratePorts, user_ids: list[int]) -> dict[int, dict]:
    """{id, username, display_name} of each user that exists (ids as public strings)."""
    return {u: orjson.loads(b) for u, b in _authors(svc, user_ids, {}).items() if b is not None}


def assemble(svc: HydratePorts, read: Hydration, viewer_id: int | None) -> dict[int, bytes]:
    """JSON bytes of each tweet of read.ids that still exists, from what Redis held of it (read)
    and, for what it lacked, from Neo4j (written back)."""
    bodies = _fill_bodies(svc, read.ids, read.bodies)
    keep = [i for i, b in enumerate(bodies) if b is not None]
    ids = [read.ids[i] for i in keep]
    bodies = [bodies[i] for i in keep]
    counts = _fill_counts(svc, ids, [read.counts[i] for i in keep])
    liked = _liked(svc, ids, viewer_id, [read.liked[i] for i in keep] if read.liked is not None else None)
    split = [b.split(b"|", 1) for b in bodies]
    known = {int(b.split(b"|", 1)[0]): a for b, a in zip(read.bodies, read.authors) if b is not None}
    authors = _authors(svc, [int(a) for a, _ in split], known)
    return {
        t: head + b',"author":' + authors[int(a)] + b',"like_count":%d,"liked":%s}' % (n, b"true" if l else b"false")
        for t, (a, head), n, l in zip(ids, split, counts, liked)
        if authors.get(int(a)) is not None
    }


def tweets_by_id(svc: HydratePorts, ids: list[int], viewer_id: int | None) -> dict[int, bytes]:
    """JSON bytes of each tweet of ids that still exists."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    bodies, counts, liked = svc.tweet_cache.read(ids, viewer_id)
    return assemble(svc, Hydration(ids, bodies, counts, liked, [None] * len(ids)), viewer_id)


def tweets_json(svc: HydratePorts, ids: list[int], viewer_id: int | None) -> list[bytes]:
    """JSON bytes of each tweet that still exists, in the order of ids."""
    found = tweets_by_id(svc, ids, viewer_id)
    return [found[t] for t in ids if t in found]
