"""Benchmark 7: seeding the graph at the requested size."""
from __future__ import annotations

import subprocess
import sys
import time

from bench.core import Context

FULL_SECONDS_GOAL = 300


def run(ctx: Context) -> None:
    s = ctx.sizes
    argv = [sys.executable, "seed_graph.py", *(f"--{k}={v}" for k, v in s.items())]
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    seconds = round(time.perf_counter() - started, 1)
    size = f"{s['users']:,} users, {s['follows']:,} follows, {s['tweets']:,} tweets, {s['likes']:,} likes"
    ctx.add("7. seed time", seconds, "s", "≤ 300 s at full size", seconds <= FULL_SECONDS_GOAL, size)
