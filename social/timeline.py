"""The home feed as a read model: fan-out on write into Redis, merge of celebrities on read,
rebuild from Neo4j when cold. Neo4j stays the truth; every key here can be lost and rebuilt."""
from __future__ import annotations

from typing import Protocol

from domain.events import Followed, TweetDeleted, TweetPosted, Unfollowed
from domain.pages import PageRequest, split_page
from cache.home_page import Cold, HomePage
from social import ports


class TimelinePorts(Protocol):
    """What the home-feed read model uses; above fanout_threshold followers an author is merged on read."""

    tweets: ports.TweetStore
    feed_source: ports.FeedSource
    feeds: ports.FeedStore
    home_pages: ports.HomePageReader
    celebrities: ports.CelebrityList
    tweet_cache: ports.TweetCache
    popular: ports.PopularLists
    fanout_threshold: int


def celebrities(svc: TimelinePorts) -> list[int]:
    known = svc.celebrities.members()
    if known is None:
        known = svc.feed_source.celebrities(svc.fanout_threshold)
        svc.celebrities.load(known)
    return known


def is_celebrity(svc: TimelinePorts, author_id: int) -> bool:
    """Above the threshold an author is merged at read time instead of fanned out. A change of
    status drops the followers' feeds, which then rebuild with the author on the right side."""
    celebrity = svc.feed_source.follower_count(author_id) > svc.fanout_threshold
    if (author_id in celebrities(svc)) != celebrity:
        svc.celebrities.mark(author_id, celebrity)
        svc.feeds.drop(svc.feed_source.followers(author_id))
    return celebrity


def fan_out(svc: TimelinePorts, event: TweetPosted) -> None:
    """The request (post_tweet) updated the author's own feed and recent-tweets list already, unless
    Redis failed it after the commit: both are pushed again here (idempotent)."""
    svc.tweet_cache.push_author_tweet(event.author_id, event.tweet_id)
    if is_celebrity(svc, event.author_id):
        svc.feeds.push([event.author_id], event.tweet_id)
    else:
        svc.feeds.push([event.author_id, *svc.feed_source.followers(event.author_id)], event.tweet_id)


def retract(svc: TimelinePorts, event: TweetDeleted) -> None:
    svc.feeds.remove([event.author_id, *svc.feed_source.followers(event.author_id)], [event.tweet_id])
    svc.popular.remove(event.tweet_id, event.author_id)


def backfill(svc: TimelinePorts, event: Followed) -> None:
    if event.followee_id in celebrities(svc):
        svc.feeds.add_celebrity(event.follower_id, event.followee_id)
    else:
        svc.feeds.push_many(event.follower_id, svc.feed_source.author_recent(event.followee_id, svc.feeds.size))


def unmerge(svc: TimelinePorts, event: Unfollowed) -> None:
    svc.feeds.remove_celebrity(event.follower_id, event.followee_id)
    svc.feeds.remove([event.follower_id], svc.feed_source.author_recent(event.followee_id, svc.feeds.size))


def _warm(svc: TimelinePorts, viewer_id: int, cold: Cold) -> None:
    if cold.celebrities is None:
        ids, celebs = svc.feed_source.rebuild(viewer_id, celebrities(svc), svc.feeds.size)
        svc.feeds.rebuild(viewer_id, ids, celebs)
    for c in cold.celebrities or ():
        svc.tweet_cache.load_author_tweets(c, svc.feed_source.author_recent(c, svc.tweet_cache.author_size))


def _read(svc: TimelinePorts, viewer_id: int, before: int | None, want: int, k: int) -> HomePage:
    """One script call when warm; a cold feed, then cold celebrity lists, are rebuilt and read again."""
    for _ in range(3):
        got = svc.home_pages.read(viewer_id, before, want, k)
        if not isinstance(got, Cold):
            return got
        _warm(svc, viewer_id, got)
    raise RuntimeError(f"the home feed of {viewer_id} stayed cold after its rebuild")


def home_page(svc: TimelinePorts, viewer_id: int, page: PageRequest, k: int = 0) -> tuple[HomePage, list[int], str | None]:
    """One page of the home feed (and, with k, the network top and what Redis holds of each tweet):
    cached ids merged with followed celebrities' recent tweets; past the cached 800, the page
    continues from the Cypher query, ordered and paged the same way."""
    before = page.key[0] if page.key else None
    want = page.limit + 1
    got = _read(svc, viewer_id, before, want, k)
    ids = got.ids
    if len(ids) < want and got.full:
        rest = PageRequest(limit=want - len(ids) - 1, key=(ids[-1],) if ids else page.key)
        ids = ids + svc.tweets.home_page(viewer_id, rest)
    ids, cursor = split_page(ids, page.limit, lambda i: (i,))
    return got, ids, cursor


def home_ids(svc: TimelinePorts, viewer_id: int, page: PageRequest) -> tuple[list[int], str | None]:
    _, ids, cursor = home_page(svc, viewer_id, page)
    return ids, cursor
