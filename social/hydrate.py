"""Tweet objects for pages, spliced from Redis's pre-serialised bodies: the cached read path.
Whatever Redis lacks is read from Neo4j once and written back. Every tweet shown to a viewer
passes here, so this is where the visibility rule (social/visibility.py) leaves out hidden
authors and boosters."""
from __future__ import annotations

from typing import Protocol

import orjson

from cache.home_page import Rendered
from domain.entries import Entry
from domain.tweet_state import COUNTS, FLAGS
from social import ports, visibility


class HydratePorts(visibility.VisibilityPorts, Protocol):
    """What hydration uses: the cached bodies, the graph for what the cache lacks, and the visibility rule."""

    tweets: ports.TweetStore
    users: ports.UserStore
    feed_source: ports.FeedSource
    tweet_cache: ports.TweetCache


class _Authors:
    """As a viewer: each tweet as its own author sees it."""


AUTHORS = _Authors()
_TAIL = b',"like_count":%d,"liked":%s,"reply_count":%d,"boost_count":%d,"boosted":%s,"bookmarked":%s'
_BOOL = {True: b"true", False: b"false"}


def _fill_bodies(svc: HydratePorts, ids: list[int], bodies: list) -> list:
    missing = [t for t, b in zip(ids, bodies) if b is None]
    if not missing:
        return bodies
    fresh = svc.tweet_cache.put(svc.tweets.hydrate(missing))
    return [b if b is not None else fresh.get(t) for t, b in zip(ids, bodies)]


def _fill_counts(svc: HydratePorts, ids: list[int], counts: dict[str, list]) -> dict[str, list]:
    missing = [t for i, t in enumerate(ids) if any(counts[k][i] is None for k in COUNTS)]
    if not missing:
        return counts
    fresh: dict[str, dict[int, int]] = {k: {} for k in COUNTS}
    for row in svc.feed_source.counts(missing):
        for kind in COUNTS:
            svc.tweet_cache.set_count(kind, row["id"], row[f"{kind}_version"], row[f"{kind}_count"])
            fresh[kind][row["id"]] = row[f"{kind}_count"]
    return {k: [c if c is not None else fresh[k].get(t, 0) for t, c in zip(ids, counts[k])] for k in COUNTS}


def _own_flags(svc: HydratePorts, ids: list[int], author_ids: list[int]) -> dict[str, list]:
    """Each tweet's author's flags on it: from the authors' sets in the cache, and for the tweets of
    authors whose sets are cold, from one graph read for the batch (a cold author's sets are not
    loaded whole, one by one, for a notification)."""
    own = dict(zip(ids, svc.tweet_cache.own_flags(ids, author_ids)))
    cold = [t for t, f in own.items() if f is None]
    if cold:
        own.update(svc.feed_source.own_flags(cold))
    return {k: [(own.get(t) or {}).get(k, False) for t in ids] for k in FLAGS}


def _flags(svc: HydratePorts, ids: list[int], author_ids: list[int], viewer_id: int | _Authors | None,
           flags: dict[str, list | None]) -> dict[str, list]:
    if viewer_id is None:
        return {k: [False] * len(ids) for k in FLAGS}
    if viewer_id is AUTHORS:
        return _own_flags(svc, ids, author_ids)
    out = {}
    for kind in FLAGS:
        if flags[kind] is None:
            all_flagged = svc.feed_source.flagged_by(kind, viewer_id)
            svc.tweet_cache.load_flags(kind, viewer_id, all_flagged)
            flagged = set(all_flagged)
            out[kind] = [t in flagged for t in ids]
        else:
            out[kind] = flags[kind]
    return out


def users_json(svc: HydratePorts, user_ids: list[int], known: dict[int, bytes | None] | None = None) -> dict[int, bytes]:
    """{id, username, display_name} of each user: those already read (known), then
    `user_brief:{id}`, then Neo4j for the rest (written back)."""
    unique = list(dict.fromkeys(user_ids))
    found = {u: known[u] for u in unique if known and known.get(u) is not None}
    rest = [u for u in unique if u not in found]
    if rest:
        found.update(zip(rest, svc.tweet_cache.users(rest)))
    missing = [a for a, b in found.items() if b is None]
    if missing:
        found.update(svc.tweet_cache.put_users(svc.users.hydrate(missing)))
    return found


def user_briefs(svc: HydratePorts, user_ids: list[int]) -> dict[int, dict]:
    """{id, username, display_name} of each user that exists (ids as public strings)."""
    return {u: orjson.loads(b) for u, b in users_json(svc, user_ids).items() if b is not None}


