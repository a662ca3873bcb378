"""Read-your-writes across web nodes (docs/scale-out.md): a write answers the bookmarks of its
transaction as a signed consistency token; the caller's next request, on another node, opens its
Neo4j sessions after them. Two apps with Services of their own are the two nodes, both on a routing
URI (`neo4j://`), which this Community server answers as a single-member cluster."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from urllib.parse import urlsplit

import neo4j
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from bootstrap import bootstrap
from graph.driver import begin_chain, end_chain
from graph.outbox import group_committed
from tests.conftest import ApiUser, single_server, unique_ip, unique_name
from tests.integration.test_read_round_trips import Counter
from web import consistency
from web.app import create_app

HEADER = consistency.HEADER


@pytest.fixture(scope="module")
def nodes(services):
    direct = urlsplit(services.settings.neo4j_uri)
    settings = replace(services.settings, neo4j_uri=f"neo4j://{direct.hostname}:{direct.port}",
                       rate_limit_enabled=False)
    built = [bootstrap(settings) for _ in range(2)]
    yield [create_app(services=svc) for svc in built]
    for svc in built:
        svc.close()


def _user(app) -> ApiUser:
    name, ip = unique_name(), unique_ip()
    r = app.test_client().post("/api/v1/auth/register", json={"username": name, "password": "correct horse"},
                               environ_base={"REMOTE_ADDR": ip})
    assert r.status_code == 201, r.get_json()
    return ApiUser(app, name, "correct horse", ip)


def _on(app, user: ApiUser, *cookies: str):
    """A test client of another node for the same browser: its cookies, as the load balancer passes them."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = user.client.environ_base["REMOTE_ADDR"]
    for name in cookies:
        client.set_cookie(name, user.client.get_cookie(name).value)
    return client


class Sessions:
    """The bookmarks that a node's driver opened each session with."""

    def __init__(self, app, monkeypatch):
        self.opened: list[frozenset[str] | None] = []
        driver = app.extensions["services"].driver
        session = driver.session

        def spy(*args, **kwargs):
            marks = kwargs.get("bookmarks")
            self.opened.append(marks.raw_values if marks is not None else None)
            return session(*args, **kwargs)

        monkeypatch.setattr(driver, "session", spy)


@pytest.fixture
def last_bookmarks(monkeypatch):
    """The bookmarks each committed session of this process ended with, in order."""
    seen: list[frozenset[str]] = []
    last = neo4j.Session.last_bookmarks

    def recording(session):
        marks = last(session)
        seen.append(marks.raw_values)
        return marks

    monkeypatch.setattr(neo4j.Session, "last_bookmarks", recording)
    return seen


def test_a_write_answers_the_bookmarks_of_its_transaction_to_its_user(nodes, last_bookmarks):
    a, _ = nodes
    writer = _user(a)
    tweet = writer.tweet("kept for later")
    last_bookmarks.clear()
    r = writer.post(f"/api/v1/tweets/{tweet['id']}/bookmark")
    assert r.status_code == 200
    with a.app_context():
        carried = consistency.bookmarks_of(r.headers[HEADER])
    assert carried and frozenset(carried) == last_bookmarks[-1]
    assert writer.client.get_cookie(consistency.COOKIE).value == r.headers[HEADER]  # a browser keeps it
    read = writer.get("/api/v1/bookmarks")
    assert read.status_code == 200 and HEADER not in read.headers  # a read carries nothing new


def test_a_browsers_next_request_on_another_node_reads_after_its_write(nodes, monkeypatch):
    a, b = nodes
    writer = _user(a)
    tweet = writer.tweet("read me back")
    wrote = writer.post(f"/api/v1/tweets/{tweet['id']}/bookmark")
    assert wrote.status_code == 200
    with a.app_context():
        carried = frozenset(consistency.bookmarks_of(wrote.headers[HEADER]))
    on_b = Sessions(b, monkeypatch)
    r = _on(b, writer, "sid", consistency.COOKIE).get("/api/v1/bookmarks")
    assert r.status_code == 200
    assert [t["id"] for t in r.get_json()["tweets"]] == [tweet["id"]]
    assert on_b.opened and set(on_b.opened) == {carried}, "node B read without the write's bookmarks"


def test_an_api_clients_next_request_on_another_node_reads_after_its_write(nodes, monkeypatch):
    a, b = nodes
    writer = _user(a)
    r = writer.post("/api/v1/auth/tokens", json={"name": "bookmarks"})
    auth = {"Authorization": f"Bearer {r.get_json()['token']}"}
    tweet = writer.tweet("liked by token")
    liked = a.test_client().post(f"/api/v1/tweets/{tweet['id']}/like", headers=auth)
    assert liked.status_code == 200
    assert consistency.COOKIE not in liked.headers.get("Set-Cookie", "")  # a bearer client is no browser
    with a.app_context():
        carried = frozenset(consistency.bookmarks_of(liked.headers[HEADER]))
    on_b = Sessions(b, monkeypatch)
    likers = b.test_client().get(f"/api/v1/tweets/{tweet['id']}/likes",
                                 headers={**auth, HEADER: liked.headers[HEADER]})
    assert likers.status_code == 200
    assert [u["id"] for u in likers.get_json()["users"]] == [writer.id]
    assert on_b.opened and set(on_b.opened) == {carried}

    on_b.opened.clear()
    assert b.test_client().get(f"/api/v1/tweets/{tweet['id']}/likes", headers=auth).status_code == 200
    assert set(on_b.opened) == {None}, "without a token the driver's default: no bookmarks"


