"""The like, post, follow and home-feed use cases on in-memory fakes of their ports (tests/unit/fakes.py)."""
from __future__ import annotations

import time

import orjson
import pytest

from domain.errors import NotFound, Unprocessable
from domain.events import Followed, LikeChanged, TweetPosted, Unfollowed, envelop
from domain.pages import PageRequest, decode_cursor
from social import feed, follows, timeline, tweets
from tests.unit.fakes import Ports

ADA, ALAN, GRACE, STAR = 1, 2, 3, 4


@pytest.fixture
def svc() -> Ports:
    ports = Ports()
    for user_id, name in ((ADA, "ada"), (ALAN, "alan"), (GRACE, "grace"), (STAR, "star")):
        ports.graph.add_user(user_id, name)
    return ports


def post(svc: Ports, author: int, text: str = "hello") -> int:
    time.sleep(0.002)  # ids order tweets by their millisecond; within one they are random
    return int(tweets.post_tweet(svc, author, text)["id"])


# --- post -----------------------------------------------------------------------------------------

def test_posting_writes_the_tweet_with_its_event_then_publishes_that_event(svc):
    tweet = tweets.post_tweet(svc, ADA, "first words")
    (recorded,) = svc.graph.outbox
    assert recorded.event == TweetPosted(int(tweet["id"]), ADA)
    assert svc.bus.published == [recorded]
    assert tweet["text"] == "first words" and tweet["author"]["username"] == "ada"


def test_posting_caches_the_body_and_adds_the_tweet_to_the_authors_warm_feed(svc):
    svc.feeds.rebuild(ADA, [], [])
    tweet_id = int(tweets.post_tweet(svc, ADA, "mine")["id"])
    assert svc.feeds.page(ADA, None, 10)[0] == [(tweet_id, tweet_id, None)]
    assert tweet_id in svc.tweet_cache.bodies


def asked(store, method: str) -> list:
    """The calls the use case makes of a fake port's method from now on."""
    calls, real = [], getattr(store, method)
    setattr(store, method, lambda *args: calls.append(args) or real(*args))
    return calls


def test_mentions_are_resolved_by_the_graph_once_then_from_the_names_remembered(svc):
    graph_asked = asked(svc.users, "ids_by_username")
    first = tweets.post_tweet(svc, ADA, "@alan and @nobody")
    second = tweets.post_tweet(svc, GRACE, "hi @ALAN, @grace")
    assert first["entities"]["mentions"] == ["alan"] and second["entities"]["mentions"] == ["alan", "grace"]
    assert graph_asked == [(["alan", "nobody"],), (["grace"],)]  # alan is known by then
    assert svc.profiles.user_ids == {"alan": ALAN, "grace": GRACE}


def test_a_reply_to_a_cached_tweet_asks_the_graph_nothing_before_its_write(svc):
    graph_asked = asked(svc.tweets, "reply_target")
    parent = post(svc, ALAN)
    reply = tweets.post_tweet(svc, ADA, "answer", in_reply_to_id=parent)
    del svc.tweet_cache.bodies[parent]
    tweets.post_tweet(svc, GRACE, "me too", in_reply_to_id=parent)
    assert graph_asked == [(parent,)]  # only once its body was gone from the cache
    assert svc.graph.tweets[int(reply["id"])]["in_reply_to_id"] == parent


def test_a_tweet_over_140_code_points_is_refused_and_nothing_is_written_or_published(svc):
    with pytest.raises(Unprocessable) as refused:
        tweets.post_tweet(svc, ADA, "x" * 141)
    assert refused.value.code == "tweet_too_long"
    assert svc.graph.tweets == {} and svc.bus.published == []


# --- like -----------------------------------------------------------------------------------------

def test_a_like_publishes_its_event_once_and_a_repeated_like_changes_nothing(svc):
    tweet_id = post(svc, ALAN)
    svc.bus.published.clear()
    first = tweets.like(svc, ADA, tweet_id)
    again = tweets.like(svc, ADA, tweet_id)
    assert first == again == {"liked": True, "like_count": 1}
    assert [e.event for e in svc.bus.published] == [LikeChanged(ADA, tweet_id, True)]


def test_an_unlike_publishes_and_writes_the_new_count_through_to_the_cache(svc):
    tweet_id = post(svc, ALAN)
    svc.tweet_cache.load_flags("liked", ADA, [])
    tweets.like(svc, ADA, tweet_id)
    _, counts, flags = svc.tweet_cache.read([tweet_id], ADA)
    assert counts["like"] == [1] and flags["liked"] == [True]
    assert tweets.unlike(svc, ADA, tweet_id) == {"liked": False, "like_count": 0}
    _, counts, flags = svc.tweet_cache.read([tweet_id], ADA)
    assert counts["like"] == [0] and flags["liked"] == [False]
    assert svc.bus.published[-1].event == LikeChanged(ADA, tweet_id, False)


