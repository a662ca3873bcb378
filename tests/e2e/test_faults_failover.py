"""A Redis Cluster master killed (SIGKILL) under write load, on the cluster stack of `make
test-cluster`: likes, follows and posts go on through the HTTP API while the master's replica takes
over. Meanwhile a write that needs the dead master's slots answers 503 with Retry-After, never 500,
and a client that tries it again gets it acknowledged; afterwards every acknowledged write is there,
with its counts, its notifications and its feed entries. The master killed is the one holding the
event streams, so the relay and the consumers live through the failover too (docs/scale-out.md)."""
from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from dataclasses import replace

import pytest
import requests

from cache.client import user_tag
from stack.config import dev_stack
from stack.ready import replication
from stack.services import redis_services
from stack.supervise import running_pid, spawn, wait_for_exit
from tests.e2e.test_stream import API, Person

pytestmark = [pytest.mark.faults,
              pytest.mark.skipif(os.environ.get("REDIS_MODE") != "cluster", reason="a Redis Cluster fault")]

AUTHORS, FANS, POSTS = 3, 6, 4


class Writes(threading.Thread):
    """Sends each write until it is acknowledged (2xx), pausing a little after each refusal as a
    client honouring Retry-After would; keeps every refusal it met."""

    def __init__(self, writes: list[tuple[str, callable]], pause: float = 0.05):
        super().__init__(daemon=True)
        self.writes = writes
        self.pause = pause
        self.done: list[tuple[str, requests.Response]] = []
        self.refused: list[tuple[str, int, str | None, str]] = []  # (what, status, Retry-After, body)

    def run(self) -> None:
        for what, send in self.writes:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    r = send()
                except requests.RequestException as err:
                    self.refused.append((what, 0, None, str(err)))
                else:
                    if r.ok:
                        self.done.append((what, r))
                        break
                    self.refused.append((what, r.status_code, r.headers.get("Retry-After"), r.text[:200]))
                time.sleep(0.25)
            time.sleep(self.pause)


def people_on_both_sides(services, master_port: int) -> tuple[list[Person], list[Person]]:
    """Authors, and fans of whom some keep their keys on that master and some elsewhere."""
    authors = [Person(services) for _ in range(AUTHORS)]
    on, off = [], []
    while len(on) < FANS // 2 or len(off) < FANS // 2:
        fan = Person(services)
        side = on if services.redis.get_node_from_key(user_tag(fan.id)).port == master_port else off
        if len(side) < FANS // 2:
            side.append(fan)
    return authors, on + off


def the_cluster_stack():
    return replace(dev_stack(dict(os.environ)), neo4j_memory=os.environ.get("NEO4J_MEMORY", "512m"))


def wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_master_killed_under_write_load_fails_over_with_503s_and_loses_no_acknowledged_write(services):
    stack = the_cluster_stack()
    master = services.redis.get_node_from_key(services.event_streams.key("likes")).port
    replica = replication(master)["replica_port"]
    authors, fans = people_on_both_sides(services, master)
    first_tweets = {a.id: [a.tweet(f"before {i}") for i in range(2)] for a in authors}

    follows = Writes([(f"follow {f.id}->{a.id}", lambda f=f, a=a: f.http.post(f"{API}/users/{a.username}/follow", timeout=30))
                      for a in authors for f in fans])
    likes = Writes([(f"like {f.id}->{t}", lambda f=f, t=t: f.like(t))
                    for tweets in first_tweets.values() for t in tweets for f in fans])
    posts = Writes([(f"post {a.id} {i}", lambda a=a, i=i: a.http.post(f"{API}/tweets", json={"text": f"during {i}"}, timeout=30))
                    for i in range(POSTS) for a in authors], pause=0.3)
    flows = [follows, likes, posts]
    for flow in flows:
        flow.start()
    wait_for(lambda: len(likes.done) >= 6, 60, "the likes never got going")

    pid = running_pid(stack, f"redis-{master}")
    os.kill(pid, signal.SIGKILL)
    assert wait_for_exit(pid, 10)
    wait_for(lambda: replication(replica)["role"] == "master", 60, "the replica was never promoted")
    spawn(stack, next(s for s in redis_services(stack) if s.name == f"redis-{master}"))  # back as a replica
    for flow in flows:
        flow.join(180)
        assert not flow.is_alive()

    refusals = [r for flow in flows for r in flow.refused]
    print("refused during the failover:", Counter((what.split()[0], status) for what, status, _, _ in refusals))
    assert refusals, "no write met the failover: the fault came too late to matter"
    assert all(status == 503 and retry_after for _, status, retry_after, _ in refusals), refusals
    assert len(follows.done) == AUTHORS * FANS and len(likes.done) == 2 * AUTHORS * FANS
    assert len(posts.done) == AUTHORS * POSTS

    wait_for(lambda: not services.event_streams.backlog() and not services.outbox.stale(time.time_ns() // 10**6, 1),
             90, "the consumers never caught up")
    posted = {a.id: [r.json()["tweet"]["id"] for what, r in posts.done if what.startswith(f"post {a.id} ")]
              for a in authors}
    every_acknowledged_write_is_there(authors, fans, first_tweets, posted)


def every_acknowledged_write_is_there(authors, fans, first_tweets, posted) -> None:
    for author in authors:
        profile = author.http.get(f"{API}/users/{author.username}", timeout=10).json()["user"]
        assert profile["followers_count"] == FANS and profile["tweets_count"] == 2 + POSTS
        notes = author.http.get(f"{API}/notifications?limit=100", timeout=10).json()["notifications"]
        likes = {n["tweet"]["id"]: n["count"] for n in notes if n["type"] == "like"}
        assert likes == {t: FANS for t in first_tweets[author.id]}
        assert sum(n["count"] for n in notes if n["type"] == "follow") == FANS
        mine = author.http.get(f"{API}/users/{author.username}/tweets?limit=100", timeout=10).json()["tweets"]
        assert {t["id"] for t in mine} == {*first_tweets[author.id], *posted[author.id]}
    for fan in fans:
        me = fan.http.get(f"{API}/users/me", timeout=10).json()["user"]
        assert me["following_count"] == AUTHORS
        home = fan.http.get(f"{API}/feed/home?limit=100", timeout=10).json()["tweets"]
        expected = {t for a in authors for t in (*first_tweets[a.id], *posted[a.id])}
        assert expected <= {t["id"] for t in home}, f"fan {fan.id} misses {expected - {t['id'] for t in home}}"
        for tweets in first_tweets.values():
            for tweet_id in tweets:
                tweet = fan.http.get(f"{API}/tweets/{tweet_id}", timeout=10).json()["tweet"]
                assert tweet["liked"] and tweet["like_count"] == FANS
