"""Conversation benchmarks (docs/conversation.md): search latency on words and on tags, the thread
of a 100-reply conversation, and home-feed throughput when a fifth of the feed is boosts, as a
ratio to the same feed without boosts."""
from __future__ import annotations

import random
import time

import requests

from bench.core import Context, bearer_token, percentile, wait_until, wrk
from domain.ids import new_id
from seed_graph import DEMO_PASSWORD, WORDS
from social import tweets

SEARCHES = 100
TIMEOUT = 120  # seconds: a shared, loaded machine answers late rather than not at all
TAGGED = 5000
TAGS = [f"bench{i}" for i in range(50)]
# Bench-only setup: tagged tweets straight in the graph, with the edges and the search label that
# posting would make.
TAGGED_TWEETS = """
UNWIND $rows AS row
MATCH (a:User {id: row[1]})
CREATE (a)-[:POSTED {created_at: datetime({epochMillis: row[2]})}]->
       (t:Tweet:Searchable {id: row[0], text: row[3], created_at: datetime({epochMillis: row[2]})})
WITH t, row
MERGE (g:Tag {name: row[4]})
CREATE (t)-[:TAGS {created_at: t.created_at}]->(g)
"""


def _query(ctx: Context, text: str, **params) -> list[dict]:
    return ctx.svc.graph.driver.execute_query(text, params, result_transformer_=lambda r: r.data())


def _latencies(urls: list[str]) -> tuple[float, float, int]:
    """p50 and p99 in ms of sequential GETs, and how many answered other than 200."""
    session, samples, bad = requests.Session(), [], 0
    session.get(urls[0], timeout=TIMEOUT)  # warm-up, not measured
    for url in urls:
        started = time.perf_counter()
        r = session.get(url, timeout=TIMEOUT)
        samples.append((time.perf_counter() - started) * 1000)
        bad += r.status_code != 200
    return percentile(samples, 50), percentile(samples, 99), bad


def search_latency(ctx: Context) -> None:
    rng = random.Random(7)
    users = ctx.sizes["users"]
    now = int(time.time() * 1000)
    rows = [[new_id(now - i), rng.randrange(1, users + 1), now - i,
             f"#{TAGS[i % len(TAGS)]} " + " ".join(rng.choice(WORDS) for _ in range(4)), TAGS[i % len(TAGS)]]
            for i in range(TAGGED)]
    for start in range(0, len(rows), 1000):
        _query(ctx, TAGGED_TWEETS, rows=rows[start:start + 1000])
    api = f"{ctx.web_url}/api/v1"
    words = [f"{api}/search?q={rng.choice(WORDS)}+{rng.choice(WORDS)[:3]}" for _ in range(SEARCHES)]
    p50, p99, bad = _latencies(words)
    ctx.add("conv. search tweets by words", round(p99, 1), "ms p99", "", None,
            f"p50 {p50:.1f} ms; {SEARCHES} sequential queries of a word and a prefix over "
            f"{ctx.sizes['tweets']:,} seeded tweets (48-word vocabulary); non-200: {bad}")
    tags = [f"{api}/search?q=%23{rng.choice(TAGS)}" for _ in range(SEARCHES)]
    p50, p99, bad = _latencies(tags)
    ctx.add("conv. search tweets by tag", round(p99, 1), "ms p99", "", None,
            f"p50 {p50:.1f} ms; {len(TAGS)} tags over {TAGGED:,} tagged tweets; non-200: {bad}")
    pages = [f"{api}/tags/{rng.choice(TAGS)}" for _ in range(SEARCHES)]
    p50, p99, bad = _latencies(pages)
    ctx.add("conv. GET /tags/{tag}", round(p99, 1), "ms p99", "", None, f"p50 {p50:.1f} ms; non-200: {bad}")
    users_q = [f"{api}/search?type=users&q={rng.choice(['ada', 'al', 'gr', 'mar', 'jo'])}" for _ in range(SEARCHES)]
    p50, p99, bad = _latencies(users_q)
    ctx.add("conv. search users", round(p99, 1), "ms p99", "", None, f"p50 {p50:.1f} ms; non-200: {bad}")


