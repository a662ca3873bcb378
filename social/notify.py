"""The notify consumer group's handlers (jobs/handlers.py): each takes a run of events of one kind,
in stream order, writes their notifications in one transaction, pushes each recipient its group as
the event left it, and is idempotent, as a redelivered event must change nothing."""
from __future__ import annotations

from typing import Protocol

from domain.events import Envelope, TweetPosted, runs
from domain.ids import public
from social import live, ports, visibility
from social.notifications import present

HOUR_MS = 3_600_000


class NotifyPorts(live.LivePorts, Protocol):
    """What notifying uses: the notifications' graph store, the live streams, the cached tweets'
    authors, and the visibility rule (nobody is notified of what a user hidden from them did)."""

    notifications: ports.NotificationStore
    tweet_cache: ports.TweetCache


def _like_prefix(tweet_id: int) -> str:
    return f"like:{tweet_id}"


def _boost_prefix(tweet_id: int) -> str:
    return f"boost:{tweet_id}"


def item(event: Envelope, type: str, prefix: str, member: int, actor_id: int, recipient_id: int | None = None,
         tweet_id: int | None = None, message_id: int | None = None, nth: int = 0) -> dict:
    """One event as cypher/notifications/add.cypher takes it. The nth recipient of an event that
    notifies several (a reply that mentions) gets its own notification id, event id + nth."""
    return {
        "event_id": event.id + nth, "at_ms": event.at_ms, "hour": event.at_ms // HOUR_MS, "type": type,
        "prefix": prefix, "member": member, "actor_id": actor_id, "recipient_id": recipient_id,
        "tweet_id": tweet_id, "message_id": message_id,
    }


def _recipients(svc: NotifyPorts, pairs: list[tuple[Envelope, dict]]) -> list[int | None]:
    """Each item's recipient: named, or the author of its tweet (a like's, a boost's)."""
    unnamed = [i["tweet_id"] for _, i in pairs if i["recipient_id"] is None]
    authors = dict(zip(unnamed, svc.tweet_cache.authors_of(unnamed)))
    for tweet_id in [t for t, a in authors.items() if a is None]:
        authors[tweet_id] = svc.tweets.author_id(tweet_id)
    return [i["recipient_id"] if i["recipient_id"] is not None else authors[i["tweet_id"]] for _, i in pairs]


def _seen_by_recipient(svc: NotifyPorts, pairs: list[tuple[Envelope, dict]]) -> list[tuple[Envelope, dict]]:
    """Leaves out what an actor hidden from the recipient did (a blocked or muted user's mention)."""
    recipients = _recipients(svc, pairs)
    relations = visibility.relations_of(svc, [r for r in recipients if r is not None])
    return [
        pair for pair, r in zip(pairs, recipients)
        if r is not None and pair[1]["actor_id"] not in relations[r].hidden
    ]


def notify(svc: NotifyPorts, pairs: list[tuple[Envelope, dict]]) -> None:
    """Adds each (event, item) that its recipient sees to their notifications, then pushes to the
    recipient, for each event, its group as that event left it (so each frame names the event's
    own actor)."""
    pairs = _seen_by_recipient(svc, pairs)
    added, touched = svc.notifications.add([i for _, i in pairs])
    groups = {n["group_key"]: n for n in present(touched)}
    events = {i["event_id"]: e for e, i in pairs}
    frames = []
    for row in added:
        group = groups.get(row["group_key"])
        if group is None:
            continue
        actors = [public(a) for a in row["actors"]]
        note = {**group, "id": str(row["id"]), "actor": public(row["actor"]), "actors": actors, "count": row["count"],
                "created_at": row["created_at"], "read": row["read"]}
        frames.append((row["recipient_id"], events[row["event_id"]], "notification", live.frame("notification", note)))
    live.push(svc, frames)


def _reactions(svc: NotifyPorts, events: list[Envelope], type: str, prefix, added) -> None:
    """Likes and boosts notify the tweet's author; their undoing takes them back (in order, run by run)."""
    for on, run in runs(events, added):
        items = [
            (e, item(e, type, prefix(e.event.tweet_id), e.event.user_id, e.event.user_id, tweet_id=e.event.tweet_id))
            for e in run
        ]
        if on:
            notify(svc, items)
        else:
            svc.notifications.retract([i for _, i in items])


def on_likes(svc: NotifyPorts, events: list[Envelope]) -> None:
    _reactions(svc, events, "like", _like_prefix, lambda e: e.event.liked)


def on_boosts(svc: NotifyPorts, events: list[Envelope]) -> None:
    _reactions(svc, events, "boost", _boost_prefix, lambda e: e.event.boosted)


def on_tweets_posted(svc: NotifyPorts, events: list[Envelope]) -> None:
    """A reply notifies the author it answers (type reply); a mention notifies the mentioned user
    (type mention), unless the reply already told them. Each stands alone, as in Mastodon."""
    pairs = []
    for e in events:
        posted: TweetPosted = e.event
        told, first = {posted.author_id}, len(pairs)
        if posted.reply_to_author_id is not None and posted.reply_to_author_id not in told:
            told.add(posted.reply_to_author_id)
            pairs.append((e, item(e, "reply", f"reply:{posted.tweet_id}", posted.author_id, posted.author_id,
                                  recipient_id=posted.reply_to_author_id, tweet_id=posted.tweet_id,
                                  nth=len(pairs) - first)))
        for mentioned_id in posted.mentioned_ids:
            if mentioned_id not in told:
                told.add(mentioned_id)
                pairs.append((e, item(e, "mention", f"mention:{posted.tweet_id}", posted.author_id, posted.author_id,
                                      recipient_id=mentioned_id, tweet_id=posted.tweet_id, nth=len(pairs) - first)))
    notify(svc, pairs)


def on_follows(svc: NotifyPorts, events: list[Envelope]) -> None:
    notify(svc, [
        (e, item(e, "follow", "follow", e.event.follower_id, e.event.follower_id, recipient_id=e.event.followee_id))
        for e in events
    ])


def on_unfollows(svc: NotifyPorts, events: list[Envelope]) -> None:
    svc.notifications.retract([
        item(e, "follow", "follow", e.event.follower_id, e.event.follower_id, recipient_id=e.event.followee_id)
        for e in events
    ])


def on_tweets_deleted(svc: NotifyPorts, events: list[Envelope]) -> None:
    svc.notifications.forget([
        {"recipient_id": e.event.author_id, "prefix": prefix(e.event.tweet_id)}
        for e in events
        for prefix in (_like_prefix, _boost_prefix)
    ])
