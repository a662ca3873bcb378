"""Use cases of tweets: post, read, delete, like and unlike."""
from __future__ import annotations

import logging
from typing import Protocol

from cache.client import REDIS_DOWN
from domain import rules
from domain.clock import now_ms
from domain.errors import Forbidden, NotFound
from domain.events import LikeChanged, TweetDeleted, TweetPosted, envelop
from domain.ids import new_id
from domain.pages import PageRequest, split_page
from social import media, ports

log = logging.getLogger(__name__)


class TweetPorts(Protocol):
    """What tweets and likes use: the graph, the cached read model the request writes through, and the event publisher."""

    tweets: ports.TweetStore
    users: ports.UserStore
    tweet_cache: ports.TweetCache
    feeds: ports.FeedStore
    bus: ports.EventPublisher
    media: ports.MediaStore
    blobs: ports.BlobStore


def _not_found() -> NotFound:
    return NotFound("tweet_not_found", "No such tweet.")


def post_tweet(svc: TweetPorts, author_id: int, text: str, media_ids: list[int] = ()) -> dict:
    """Neo4j first, with its event; then the tweet's cached body, the author's own feed, and the
    event's relay to the fan-out."""
    text = rules.check_tweet_text(text)
    media_ids = media.check_attachable(svc, author_id, list(media_ids))
    tweet_id = new_id()
    event = envelop(TweetPosted(tweet_id, author_id))
    tweet = svc.tweets.create(tweet_id, author_id, text, now_ms(), event, media_ids)
    try:
        svc.tweet_cache.put([tweet])  # before the event's relay: its live frame is spliced from this body
        svc.feeds.push([author_id], tweet_id)
        svc.tweet_cache.push_author_tweet(author_id, tweet_id)
    except REDIS_DOWN as err:
        # Committed is posted: a 503 now would make the client post it twice. The fan-out of its
        # event repeats these pushes (timeline.fan_out), and a missing body is read from Neo4j.
        log.warning("tweet %s posted; its read models wait for the fan-out: %s", tweet_id, err)
    svc.bus.publish(event)
    return tweet


def get_tweet(svc: TweetPorts, tweet_id: int, viewer_id: int | None) -> dict:
    found = svc.tweets.hydrate([tweet_id], viewer_id)
    if not found:
        raise _not_found()
    return found[0]


def delete_tweet(svc: TweetPorts, actor_id: int, tweet_id: int, may_delete_any: bool) -> None:
    author_id = svc.tweets.author_id(tweet_id)
    if author_id is None:
        raise _not_found()
    if author_id != actor_id and not may_delete_any:
        raise Forbidden("not_tweet_author", "Only its author or a moderator may delete a tweet.")
    event = envelop(TweetDeleted(tweet_id, author_id))
    carried = svc.media.of_tweet(tweet_id)
    if svc.tweets.delete(tweet_id, event):
        svc.bus.publish(event)
    svc.tweet_cache.forget_tweet(tweet_id, author_id)
    media.release(svc, carried)


def _like_written(svc: TweetPorts, event, row: dict | None) -> dict:
    """The exact count and the viewer's flag are written through to Redis; then a change (its event
    recorded with it) is relayed to ranking and notifications, whose frame shows that count."""
    change: LikeChanged = event.event
    if row is None:
        raise _not_found()
    svc.tweet_cache.set_like_count(change.tweet_id, row["version"], row["like_count"])
    svc.tweet_cache.set_liked(change.user_id, change.tweet_id, change.liked)
    if row["created" if change.liked else "removed"]:
        svc.bus.publish(event)
    return {"liked": change.liked, "like_count": row["like_count"]}


def like(svc: TweetPorts, user_id: int, tweet_id: int) -> dict:
    event = envelop(LikeChanged(user_id, tweet_id, True))
    return _like_written(svc, event, svc.tweets.like(user_id, tweet_id, now_ms(), event))


def unlike(svc: TweetPorts, user_id: int, tweet_id: int) -> dict:
    event = envelop(LikeChanged(user_id, tweet_id, False))
    return _like_written(svc, event, svc.tweets.unlike(user_id, tweet_id, event))


def likers(svc: TweetPorts, tweet_id: int, page: PageRequest, viewer_id: int | None) -> tuple[list, str | None]:
    if not svc.tweets.hydrate([tweet_id]):
        raise _not_found()
    rows, cursor = split_page(svc.tweets.likers_page(tweet_id, page), page.limit, lambda r: (r["ts"], r["id"]))
    return svc.users.hydrate([r["id"] for r in rows], viewer_id), cursor


def tweets_of(svc: TweetPorts, user_id: int, page: PageRequest, viewer_id: int | None) -> tuple[list, str | None]:
    ids, cursor = split_page(svc.tweets.by_author_page(user_id, page), page.limit, lambda i: (i,))
    return svc.tweets.hydrate(ids, viewer_id), cursor
