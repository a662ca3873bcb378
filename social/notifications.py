"""Notifications (like, follow, message, reply, mention, boost) kept in Neo4j, and the frames pushed to each user's live
stream (web/events.py). The `on_*` functions are handlers of the notify consumer group
(jobs/handlers.py): each takes a run of events of one kind, in stream order, handles them in one
transaction, and is idempotent, as a redelivered event must change nothing."""
from __future__ import annotations

import orjson

from bootstrap import Services
from domain.events import Envelope, TweetPosted, runs
from domain.pages import PageRequest, split_page
from social import visibility

PUSH_BATCH = 1000
HOUR_MS = 3_600_000


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


def page(svc: Services, user_id: int, page: PageRequest) -> tuple[list[dict], str | None, int]:
    ids = svc.notifications.page_ids(user_id, page.key[0] if page.key else None, page.limit + 1)
    ids, cursor = split_page(ids, page.limit, lambda i: (i,))
    shown = _unhidden(present(svc.notifications.hydrate(ids)), visibility.hidden(svc, user_id))
    return shown, cursor, svc.notifications.unread_count(user_id)


def _unhidden(notes: list[dict], hidden: frozenset[int]) -> list[dict]:
    """Notifications without the actors the recipient does not see; one left with none goes."""
    shown = []
    for note in notes:
        actors = [a for a in note["actors"] if int(a["id"]) not in hidden]
        if actors:
            shown.append({**note, "actor": actors[0], "actors": actors} if len(actors) < len(note["actors"]) else note)
    return shown


def _recipients(svc: Services, pairs: list[tuple[Envelope, dict]]) -> list[int | None]:
    """Each item's recipient: named, or the author of its tweet (a like's, a boost's)."""
    unnamed = [i["tweet_id"] for _, i in pairs if i["recipient_id"] is None]
    authors = dict(zip(unnamed, svc.tweet_cache.authors_of(unnamed)))
    for tweet_id in [t for t, a in authors.items() if a is None]:
        authors[tweet_id] = svc.tweets.author_id(tweet_id)
    return [i["recipient_id"] if i["recipient_id"] is not None else authors[i["tweet_id"]] for _, i in pairs]


def _seen_by_recipient(svc: Services, pairs: list[tuple[Envelope, dict]]) -> list[tuple[Envelope, dict]]:
    """Leaves out what an actor hidden from the recipient did (a blocked or muted user's mention)."""
    recipients = _recipients(svc, pairs)
    relations = visibility.relations_of(svc, [r for r in recipients if r is not None])
    return [
        pair for pair, r in zip(pairs, recipients)
        if r is not None and pair[1]["actor_id"] not in relations[r].hidden
    ]


def mark_read(svc: Services, user_id: int, up_to: int | None) -> None:
    svc.notifications.mark_read(user_id, up_to)


def _ids_as_text(obj: dict) -> dict:
    obj = dict(obj)
    obj["id"] = str(obj["id"])
    if "author" in obj:
        obj["author"] = {**obj["author"], "id": str(obj["author"]["id"])}
    return obj


def present(rows: list[dict]) -> list[dict]:
    """The contract's notification objects; one about a tweet or message deleted since is left out."""
    shown = []
    for r in rows:
        if not r["actors"] or (r["about_tweet"] and r["tweet"] is None) or (r["about_message"] and r["message"] is None):
            continue
        actors = [_ids_as_text(a) for a in r["actors"]]
        note = {
            "id": str(r["id"]), "type": r["type"], "group_key": r["group_key"], "actor": actors[0],
            "actors": actors, "count": r["count"], "created_at": r["created_at"], "read": r["read"],
        }
        if r["tweet"] is not None:
            note["tweet"] = _ids_as_text(r["tweet"])
        if r["message"] is not None:
            note["message"] = _ids_as_text(r["message"])
        shown.append(note)
    return shown


def frame(kind: str, obj: dict) -> str:
    return orjson.dumps({"type": kind, kind: obj}).decode()


def push(svc: Services, frames: list[tuple[int, Envelope, str, str]]) -> None:
    """Appends each (user id, event, kind, frame) to the user's live stream, once per event and kind."""
    entries = [(user_id, f"{event.id}:{kind}", event.at_ms, kind, data) for user_id, event, kind, data in frames]
    for start in range(0, len(entries), PUSH_BATCH):
        svc.user_streams.push(entries[start:start + PUSH_BATCH])


