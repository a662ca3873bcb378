"""Frames pushed to users' live streams (served by web/events.py): each frame is appended to the
user's Redis stream once per event and kind, so a reconnecting client replays exactly what it missed."""
from __future__ import annotations

from typing import Protocol

import orjson

from domain.events import Envelope, TweetPosted
from social import hydrate, ports, visibility

PUSH_BATCH = 1000


class LivePorts(hydrate.HydratePorts, Protocol):
    """What pushing uses: the users' live streams, the follow graph and cached tweets for tweet frames,
    and the visibility rule through hydration (a reader who does not see the author gets no frame)."""

    user_streams: ports.UserStreams
    fanout_threshold: int


def frame(kind: str, obj: dict) -> str:
    return orjson.dumps({"type": kind, kind: obj}).decode()


def push(svc: LivePorts, frames: list[tuple[int, Envelope, str, str]]) -> None:
    """Appends each (user id, event, kind, frame) to the user's live stream, once per event and kind."""
    entries = [(user_id, f"{event.id}:{kind}", event.at_ms, kind, data) for user_id, event, kind, data in frames]
    for start in range(0, len(entries), PUSH_BATCH):
        svc.user_streams.push(entries[start:start + PUSH_BATCH])


def announce_tweets(svc: LivePorts, events: list[Envelope]) -> None:
    """A `tweet` frame, pushed from the event as soon as the notify group sees it (the tweet's body
    was cached by its post), for the author and the followers whose feeds it reaches (a celebrity's
    tweets are merged into feeds at read time, so they are not pushed either) who had a stream open
    within the day."""
    authors = list({e.event.author_id: None for e in events})
    audiences = svc.feed_source.audiences(authors, svc.fanout_threshold)
    readers = {a: visibility.seeing(svc, svc.user_streams.recently_seen([a, *(audiences.get(a) or [])]), a)
               for a in authors}
    bodies = hydrate.tweets_by_id(svc, [e.event.tweet_id for e in events if readers[e.event.author_id]], None)
    frames = []
    for event in events:
        posted: TweetPosted = event.event
        if posted.tweet_id in bodies:
            data = f'{{"type":"tweet","tweet":{bodies[posted.tweet_id].decode()}}}'
            frames += [(reader, event, "tweet", data) for reader in readers[posted.author_id]]
    push(svc, frames)
