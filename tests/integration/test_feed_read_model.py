"""The Redis home feed agrees with the Cypher truth: fan-out, celebrity merge, rebuild, removal."""
from __future__ import annotations

from dataclasses import replace

import orjson
import pytest
from hypothesis import HealthCheck, Phase, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cache.feeds import feed_key
from cache.tweets import author_key
from domain.entries import parse_member
from domain.clock import now_ms
from domain.ids import new_id
from domain.pages import PageRequest, decode_cursor
from jobs import runtime
from social import accounts, feed, follows, timeline, tweets
from tests.conftest import inline_services, unique_name


FEED_SIZE = 8


@pytest.fixture(scope="module")
def svc_for(services):
    """Services with inline jobs at two fan-out thresholds: ordinary fan-out, and everyone with
    at least two followers a celebrity merged at read time. Their feeds and authors' lists keep 8
    entries (9 between two cuts), so that cutting them, and pages that go on from the graph, come in every test."""
    made = {
        threshold: inline_services(replace(services.settings, fanout_follower_threshold=threshold, feed_size=FEED_SIZE))
        for threshold in (1, 10_000)
    }
    yield made
    for svc in made.values():
        svc.close()
    runtime.install(services)


def new_user(svc) -> int:
    return int(accounts.register(svc, unique_name(), "long-password", None)["id"])


def plain(entry: tuple) -> int | tuple:
    """A post as its tweet id, a boost as its whole entry."""
    return entry[1] if entry[2] is None else entry


def cached_feed(svc, user_id: int, limit: int = 7) -> list:
    """Every entry of the cached home feed, walked page by page through its cursors."""
    ids, key = [], None
    while True:
        page, cursor = timeline.home_entries(svc, user_id, PageRequest(limit=limit, key=key))
        ids += [plain(e) for e in page]
        if cursor is None:
            return ids
        key = decode_cursor(cursor, 1)


def posted_in_bulk(svc, rows: list[list[int]], text: str) -> None:
    """Tweets (author id, tweet id) written to the graph alone, past the cache and the events."""
    svc.graph.driver.execute_query(
        "UNWIND $rows AS r MATCH (u:User {id: r[0]}) "
        "CREATE (u)-[:POSTED]->(:Tweet {id: r[1], text: $text, created_at: datetime()})",
        rows=rows, text=text,
    )


def truth(svc, user_id: int) -> list:
    return [plain(parse_member(m)) for m in svc.tweets.home_page(user_id, PageRequest(limit=10_000))]


def test_fan_out_reaches_warm_follower_feeds(svc_for):
    svc = svc_for[10_000]
    runtime.install(svc)
    author, reader = new_user(svc), new_user(svc)
    follows.follow(svc, reader, author)
    assert cached_feed(svc, reader) == []  # warms the feed
    posted = tweets.post_tweet(svc, author, "fan me out")
    assert posted["id"] in svc.redis.lrange(feed_key(reader), 0, -1)
    assert cached_feed(svc, reader) == [int(posted["id"])]


def test_celebrity_tweets_are_merged_at_read_not_fanned_out(svc_for):
    svc = svc_for[1]
    runtime.install(svc)
    star, fan, other = new_user(svc), new_user(svc), new_user(svc)
    follows.follow(svc, fan, star)
    follows.follow(svc, other, star)
    assert cached_feed(svc, fan) == []
    first = int(tweets.post_tweet(svc, star, "now a celebrity")["id"])  # status change drops feeds
    second = int(tweets.post_tweet(svc, star, "merged at read time")["id"])
    assert str(second) not in svc.redis.lrange(feed_key(fan), 0, -1)
    assert cached_feed(svc, fan) == [second, first] == truth(svc, fan)


def test_unfollow_and_delete_leave_the_feed(svc_for):
    svc = svc_for[10_000]
    runtime.install(svc)
    author, reader = new_user(svc), new_user(svc)
    follows.follow(svc, reader, author)
    kept = int(tweets.post_tweet(svc, author, "kept")["id"])
    gone = int(tweets.post_tweet(svc, author, "deleted")["id"])
    assert cached_feed(svc, reader) == [gone, kept]
    tweets.delete_tweet(svc, author, gone, may_delete_any=False)
    assert cached_feed(svc, reader) == [kept]
    follows.unfollow(svc, reader, author)
    assert cached_feed(svc, reader) == []
    follows.follow(svc, reader, author)
    assert cached_feed(svc, reader) == [kept]


