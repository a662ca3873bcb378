"""The notify consumer group's handlers (jobs/handlers.py): each takes a run of events of one kind,
in stream order, writes their notifications in one transaction, pushes each recipient its group as
the event left it, and is idempotent, as a redelivered event must change nothing."""
from __future__ import annotations

from typing import Protocol

from domain.events import Envelope, runs
from domain.ids import public
from social import live, ports
from social.notifications import present

HOUR_MS = 3_600_000


class NotifyPorts(live.LivePorts, Protocol):
    """What notifying uses: the notifications' graph store and the live streams."""

    notifications: ports.NotificationStore


def _like_prefix(tweet_id: int) -> str:
    return f"like:{tweet_id}"


def item(event: Envelope, type: str, prefix: str, member: int, actor_id: int, recipient_id: int | None = None,
         tweet_id: int | None = None, message_id: int | None = None) -> dict:
    """One event as cypher/notifications/add.cypher takes it."""
    return {
        "event_id": event.id, "at_ms": event.at_ms, "hour": event.at_ms // HOUR_MS, "type": type,
        "prefix": prefix, "member": member, "actor_id": actor_id, "recipient_id": recipient_id,
        "tweet_id": tweet_id, "message_id": message_id,
    }


def notify(svc: NotifyPorts, pairs: list[tuple[Envelope, dict]]) -> None:
    """Adds each (event, item) to its recipient's notifications, then pushes to the recipient, for
    each event, its group as that event left it (so each frame names the event's own actor)."""
    added, touched = svc.notifications.add([i for _, i in pairs])
    groups = {n["group_key"]: n for n in present(touched)}
    events = {e.id: e for e, _ in pairs}
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


def on_likes(svc: NotifyPorts, events: list[Envelope]) -> None:
    """Likes notify the tweet's author; unlikes take the like back (in order, run by run)."""
    for liked, run in runs(events, lambda e: e.event.liked):
        items = [
            (e, item(e, "like", _like_prefix(e.event.tweet_id), e.event.user_id, e.event.user_id, tweet_id=e.event.tweet_id))
            for e in run
        ]
        if liked:
            notify(svc, items)
        else:
            svc.notifications.retract([i for _, i in items])


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
        {"recipient_id": e.event.author_id, "prefix": _like_prefix(e.event.tweet_id)} for e in events
    ])
