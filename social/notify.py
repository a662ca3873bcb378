"""The notify consumer group's handlers (jobs/handlers.py): push before persist. Each takes a run of
events of one kind, in stream order; the events join their recipients' notification groups in Redis
(cache/notification_groups.py, one round trip), each event's frame is built from that state and
pushed at once, and only then are the notifications written to Neo4j, the whole run in one
transaction, into the same groups. Idempotent, as a redelivered event must change nothing: a group
admits a member once, a frame is pushed once per event, the Neo4j write merges."""
from __future__ import annotations

from typing import Protocol

import orjson

from domain.clock import iso_ms
from domain.events import Envelope, TweetPosted, runs
from domain.ids import id_time_ms
from social import hydrate, live, ports, visibility

HOUR_MS = 3_600_000


class NotifyPorts(live.LivePorts, hydrate.HydratePorts, Protocol):
    """What notifying uses: the groups in Redis and in the graph, the cached tweets and users, and
    the live streams."""

    notifications: ports.NotificationStore
    notification_groups: ports.NotificationGroups


def _like_prefix(tweet_id: int) -> str:
    return f"like:{tweet_id}"


def _boost_prefix(tweet_id: int) -> str:
    return f"boost:{tweet_id}"


def item(event: Envelope, type: str, prefix: str, member: int, actor_id: int, recipient_id: int,
         tweet_id: int | None = None, message_id: int | None = None, nth: int = 0) -> dict:
    """One event as cypher/notifications/add.cypher and the Redis groups take it. The nth recipient
    of an event that notifies several (a reply that mentions) gets its own notification id, the
    event's id + nth."""
    return {
        "event_id": event.id + nth, "at_ms": event.at_ms, "hour": event.at_ms // HOUR_MS, "type": type,
        "prefix": prefix, "member": member, "actor_id": actor_id, "recipient_id": recipient_id,
        "tweet_id": tweet_id, "message_id": message_id,
    }


def notify(svc: NotifyPorts, pairs: list[tuple[Envelope, dict]], about: dict[int, dict] | None = None,
           then: list[tuple[int, Envelope, str, str]] = ()) -> None:
    """Joins each (event, item) to its recipient's group, pushes each event's frame (its group as the
    event left it, naming the event's own actor) and then the frames `then`, and only then writes
    the notifications to Neo4j. `about` holds, by event id, what a frame carries besides the group
    (its tweet or message)."""
    pairs = [(e, i) for e, i in pairs if i["recipient_id"] != i["actor_id"]]  # nobody hears of their own act
    relations = visibility.relations_of(svc, [i["recipient_id"] for _, i in pairs])
    pairs = [(e, i) for e, i in pairs if i["actor_id"] not in relations[i["recipient_id"]].hidden]
    if not pairs:
        live.push(svc, list(then))
        return
    joined = svc.notification_groups.join([i for _, i in pairs])
    briefs = hydrate.user_briefs(svc, list({a for j in joined for _, a in j.newest} | {i["actor_id"] for _, i in pairs}))
    frames = []
    for (event, it), group in zip(pairs, joined):
        if not group.mine or it["actor_id"] not in briefs:
            continue
        note = {
            "id": str(group.id), "type": it["type"], "group_key": f"{it['prefix']}@{group.bucket}",
            "actor": briefs[it["actor_id"]], "actors": [briefs[a] for _, a in group.newest if a in briefs],
            "count": group.count, "created_at": iso_ms(id_time_ms(group.id)),
            "read": False, **(about or {}).get(event.id, {}),
        }
        frames.append((it["recipient_id"], event, "notification", live.frame("notification", note)))
    live.push(svc, frames + list(then))
    svc.notifications.add([{**i, "bucket": g.bucket} for (_, i), g in zip(pairs, joined)])


def _liked_tweets(svc: NotifyPorts, events: list[Envelope]) -> dict[int, dict]:
    """Each liked (or boosted) tweet that still exists, as its author (the recipient) sees it."""
    own = hydrate.own_tweets_by_id(svc, list({e.event.tweet_id for e in events}))
    return {t: orjson.loads(b) for t, b in own.items()}


def _reactions(svc: NotifyPorts, events: list[Envelope], type: str, prefix, added) -> None:
    """Likes and boosts notify the tweet's author; their undoing takes them back (in order, run by run)."""
    tweets = _liked_tweets(svc, events)
    for on, run in runs(events, added):
        pairs = [
            (e, item(e, type, prefix(e.event.tweet_id), e.event.user_id, e.event.user_id,
                     int(tweets[e.event.tweet_id]["author"]["id"]), tweet_id=e.event.tweet_id))
            for e in run if e.event.tweet_id in tweets
        ]
        if on:
            notify(svc, pairs, {e.id: {"tweet": tweets[e.event.tweet_id]} for e, _ in pairs})
        else:
            _retract(svc, [i for _, i in pairs])


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
        recipients = [("reply", posted.reply_to_author_id)] + [("mention", m) for m in posted.mentioned_ids]
        for kind, recipient in recipients:
            if recipient is not None and recipient not in told:
                told.add(recipient)
                pairs.append((e, item(e, kind, f"{kind}:{posted.tweet_id}", posted.author_id, posted.author_id,
                                      recipient, tweet_id=posted.tweet_id, nth=len(pairs) - first)))
    if not pairs:
        return
    found = hydrate.tweets_by_id(svc, list({e.event.tweet_id for e, _ in pairs}), None)
    pairs = [(e, i) for e, i in pairs if e.event.tweet_id in found]
    notify(svc, pairs, {e.id: {"tweet": orjson.loads(found[e.event.tweet_id])} for e, _ in pairs})


def _retract(svc: NotifyPorts, items: list[dict]) -> None:
    svc.notification_groups.leave(items)
    svc.notifications.retract(items)


def _follow_item(e: Envelope) -> dict:
    return item(e, "follow", "follow", e.event.follower_id, e.event.follower_id, e.event.followee_id)


def on_follows(svc: NotifyPorts, events: list[Envelope]) -> None:
    notify(svc, [(e, _follow_item(e)) for e in events])


def on_unfollows(svc: NotifyPorts, events: list[Envelope]) -> None:
    _retract(svc, [_follow_item(e) for e in events])


def on_tweets_deleted(svc: NotifyPorts, events: list[Envelope]) -> None:
    groups = [{"recipient_id": e.event.author_id, "prefix": prefix(e.event.tweet_id)}
              for e in events for prefix in (_like_prefix, _boost_prefix)]
    svc.notification_groups.forget(groups)
    svc.notifications.forget(groups)