def _signed(app, marks, secret: str | None = None, age: int = 0) -> str:
    """A token as the app makes them, or with another key, or made `age` seconds ago."""

    class Dated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age

    signer = consistency._signer_for(secret or app.extensions["services"].settings.secret_key)
    return URLSafeTimedSerializer(signer.secret_key, salt=signer.salt, signer=Dated).dumps(marks)


@pytest.mark.parametrize("kind", ["garbage", "forged", "expired", "not a list", "signed garbage"])
def test_a_bad_or_stale_token_is_ignored_never_an_error(nodes, monkeypatch, kind):
    a, b = nodes
    reader = _user(a)
    tweet = reader.tweet("still readable")
    token = {
        "garbage": "not-a-token\u00e9".encode().decode("latin-1"),
        "forged": _signed(b, ["FB:kcwQFcH7e2WeQBqdzBGKVJFoockBF5A="], secret="not the app's secret key"),
        "expired": _signed(b, ["FB:kcwQFcH7e2WeQBqdzBGKVJFoockBF5A="], age=consistency.TOKEN_SECONDS + 60),
        "not a list": _signed(b, {"b": 1}),
        "signed garbage": _signed(b, ["FB:garbage"]),  # a database since replaced would look so
    }[kind]
    on_b = Sessions(b, monkeypatch)
    client = b.test_client()
    client.set_cookie(consistency.COOKIE, "garbage-cookie")
    r = client.get(f"/api/v1/tweets/{tweet['id']}/likes", headers={HEADER: token})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["users"] == []
    if kind == "signed garbage":  # Neo4j refused the bookmark, the read ran again without it
        assert on_b.opened[0] == frozenset(["FB:garbage"]) and on_b.opened[-1] is None
    else:
        assert set(on_b.opened) == {None}


@pytest.mark.parametrize("rerunnable", [False, True], ids=["managed", "auto-commit"])
def test_each_writer_in_a_group_commit_carries_its_batchs_bookmarks(services, rerunnable):
    """The batch runs in its leader's context; every submitter's chain moves on all the same,
    whether the batch took a managed transaction (posts) or an auto-commit one (likes, follows)."""
    first_in, release = threading.Event(), threading.Event()
    batches: list[frozenset[str]] = []

    class Graph:
        def _commit(self) -> neo4j.Bookmarks:
            if not batches:
                first_in.set()
                release.wait(5)
            marks = neo4j.Bookmarks.from_raw_values([f"FB:batch-{len(batches)}"])
            batches.append(marks.raw_values)
            return marks

        def write_bookmarked(self, work, name, items):
            return [{"n": item["n"]} for item in items], self._commit()

        def apply_bookmarked(self, name, items):
            return [{"i": item["i"], "n": item["n"]} for item in items], self._commit()

    writer = group_committed(Graph(), "tweets/like", rerunnable=rerunnable)
    carried: dict[int, frozenset[str]] = {}

    def write(n: int):
        chain = begin_chain()
        try:
            assert writer.submit(({"n": n}, None)) == {"n": n}
            carried[n] = chain.wrote.raw_values
        finally:
            end_chain()

    lead = threading.Thread(target=write, args=(0,))
    lead.start()
    assert first_in.wait(5)
    rest = [threading.Thread(target=write, args=(n,)) for n in range(1, 6)]
    for t in rest:
        t.start()
    while len(writer._queue) < 5:  # the others queue behind the first batch
        threading.Event().wait(0.01)
    release.set()
    for t in (lead, *rest):
        t.join(10)
    assert len(batches) == 2
    assert carried == {0: batches[0], **{n: batches[1] for n in range(1, 6)}}


@single_server("it counts the round trips of the one-script home page (test_read_round_trips.py)")
def test_carrying_a_token_adds_no_redis_round_trip_to_the_home_page_or_a_like(nodes, monkeypatch):
    a, _ = nodes
    reader, author = _user(a), _user(a)
    assert reader.post(f"/api/v1/users/{author.username}/follow").status_code == 200
    tweets = [author.tweet(f"tweet {i}") for i in range(4)]
    assert reader.get("/api/v1/feed/home?limit=4").status_code == 200  # warm
    counter = Counter(monkeypatch)
    liked = reader.post(f"/api/v1/tweets/{tweets[0]['id']}/like")
    assert liked.status_code == 200 and reader.client.get_cookie(consistency.COOKIE)
    like_with_token = counter.redis
    home = reader.get("/api/v1/feed/home?limit=4")
    assert home.status_code == 200
    assert reader.client.get_cookie(consistency.COOKIE) is not None
    counter.reset()
    assert reader.get("/api/v1/feed/home?limit=4").status_code == 200
    assert (counter.redis, counter.neo4j) == (2, 0), counter.sent

    reader.client.delete_cookie(consistency.COOKIE)
    counter.reset()
    assert reader.post(f"/api/v1/tweets/{tweets[1]['id']}/like").status_code == 200
    assert counter.redis == like_with_token
