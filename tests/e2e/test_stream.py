"""The live events against the running stack (gunicorn, the consumer process, Redis, Neo4j): the SSE
stream with its ids and heartbeat, a reconnect with Last-Event-ID that gets exactly what it missed,
the WebSocket's frames both ways, one Redis connection per web worker for all streams, and the
relay's sweep of an event whose nudge was lost."""
from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest
import requests
from simple_websocket import Client, ConnectionError as WsRefused

from cache.client import is_cluster
from social import accounts
from domain.clock import now_ms
from domain.events import Followed, envelop
from tests.conftest import unique_name

WEB_URL = os.environ.get("WEB_URL", "http://127.0.0.1:8000")
API = f"{WEB_URL}/api/v1"
PASSWORD = "correct horse"


class Person:
    """A signed-in HTTP client (cookie session and CSRF header). The account and its session are
    made in-process, as login would make them: the per-address limits on sign-ups and logins are
    shared by every e2e test, which all come from 127.0.0.1."""

    def __init__(self, services):
        self.username = unique_name("e")
        self.id = accounts.register(services, self.username, PASSWORD, None)["id"]
        secret, session = services.sessions.create(int(self.id), self.username, "e2e")
        self.cookie = f"sid={secret}"
        self.http = requests.Session()
        self.http.headers.update({"Cookie": self.cookie, "X-CSRF-Token": session.csrf_token})

    def tweet(self, text: str = "hello") -> str:
        r = self.http.post(f"{API}/tweets", json={"text": text}, timeout=10)
        assert r.status_code == 201, r.text
        return r.json()["tweet"]["id"]

    def like(self, tweet_id: str) -> requests.Response:
        return self.http.post(f"{API}/tweets/{tweet_id}/like", timeout=30)


