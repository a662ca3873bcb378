"""Faults against the real processes of the running stack, while likes flow: the consumer killed
with SIGKILL and started again, Redis restarted (its append-only file on), Neo4j stopped then
started. Every like's notification reaches its author's stream exactly once, and the stream, resumed
with Last-Event-ID, has no gap and no repeat. They stop and start processes by the pid files that
the stack manager keeps (stack/supervise.py), so they run last (tests/conftest.py)."""
from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from dataclasses import replace
from functools import partial

import pytest
import requests

from stack.config import Stack, dev_stack
from stack.ready import neo4j_ready, redis_ready, wait_ready
from stack.services import STOP_SECONDS, all_services
from stack.supervise import running_pid, spawn, stop_processes, wait_for_exit
from tests.conftest import single_server
from tests.e2e.test_stream import API, Person, Stream, assert_in_order_once, likes_seen

pytestmark = pytest.mark.faults


def the_stack() -> Stack:
    """The stack that `make test` started, as the stack manager sees it from the environment it gave us."""
    return replace(dev_stack(dict(os.environ)), neo4j_memory=os.environ.get("NEO4J_MEMORY", "512m"))


class LikeFlow(threading.Thread):
    """Each fan likes each tweet once, a little apart; a refused like (503 while a database is
    down) is tried again until it is accepted, as a client honouring Retry-After would."""

    def __init__(self, fans: list[Person], tweet_ids: list[str], pause: float = 0.05):
        super().__init__(daemon=True)
        self.pairs = [(fan, t) for t in tweet_ids for fan in fans]
        self.pause = pause
        self.done = 0
        self.refused: Counter = Counter()

    def run(self) -> None:
        for fan, tweet_id in self.pairs:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                try:
                    r = fan.like(tweet_id)
                    if r.status_code == 200:
                        break
                    self.refused[r.status_code] += 1
                except requests.RequestException:
                    self.refused["error"] += 1
                time.sleep(0.25)
            self.done += 1
            time.sleep(self.pause)



def setting_up(person_count: int, tweet_count: int, services) -> tuple[Person, list[Person], list[str], Stream]:
    author = Person(services)
    fans = [Person(services) for _ in range(person_count)]
    tweet_ids = [author.tweet(f"fault {i}") for i in range(tweet_count)]
    deadline = time.monotonic() + 15
    while services.event_streams.backlog() and time.monotonic() < deadline:
        time.sleep(0.05)  # the tweets' own frames went nowhere: no stream was open
    return author, fans, tweet_ids, Stream(author)


def every_like_arrived_once(services, author: Person, fans: list[Person], tweet_ids: list[str], stream: Stream,
                            timeout: float) -> None:
    expected = sorted((t, fan.id) for t in tweet_ids for fan in fans)
    deadline = time.monotonic() + timeout
    while sorted(likes_seen(stream)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    seen = Counter(likes_seen(stream))
    assert sorted(seen) == expected, f"missing {set(expected) - set(seen)}"
    assert max(seen.values()) == 1, f"repeated {[k for k, n in seen.items() if n > 1]}"
    stream.pause()  # one more reconnect with Last-Event-ID, after the fault
    stream.resume()
    time.sleep(0.5)
    assert_in_order_once(stream)
    pushed = [f.id for f in services.user_streams.after(int(author.id), "0-0")]
    assert [frame_id for frame_id, _, _ in stream.frames] == pushed  # no gap: every frame of the stream
    # Pushed before persisted: the notifications' Neo4j write follows the frames by a batch.
    wanted = {t: len(fans) for t in tweet_ids}
    while time.monotonic() < deadline + 30:
        notes = author.http.get(f"{API}/notifications?limit=100", timeout=10).json()["notifications"]
        if {n["tweet"]["id"]: n["count"] for n in notes} == wanted:
            break
        time.sleep(0.2)
    assert {n["tweet"]["id"]: n["count"] for n in notes} == wanted


def test_a_consumer_killed_mid_flow_comes_back_and_every_notification_arrives_once(services):
    stack = the_stack()
    author, fans, tweet_ids, stream = setting_up(3, 8, services)
    flow = LikeFlow(fans, tweet_ids)
    flow.start()
    while flow.done < 6:
        time.sleep(0.02)
    pid = running_pid(stack, "consumer")
    os.kill(pid, signal.SIGKILL)
    assert wait_for_exit(pid, 10)
    time.sleep(1)  # likes go on meanwhile: their events wait in the outbox and the streams
    spawn(stack, all_services(stack)["consumer"])
    flow.join(60)
    every_like_arrived_once(services, author, fans, tweet_ids, stream, timeout=30)
    stream.stop()


@single_server("it restarts the one Redis server; a cluster's failover has its own test")
def test_a_redis_restart_mid_flow_loses_no_event(services):
    stack = the_stack()
    author, fans, tweet_ids, stream = setting_up(3, 6, services)
    flow = LikeFlow(fans, tweet_ids)
    flow.start()
    while flow.done < 5:
        time.sleep(0.02)
    stop_processes(stack, ["redis"], STOP_SECONDS["redis"])
    time.sleep(1)
    spawn(stack, all_services(stack)["redis"])
    wait_ready(stack, {"redis": partial(redis_ready, stack.redis_port)}, ["redis"], 30)
    flow.join(120)
    every_like_arrived_once(services, author, fans, tweet_ids, stream, timeout=30)
    assert flow.refused, "no request met Redis down: the fault came too late to matter"
    stream.stop()


def test_neo4j_down_refuses_writes_with_503_and_the_service_recovers_by_itself(services):
    stack = the_stack()
    author, fans, tweet_ids, stream = setting_up(2, 4, services)
    before = LikeFlow(fans, tweet_ids[:2], pause=0)
    before.run()
    stop_processes(stack, ["neo4j"], STOP_SECONDS["neo4j"])
    try:
        r = fans[0].like(tweet_ids[2])
        assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0
        assert r.json()["error"]["code"] == "neo4j_unavailable"
        r = author.http.post(f"{API}/tweets", json={"text": "while down"}, timeout=30)
        assert r.status_code == 503 and r.headers["Retry-After"]
        stream.pause()  # and the client away while the database is down
    finally:
        spawn(stack, all_services(stack)["neo4j"])
        wait_ready(stack, {"neo4j": partial(neo4j_ready, stack)}, ["neo4j"], 240)
    after = LikeFlow(fans, tweet_ids[2:], pause=0)
    after.run()  # retried until the web server and the consumer have found Neo4j again
    stream.resume()
    every_like_arrived_once(services, author, fans, tweet_ids, stream, timeout=60)
    stream.stop()
