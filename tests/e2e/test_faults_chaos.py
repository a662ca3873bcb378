"""Chaos under a steady write load (posts, likes, follows): the event consumer, the RQ worker, a web
worker and Redis are each killed with SIGKILL and started again (gunicorn forks a new web worker by
itself). Afterwards every acknowledged write is in Neo4j, none twice, every count is exact, every
notification group is complete, every follower's feed has every tweet of whom they follow, and an
SSE client that reconnected with Last-Event-ID through it all missed nothing. Builds on
test_faults_events.py (which stops one thing at a time, gently or not); runs last (marked faults)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter, defaultdict
from functools import partial

import pytest
import requests

from stack.ready import redis_ready, wait_ready
from stack.services import all_services
from stack.supervise import running_pid, spawn, wait_for_exit
from tests.e2e.test_faults_events import the_stack
from tests.conftest import single_server
from tests.e2e.test_stream import API, Person, Stream, assert_in_order_once

pytestmark = [pytest.mark.faults,
              single_server("it kills the one Redis server among the others; a cluster's failover has its own test")]

PEOPLE = 6
STAR = 0  # everyone follows the star from the start; the star's stream is watched through it all


class WriteLoad(threading.Thread):
    """Posts, likes and follows, one at a time, as long as it runs. A like or a follow that gets no
    answer is sent again until one comes (both are idempotent); a post that gets none is counted
    as unknown and not sent again (a retry could post it twice: that would be the client's doing)."""

    def __init__(self, people: list[Person], seed: int = 12):
        super().__init__(daemon=True)
        self.people = people
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.tweets: dict[str, tuple[int, str]] = {}  # acknowledged: id -> (author index, text)
        self.unknown_posts: list[tuple[int, str]] = []
        self.likes: set[tuple[int, str]] = set()  # (liker index, tweet id)
        self.follows: set[tuple[int, int]] = set()
        self.refused: Counter = Counter()
        self.n = 0

    def _until_acked(self, call) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                r = call()
                if r.status_code < 300:
                    return
                self.refused[r.status_code] += 1
            except requests.RequestException:
                self.refused["no answer"] += 1
            time.sleep(0.2)
        raise AssertionError("a write was refused for two minutes")

    def _post(self, who: int) -> None:
        self.n += 1
        text = f"chaos {self.n} by {who}"
        try:
            r = self.people[who].http.post(f"{API}/tweets", json={"text": text}, timeout=10)
        except requests.RequestException:
            self.unknown_posts.append((who, text))
            return
        if r.status_code == 201:
            self.tweets[r.json()["tweet"]["id"]] = (who, text)
        elif r.status_code >= 500 and r.status_code != 503:
            self.unknown_posts.append((who, text))  # a 502 from a killed worker: it may have been written
        else:
            self.refused[r.status_code] += 1

    def run(self) -> None:
        while not self.stop.is_set():
            who = self.random.randrange(len(self.people))
            kind = self.random.choice(("post", "post", "like", "like", "follow"))
            others = [t for t, (author, _) in self.tweets.items() if author != who]
            if kind == "like" and others:
                tweet_id = self.random.choice(others)
                self._until_acked(lambda: self.people[who].like(tweet_id))
                self.likes.add((who, tweet_id))
            elif kind == "follow":
                whom = self.random.choice([i for i in range(len(self.people)) if i != who])
                self._until_acked(lambda: self.people[who].http.post(
                    f"{API}/users/{self.people[whom].username}/follow", timeout=10))
                self.follows.add((who, whom))
            else:
                self._post(who)
            time.sleep(0.03)


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    assert wait_for_exit(pid, 10)


def _restart_job(stack, name: str) -> None:
    _kill(running_pid(stack, name))
    time.sleep(1)  # writes go on meanwhile
    spawn(stack, all_services(stack)[name])


def _kill_a_web_worker(stack) -> None:
    master = running_pid(stack, "web")
    workers = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    assert workers, "gunicorn has no worker to kill"
    _kill(int(workers[0]))  # the master forks a new one


def _restart_redis(stack) -> None:
    _kill(running_pid(stack, "redis"))
    time.sleep(1)
    spawn(stack, all_services(stack)["redis"])
    wait_ready(stack, {"redis": partial(redis_ready, stack.redis_port)}, ["redis"], 30)


def _eventually(check, timeout: float = 60.0):
    """The read models catch up after the faults: the check's last failure if they never do."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _every_item(http, path: str, name: str) -> list[dict]:
    """All pages of a listing: on a fast machine the load makes more items than one page holds."""
    items, cursor = [], None
    while True:
        page = http.get(f"{API}{path}?limit=100" + (f"&cursor={cursor}" if cursor else ""), timeout=10).json()
        items += page[name]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def test_sigkill_of_every_process_under_load_loses_no_acknowledged_write(services):
    stack = the_stack()
    people = [Person(services) for _ in range(PEOPLE)]
    star = people[STAR]
    for i, fan in enumerate(people):
        if i != STAR:
            assert fan.http.post(f"{API}/users/{star.username}/follow", timeout=10).status_code == 200
    deadline = time.monotonic() + 15
    while services.event_streams.backlog() and time.monotonic() < deadline:
        time.sleep(0.05)  # the follows' notifications are pushed before the stream opens
    start = services.user_streams.tail(int(star.id))
    stream = Stream(star, last_id=start)  # from here on, even if a follow's frame is still on its way
    load = WriteLoad(people)
    load.follows.update((i, STAR) for i in range(PEOPLE) if i != STAR)
    load.start()
    for fault in (lambda: _restart_job(stack, "consumer"),
                  lambda: _restart_job(stack, "worker"),
                  lambda: _kill_a_web_worker(stack),
                  lambda: _restart_redis(stack)):
        time.sleep(2)
        fault()
    time.sleep(2)
    load.stop.set()
    load.join(150)
    assert not load.is_alive()
    time.sleep(1)
    assert all(running_pid(stack, name) for name in ("consumer", "worker", "web")), \
        "a job process did not outlive the Redis restart"

    by_id = {p.id: i for i, p in enumerate(people)}
    tweet_ids = list(load.tweets)
    assert len(tweet_ids) >= 10 and load.likes, "too little load to mean anything"

    # In Neo4j: every acknowledged tweet, like and follow; no tweet twice.
    texts = Counter(t["text"] for t in services.tweets.hydrate([int(t) for t in tweet_ids]))
    assert len(texts) == len(tweet_ids) and max(texts.values()) == 1
    likers = defaultdict(set)
    for who, tweet_id in load.likes:
        likers[tweet_id].add(people[who].id)

    def counts_exact():
        for tweet_id in tweet_ids:
            got = star.http.get(f"{API}/tweets/{tweet_id}", timeout=10).json()["tweet"]
            assert got["like_count"] == len(likers[tweet_id]), tweet_id
        for i, p in enumerate(people):
            user = star.http.get(f"{API}/users/{p.username}", timeout=10).json()["user"]
            assert user["followers_count"] == len({a for a, b in load.follows if b == i}), p.username
            assert user["following_count"] == len({b for a, b in load.follows if a == i}), p.username
            acked = sum(1 for a, _ in load.tweets.values() if a == i)
            maybe = sum(1 for a, _ in load.unknown_posts if a == i)
            assert acked <= user["tweets_count"] <= acked + maybe, p.username

    _eventually(counts_exact)

    def notification_groups_complete():
        for i, p in enumerate(people):
            notes = _every_item(p.http, "/notifications", "notifications")
            likes = {n["tweet"]["id"]: n["count"] for n in notes if n["type"] == "like"}
            mine = {t for t, (author, _) in load.tweets.items() if author == i and likers[t]}
            assert likes == {t: len(likers[t]) for t in mine}, p.username

    _eventually(notification_groups_complete)

    def feeds_complete():
        for i, p in enumerate(people):
            followed = {b for a, b in load.follows if a == i} | {i}
            expected = {t for t, (author, _) in load.tweets.items() if author in followed}
            feed = _every_item(p.http, "/feed/home", "tweets")
            missing = expected - {t["id"] for t in feed}
            assert not missing, f"{p.username} misses {len(missing)} of {len(expected)}"

    _eventually(feeds_complete)

    # The star's stream, reconnected with Last-Event-ID after each break, has every frame once.
    pushed = _eventually(lambda: _all_frames_seen(services, star, stream, start))
    assert_in_order_once(stream)
    print(f"\nchaos: {len(tweet_ids)} posts, {len(load.likes)} likes, {len(load.follows)} follows acknowledged; "
          f"0 lost, 0 duplicated; {len(load.unknown_posts)} posts without an answer; refusals {dict(load.refused)}; "
          f"the stream: {len(pushed)} frames over {stream.connections} connections")
    stream.stop()


def _all_frames_seen(services, star: Person, stream: Stream, start: str) -> list[str]:
    pushed = [f.id for f in services.user_streams.after(int(star.id), start)]
    assert [frame_id for frame_id, _, _ in stream.frames] == pushed
    return pushed
