"""Group-committed writes (graph/group_commit.py, graph/outbox.py) against the real Neo4j: exact
answers under concurrency, each event recorded once, one bad item failing only itself, and no
acknowledged write lost when the writing process is killed in the middle of its batches."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import neo4j
import orjson
import pytest
from neo4j.exceptions import ConstraintError

from domain import rules
from domain.clock import now_ms
from domain.events import Followed, LikeChanged, TweetPosted, Unfollowed, envelop
from domain.ids import new_id
from tests.integration.personas import bare_user

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 24


def _ids(services, n: int) -> list[int]:
    return [services.users.id_by_username(rules.username_key(bare_user(services))) for _ in range(n)]


def _tweet(services, author: int) -> int:
    tweet_id = new_id()
    services.tweets.create(tweet_id, author, "group commit", now_ms())
    return tweet_id


def _events(services, type_: str, **about) -> list[dict]:
    rows = services.graph.driver.execute_query(
        "MATCH (e:Event {type: $type}) RETURN e.id AS id, e.payload AS payload", type=type_,
        result_transformer_=lambda r: r.data(),
    )
    return [r for r in rows if all(orjson.loads(r["payload"]).get(k) == v for k, v in about.items())]


def _in_parallel(fn, args: list) -> list:
    with ThreadPoolExecutor(max_workers=len(args)) as pool:
        return list(pool.map(lambda a: _capture(fn, a), args))


def _capture(fn, a):
    try:
        return fn(a)
    except Exception as err:
        return err


def test_concurrent_likes_of_one_tweet_each_get_an_exact_count_and_record_one_event_each(services):
    author, *fans = _ids(services, WRITERS + 1)
    tweet_id = _tweet(services, author)
    before = services.tweets._like.batches
    rows = _in_parallel(
        lambda fan: services.tweets.like(fan, tweet_id, now_ms(), envelop(LikeChanged(fan, tweet_id, True))), fans
    )
    assert all(r["created"] for r in rows)
    assert sorted(r["like_count"] for r in rows) == list(range(1, WRITERS + 1))  # each its own place
    assert len({r["version"] for r in rows}) == WRITERS
    assert services.tweets._like.batches - before <= WRITERS
    assert len(_events(services, "LikeChanged", tweet_id=tweet_id)) == WRITERS


def test_the_same_like_sent_many_times_at_once_is_created_and_recorded_once(services):
    author, fan = _ids(services, 2)
    tweet_id = _tweet(services, author)
    rows = _in_parallel(
        lambda _: services.tweets.like(fan, tweet_id, now_ms(), envelop(LikeChanged(fan, tweet_id, True))),
        list(range(WRITERS)),
    )
    assert sum(r["created"] for r in rows) == 1
    assert {r["like_count"] for r in rows} == {1}
    assert len(_events(services, "LikeChanged", tweet_id=tweet_id)) == 1


def test_concurrent_follows_and_unfollows_answer_each_writer_and_record_each_change_once(services):
    star, *fans = _ids(services, WRITERS + 1)
    created = _in_parallel(lambda f: services.users.follow(f, star, now_ms(), envelop(Followed(f, star))), fans)
    again = _in_parallel(lambda f: services.users.follow(f, star, now_ms(), envelop(Followed(f, star))), fans)
    assert created == [True] * WRITERS and again == [False] * WRITERS
    assert len(_events(services, "Followed", followee_id=star)) == WRITERS
    assert services.feed_source.follower_count(star) == WRITERS
    removed = _in_parallel(lambda f: services.users.unfollow(f, star), fans)
    assert removed == [True] * WRITERS
    assert services.feed_source.follower_count(star) == 0


def test_an_unlike_or_an_unfollow_records_its_event_only_when_it_removed_something(services):
    author, fan = _ids(services, 2)
    tweet_id = _tweet(services, author)
    assert not services.tweets.unlike(fan, tweet_id, envelop(LikeChanged(fan, tweet_id, False)))["removed"]
    assert not services.users.unfollow(fan, author, envelop(Unfollowed(fan, author)))
    assert _events(services, "LikeChanged", user_id=fan) == [] and _events(services, "Unfollowed", follower_id=fan) == []
    services.tweets.like(fan, tweet_id, now_ms())
    services.users.follow(fan, author, now_ms())
    assert services.tweets.unlike(fan, tweet_id, envelop(LikeChanged(fan, tweet_id, False)))["removed"]
    assert services.users.unfollow(fan, author, envelop(Unfollowed(fan, author)))
    assert len(_events(services, "LikeChanged", user_id=fan, liked=False)) == 1
    assert len(_events(services, "Unfollowed", follower_id=fan)) == 1


def test_likes_and_follows_take_one_auto_commit_transaction_and_a_post_a_managed_one(services, monkeypatch):
    """A batch that may run twice is one Bolt round trip; a post, which may not, keeps the managed
    transaction that fails rather than runs twice (docs/performance.md item 30)."""
    author, fan = _ids(services, 2)
    tweet_id = _tweet(services, author)
    opened: list[str] = []
    run, execute_write = neo4j.Session.run, neo4j.Session.execute_write
    monkeypatch.setattr(neo4j.Session, "run", lambda self, *a, **k: opened.append("auto-commit") or run(self, *a, **k))
    monkeypatch.setattr(neo4j.Session, "execute_write",
                        lambda self, *a, **k: opened.append("managed") or execute_write(self, *a, **k))
    writes = [
        lambda: services.tweets.like(fan, tweet_id, now_ms(), envelop(LikeChanged(fan, tweet_id, True))),
        lambda: services.tweets.unlike(fan, tweet_id, envelop(LikeChanged(fan, tweet_id, False))),
        lambda: services.users.follow(fan, author, now_ms(), envelop(Followed(fan, author))),
        lambda: services.users.unfollow(fan, author, envelop(Unfollowed(fan, author))),
        lambda: _tweet(services, author),
    ]
    for write in writes:
        write()
    assert opened == ["auto-commit"] * 4 + ["managed"]


def test_a_batch_of_likes_run_again_after_its_commit_changes_nothing_and_records_nothing(services):
    """What `_retried` does when the answer to an auto-commit was lost after it committed."""
    author, fan = _ids(services, 2)
    tweet_id = _tweet(services, author)
    batch = [({"user_id": fan, "tweet_id": tweet_id, "now_ms": now_ms()}, envelop(LikeChanged(fan, tweet_id, True)))]
    (first, _), = services.tweets._like.write(batch)
    (again, _), = services.tweets._like.write(batch)
    assert (first["created"], first["like_count"]) == (True, 1)
    assert (again["created"], again["like_count"]) == (False, 1)
    assert len(_events(services, "LikeChanged", tweet_id=tweet_id)) == 1


def test_a_likes_batch_with_a_missing_tweet_answers_none_for_it_alone(services):
    author, *fans = _ids(services, 9)
    tweet_id = _tweet(services, author)
    targets = [(fan, tweet_id if k % 4 else new_id()) for k, fan in enumerate(fans)]
    rows = _in_parallel(lambda p: services.tweets.like(p[0], p[1], now_ms(), envelop(LikeChanged(p[0], p[1], True))), targets)
    assert [r is None for r in rows] == [k % 4 == 0 for k in range(len(fans))]
    assert len(_events(services, "LikeChanged", tweet_id=tweet_id)) == sum(1 for r in rows if r)


def test_a_failing_post_fails_alone_and_its_neighbours_commit_with_their_events(services):
    authors = _ids(services, WRITERS)
    taken = _tweet(services, authors[0])
    ids = [taken if k == WRITERS // 2 else new_id() for k in range(WRITERS)]

    def post(k):
        return services.tweets.create(ids[k], authors[k], f"post {k}", now_ms(), envelop(TweetPosted(ids[k], authors[k])))

    results = _in_parallel(post, list(range(WRITERS)))
    failed = [k for k, r in enumerate(results) if isinstance(r, Exception)]
    assert failed == [WRITERS // 2] and isinstance(results[failed[0]], ConstraintError)
    for k, r in enumerate(results):
        if k not in failed:
            assert r["id"] == str(ids[k]) and r["author"]["id"] == str(authors[k])
            assert len(_events(services, "TweetPosted", tweet_id=ids[k])) == 1
    assert _events(services, "TweetPosted", tweet_id=taken) == []


KILLED_WRITER = textwrap.dedent("""
    import sys, threading
    from bootstrap import bootstrap
    from domain.clock import now_ms
    from domain.events import LikeChanged, envelop
    svc = bootstrap()
    tweet_id, fans = int(sys.argv[1]), [int(f) for f in sys.argv[2:]]
    lock = threading.Lock()
    def like(fan):
        row = svc.tweets.like(fan, tweet_id, now_ms(), envelop(LikeChanged(fan, tweet_id, True)))
        with lock:
            print(fan, row["like_count"], flush=True)
    threads = [threading.Thread(target=like, args=(f,)) for f in fans]
    for t in threads: t.start()
    for t in threads: t.join()