def thread_context(ctx: Context) -> None:
    rng = random.Random(11)
    users = ctx.sizes["users"]
    root = tweets.post_tweet(ctx.svc, 2, "the root of a long thread")
    thread = [int(root["id"])]
    for i in range(100):
        reply = tweets.post_tweet(ctx.svc, rng.randrange(2, users + 1), f"reply {i}", in_reply_to_id=rng.choice(thread))
        thread.append(int(reply["id"]))
    url = f"{ctx.web_url}/api/v1/tweets/{root['id']}/context"
    assert len(requests.get(url, timeout=TIMEOUT).json()["descendants"]) == 100
    result = wrk(url, seconds=10, connections=8)
    ctx.add("conv. GET /tweets/{id}/context, 100 replies", round(result.requests_per_s), "req/s", "", None,
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors {result.errors}; root of a "
            f"random tree of 100 replies")
    leaf = f"{ctx.web_url}/api/v1/tweets/{thread[-1]}/context"
    result = wrk(leaf, seconds=10, connections=8)
    ctx.add("conv. GET /tweets/{id}/context, a reply in it", round(result.requests_per_s), "req/s", "", None,
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms")


def _followees(ctx: Context, reader: int, n: int) -> list[int]:
    rows = _query(ctx, "MATCH (:User {id: $id})-[:FOLLOWS]->(a:User) RETURN a.id AS id LIMIT $n", id=reader, n=n)
    return [r["id"] for r in rows]


def _feed_has(ctx: Context, token: str, tweet_id: str) -> bool:
    r = requests.get(f"{ctx.web_url}/api/v1/feed/home?limit=20", headers={"Authorization": f"Bearer {token}"},
                     timeout=TIMEOUT)
    return tweet_id in {t["id"] for t in r.json()["tweets"]}


def boosted_feed(ctx: Context) -> None:
    """The same reader's feed twice: its newest 100 entries plain, then 100 newer ones of which one
    in five is a followed user's boost of a tweet by someone the reader does not follow."""
    reader = ctx.sizes["users"] // 2 + 1
    name = _query(ctx, "MATCH (u:User {id: $id}) RETURN u.username AS n", id=reader)[0]["n"]
    token = bearer_token(ctx.web_url, name, DEMO_PASSWORD)
    followees = _followees(ctx, reader, 50) or [reader]
    strangers = _query(ctx, "MATCH (a:User)-[:POSTED]->(t:Tweet) WHERE NOT EXISTS { (:User {id: $id})-[:FOLLOWS]->(a) } "
                            "AND a.id <> $id RETURN t.id AS id LIMIT 100", id=reader)
    url = f"{ctx.web_url}/api/v1/feed/home?limit=20"
    requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)  # warm
    rng = random.Random(5)
    last = None
    for i in range(100):
        last = tweets.post_tweet(ctx.svc, rng.choice(followees), f"plain {i}")["id"]
    wait_until(lambda: _feed_has(ctx, token, last), timeout=60, every=0.1)
    plain = wrk(url, token, seconds=10)
    boosts = 0
    for i in range(100):
        if i % 5 == 4:
            tweets.boost(ctx.svc, rng.choice(followees), strangers[boosts % len(strangers)]["id"])
            boosts += 1
        else:
            last = tweets.post_tweet(ctx.svc, rng.choice(followees), f"mixed {i}")["id"]
    wait_until(lambda: _feed_has(ctx, token, last), timeout=60, every=0.1)
    page = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT).json()["tweets"]
    share = sum("boosted_by" in t for t in page) / max(1, len(page))
    boosted = wrk(url, token, seconds=10)
    ratio = boosted.requests_per_s / plain.requests_per_s
    ctx.add("conv. home feed, plain page", round(plain.requests_per_s), "req/s", "", None,
            f"p50 {plain.p50_ms:.1f} ms, p99 {plain.p99_ms:.1f} ms, errors {plain.errors}")
    ctx.add("conv. home feed, 20% boosts", round(boosted.requests_per_s), "req/s", "", None,
            f"p50 {boosted.p50_ms:.1f} ms, p99 {boosted.p99_ms:.1f} ms, errors {boosted.errors}; "
            f"{share:.0%} of the measured page are boosts")
    ctx.add("conv. boosted / plain feed throughput", round(ratio, 2), "", "≥ 0.8", ratio >= 0.8)


def run(ctx: Context) -> None:
    search_latency(ctx)
    thread_context(ctx)
    boosted_feed(ctx)
