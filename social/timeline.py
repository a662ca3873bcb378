"""The home feed as a read model: fan-out on write into Redis, merge of celebrities on read,
rebuild from Neo4j when cold. Neo4j stays the truth; every key here can be lost and rebuilt."""
from __future__ import annotations

from typing import Protocol

from domain.entries import Entry, boost_member, parse_member
from domain.events import BoostChanged, Envelope, Followed, TweetDeleted, Unfollowed
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
    new_tweets: ports.NewTweetWriter
    popular: ports.PopularLists
    fanout_threshold: int


def celebrities(svc: TimelinePorts) -> list[int]:
    known = svc.celebrities.members()
    if known is None:
        known = svc.feed_source.celebrities(svc.fanout_threshold)
        svc.celebrities.load(known)
    return known


def is_celebrity(svc: TimelinePorts, author_id: int) -> bool:
    """Above the threshold an author is merged at read time instead of fanned out."""
    celebrity = svc.feed_source.follower_count(author_id) > svc.fanout_threshold
    _settle_status(svc, author_id, celebrity, celebrities(svc))
    return celebrity


def _settle_status(svc: TimelinePorts, author_id: int, celebrity: bool, known: list[int]) -> None:
    """A change of status drops the followers' feeds, which then rebuild with the author on the
    right side."""
    if (author_id in known) != celebrity:
        svc.celebrities.mark(author_id, celebrity)
        svc.feeds.drop(svc.feed_source.followers(author_id))


def fan_out(svc: TimelinePorts, events: list[Envelope]) -> None:
    """A batch of posts, by author: one read of the authors' audiences, one push of each author's
    tweets. The request (post_tweet) updated the author's own feed and recent-tweets list already,
    unless Redis failed it after the commit: both are pushed again here (idempotent), in the same
    round trip as the readers' feeds."""
    by_author: dict[int, list[int]] = {}
    for e in events:
        by_author.setdefault(e.event.author_id, []).append(e.event.tweet_id)
    audiences = svc.feed_source.audiences(list(by_author), svc.fanout_threshold)
    known = celebrities(svc)
    for author_id, tweet_ids in by_author.items():
        followers = audiences.get(author_id, [])
        _settle_status(svc, author_id, followers is None, known)
        svc.new_tweets.fan_out(author_id, [author_id, *(followers or [])], tweet_ids)


def fan_out_boost(svc: TimelinePorts, event: BoostChanged) -> None:
    """A boost enters the booster's own and their followers' feeds (each only if it does not show
    the tweet yet), or a celebrity's recent entries; an unboost takes it back out."""
    member = boost_member(event.boost_id, event.tweet_id, event.user_id)
    celebrity = is_celebrity(svc, event.user_id)
    readers = [event.user_id] + ([] if celebrity else svc.feed_source.followers(event.user_id))
    if event.boosted:
        svc.feeds.push_boost(readers, event.boost_id, event.tweet_id, event.user_id)
        svc.tweet_cache.push_author_tweet(event.user_id, member)
    else:
        svc.feeds.remove_boost(readers, event.boost_id, event.tweet_id, event.user_id)
        svc.tweet_cache.remove_author_entry(event.user_id, member)


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
    svc.feeds.remove([event.follower_id], svc.feed_source.author_recent(event.followee_id, svc.feeds.most))


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


def home_page(svc: TimelinePorts, viewer_id: int, page: PageRequest, k: int = 0) -> tuple[HomePage, list[Entry], str | None]:
    """One page of the home feed as entries (entry id, tweet id, booster id or None) and, with k,
    the network top and what Redis holds of each tweet: cached entries merged with followed
    celebrities' recent ones; past the cached 800, the page continues from the Cypher query,
    ordered and paged the same way (by entry id)."""
    before = page.key[0] if page.key else None
    want = page.limit + 1
    got = _read(svc, viewer_id, before, want, k)
    entries = got.entries
    if len(entries) < want and got.full:
        rest = PageRequest(limit=want - len(entries) - 1, key=(entries[-1][0],) if entries else page.key)
        entries = entries + [parse_member(m) for m in svc.tweets.home_page(viewer_id, rest)]
    entries, cursor = split_page(entries, page.limit, lambda e: (e[0],))
    return got, entries, cursor


def home_entries(svc: TimelinePorts, viewer_id: int, page: PageRequest) -> tuple[list[Entry], str | None]:
    _, entries, cursor = home_page(svc, viewer_id, page)
    return entries, cursor
