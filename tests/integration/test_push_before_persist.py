"""Push before persist (social/notify.py, cache/notification_groups.py): a notification's frame is
pushed from the group's state in Redis before its Neo4j write; the group GET /notifications shows
then agrees with the last frame pushed, and an event handled again after a failed write pushes
nothing twice and loses nothing."""
from __future__ import annotations

from dataclasses import replace

import orjson
import pytest

from cache.tweets import flag_key
from domain.clock import now_ms
from domain.events import Envelope, Followed, LikeChanged
from domain.ids import new_id
from domain.tweet_state import FLAGS
from domain.pages import PageRequest
from graph.driver import Graph
from social import accounts, notifications, notify, tweets
from tests.conftest import unique_name


def _user(services) -> int:
    return int(accounts.register(services, unique_name(), "long-password", None)["id"])


def _frames(services, user_id: int) -> list[dict]:
    return [orjson.loads(f.data)["notification"] for f in services.user_streams.after(user_id, "0-0")
            if f.event == "notification"]


def _listed(services, user_id: int) -> list[dict]:
    """The groups as GET /notifications lists them."""
    return notifications.page(services, user_id, PageRequest(limit=20))[0]


def _event(event, later_ms: int = 0) -> Envelope:
    at = now_ms() + later_ms  # ids of one millisecond are in no particular order
    return Envelope(new_id(at), at, event)


class WriteFails:
    """A notification store whose writes fail, as Neo4j going away after the push would."""

    def __init__(self, real):
        self.real = real

    def add(self, items):
        raise ConnectionError("Neo4j went away")

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_the_last_frame_pushed_agrees_with_the_group_listed(services):
    author, *fans = [_user(services) for _ in range(5)]
    tweet_id = int(tweets.post_tweet(services, author, "agree")["id"])
    tweets.like(services, author, tweet_id)  # notifies nobody, but the tweet shows as liked to its author
    for fan in fans:
        tweets.like(services, fan, tweet_id)  # handled inline: pushed, then written
    tweets.unlike(services, fans[1], tweet_id)
    last = fans[-1]
    tweets.unlike(services, last, tweet_id)
    tweets.like(services, last, tweet_id)
    frame = _frames(services, author)[-1]
    [listed] = _listed(services, author)
    assert frame["count"] == listed["count"] == len(fans) - 1
    for field in ("id", "type", "group_key", "actors", "created_at", "read"):
        assert frame[field] == listed[field], field
    assert frame["actor"] == listed["actor"]  # the newest like is the listed group's first actor
    assert frame["tweet"] == listed["tweet"] and frame["tweet"]["liked"] is True


def test_follows_push_their_group_and_the_listed_group_agrees(services):
    star, *fans = [_user(services) for _ in range(4)]
    notify.on_follows(services, [_event(Followed(f, star), k) for k, f in enumerate(fans)])
    frames = _frames(services, star)
    assert [f["count"] for f in frames] == [1, 2, 3]
    [listed] = _listed(services, star)
    assert {k: frames[-1][k] for k in listed} == listed


def test_the_frame_is_pushed_before_the_write_and_a_redelivery_pushes_it_once(services):
    author, fan = _user(services), _user(services)
    tweet_id = int(tweets.post_tweet(services, author, "crash after push")["id"])
    services.tweets.like(fan, tweet_id, now_ms())
    event = _event(LikeChanged(fan, tweet_id, True))
    failing = replace(services, notifications=WriteFails(services.notifications))
    with pytest.raises(ConnectionError):
        notify.on_likes(failing, [event])
    assert [f["actor"]["id"] for f in _frames(services, author)] == [str(fan)]  # pushed already
    assert _listed(services, author) == []  # not written yet
    notify.on_likes(services, [event])  # the consumer retries the entry
    frames = _frames(services, author)
    assert len(frames) == 1
    [listed] = _listed(services, author)
    assert (listed["id"], listed["count"], listed["group_key"]) == (frames[0]["id"], 1, frames[0]["group_key"])


def test_groups_of_a_deleted_tweet_are_forgotten_in_redis_too(services):
    author, fan, later = _user(services), _user(services), _user(services)
    tweet_id = int(tweets.post_tweet(services, author, "gone soon")["id"])
    tweets.like(services, fan, tweet_id)
    tweets.delete_tweet(services, author, tweet_id, False)
    item = notify.item(_event(LikeChanged(later, tweet_id, True)), "like", f"like:{tweet_id}", later, later, author,
                       tweet_id=tweet_id)
    [joined] = services.notification_groups.join([item])
    assert joined.count == 1  # a new group: the old one left with its tweet


def test_a_like_of_a_new_tweet_notifies_its_author_with_no_graph_read(services, monkeypatch):
    """A post leaves its counts in Redis, and registering leaves the user's brief, relations and
    flags there: the like's frame is built from Redis alone."""
    author, fan = _user(services), _user(services)
    tweet_id = int(tweets.post_tweet(services, author, "fresh")["id"])
    reads, read = [], Graph.read
    monkeypatch.setattr(Graph, "read", lambda graph, name, /, **params: reads.append(name) or read(graph, name, **params))
    notify.on_likes(services, [_event(LikeChanged(fan, tweet_id, True))])
    assert reads == []
    frame = _frames(services, author)[-1]
    assert (frame["tweet"]["like_count"], frame["tweet"]["liked"], frame["actor"]["id"]) == (0, False, str(fan))


def test_a_posts_counts_never_replace_a_later_write_through(services):
    author, fan = _user(services), _user(services)
    posted = tweets.post_tweet(services, author, "counted")
    tweets.like(services, fan, int(posted["id"]))
    services.tweet_cache.put([posted], new=True)  # a post's write arriving after the first like's
    _, counts, _ = services.tweet_cache.read([int(posted["id"])], None)
    assert (counts["like"], counts["reply"], counts["boost"]) == ([1], [0], [0])


def test_an_author_with_cold_flag_sets_is_read_from_the_graph(services):
    author, fan = _user(services), _user(services)
    tweet_id = int(tweets.post_tweet(services, author, "liked by its author")["id"])
    tweets.like(services, author, tweet_id)
    services.redis.delete(*(flag_key(kind, author) for kind in FLAGS))  # expired: the sets are cold
    notify.on_likes(services, [_event(LikeChanged(fan, tweet_id, True))])
    assert _frames(services, author)[-1]["tweet"]["liked"] is True
