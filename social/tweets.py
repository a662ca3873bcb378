"""Use cases of tweets: post (and reply), read, delete, like, boost and bookmark."""
from __future__ import annotations

import logging
from typing import Protocol

from cache.client import REDIS_DOWN
from domain import entities, rules
from domain.clock import now_ms
from domain.errors import Forbidden, NotFound
from domain.events import BoostChanged, Envelope, LikeChanged, TweetDeleted, TweetPosted, envelop
from domain.ids import new_id
from domain.pages import PageRequest, split_page
from social import hydrate, media, ports, visibility

log = logging.getLogger(__name__)


class TweetPorts(hydrate.HydratePorts, visibility.VisibilityPorts, Protocol):
    """What tweets, replies, likes, boosts and bookmarks use: the graph, the cached read model the
    request writes through, the visibility rule, and the event publisher."""

    feeds: ports.FeedStore
    profiles: ports.ProfileCache
    bus: ports.EventPublisher
    new_tweets: ports.NewTweetWriter
    media: ports.MediaStore
    blobs: ports.BlobStore


def _not_found() -> NotFound:
    return NotFound("tweet_not_found", "No such tweet.")


def _reply_target(svc: TweetPorts, tweet_id: int) -> int | None:
    """The answered tweet's author, from its cached body, else from the graph (None: no such tweet).
    A tweet deleted since its body was read is caught by the write, which answers no row for it."""
    return svc.tweet_cache.author_of(tweet_id) or svc.tweets.reply_target(tweet_id)


def _users_named(svc: TweetPorts, username_keys: list[str]) -> dict[str, int]:
    """The mentioned users that exist, as {key: id}: from the names Redis knows, then the graph
    (remembered for the next post)."""
    found = svc.profiles.ids_of(username_keys)
    rest = [k for k in username_keys if k not in found]
    if rest:
        fresh = svc.users.ids_by_username(rest)
        svc.profiles.remember_ids(fresh)
        found |= fresh
    return {k: found[k] for k in username_keys if k in found}


def _write_reply_count(svc: TweetPorts, parent: dict | None) -> None:
    if parent is not None:
        svc.tweet_cache.set_count("reply", parent["id"], parent["version"], parent["count"])


def post_tweet(svc: TweetPorts, author_id: int, text: str, media_ids: list[int] = (),
               in_reply_to_id: int | None = None) -> dict:
    """Neo4j first, with its event and its reply, mention, tag and media edges; then the tweet's
    cached body, the author's own feed, and the event's relay to the fan-out and the notifications."""
    text = rules.check_tweet_text(text)
    media_ids = media.check_attachable(svc, author_id, list(media_ids))
    reply_to_author_id = None
    if in_reply_to_id is not None:
        reply_to_author_id = _reply_target(svc, in_reply_to_id)
        if reply_to_author_id is None:
            raise _not_found()
        visibility.check_may_interact(svc, author_id, reply_to_author_id)
    mentioned = _users_named(svc, entities.mentions(text))
    tweet_id = new_id()
    event = envelop(TweetPosted(tweet_id, author_id, in_reply_to_id, reply_to_author_id, tuple(mentioned.values())))
    tweet = svc.tweets.create(tweet_id, author_id, text, now_ms(), event, media_ids, in_reply_to_id=in_reply_to_id,
                              mentioned_ids=list(mentioned.values()), tags=entities.hashtags(text))
    if tweet is None:  # the answered tweet went, or its author blocked the poster, meanwhile
        raise _not_found()
    try:
        _write_reply_count(svc, tweet.pop("parent_replies"))
        # then the event's relay: its live frame is spliced from this body and these counts
        svc.new_tweets.write(tweet, event, svc.bus)
    except REDIS_DOWN as err:
        # Committed is posted: a 503 now would make the client post it twice. The relay's sweep
        # moves its event; its fan-out repeats these pushes (timeline.fan_out), and a missing body
        # is read from Neo4j.
        log.warning("tweet %s posted; its read models wait for the fan-out: %s", tweet_id, err)
    return tweet


def get_tweet(svc: TweetPorts, tweet_id: int, viewer_id: int | None) -> bytes:
    """The tweet as JSON bytes; 404 also when the viewer does not see its author."""
    found = hydrate.tweets_json(svc, [tweet_id], viewer_id)
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
    row = svc.tweets.delete(tweet_id, event)
    if row is not None:
        _write_reply_count(svc, row["parent_replies"])
        svc.bus.publish(event)
    svc.tweet_cache.forget_tweet(tweet_id, author_id)
    media.release(svc, carried)