def test_liking_an_unknown_tweet_is_not_found_and_publishes_nothing(svc):
    with pytest.raises(NotFound):
        tweets.like(svc, ADA, 12345)
    assert svc.bus.published == []


# --- follow ---------------------------------------------------------------------------------------

def test_following_yourself_is_refused_and_publishes_nothing(svc):
    with pytest.raises(Unprocessable) as refused:
        follows.follow(svc, ADA, ADA)
    assert refused.value.code == "cannot_follow_self"
    assert svc.bus.published == [] and svc.graph.follows == set()


def test_a_new_follow_publishes_followed_and_a_repeat_is_a_silent_no_op(svc):
    assert follows.follow(svc, ADA, ALAN) is True
    assert follows.follow(svc, ADA, ALAN) is False
    assert [e.event for e in svc.bus.published] == [Followed(ADA, ALAN)]
    assert follows.unfollow(svc, ADA, ALAN) is True
    assert follows.unfollow(svc, ADA, ALAN) is False
    assert [e.event for e in svc.bus.published][1:] == [Unfollowed(ADA, ALAN)]


# --- the home feed --------------------------------------------------------------------------------

def page_ids(svc, viewer: int, limit: int, cursor: str | None = None) -> tuple[list[int], str | None]:
    key = decode_cursor(cursor, 1) if cursor else None
    entries, next_cursor = timeline.home_entries(svc, viewer, PageRequest(limit=limit, key=key))
    return [tweet_id for _, tweet_id, _ in entries], next_cursor


def test_a_cold_feed_is_rebuilt_from_the_graph_and_paged_newest_first(svc):
    follows.follow(svc, ADA, ALAN)
    older, mine, newer = post(svc, ALAN), post(svc, ADA), post(svc, ALAN)
    post(svc, GRACE)  # not followed
    first, cursor = page_ids(svc, ADA, 2)
    assert first == [newer, mine] and cursor is not None
    assert page_ids(svc, ADA, 2, cursor) == ([older], None)


def test_fan_out_reaches_followers_warm_feeds_but_not_past_the_celebrity_threshold(svc):
    for fan in (ADA, ALAN, GRACE):
        follows.follow(svc, fan, STAR)
    follows.follow(svc, ADA, ALAN)
    assert page_ids(svc, ADA, 10) == ([], None)  # reading warms the feed
    by_alan = post(svc, ALAN)
    timeline.fan_out(svc, [envelop(TweetPosted(by_alan, ALAN))])
    assert svc.feeds.feeds[ADA] == [by_alan]
    by_star = post(svc, STAR)  # 3 followers > threshold 2: merged at read time instead
    timeline.fan_out(svc, [envelop(TweetPosted(by_star, STAR))])
    assert svc.feeds.feeds[ADA] == [by_alan]
    assert page_ids(svc, ADA, 10)[0] == [by_star, by_alan]


def test_a_batch_of_posts_reaches_each_authors_followers_once_newest_first(svc):
    follows.follow(svc, ADA, ALAN)
    follows.follow(svc, GRACE, ADA)
    assert page_ids(svc, ADA, 10) == ([], None) and page_ids(svc, GRACE, 10) == ([], None)
    first, by_ada, second = post(svc, ALAN), post(svc, ADA), post(svc, ALAN)
    timeline.fan_out(svc, [envelop(TweetPosted(t, a)) for t, a in ((first, ALAN), (by_ada, ADA), (second, ALAN))])
    assert svc.feeds.feeds[ADA] == [second, by_ada, first]
    assert svc.feeds.feeds[GRACE] == [by_ada]


def test_past_the_cached_entries_the_page_continues_from_the_graph(svc):
    follows.follow(svc, ADA, ALAN)
    written = [post(svc, ALAN) for _ in range(8)]  # the fake feed keeps 5
    first, cursor = page_ids(svc, ADA, 6)
    rest, end = page_ids(svc, ADA, 6, cursor)
    assert first + rest == sorted(written, reverse=True) and end is None


def test_the_home_page_is_hydrated_with_counts_and_the_viewers_liked_flags(svc):
    follows.follow(svc, ADA, ALAN)
    liked, other = post(svc, ALAN, "liked one"), post(svc, ALAN, "other one")
    tweets.like(svc, ADA, liked)
    bodies, cursor, popular = feed.home(svc, ADA, PageRequest(limit=10), k=5)
    shown = [orjson.loads(b) for b in bodies]
    assert [(t["id"], t["like_count"], t["liked"]) for t in shown] == [(str(other), 0, False), (str(liked), 1, True)]
    assert shown[0]["author"]["username"] == "alan" and cursor is None and popular == []