""")


def test_no_acknowledged_like_is_lost_when_the_writer_is_killed_mid_batch(services):
    author, *fans = _ids(services, 121)
    tweet_id = _tweet(services, author)
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tweet_id), *map(str, fans)],
                            cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, text=True)
    acked = []
    for line in proc.stdout:
        acked.append(int(line.split()[0]))
        if len(acked) == 20:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    acked += [int(line.split()[0]) for line in proc.stdout.read().splitlines() if line.strip()]
    likers = services.graph.driver.execute_query(
        "MATCH (u:User)-[:LIKED]->(:Tweet {id: $id}) RETURN collect(u.id) AS ids", id=tweet_id,
        result_transformer_=lambda r: r.single()["ids"],
    )
    assert set(acked) <= set(likers)  # every acknowledged like committed
    recorded = sorted(int(orjson.loads(e["payload"])["user_id"])
                      for e in _events(services, "LikeChanged", tweet_id=tweet_id))
    assert recorded == sorted(likers)  # each committed like has its event, once: batches are atomic


@pytest.mark.parametrize("kind", ["like", "unlike"])
def test_a_lone_write_goes_out_in_a_batch_of_its_own(services, kind):
    author, fan = _ids(services, 2)
    tweet_id = _tweet(services, author)
    batcher = getattr(services.tweets, f"_{kind}")
    before = batcher.batches
    getattr(services.tweets, kind)(fan, tweet_id, *([now_ms()] if kind == "like" else []))
    assert batcher.batches == before + 1