def _author_checked(svc: TweetPorts, user_id: int, tweet_id: int) -> None:
    """404 for no tweet; 403 `blocked` when its author blocks the user (or the user them)."""
    author_id = svc.tweet_cache.author_of(tweet_id)
    if author_id is None:  # read once from Neo4j, then cached for the next like or boost
        found = svc.tweets.hydrate([tweet_id])
        if not found:
            raise _not_found()
        svc.tweet_cache.put(found)
        author_id = int(found[0]["author"]["id"])
    visibility.check_may_interact(svc, user_id, author_id)


def _like_written(svc: TweetPorts, event, row: dict | None) -> dict:
    """The exact count and the viewer's flag are written through to Redis; then a change (its event
    recorded with it) is relayed to ranking and notifications, whose frame shows that count."""
    change: LikeChanged = event.event
    if row is None:
        raise _not_found()
    svc.tweet_cache.set_count_and_flag("like", "liked", change.tweet_id, row["version"], row["like_count"],
                                       change.user_id, change.liked)
    if row["created" if change.liked else "removed"]:
        svc.bus.publish(event)
    return {"liked": change.liked, "like_count": row["like_count"]}


def like(svc: TweetPorts, user_id: int, tweet_id: int) -> dict:
    _author_checked(svc, user_id, tweet_id)
    event = envelop(LikeChanged(user_id, tweet_id, True))
    return _like_written(svc, event, svc.tweets.like(user_id, tweet_id, now_ms(), event))


def unlike(svc: TweetPorts, user_id: int, tweet_id: int) -> dict:
    event = envelop(LikeChanged(user_id, tweet_id, False))
    return _like_written(svc, event, svc.tweets.unlike(user_id, tweet_id, event))


def _change_boost(svc: TweetPorts, user_id: int, tweet_id: int, boosted: bool) -> dict:
    """The event is made from the write's row (the boost's id, the author), in its transaction."""
    at, event_id = now_ms(), new_id()

    def events_of(row: dict) -> list[Envelope]:
        if not row["created" if boosted else "removed"]:
            return []
        return [Envelope(event_id, at, BoostChanged(user_id, tweet_id, boosted, row["boost_id"], row["author_id"]))]

    if boosted:
        row, events = svc.tweets.boost(user_id, tweet_id, new_id(at), at, events_of)
    else:
        row, events = svc.tweets.unboost(user_id, tweet_id, events_of)
    if row is None:
        raise _not_found()
    svc.tweet_cache.set_count_and_flag("boost", "boosted", tweet_id, row["version"], row["boost_count"], user_id,
                                       boosted)
    for event in events:
        svc.bus.publish(event)
    return {"boosted": boosted, "boost_count": row["boost_count"]}


def boost(svc: TweetPorts, user_id: int, tweet_id: int) -> dict:
    """Boosting one's own tweet is allowed, as Mastodon allows it (docs/conversation.md)."""
    _author_checked(svc, user_id, tweet_id)
    return _change_boost(svc, user_id, tweet_id, True)


def unboost(svc: TweetPorts, user_id: int, tweet_id: int) -> dict:
    return _change_boost(svc, user_id, tweet_id, False)


def bookmark(svc: TweetPorts, user_id: int, tweet_id: int, on: bool) -> dict:
    if not svc.tweets.bookmark(user_id, tweet_id, now_ms(), on):
        raise _not_found()
    svc.tweet_cache.set_flag("bookmarked", user_id, tweet_id, on)
    return {"bookmarked": on}


def bookmarks(svc: TweetPorts, user_id: int, page: PageRequest) -> tuple[list[bytes], str | None]:
    hidden = sorted(visibility.hidden(svc, user_id))
    rows, cursor = split_page(svc.tweets.bookmarks_page(user_id, page, hidden), page.limit, lambda r: (r["ts"], r["id"]))
    return hydrate.tweets_json(svc, [r["id"] for r in rows], user_id), cursor


def likers(svc: TweetPorts, tweet_id: int, page: PageRequest, viewer_id: int | None) -> tuple[list, str | None]:
    if not svc.tweets.hydrate([tweet_id]):
        raise _not_found()
    rows, cursor = split_page(svc.tweets.likers_page(tweet_id, page), page.limit, lambda r: (r["ts"], r["id"]))
    return svc.users.hydrate([r["id"] for r in rows], viewer_id), cursor


def tweets_of(svc: TweetPorts, user_id: int, page: PageRequest, viewer_id: int | None) -> tuple[list[bytes], str | None]:
    ids, cursor = split_page(svc.tweets.by_author_page(user_id, page), page.limit, lambda i: (i,))
    return hydrate.tweets_json(svc, ids, viewer_id), cursor