def notify(svc: Services, pairs: list[tuple[Envelope, dict]]) -> None:
    """Adds each (event, item) to its recipient's notifications, then pushes to the recipient, for
    each event, its group as that event left it (so each frame names the event's own actor)."""
    pairs = _seen_by_recipient(svc, pairs)
    added, touched = svc.notifications.add([i for _, i in pairs])
    groups = {n["group_key"]: n for n in present(touched)}
    events = {i["event_id"]: e for e, i in pairs}
    frames = []
    for row in added:
        group = groups.get(row["group_key"])
        if group is None:
            continue
        actors = [_ids_as_text(a) for a in row["actors"]]
        note = {**group, "id": str(row["id"]), "actor": _ids_as_text(row["actor"]), "actors": actors, "count": row["count"],
                "created_at": row["created_at"], "read": row["read"]}
        frames.append((row["recipient_id"], events[row["event_id"]], "notification", frame("notification", note)))
    push(svc, frames)


def on_likes(svc: Services, events: list[Envelope]) -> None:
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


def on_boosts(svc: Services, events: list[Envelope]) -> None:
    """Boosts notify the tweet's author; unboosts take the boost back (in order, run by run)."""
    for boosted, run in runs(events, lambda e: e.event.boosted):
        items = [
            (e, item(e, "boost", _boost_prefix(e.event.tweet_id), e.event.user_id, e.event.user_id,
                     tweet_id=e.event.tweet_id))
            for e in run
        ]
        if boosted:
            notify(svc, items)
        else:
            svc.notifications.retract([i for _, i in items])


def on_tweets_posted(svc: Services, events: list[Envelope]) -> None:
    """A reply notifies the author it answers (type reply); a mention notifies the mentioned user
    (type mention), unless the reply already told them. Each stands alone, as in Mastodon."""
    pairs = []
    for e in events:
        posted: TweetPosted = e.event
        told, first = {posted.author_id}, len(pairs)
        if posted.reply_to_author_id is not None and posted.reply_to_author_id not in told:
            told.add(posted.reply_to_author_id)
            pairs.append((e, item(e, "reply", f"reply:{posted.tweet_id}", posted.author_id, posted.author_id,
                                  recipient_id=posted.reply_to_author_id, tweet_id=posted.tweet_id, nth=len(pairs) - first)))
        for mentioned_id in posted.mentioned_ids:
            if mentioned_id not in told:
                told.add(mentioned_id)
                pairs.append((e, item(e, "mention", f"mention:{posted.tweet_id}", posted.author_id, posted.author_id,
                                      recipient_id=mentioned_id, tweet_id=posted.tweet_id, nth=len(pairs) - first)))
    notify(svc, pairs)


def on_follows(svc: Services, events: list[Envelope]) -> None:
    notify(svc, [
        (e, item(e, "follow", "follow", e.event.follower_id, e.event.follower_id, recipient_id=e.event.followee_id))
        for e in events
    ])


def on_unfollows(svc: Services, events: list[Envelope]) -> None:
    svc.notifications.retract([
        item(e, "follow", "follow", e.event.follower_id, e.event.follower_id, recipient_id=e.event.followee_id)
        for e in events
    ])


def on_tweets_deleted(svc: Services, events: list[Envelope]) -> None:
    svc.notifications.forget([
        {"recipient_id": e.event.author_id, "prefix": prefix(e.event.tweet_id)}
        for e in events
        for prefix in (_like_prefix, _boost_prefix)
    ])


def announce_tweets(svc: Services, events: list[Envelope]) -> None:
    """A `tweet` frame, after the fan-out, for the author and the followers whose feeds it reached
    (a celebrity's tweets are merged into feeds at read time, so they are not pushed either) who
    had a stream open within the day."""
    for event in events:
        posted: TweetPosted = event.event
        readers = [posted.author_id]
        if svc.feed_source.follower_count(posted.author_id) <= svc.settings.fanout_follower_threshold:
            readers += svc.feed_source.followers(posted.author_id)
        readers = visibility.seeing(svc, svc.user_streams.recently_seen(readers), posted.author_id)
        found = svc.tweets.hydrate([posted.tweet_id]) if readers else []
        if found:
            data = frame("tweet", found[0])
            push(svc, [(reader, event, "tweet", data) for reader in readers])