def test_a_flushed_redis_rebuilds_from_neo4j(svc_for):
    svc = svc_for[10_000]
    runtime.install(svc)
    author, reader = new_user(svc), new_user(svc)
    follows.follow(svc, reader, author)
    ids = [int(tweets.post_tweet(svc, author, f"t{i}")["id"]) for i in range(3)]
    svc.redis.delete(feed_key(reader))
    assert cached_feed(svc, reader) == ids[::-1]
    assert svc.redis.exists(feed_key(reader))


def test_feed_page_json_is_the_contract_tweet_with_exact_counts(svc_for):
    svc = svc_for[10_000]
    runtime.install(svc)
    author, reader = new_user(svc), new_user(svc)
    follows.follow(svc, reader, author)
    t = tweets.post_tweet(svc, author, "json")
    tweets.like(svc, reader, int(t["id"]))
    svc.redis.flushdb()
    for _ in range(2):  # cold, then warm
        body, _, _ = feed.home(svc, reader, PageRequest(limit=5), 3)
        [tweet] = [orjson.loads(b) for b in body]
        assert tweet == {**t, "like_count": 1, "liked": True}


def test_pages_beyond_the_cached_entries_continue_from_the_graph(svc_for):
    svc = svc_for[10_000]
    runtime.install(svc)
    reader = new_user(svc)
    start = now_ms() - 10_000_000
    rows = [[reader, new_id(start + 1000 * i)] for i in range(FEED_SIZE + 30)]
    posted_in_bulk(svc, rows, "bulk")
    assert cached_feed(svc, reader, limit=100) == truth(svc, reader)
    assert len(truth(svc, reader)) == FEED_SIZE + 30


@pytest.mark.parametrize("threshold", [1, 10_000])
def test_a_cut_feed_that_loses_entries_still_continues_from_the_graph(svc_for, threshold):
    """A feed cut back to its newest entries stays marked as cut when an unfollow or a delete takes
    entries out of it: its pages still continue past its end from the graph."""
    svc = svc_for[threshold]
    runtime.install(svc)
    reader, friend = new_user(svc), new_user(svc)
    follows.follow(svc, friend, reader)  # with threshold 1, the reader is a celebrity
    start = now_ms() - 10_000_000
    rows = [[reader, new_id(start + 1000 * i)] for i in range(FEED_SIZE + 30)]
    posted_in_bulk(svc, rows, "bulk")
    follows.follow(svc, reader, friend)
    said = [int(tweets.post_tweet(svc, friend, f"newest {i}")["id"]) for i in range(3)]
    assert cached_feed(svc, reader, limit=3) == truth(svc, reader)
    tweets.delete_tweet(svc, reader, rows[-1][1], may_delete_any=False)
    follows.unfollow(svc, reader, friend)
    assert said[0] not in truth(svc, reader)
    assert cached_feed(svc, reader, limit=3) == truth(svc, reader)
    assert len(truth(svc, reader)) == FEED_SIZE + 29


def test_an_unfollow_takes_out_all_a_feed_holds_of_the_author(svc_for):
    """A feed holds up to an eighth more than its size between two cuts."""
    svc = svc_for[10_000]
    runtime.install(svc)
    reader, author = new_user(svc), new_user(svc)
    follows.follow(svc, reader, author)
    assert cached_feed(svc, reader) == []
    for i in range(svc.feeds.most):
        tweets.post_tweet(svc, author, f"post {i}")
    assert len(svc.redis.lrange(feed_key(reader), 0, -1)) == svc.feeds.most + 1  # not cut yet
    follows.unfollow(svc, reader, author)
    assert cached_feed(svc, reader) == truth(svc, reader) == []


def test_a_follow_of_an_author_with_more_than_a_feed_keeps_goes_on_from_the_graph(svc_for):
    svc = svc_for[10_000]
    runtime.install(svc)
    reader, author = new_user(svc), new_user(svc)
    said = [int(tweets.post_tweet(svc, author, f"post {i}")["id"]) for i in range(FEED_SIZE + 3)]
    assert cached_feed(svc, reader) == []
    follows.follow(svc, reader, author)
    tweets.delete_tweet(svc, author, said.pop(), may_delete_any=False)  # the feed holds fewer than its size
    assert cached_feed(svc, reader, limit=3) == truth(svc, reader) == said[::-1]


