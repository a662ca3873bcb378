"""Domain events: what a write tells the rest of the system. Small frozen values, so a job
payload, a stream entry and a test fixture are the same thing.

An Envelope is an event as the outbox records it, in the transaction of its write: its id is the
idempotency key of every consumer (and the id of the notification it causes), its family names
the Redis stream the relay moves it to (docs/events.md).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import orjson

from domain.clock import now_ms
from domain.ids import new_id


@dataclass(frozen=True)
class TweetPosted:
    tweet_id: int
    author_id: int


@dataclass(frozen=True)
class TweetDeleted:
    tweet_id: int
    author_id: int


@dataclass(frozen=True)
class Followed:
    follower_id: int
    followee_id: int


@dataclass(frozen=True)
class Unfollowed:
    follower_id: int
    followee_id: int


@dataclass(frozen=True)
class LikeChanged:
    user_id: int
    tweet_id: int
    liked: bool


@dataclass(frozen=True)
class MessageSent:
    message_id: int
    sender_id: int
    recipient_id: int


@dataclass(frozen=True)
class MediaFinalized:
    media_id: int
    owner_id: int


FAMILIES = {
    TweetPosted: "tweets",
    TweetDeleted: "tweets",
    Followed: "follows",
    Unfollowed: "follows",
    LikeChanged: "likes",
    MessageSent: "messages",
    MediaFinalized: "media",
}
TYPES = {cls.__name__: cls for cls in FAMILIES}


@dataclass(frozen=True)
class Envelope:
    id: int
    at_ms: int
    event: object

    @property
    def type(self) -> str:
        return type(self.event).__name__

    @property
    def family(self) -> str:
        return FAMILIES[type(self.event)]

    def payload(self) -> str:
        return orjson.dumps(asdict(self.event)).decode()


def envelop(event) -> Envelope:
    """A new id, ordered by time like every id here, for an event about to be written."""
    at = now_ms()
    return Envelope(new_id(at), at, event)


def unwrap(id: int, type: str, payload: str | bytes, at_ms: int) -> Envelope:
    """The Envelope back from its recorded fields (a Neo4j row or a stream entry)."""
    return Envelope(int(id), int(at_ms), TYPES[type](**orjson.loads(payload)))


def runs(items: list, key):
    """Consecutive items with the same key, in order: (key, run) pairs."""
    run: list = []
    for item in items:
        if run and key(run[-1]) != key(item):
            yield key(run[0]), run
            run = []
        run.append(item)
    if run:
        yield key(run[0]), run