def _tweet_bodies(svc: HydratePorts, ids: list[int], viewer_id: int | _Authors | None,
                  hidden: frozenset[int]) -> dict[int, bytes]:
    """JSON bytes, without the closing brace, of each tweet of ids that exists and is not hidden,
    from what Redis holds of it and, for what it lacks, from Neo4j (written back). The cache holds
    one viewer's flags at a time, so for AUTHORS it is read as for nobody."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    bodies, counts, flags = svc.tweet_cache.read(ids, None if viewer_id is AUTHORS else viewer_id)
    bodies = _fill_bodies(svc, ids, bodies)
    keep = [i for i, b in enumerate(bodies) if b is not None and int(b.split(b"|", 1)[0]) not in hidden]
    ids = [ids[i] for i in keep]
    split = [bodies[i].split(b"|", 1) for i in keep]
    counts = _fill_counts(svc, ids, {k: [v[i] for i in keep] for k, v in counts.items()})
    author_ids = [int(a) for a, _ in split]
    flags = _flags(svc, ids, author_ids, viewer_id, {k: None if v is None else [v[i] for i in keep] for k, v in flags.items()})
    authors = users_json(svc, author_ids)
    return {
        t: head + b',"author":' + authors[int(a)] + _TAIL % (
            counts["like"][n], _BOOL[flags["liked"][n]], counts["reply"][n], counts["boost"][n],
            _BOOL[flags["boosted"][n]], _BOOL[flags["bookmarked"][n]])
        for n, (t, (a, head)) in enumerate(zip(ids, split))
        if authors.get(int(a)) is not None
    }


def _rendered(read: Rendered, hidden: frozenset[int]) -> tuple[dict[int, bytes], set[int]]:
    """The tweets the page's script rendered whose authors are not hidden, and the ids it rendered."""
    shown, done = {}, set()
    for tweet_id, tweet in zip(read.ids, read.tweets):
        if tweet is not None:
            done.add(tweet_id)
            author, body = tweet.split(b"|", 1)
            if int(author) not in hidden:
                shown[tweet_id] = body
    return shown, done


def tweets_by_id(svc: HydratePorts, ids: list[int], viewer_id: int | None) -> dict[int, bytes]:
    """JSON bytes of each tweet of ids that exists and that the viewer sees."""
    bodies = _tweet_bodies(svc, ids, viewer_id, visibility.hidden(svc, viewer_id))
    return {t: b + b"}" for t, b in bodies.items()}


def own_tweets_by_id(svc: HydratePorts, ids: list[int]) -> dict[int, bytes]:
    """JSON bytes of each tweet of ids that exists, as its own author sees it: what a like or boost
    notification shows that author. The authors' flags of the whole batch come from one graph read,
    not from each author's sets in the cache (a cold author's would be loaded whole, one by one)."""
    return {t: b + b"}" for t, b in _tweet_bodies(svc, ids, AUTHORS, frozenset()).items()}


def tweets_json(svc: HydratePorts, ids: list[int], viewer_id: int | None) -> list[bytes]:
    """JSON bytes of each tweet that still exists and that the viewer sees, in the order of ids."""
    found = tweets_by_id(svc, ids, viewer_id)
    return [found[t] for t in ids if t in found]


def entries_json(svc: HydratePorts, entries: list[Entry], extra_ids: list[int], viewer_id: int | None,
                 read: Rendered | None = None) -> tuple[list[bytes], list[bytes]]:
    """Feed entries (entry id, tweet id, booster id or None) as tweets, a boost with `boosted_by`,
    each tweet once (its newest entry); and the tweets of extra_ids, hydrated in the same pass. The
    tweets the page's script rendered (read) are taken as they are; the rest are hydrated here.
    Entries by hidden authors or boosters are left out."""
    hidden = visibility.hidden(svc, viewer_id, read.relations if read is not None else None)
    entries = [e for e in entries if e[2] not in hidden]
    bodies, done = _rendered(read, hidden) if read is not None else ({}, set())
    bodies.update(_tweet_bodies(svc, [t for t in [e[1] for e in entries] + extra_ids if t not in done], viewer_id, hidden))
    boosters = users_json(svc, [e[2] for e in entries if e[2] is not None], read.users if read is not None else None)
    shown, seen = [], set()
    for _, tweet_id, booster_id in entries:
        body = bodies.get(tweet_id)
        if body is None or tweet_id in seen or (booster_id is not None and boosters.get(booster_id) is None):
            continue
        seen.add(tweet_id)
        shown.append(body + (b',"boosted_by":' + boosters[booster_id] + b"}" if booster_id is not None else b"}"))
    return shown, [bodies[t] + b"}" for t in extra_ids if t in bodies]