def test_pages_stop_merging_a_celebrity_where_their_cut_list_ends(svc_for):
    """A celebrity's list holds their newest entries: pages that reach past its oldest continue
    from the graph, so the celebrity's older tweets are not skipped, even after a delete shortened
    the list."""
    svc = svc_for[1]  # everyone with two followers is a celebrity
    runtime.install(svc)
    reader, celebrity, other = new_user(svc), new_user(svc), new_user(svc)
    follows.follow(svc, reader, celebrity)
    follows.follow(svc, other, celebrity)
    start = now_ms() - 10_000_000
    rows = [[celebrity, new_id(start + 2000 * i)] for i in range(FEED_SIZE + 30)]
    rows += [[reader, new_id(start + 2000 * i + 1000)] for i in range(0, FEED_SIZE + 30, 5)]
    posted_in_bulk(svc, rows, "bulk")
    svc.feeds.drop([reader])
    svc.redis.delete(author_key(celebrity))  # written past the cache: both lists are read anew
    assert len(truth(svc, reader)) == len(rows)
    assert cached_feed(svc, reader, limit=3) == truth(svc, reader)
    tweets.delete_tweet(svc, celebrity, rows[FEED_SIZE + 29][1], may_delete_any=False)  # their newest
    tweets.post_tweet(svc, celebrity, "newest")
    assert cached_feed(svc, reader, limit=3) == truth(svc, reader)


@pytest.mark.parametrize("threshold", [1, 10_000])
def test_tweets_of_one_second_page_newest_first_across_pages(svc_for, threshold):
    """A feed (and a celebrity's list) keeps each second's entries in ascending order: pages that
    cut through a second still list them newest first, each once."""
    svc = svc_for[threshold]
    runtime.install(svc)
    reader, author, other = new_user(svc), new_user(svc), new_user(svc)
    follows.follow(svc, reader, author)
    follows.follow(svc, other, author)  # at threshold 1, a celebrity: merged at read time
    second = (now_ms() - 60_000) // 1000 * 1000
    rows = [[author, new_id(second + i)] for i in range(0, 500, 20)]
    posted_in_bulk(svc, rows, "same second")
    svc.feeds.drop([reader])
    svc.redis.delete(author_key(author))  # written past the cache: both lists are read anew
    expected = sorted((r[1] for r in rows), reverse=True)
    assert truth(svc, reader) == expected
    assert cached_feed(svc, reader, limit=7) == expected


USER = st.integers(0, 2)
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("post"), USER),
        st.tuples(st.just("follow"), USER, USER),
        st.tuples(st.just("unfollow"), USER, USER),
        st.tuples(st.just("like"), USER, st.integers(0, 20)),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("read"), USER),
        st.tuples(st.just("flush")),
    ),
    min_size=8,
    max_size=40,
)


@hsettings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actions=ACTIONS, threshold=st.sampled_from([1, 10_000]))
@example(actions=[("post", 1), ("follow", 0, 1), ("read", 0)], threshold=10_000)
@example(actions=[("follow", 0, 1), ("post", 1), ("unfollow", 0, 1)], threshold=10_000)
@example(actions=[("follow", 0, 1), ("post", 1), ("delete", 0)], threshold=10_000)
@example(
    actions=[("follow", 0, 1), ("follow", 2, 1), ("post", 1), ("read", 0), ("post", 1), ("unfollow", 0, 1)],
    threshold=1,
)
@example(actions=[("follow", 0, 1), ("post", 1), ("flush",), ("post", 1), ("like", 0, 0), ("read", 0)], threshold=10_000)
def test_cached_feed_equals_cypher_truth_after_any_sequence(svc_for, actions, threshold):
    svc = svc_for[threshold]
    runtime.install(svc)
    users = [new_user(svc) for _ in range(3)]
    for u in users:
        cached_feed(svc, u)  # warm: the interesting cases are the updates of live feeds
    posted: list[int] = []
    for action in actions:
        kind = action[0]
        if kind == "post":
            posted.append(int(tweets.post_tweet(svc, users[action[1]], "p")["id"]))
        elif kind in ("follow", "unfollow") and action[1] != action[2]:
            getattr(follows, kind)(svc, users[action[1]], users[action[2]])
        elif kind == "like" and posted:
            tweet_id = posted[action[2] % len(posted)]
            if svc.tweets.author_id(tweet_id) is not None:
                tweets.like(svc, users[action[1]], tweet_id)
        elif kind == "delete" and posted:
            tweet_id = posted.pop(action[1] % len(posted))
            tweets.delete_tweet(svc, 0, tweet_id, may_delete_any=True)
        elif kind == "read":
            cached_feed(svc, users[action[1]])
        elif kind == "flush":
            svc.redis.flushdb()
    for u in users:
        assert cached_feed(svc, u) == truth(svc, u)
