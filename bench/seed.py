"""Benchmark 7: a new graph at the requested size to a ready stack: CSV generated with numpy,
`neo4j-admin database import full`, the stack started (migrations included) and Redis warmed.
`make bench` does it before any benchmark runs (bulk_seeded_start in stack/runner.py) and leaves
the time in DATA_DIR/seed.json; against a stack seeded otherwise, the transactional path is timed."""
from __future__ import annotations

import json
import subprocess
import sys
import time

from bench.core import Context

FULL_SECONDS_GOAL = 120


def run(ctx: Context) -> None:
    s = ctx.sizes
    size = f"{s['users']:,} users, {s['follows']:,} follows, {s['tweets']:,} tweets, {s['likes']:,} likes"
    recorded = ctx.data_dir / "seed.json"
    if recorded.exists():
        seconds = json.loads(recorded.read_text())["seconds"]
        ctx.add("7. bulk seed to a ready stack", seconds, "s", f"≤ {FULL_SECONDS_GOAL} s at full size",
                seconds <= FULL_SECONDS_GOAL, f"{size}; neo4j-admin import, start, migrations, Redis warm-up")
        return
    argv = [sys.executable, "seed_graph.py", *(f"--{k}={v}" for k, v in s.items())]
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    seconds = round(time.perf_counter() - started, 1)
    ctx.add("7. seed time (transactional UNWIND)", seconds, "s", "", None, size)
