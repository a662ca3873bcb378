"""Two web nodes on one Neo4j and one Redis (docs/scale-out.md): a push reaches the user's open
stream or WebSocket whichever node holds it, since every node's dispatcher hears the user's Redis
channel."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from simple_websocket import Client

from tests.e2e.conftest import WEB_URL
from tests.e2e.test_stream import ws_frames

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def node_b():
    """A second gunicorn master of the same app, as `make up WEB_NODES=2` runs behind HAProxy."""
    port = free_port()
    env = {**os.environ, "WEB_PORT": str(port), "WEB_WORKERS": "1", "WEB_NODE": "node-b-test"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "stack/gunicorn.conf.py", "wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the second web node did not start")
    yield url
    process.terminate()
    process.wait(timeout=30)


class Notifications:
    """The notification frames of one SSE connection to one node, read in a thread."""

    def __init__(self, base: str, cookie: str):
        self.seen: list[dict] = []
        self.live = threading.Event()
        self.response = requests.get(f"{base}/api/v1/stream", headers={"Cookie": cookie, "Accept": "text/event-stream"},
                                     stream=True, timeout=(5, 60))
        assert self.response.status_code == 200
        threading.Thread(target=self._read, daemon=True).start()
        assert self.live.wait(15), "the stream never went live"

    def _read(self) -> None:
        event = None
        try:
            for line in self.response.iter_lines(chunk_size=None, decode_unicode=True):
                if line == ": live":
                    self.live.set()
                elif line.startswith("event: "):
                    event = line[len("event: "):]
                elif line.startswith("data: ") and event == "notification":
                    self.seen.append(json.loads(line[len("data: "):])["notification"])
        except (requests.RequestException, AttributeError, ValueError):
            pass

    def wait_for_like_by(self, username: str, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(n["type"] == "like" and n["actor"]["username"] == username for n in self.seen):
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self.response.close()


def cookie_of(person) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in person.http.cookies)


@pytest.mark.parametrize("stream_on, like_on", [("a", "b"), ("b", "a")])
def test_a_like_on_one_node_reaches_the_authors_stream_on_the_other(make_person, node_b, stream_on, like_on):
    nodes = {"a": WEB_URL, "b": node_b}
    author, fan = make_person(), make_person()
    posted = author.http.post(f"{WEB_URL}/api/v1/tweets", json={"text": "seen from both nodes"}, timeout=60)
    assert posted.status_code == 201, posted.text  # generous timeouts: the first writes plan their queries
    tweet_id = posted.json()["tweet"]["id"]
    stream = Notifications(nodes[stream_on], cookie_of(author))
    try:
        r = fan.http.post(f"{nodes[like_on]}/api/v1/tweets/{tweet_id}/like", timeout=60)
        assert r.status_code == 200, r.text
        assert stream.wait_for_like_by(fan.username), f"no notification on node {stream_on}"
    finally:
        stream.close()


def test_a_browsers_write_on_one_node_is_read_back_on_the_other_with_its_consistency_cookie(make_person, node_b):
    """Through gunicorn and gevent: the write answers the token and the cookie, which the browser
    sends to the other node; a token that is not the app's is ignored there, never an error."""
    writer = make_person()
    tweet = writer.tweet("kept on node a")
    r = writer.http.post(f"{WEB_URL}/api/v1/tweets/{tweet['id']}/bookmark", timeout=60)
    assert r.status_code == 200, r.text
    token = r.headers["X-Consistency-Token"]
    assert writer.http.cookies.get("consistency") == token
    on_b = writer.http.get(f"{node_b}/api/v1/bookmarks", timeout=60)
    assert on_b.status_code == 200, on_b.text
    assert [t["id"] for t in on_b.json()["tweets"]] == [tweet["id"]]
    forged = writer.http.get(f"{node_b}/api/v1/bookmarks", headers={"X-Consistency-Token": token[:-4] + "AAAA"},
                             timeout=60)
    assert forged.status_code == 200 and forged.json() == on_b.json()


def test_a_message_sent_over_a_websocket_on_one_node_reaches_the_recipients_websocket_on_the_other(
        make_person, node_b):
    sender, recipient = make_person(), make_person()
    on_a = Client.connect(f"{WEB_URL.replace('http', 'ws', 1)}/api/v1/ws", headers={"Cookie": cookie_of(sender)})
    on_b = Client.connect(f"{node_b.replace('http', 'ws', 1)}/api/v1/ws", headers={"Cookie": cookie_of(recipient)})
    try:
        for ws in (on_a, on_b):
            assert ws_frames(ws, lambda got: got[-1]["type"] == "ready", timeout=30)[-1] == {"type": "ready"}
        on_a.send(json.dumps({"type": "message", "to": recipient.username, "text": "across the nodes"}))
        got = ws_frames(on_b, lambda got: any(f["type"] == "message" for f in got), timeout=30)
        message = next(f["message"] for f in got if f["type"] == "message")
        assert (message["from"], message["text"]) == (sender.username, "across the nodes")
    finally:
        on_a.close()
        on_b.close()

