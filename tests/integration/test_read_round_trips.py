"""Hot reads cost a bounded number of Redis round trips, authentication and the policy decision
included, and no Neo4j query once warm. Counted at the real clients' connections: a pipeline or a
script call is one round trip, whatever it runs inside Redis."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
import redis.connection

from cache import live_connections
from graph.driver import Graph
from social import accounts
from tests.conftest import single_server, unique_name
from web import live
from web.app import create_app
from web.security import Principal

pytestmark = single_server("it counts the round trips of the one-script pages; on a cluster the page is "
                           "split by slot (docs/scale-out.md)")


class Counter:
    def __init__(self, monkeypatch):
        self.redis = 0
        self.neo4j = 0
        self.sent = []
        send = redis.connection.AbstractConnection.send_packed_command
        session = Graph.session

        def counted_send(conn, command, check_health=True):
            self.redis += check_health  # the client's own health-check pings are not the request's
            self.sent.append(command)
            return send(conn, command, check_health)

        def counted_session(graph, *args, **kwargs):
            self.neo4j += 1
            return session(graph, *args, **kwargs)

        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted_send)
        monkeypatch.setattr(Graph, "session", counted_session)

    def reset(self):
        self.redis = self.neo4j = 0


@pytest.fixture(scope="module")
def unlimited_app(services):
    """The request limits are flask-limiter's own round trips, off here as in the benchmarks."""
    return create_app(services=replace(services, settings=replace(services.settings, rate_limit_enabled=False)))


@pytest.fixture
def network(unlimited_app, make_user):
    """A reader who follows two authors, with tweets, likes and a warm home feed."""
    reader, alice, bob = make_user(), make_user(), make_user()
    for author in (alice, bob):
        assert reader.post(f"/api/v1/users/{author.username}/follow").status_code == 200
    tweets = [author.tweet(f"tweet {i}") for i in range(3) for author in (alice, bob)]
    assert reader.post(f"/api/v1/tweets/{tweets[0]['id']}/like").status_code == 200
    assert alice.post(f"/api/v1/tweets/{tweets[1]['id']}/like").status_code == 200
    reader.client.application = unlimited_app
    return reader, tweets


