"""What one policy decision costs: the caller's grant from Redis (cached) or from Neo4j (uncached),
and the whole decision a signed-in request pays (session, CSRF, cached grant). Then a spike beyond
capacity (bench/spike.py): how much is shed with 503 and how long the answered requests took."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from flask import g

from bench.core import Context
from social import accounts, admin
from web.app import create_app
from web.policy import _enforce

ROUNDS = 2000


def _timed(fn) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1e6)
    return samples


def _add(ctx: Context, item: str, samples: list[float]) -> None:
    q = statistics.quantiles(samples, n=100)
    ctx.add(item, round(statistics.median(samples)), "µs", note=f"p95 {q[94]:.0f} µs, p99 {q[98]:.0f} µs, {ROUNDS} rounds")


def run(ctx: Context) -> None:
    svc = ctx.svc
    app = create_app(services=svc)
    name = f"pol{time.time_ns() % 10**9}"
    user_id = int(accounts.register(svc, name, "bench-password", None)["id"])
    admin.change_role(svc, None, name, "moderator", True)
    secret, _ = svc.sessions.create(user_id, name, "bench")

    def uncached():
        svc.grants.invalidate(user_id)
        admin.grant_of(svc, user_id)

    def decision():
        with app.test_request_context("/api/v1/users/me", headers={"Cookie": f"sid={secret}"}):
            _enforce()
            assert g.grant.staff

    _add(ctx, "policy: grant uncached (MGET + Neo4j query + SET)", _timed(uncached))
    _add(ctx, "policy: grant cached (one MGET)", _timed(lambda: admin.grant_of(svc, user_id)))
    _add(ctx, "policy: whole decision, signed-in request", _timed(decision))
    _spike(ctx, 1000, 10)
    _surges(ctx, SURGE_SECONDS)


SURGE_SECONDS = 30
SURGE_USERS = 8


def _surges(ctx: Context, seconds: int) -> None:
    """10x the measured capacity for `seconds` on the home feed and on posting (bench/spike.py surge)."""
    svc = ctx.svc
    tokens, ids = [], []
    for i in range(SURGE_USERS):
        name = f"srg{time.time_ns() % 10**9}{i}"[:15]
        ids.append(int(accounts.register(svc, name, "bench-password", None)["id"]))
        tokens.append(accounts.create_token(svc, ids[-1], "surge")["token"])
    for kind in ("feed", "post"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.spike", "surge", kind, str(seconds), "--json"], capture_output=True,
            text=True, check=True, env={**os.environ, "WEB_URL": ctx.web_url, "SPIKE_TOKENS": ",".join(tokens)},
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        what = f"surge {r['offered_per_s']}/s (10x capacity {r['capacity_per_s']}/s) for {seconds} s on {kind}"
        ctx.add(f"{what}: 500/502/504", r["server_errors"], "responses", goal="0", met=r["server_errors"] == 0,
                note=f"statuses {r['statuses']}; the client could not send {r['not_sent_by_client']}")
        ctx.add(f"{what}: 429/503 without Retry-After", r["refused_without_retry_after"], "responses", goal="0",
                met=r["refused_without_retry_after"] == 0)
        ctx.add(f"{what}: p99 back to baseline after", r["recovered_after_s"], "s", goal="<= 10 s",
                met=r["recovered_within_10s"],
                note=f"baseline p99 {r['baseline_p99_ms']} ms; p99 per second after {r['p99_per_second_after_ms']}")


def _spike(ctx: Context, clients: int, seconds: int) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.spike", str(clients), str(seconds), "--json"],
        capture_output=True, text=True, check=True, env={**os.environ, "WEB_URL": ctx.web_url},
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    total = sum(v["count"] for k, v in result.items() if k != "connect")
    for status in ("200", "503"):
        r = result.get(status, {"count": 0, "median_ms": "-", "p99_ms": "-"})
        ctx.add(
            f"spike of {clients} clients for {seconds} s: {status}", r["count"], "responses",
            note=f"{100 * r['count'] / max(total, 1):.0f}% of {total}; median {r['median_ms']} ms, p99 {r['p99_ms']} ms",
        )
