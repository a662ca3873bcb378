"""What one policy decision costs: the caller's grant from Redis (cached) or from Neo4j (uncached),
and the whole decision as a signed-in request pays it. `python -m bench.policy` against a running
stack (NEO4J_URI, REDIS_URL); prints a table and writes bench/results/policy.md."""
from __future__ import annotations

import statistics
import time
from pathlib import Path

from flask import g

from bootstrap import bootstrap
from graph.migrate import migrate
from social import accounts, admin
from web.app import create_app
from web.policy import _enforce

ROUNDS = 2000
RESULTS = Path(__file__).resolve().parent / "results" / "policy.md"


def _timed(fn, rounds: int = ROUNDS) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1e6)
    return samples


def _row(name: str, samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"| {name} | {statistics.median(samples):.0f} | {q[94]:.0f} | {q[98]:.0f} |"


def main() -> None:
    svc = bootstrap()
    migrate(svc.graph)
    app = create_app(services=svc)
    name = f"bench{time.time_ns() % 10**9}"
    user = accounts.register(svc, name, "bench-password", None)
    user_id = int(user["id"])
    admin.change_role(svc, None, name, "moderator", True)
    secret, _ = svc.sessions.create(user_id, name, "bench")

    def uncached():
        svc.grants.invalidate(user_id)
        admin.grant_of(svc, user_id)

    def cached():
        admin.grant_of(svc, user_id)

    def decision():
        with app.test_request_context("/api/v1/users/me", headers={"Cookie": f"sid={secret}"}):
            _enforce()
            assert g.grant.staff

    admin.grant_of(svc, user_id)
    rows = [
        "| what | median µs | p95 µs | p99 µs |",
        "| --- | --- | --- | --- |",
        _row("grant, uncached (version bump + MGET + Neo4j query + SET)", _timed(uncached)),
        _row("grant, cached (one MGET + JSON)", _timed(cached)),
        _row("whole decision of a signed-in request (session + CSRF + cached grant)", _timed(decision)),
    ]
    table = "\n".join(rows)
    print(table)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(f"# Policy decision cost\n\n{ROUNDS} rounds each, one process, loopback Neo4j and Redis.\n\n{table}\n")
    svc.close()


if __name__ == "__main__":
    main()