def _token(user) -> str:
    r = user.post("/api/v1/auth/tokens", json={"name": "round trips"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["token"]


def test_a_warm_home_feed_page_takes_two_redis_round_trips_and_no_neo4j(network, unlimited_app, monkeypatch):
    reader, tweets = network
    cold = reader.get("/api/v1/feed/home?limit=4&k=3")
    assert cold.status_code == 200
    counter = Counter(monkeypatch)
    warm = reader.get("/api/v1/feed/home?limit=4&k=3")
    assert warm.status_code == 200
    assert (counter.redis, counter.neo4j) == (2, 0), counter.sent
    assert warm.get_json()["tweets"] == cold.get_json()["tweets"]
    assert [t["id"] for t in warm.get_json()["tweets"]] == [t["id"] for t in tweets[::-1][:4]]

    counter.reset()
    cursor = warm.get_json()["next_cursor"]
    assert reader.get(f"/api/v1/feed/home?limit=4&k=3&cursor={cursor}").status_code == 200
    assert (counter.redis, counter.neo4j) == (2, 0)


def test_a_warm_page_with_a_boost_and_a_muted_author_still_takes_two_round_trips(network, unlimited_app, make_user,
                                                                                  services, monkeypatch):
    """The script carries boosts (with `boosted_by`) and the viewer's hidden set: visibility is
    decided from it, with no extra read."""
    reader, tweets = network
    alice, bob = tweets[0]["author"], tweets[1]["author"]
    stranger = make_user()
    boosted = stranger.tweet("passed on")
    assert reader.post(f"/api/v1/tweets/{boosted['id']}/boost").status_code == 200
    assert reader.post(f"/api/v1/users/{alice['username']}/mute").status_code == 200
    services.feeds.drop([int(reader.id)])
    cold = reader.get("/api/v1/feed/home?limit=10&k=3")
    assert cold.status_code == 200
    counter = Counter(monkeypatch)
    warm = reader.get("/api/v1/feed/home?limit=10&k=3")
    assert (counter.redis, counter.neo4j) == (2, 0), counter.sent
    assert warm.get_json() == cold.get_json()
    shown = warm.get_json()["tweets"]
    assert shown[0]["id"] == boosted["id"] and shown[0]["boosted_by"]["id"] == reader.id
    assert shown[0]["boosted"] is True and shown[0]["boost_count"] == 1
    assert {t["author"]["id"] for t in shown[1:]} == {bob["id"]}


def test_a_warm_home_feed_page_by_bearer_token_takes_two_redis_round_trips(network, unlimited_app, monkeypatch):
    reader, _ = network
    client = unlimited_app.test_client()
    headers = {"Authorization": f"Bearer {_token(reader)}"}
    assert client.get("/api/v1/feed/home", headers=headers).status_code == 200
    counter = Counter(monkeypatch)
    assert client.get("/api/v1/feed/home", headers=headers).status_code == 200
    assert (counter.redis, counter.neo4j) == (2, 0)


def test_a_warm_profile_takes_one_redis_round_trip_and_no_neo4j(network, unlimited_app, monkeypatch):
    """The profile's read rides in the caller's script (web/security.py prefetch)."""
    reader, tweets = network
    author = tweets[0]["author"]["username"]
    for path in (f"/api/v1/users/{author}", "/api/v1/users/me"):
        cold = reader.get(path)
        assert cold.status_code == 200
        counter = Counter(monkeypatch)
        warm = reader.get(path)
        assert (counter.redis, counter.neo4j) == (1, 0), counter.sent
        assert warm.get_json() == cold.get_json()


def test_a_profile_read_in_the_callers_round_trip_shows_that_callers_flags(unlimited_app, make_user):
    viewer, star, stranger = make_user(), make_user(), make_user()
    assert viewer.post(f"/api/v1/users/{star.username}/follow").status_code == 200
    assert star.post(f"/api/v1/users/{viewer.username}/follow").status_code == 200
    for user in (viewer, stranger):
        user.client.application = unlimited_app
    bearer, anonymous = unlimited_app.test_client(), unlimited_app.test_client()
    headers = {"Authorization": f"Bearer {_token(viewer)}"}
    path = f"/api/v1/users/{star.username}"
    for _ in range(2):  # cold, then warm: the read rides in the caller's script
        by_session = viewer.get(path).get_json()["user"]
        assert (by_session["following"], by_session["followed_by"]) == (True, True)
        assert bearer.get(path, headers=headers).get_json()["user"] == by_session
        seen = stranger.get(path).get_json()["user"]
        assert (seen["following"], seen["followed_by"]) == (False, False)
        assert "following" not in anonymous.get(path).get_json()["user"]
        assert bearer.get("/api/v1/users/me", headers=headers).get_json()["user"]["id"] == viewer.id
        assert viewer.get("/api/v1/users/me").get_json()["user"]["username"] == viewer.username
    r = viewer.get(f"/api/v1/users/{unique_name()}")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "user_not_found"


@pytest.mark.parametrize("by", ["session", "token"])
def test_an_open_streams_periodic_check_is_one_round_trip_that_renews_its_lease(services, make_user, monkeypatch, by):
    user = make_user()
    if by == "session":
        principal = Principal(int(user.id), user.username, session=services.sessions.by_id(user.session_id))
    else:
        token = accounts.create_token(services, int(user.id), "cli")["token"]
        accounts.token_owner(services, token)  # its owner cached, as any request of it leaves it
        principal = Principal(int(user.id), user.username, token_id="t", token_hash=accounts.token_hash_of(token))
    connection = live.open_live(services, principal, None)
    try:
        assert connection.still_allowed()  # warm: the grant cached
        leases = live_connections._key(int(user.id))
        before = services.redis.zscore(leases, connection.connection_id)
        time.sleep(0.01)
        counter = Counter(monkeypatch)
        assert connection.still_allowed()
        assert (counter.redis, counter.neo4j) == (1, 0)
        assert services.redis.zscore(leases, connection.connection_id) > before
        accounts.end_all_access(services, int(user.id), "test")
        assert not connection.still_allowed()
    finally:
        live.close_live(connection)