class Stream:
    """An SSE client in a thread, as EventSource behaves: on any break it reconnects, sending the
    id of the last frame it got as Last-Event-ID. `pause()` drops the connection and stays away."""

    def __init__(self, person: Person, last_id: str | None = None):
        self.person = person
        self.first_id = last_id
        self.frames: list[tuple[str, str, dict]] = []  # (id, event, data)
        self.comments: list[tuple[float, str]] = []
        self.resets = 0
        self.ended = 0
        self.connections = 0
        self.live = threading.Event()
        self.away = threading.Event()
        self.stopped = False
        self.response = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.live.wait(15), "the stream never went live"

    @property
    def last_id(self) -> str | None:
        return self.frames[-1][0] if self.frames else self.first_id

    def _run(self) -> None:
        while not self.stopped:
            if self.away.is_set():
                time.sleep(0.05)
                continue
            headers = {"Cookie": self.person.cookie, "Accept": "text/event-stream"}
            if self.last_id:
                headers["Last-Event-ID"] = self.last_id
            try:
                with requests.get(f"{API}/stream", headers=headers, stream=True, timeout=(5, 60)) as r:
                    if r.status_code != 200:
                        time.sleep(0.5)
                        continue
                    self.response = r
                    self.connections += 1
                    self._read(r)
            except (requests.RequestException, AttributeError, ValueError):
                pass  # a dropped connection: reconnect, as EventSource does
            self.live.clear()
            time.sleep(0.2)

    def _read(self, r) -> None:
        event: dict[str, str] = {}
        for line in r.iter_lines(chunk_size=None, decode_unicode=True):
            if line.startswith(":"):
                self.comments.append((time.monotonic(), line[1:].strip()))
                if line == ": live":
                    self.live.set()
            elif line:
                field, _, value = line.partition(": ")
                event[field] = value
            elif "event" in event:
                if event["event"] == "reset":
                    self.resets += 1
                elif event["event"] == "ended":  # the session ended: the server closes the stream
                    self.ended += 1
                else:
                    self.frames.append((event["id"], event["event"], json.loads(event["data"])))
                event = {}
            if self.away.is_set() or self.stopped:
                return

    def _drop(self) -> None:
        """Cuts the connection under the reading thread, as a network failure would."""
        try:
            self.response.raw._connection.sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            pass

    def pause(self) -> None:
        self.away.set()
        self.live.clear()
        self._drop()

    def resume(self) -> None:
        self.away.clear()
        assert self.live.wait(20), "the stream did not come back"

    def stop(self) -> None:
        self.stopped = True
        self._drop()

    def of(self, kind: str) -> list[dict]:
        return [data[kind] for _, event, data in self.frames if event == kind]

    def wait_for(self, predicate, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return False


def likes_seen(stream: Stream) -> list[tuple[str, str]]:
    return [(n["tweet"]["id"], n["actor"]["id"]) for n in stream.of("notification") if n["type"] == "like"]


def assert_in_order_once(stream: Stream) -> None:
    ids = [tuple(int(p) for p in frame_id.split("-")) for frame_id, _, _ in stream.frames]
    assert ids == sorted(set(ids)), "frames out of order or repeated"


@pytest.fixture
def person(services):
    return lambda: Person(services)


@pytest.fixture
def stream_of():
    opened: list[Stream] = []

    def open_stream(person: Person, last_id: str | None = None) -> Stream:
        opened.append(Stream(person, last_id))
        return opened[-1]

    yield open_stream
    for s in opened:
        s.stop()


def test_a_like_reaches_the_authors_stream_as_a_notification_frame_with_an_id(person, stream_of):
    author, fan = person(), person()
    tweet_id = author.tweet("watch this")
    stream = stream_of(author)
    assert fan.like(tweet_id).status_code == 200
    assert stream.wait_for(lambda: likes_seen(stream))
    [(frame_id, data)] = [(i, d) for i, event, d in stream.frames if event == "notification"]
    assert data["type"] == "notification" and "-" in frame_id
    note = data["notification"]
    assert note["actor"]["username"] == fan.username and note["tweet"]["id"] == tweet_id and not note["read"]


def test_a_new_tweet_reaches_the_followers_stream(person, stream_of):
    author, reader = person(), person()
    assert reader.http.post(f"{API}/users/{author.username}/follow", timeout=10).status_code == 200
    stream = stream_of(reader)
    tweet_id = author.tweet("for my followers")
    assert stream.wait_for(lambda: [t["id"] for t in stream.of("tweet")] == [tweet_id])
    assert stream.of("tweet")[0]["author"]["username"] == author.username


def settle(services, timeout: float = 15.0) -> None:
    """Waits until the consumer groups have handled every event so far."""
    deadline = time.monotonic() + timeout
    while services.event_streams.backlog():
        assert time.monotonic() < deadline, "the consumers did not catch up"
        time.sleep(0.05)


def test_a_reconnect_with_last_event_id_gets_exactly_what_it_missed_in_order(services, person, stream_of):
    author, fan, chatty = person(), person(), person()
    tweets = [author.tweet(f"t{i}") for i in range(6)]
    settle(services)  # the tweets' own frames went nowhere: the author had no stream yet
    stream = stream_of(author)
    for t in tweets[:2]:
        fan.like(t)
    assert stream.wait_for(lambda: len(likes_seen(stream)) == 2)
    stream.pause()
    for t in tweets[2:5]:
        fan.like(t)
    chatty.http.post(f"{API}/messages/{author.username}", json={"text": "you missed me"}, timeout=10)
    time.sleep(1)
    stream.resume()
    fan.like(tweets[5])
    assert stream.wait_for(lambda: len(likes_seen(stream)) == 6 and stream.of("message"))
    time.sleep(0.5)
    assert likes_seen(stream) == [(t, fan.id) for t in tweets]
    assert [m["text"] for m in stream.of("message")] == ["you missed me"]
    assert_in_order_once(stream)
    pushed = [f.id for f in services.user_streams.after(int(author.id), "0-0")]
    assert [frame_id for frame_id, _, _ in stream.frames] == pushed  # no gap, nothing else
    assert stream.connections == 2 and stream.resets == 0


def test_a_last_event_id_this_stream_never_gave_starts_it_afresh(person, stream_of):
    author, fan = person(), person()
    tweet_id = author.tweet("from the future")
    stream = stream_of(author, last_id="99999999999999-0")
    fan.like(tweet_id)
    assert stream.wait_for(lambda: likes_seen(stream) == [(tweet_id, fan.id)])


def test_an_idle_stream_gets_a_heartbeat_comment_within_fifteen_seconds(person, stream_of):
    stream = stream_of(person())
    opened = time.monotonic()
    assert stream.wait_for(lambda: any(c == "heartbeat" for _, c in stream.comments), timeout=16)
    first = next(t for t, c in stream.comments if c == "heartbeat")
    assert first - opened <= 15


def test_the_stream_needs_a_signed_in_user():
    r = requests.get(f"{API}/stream", timeout=10)
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"


def redis_clients(r) -> list[dict]:
    """CLIENT LIST of the server, or of every node of a cluster (a dispatcher subscribes on any one;
    its cluster client also keeps connections of its own for the cluster's layout)."""
    if not is_cluster(r):
        return r.client_list()
    return [c for clients in r.client_list(target_nodes=r.ALL_NODES).values() for c in clients]


def own_subscriber(services) -> str | None:
    """The address of this test process's own dispatcher (the integration tier's streams), if any."""
    pubsub = services.dispatcher.pubsub
    connection = pubsub.connection if pubsub is not None else None
    sock = connection._sock if connection is not None else None
    return "%s:%d" % sock.getsockname()[:2] if sock is not None else None


def test_all_open_streams_of_a_worker_share_one_redis_connection(services, person, stream_of):
    streams = [stream_of(person()) for _ in range(8)]
    dispatchers = [c for c in redis_clients(services.redis)
                   if c.get("name") == "event-dispatcher" and int(c.get("sub", 0)) > 0  # its subscriber
                   and c["addr"] != own_subscriber(services)]
    workers = int(os.environ.get("WEB_WORKERS", "2"))
    assert 1 <= len(dispatchers) <= workers
    assert all(s.live.is_set() for s in streams)


def test_an_event_whose_nudge_was_lost_is_relayed_by_the_sweep(services, person):
    """The write and its event commit, but the request dies before it nudges the relay."""
    follower, star = person(), person()
    event = envelop(Followed(int(follower.id), int(star.id)))
    assert services.users.follow(int(follower.id), int(star.id), now_ms(), event)

    def notified() -> bool:
        notes = star.http.get(f"{API}/notifications", timeout=10).json()["notifications"]
        return [n["actor"]["username"] for n in notes] == [follower.username]

    deadline = time.monotonic() + 20
    while not notified():
        assert time.monotonic() < deadline, "the sweep did not relay the event"
        time.sleep(0.25)


def ws_url(query: str = "") -> str:
    return f"{WEB_URL.replace('http', 'ws', 1)}/api/v1/ws{query}"


def ws_frames(ws: Client, until, timeout: float = 10.0) -> list[dict]:
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = ws.receive(timeout=0.2)
        if raw is not None:
            got.append(json.loads(raw))
            if until(got):
                return got
    raise AssertionError(f"frames so far: {got}")


def test_a_websocket_sends_messages_and_gets_the_streams_frames(person, stream_of):
    alice, bob = person(), person()
    bob_stream = stream_of(bob)
    ws = Client.connect(ws_url(), headers={"Cookie": alice.cookie})
    try:
        assert ws_frames(ws, lambda got: got[-1]["type"] == "ready") == [{"type": "ready"}]
        ws.send(json.dumps({"type": "message", "to": bob.username, "text": "over the socket"}))
        [echo] = ws_frames(ws, lambda got: got[-1]["type"] == "message")
        message = echo["message"]
        assert message["from"] == alice.username and message["to"] == bob.username
        assert message["text"] == "over the socket"
        assert bob_stream.wait_for(lambda: bob_stream.of("message") == [message])
        assert bob_stream.of("notification")[0]["type"] == "message"
        tweet_id = alice.tweet("and a like")
        bob.like(tweet_id)
        # The tweet and the like travel in different event families: either may come first.
        frames = ws_frames(ws, lambda got: {"tweet", "notification"} <= {f["type"] for f in got})
        own_tweet = next(f for f in frames if f["type"] == "tweet")
        note = next(f for f in frames if f["type"] == "notification")
        assert own_tweet["tweet"]["id"] == tweet_id
        assert note["notification"]["actor"]["username"] == bob.username
    finally:
        ws.close()


@pytest.mark.parametrize(
    "frame, code",
    [
        ("not json", "invalid_json"),
        (json.dumps({"type": "dance"}), "unknown_frame"),
        (json.dumps({"type": "message", "to": 5, "text": "x"}), "invalid_parameter"),
        (json.dumps({"type": "message", "to": "nobody_here_x", "text": "x"}), "user_not_found"),
        (json.dumps({"type": "message", "to": "SELF", "text": "x" * 1001}), "message_too_long"),
    ],
)
def test_a_refused_websocket_frame_is_answered_with_an_error_frame(person, frame, code):
    alice = person()
    ws = Client.connect(ws_url(), headers={"Cookie": alice.cookie})
    try:
        ws_frames(ws, lambda got: got[-1]["type"] == "ready")
        ws.send(frame.replace("SELF", alice.username))
        [error] = ws_frames(ws, lambda got: got[-1]["type"] == "error")
        assert error["error"]["code"] == code and error["error"]["message"]
    finally:
        ws.close()


def test_a_websocket_needs_a_signed_in_user_from_our_own_pages(person):
    with pytest.raises(WsRefused):
        Client.connect(ws_url())
    alice = person()
    with pytest.raises(WsRefused):
        Client.connect(ws_url(), headers={"Cookie": alice.cookie, "Origin": "http://evil.example"})
    r = alice.http.get(f"{API}/ws", timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "websocket_expected"
