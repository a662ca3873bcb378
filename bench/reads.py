"""Benchmarks 1, 2 and the profile reads: the cached home feed of 20 and `GET /users/{u}` against
the same server's bare `/healthz` in the same run, the naive Cypher feed, and the CPU each
process spends per request (web workers, Redis, Neo4j, wrk itself)."""
from __future__ import annotations

import threading
import time

import requests

from bench.core import Context, WrkResult, bearer_token, children, cpu_seconds, pid_of, wrk
from domain.pages import PageRequest
from seed_graph import DEMO_PASSWORD

SECONDS = 10



def _processes(ctx: Context) -> dict[str, list[int]]:
    web = pid_of(ctx.data_dir, "web")
    found = {"web workers": children(web) if web else []}
    for name in ("redis", "neo4j"):
        pid = pid_of(ctx.data_dir, name)
        if pid:
            found[name] = [pid]
    return found


def measured(ctx: Context, url: str, token: str | None = None) -> tuple[WrkResult, str]:
    """wrk against url, and the CPU per request of each process of the stack during it."""
    processes = _processes(ctx)
    before = {name: sum(cpu_seconds(p) for p in pids) for name, pids in processes.items()}
    result = wrk(url, token, seconds=SECONDS)
    requests_done = max(1, result.requests_per_s * SECONDS)
    cpu = {name: sum(cpu_seconds(p) for p in pids) - before[name] for name, pids in processes.items()}
    note = ", ".join(f"{name} {seconds / requests_done * 1e6:.0f} µs" for name, seconds in cpu.items())
    return result, f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, errors {result.errors}; CPU per request: {note}"


def _reader(ctx: Context) -> tuple[int, str]:
    reader = ctx.sizes["users"] // 2
    name = ctx.svc.graph.driver.execute_query(
        "MATCH (u:User {id: $id}) RETURN u.username AS name", {"id": reader},
        result_transformer_=lambda r: r.single()["name"],
    )
    return reader, name


def run(ctx: Context) -> None:
    reader, name = _reader(ctx)
    token = bearer_token(ctx.web_url, name, DEMO_PASSWORD)
    auth = {"Authorization": f"Bearer {token}"}
    feed_url = f"{ctx.web_url}/api/v1/feed/home?limit=20"
    profile_url = f"{ctx.web_url}/api/v1/users/{name}"
    for url in (feed_url, profile_url, f"{ctx.web_url}/api/v1/users/me"):  # warm: the read models fill
        assert requests.get(url, headers=auth, timeout=60).status_code == 200, url
    assert len(requests.get(feed_url, headers=auth, timeout=30).json()["tweets"]) > 0

    bare, bare_note = measured(ctx, f"{ctx.web_url}/healthz")
    ctx.add("1. bare endpoint (/healthz)", round(bare.requests_per_s), "req/s", "", None, bare_note)
    feed, feed_note = measured(ctx, feed_url, token)
    ctx.add("1. cached home feed (20 tweets)", round(feed.requests_per_s), "req/s", "", None, f"reader {name}; {feed_note}")
    ratio = feed.requests_per_s / bare.requests_per_s
    ctx.add("1. cached feed / bare ratio", round(ratio, 2), "", "≥ 0.5", ratio >= 0.5, "same run, 32 connections, 2 wrk threads")
    profile, profile_note = measured(ctx, profile_url, token)
    ctx.add("GET /users/{u}", round(profile.requests_per_s), "req/s", "", None, profile_note)
    ratio = profile.requests_per_s / bare.requests_per_s
    ctx.add("GET /users/{u} / bare ratio", round(ratio, 2), "", "≥ 0.5", ratio >= 0.5, "same run")
    me, me_note = measured(ctx, f"{ctx.web_url}/api/v1/users/me", token)
    ctx.add("GET /users/me", round(me.requests_per_s), "req/s", "", None, me_note)

    done, stop = [0], time.perf_counter() + SECONDS

    def naive():
        while time.perf_counter() < stop:
            ctx.svc.tweets.home_page(reader, PageRequest(limit=20))
            done[0] += 1

    threads = [threading.Thread(target=naive) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    naive_rps = done[0] / SECONDS
    ctx.add("2. naive Cypher feed (8 clients, no HTTP)", round(naive_rps, 1), "queries/s")
    speedup = feed.requests_per_s / naive_rps
    ctx.add("2. cached / naive Cypher", round(speedup, 1), "×", "≥ 20×", speedup >= 20)
