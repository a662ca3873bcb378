"""Benchmarks 3-5 and 8: fan-out latency, celebrity visibility, sustained posting, and the memory
of a full feed (the cached reads are bench/reads.py's)."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import requests

from bench.core import (Context, Cpu, WrkResult, bearer_token, percentile, settled_note, stack_processes,
                        wait_until, warm_until_settled, wrk)
from cache.feeds import feed_key
from seed_graph import DEMO_PASSWORD

WARMUP_SECONDS = 20  # a warm-up pass: passes go on until Neo4j's JIT compiler settles, at most WARMUP_PASSES
WARMUP_PASSES = 6
POST_SCRIPT = """wrk.method = "POST"
wrk.body = '{"text": "a benchmark tweet, one of many"}'
wrk.headers["Content-Type"] = "application/json"
"""


def _one(ctx: Context, query: str, **params):
    return ctx.svc.graph.driver.execute_query(query, params, result_transformer_=lambda r: r.data())


def _username(ctx: Context, user_id: int) -> str:
    return _one(ctx, "MATCH (u:User {id: $id}) RETURN u.username AS name", id=user_id)[0]["name"]


def _author_near(ctx: Context, followers: int) -> tuple[int, int]:
    row = _one(
        ctx,
        "MATCH (u:User) WITH u, COUNT { (u)<-[:FOLLOWS]-() } AS f WHERE f <= $max "
        "RETURN u.id AS id, f ORDER BY f DESC LIMIT 1",
        max=followers,
    )[0]
    return row["id"], row["f"]


def fan_out_latency(ctx: Context) -> None:
    author, followers = _author_near(ctx, ctx.svc.settings.fanout_follower_threshold)
    audience = ctx.svc.feed_source.followers(author)
    ctx.svc.feeds.open(audience)  # warm (active) feeds: fan-out only reaches those
    token = bearer_token(ctx.web_url, _username(ctx, author), DEMO_PASSWORD)
    keys = [feed_key(u) for u in audience]

    def everywhere(tweet_id: str) -> bool:
        pipe = ctx.svc.redis.pipeline(transaction=False)
        for k in keys:
            pipe.lpos(k, tweet_id)
        return all(s is not None for s in pipe.execute())

    samples = []
    for i in range(10):
        posted = time.perf_counter()
        r = requests.post(f"{ctx.web_url}/api/v1/tweets", json={"text": f"fan-out {i}"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)
        tweet_id = r.json()["tweet"]["id"]
        wait_until(lambda: everywhere(tweet_id), timeout=30, every=0.02)
        samples.append(time.perf_counter() - posted)
    p99 = percentile(samples, 99)
    ctx.add("3. fan-out to every follower's feed", round(p99 * 1000), "ms p99", "≤ 1000 ms", p99 <= 1.0,
            f"author with {followers:,} followers, p50 {percentile(samples, 50) * 1000:.0f} ms, 10 tweets")


def celebrity_visibility(ctx: Context) -> None:
    celebrity = 1
    fan = _one(ctx, "MATCH (:User {id: 1})<-[:FOLLOWS]-(f:User) RETURN f.id AS id LIMIT 1")[0]["id"]
    star = bearer_token(ctx.web_url, _username(ctx, celebrity), DEMO_PASSWORD)
    reader = bearer_token(ctx.web_url, _username(ctx, fan), DEMO_PASSWORD)
    url = f"{ctx.web_url}/api/v1/feed/home?limit=5"
    requests.get(url, headers={"Authorization": f"Bearer {reader}"}, timeout=30)
    samples = []
    for i in range(10):
        started = time.perf_counter()
        tweet_id = requests.post(f"{ctx.web_url}/api/v1/tweets", json={"text": f"celebrity {i}"},
                                 headers={"Authorization": f"Bearer {star}"}, timeout=10).json()["tweet"]["id"]
        wait_until(
            lambda: tweet_id in {t["id"] for t in requests.get(url, headers={"Authorization": f"Bearer {reader}"}, timeout=10).json()["tweets"]},
            timeout=5,
            every=0.01,
        )
        samples.append(time.perf_counter() - started)
    worst = max(samples)
    followers = ctx.svc.feed_source.follower_count(celebrity)
    ctx.add("4. celebrity tweet visible to a follower", round(worst * 1000), "ms max", "≤ 2000 ms", worst <= 2.0,
            f"{followers:,} followers (read-time merge), p50 {percentile(samples, 50) * 1000:.0f} ms")


def _posting(ctx: Context, token: str, script: Path, seconds: int) -> tuple[WrkResult, float, str, float | None]:
    """wrk posting flat out for `seconds`: its result, the CPU per post (ms, in all and by process)
    and the seconds the fan-out backlog took to drain after it (None: not within 300 s)."""
    cpu = Cpu(stack_processes(ctx))
    result = wrk(f"{ctx.web_url}/api/v1/tweets", token, seconds=seconds, script=script)
    drained = wait_until(lambda: ctx.svc.event_streams.backlog() == 0, timeout=300, every=0.05)
    total, note = cpu.per_op(result.requests_per_s * seconds)  # the fan-out and the search index included
    return result, total, note, drained


def sustained_posting(ctx: Context, seconds: int | None = None) -> None:
    """One author with about 200 followers posting flat out for 60 s (POST_SECONDS for a shorter
    run); then how long the fan-out backlog takes to drain. Passes of WARMUP_SECONDS come first, not
    counted, until Neo4j's JIT compiler has settled, as before the like loads (bench/events.py): its
    JVM compiles the write path of a post over the first minutes of posts after a start; the first
    pass is measured on a row of its own."""
    seconds = seconds or int(os.environ.get("POST_SECONDS", 60))
    author, followers = _author_near(ctx, 200)
    ctx.svc.feeds.open(ctx.svc.feed_source.followers(author))
    token = bearer_token(ctx.web_url, _username(ctx, author), DEMO_PASSWORD)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(POST_SCRIPT)
    warmups = []
    shares = warm_until_settled(stack_processes(ctx).get("neo4j", []),
                                lambda: warmups.append(_posting(ctx, token, Path(f.name), WARMUP_SECONDS)), WARMUP_PASSES)
    warm, warm_total, warm_note, _ = warmups[0]
    ctx.add("  (before the load below) posts", round(warm.requests_per_s), "posts/s", "", None,
            f"a warm-up of {len(shares)} passes of {WARMUP_SECONDS} s, not counted, {settled_note(shares, WARMUP_PASSES)}; "
            f"the first, the first load of posts since the start: CPU per post {warm_total:.2f} ms (ms: {warm_note})")
    result, total, note, drained = _posting(ctx, token, Path(f.name), seconds)
    ctx.add("5. sustained POST /tweets", round(result.requests_per_s), "posts/s", "≥ 500/s", result.requests_per_s >= 500,
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors {result.errors}; {seconds} s; author "
            f"with {followers} followers; CPU per post {total:.2f} ms (ms: {note})")
    ctx.add("5. fan-out backlog drained after the load", "not within 300 s" if drained is None else round(drained, 1),
            "s", "≤ 5 s", drained is not None and drained <= 5)


def feed_memory(ctx: Context) -> None:
    user = ctx.sizes["users"] // 3
    ids = [r["id"] for r in _one(ctx, "MATCH (t:Tweet) RETURN t.id AS id ORDER BY id DESC LIMIT $n", n=ctx.svc.feeds.size)]
    ctx.svc.feeds.rebuild(user, ids, [])
    size = ctx.svc.redis.llen(feed_key(user)) - 1
    used = ctx.svc.redis.memory_usage(feed_key(user), samples=0)
    ctx.add("8. Redis bytes per 800-entry feed", used, "bytes", "≤ 16 KB (16384)", used <= 16384,
            f"{size} entries, MEMORY USAGE, encoding {ctx.svc.redis.object('encoding', feed_key(user))}")


def run(ctx: Context) -> None:
    fan_out_latency(ctx)
    celebrity_visibility(ctx)
    sustained_posting(ctx)
    feed_memory(ctx)
