"""Profiles served from Redis agree with the graph: exact counts after follows, unfollows, posts and
deletes, follow flags from either side, edits, and a flushed Redis rebuilt."""
from __future__ import annotations

from dataclasses import replace

import orjson
import pytest
from hypothesis import HealthCheck, settings as hsettings, given, strategies as st

from social import accounts, follows, profiles, tweets
from tests.conftest import unique_name
from tests.unit.fakes import Events


def new_user(svc) -> int:
    return int(accounts.register(svc, unique_name(), "long-password", None)["id"])


def truth(svc, user_id: int, viewer_id: int | None) -> dict:
    return svc.users.hydrate([user_id], viewer_id)[0]


def cached(svc, user_id: int, viewer_id: int | None) -> dict:
    return orjson.loads(profiles.profile(svc, viewer_id, user_id=user_id))


def test_a_profile_by_name_is_the_contract_user_object(services):
    a, b = new_user(services), new_user(services)
    follows.follow(services, b, a)
    name = truth(services, a, None)["username"]
    for _ in range(2):  # cold, then warm
        assert orjson.loads(profiles.profile(services, b, username=name.upper())) == truth(services, a, b)
        assert orjson.loads(profiles.profile(services, None, username=name)) == truth(services, a, None)


def test_an_unknown_user_is_not_found(services):
    with pytest.raises(Exception) as err:
        profiles.profile(services, None, username="nobody_" + unique_name()[:6])
    assert getattr(err.value, "code", None) == "user_not_found"


def test_counts_and_flags_follow_every_write_and_survive_a_flush(services):
    a, b = new_user(services), new_user(services)
    assert cached(services, a, b) == truth(services, a, b)  # warm, with both following sets loaded
    assert cached(services, b, a) == truth(services, b, a)
    follows.follow(services, b, a)
    follows.follow(services, a, b)
    posted = [int(tweets.post_tweet(services, a, f"t{i}")["id"]) for i in range(3)]
    tweets.delete_tweet(services, a, posted[0], may_delete_any=False)
    follows.unfollow(services, a, b)
    accounts.update_profile(services, a, "New Name", "new bio")
    for viewer in (a, b, None):
        assert cached(services, a, viewer) == truth(services, a, viewer)
        assert cached(services, b, viewer) == truth(services, b, viewer)
    assert cached(services, a, None)["tweets_count"] == 2
    services.raw_redis.flushdb()
    assert cached(services, a, b) == truth(services, a, b)


def test_an_older_count_never_replaces_a_newer_one(services):
    a = new_user(services)
    [row] = services.users.touch_counts([a])
    services.profiles.set_counts([{**row, "counts_version": row["counts_version"] + 5, "followers_count": 7}])
    services.profiles.set_counts([row])  # a slower rebuild arriving late
    assert cached(services, a, None)["followers_count"] == 7


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.tuples(st.sampled_from(["follow", "unfollow", "post", "read", "flush"]),
                                  st.integers(0, 2), st.integers(0, 2)), min_size=4, max_size=25))
def test_cached_profiles_equal_the_graph_after_any_sequence(services, actions):
    users = [new_user(services) for _ in range(3)]
    for kind, x, y in actions:
        if kind in ("follow", "unfollow") and x != y:
            getattr(follows, kind)(services, users[x], users[y])
        elif kind == "post":
            tweets.post_tweet(services, users[x], "p")
        elif kind == "read":
            cached(services, users[x], users[y])
        elif kind == "flush":
            services.raw_redis.flushdb()
    for u in users:
        for viewer in (*users, None):
            assert cached(services, u, viewer) == truth(services, u, viewer)


def test_a_follower_reads_the_new_counts_at_once_before_any_consumer_has_run(services):
    """The request's own answer, not the consumer's later versioned update, makes the next read
    exact: no event is handled here (the publisher only records)."""
    quiet = replace(services, bus=Events())
    a, b = new_user(services), new_user(services)
    assert cached(services, a, b)["followers_count"] == 0  # counts cached before the follow
    follows.follow(quiet, b, a)
    assert (cached(services, a, b)["followers_count"], cached(services, b, a)["following_count"]) == (1, 1)
    follows.unfollow(quiet, b, a)
    assert cached(services, a, None)["followers_count"] == 0
