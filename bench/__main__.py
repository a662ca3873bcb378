"""`python -m bench` (run by `make bench` against a fresh stack): seeds the graph, runs every
benchmark, prints a table and writes it to bench/results/<date>.md."""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import traceback
from pathlib import Path

from bench.core import Context, Row
from bootstrap import bootstrap

FULL = {"users": 100_000, "follows": 2_000_000, "tweets": 1_000_000, "likes": 5_000_000}
# first_like comes first: it measures a freshly started stack, before the seed has warmed it.
SECTIONS = ("bench.first_like", "bench.seed", "bench.ranking", "bench.reads", "bench.feed", "bench.events", "bench.like_cost", "bench.post_cost",
            "bench.memory", "bench.policy", "bench.media", "bench.conversation", "bench.cluster")
RESULTS = Path(__file__).resolve().parent / "results"


def table(rows: list[Row]) -> str:
    lines = ["| benchmark | value | unit | goal | met | notes |", "| --- | ---: | --- | --- | --- | --- |"]
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(f"| {r.item} | {r.value} | {r.unit} | {r.goal} | {met} | {r.note} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, value in FULL.items():
        parser.add_argument(f"--{name}", type=int, default=value)
    parser.add_argument("--only", nargs="*", help="sections to run, e.g. bench.feed (seed always runs)")
    args = parser.parse_args()
    sizes = {name: getattr(args, name) for name in FULL}
    svc = bootstrap()
    ctx = Context(svc, os.environ["WEB_URL"], Path(os.environ["DATA_DIR"]), sizes)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d-%H%M")
    header = (
        f"# Benchmarks {stamp} UTC\n\nMachine: {os.cpu_count()} cores, {platform.platform()}; "
        f"graph: {sizes['users']:,} users, {sizes['follows']:,} follows, {sizes['tweets']:,} tweets, "
        f"{sizes['likes']:,} likes. Load only on 127.0.0.1, bounded in time.\n\n"
    )
    RESULTS.mkdir(exist_ok=True)
    for section in SECTIONS:
        if args.only and section not in args.only and section != "bench.seed":
            continue
        try:
            module = importlib.import_module(section)
        except ModuleNotFoundError:
            continue
        print(f"== {section}", flush=True)
        try:
            module.run(ctx)
        except Exception as err:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            ctx.add(f"{section} failed", type(err).__name__, note=str(err)[:200])
        # Written after every section, so an interrupted run keeps what it measured.
        (RESULTS / f"{stamp}.md").write_text(header + table(ctx.rows) + "\n")
    svc.close()
    print("\n" + header + table(ctx.rows))

if __name__ == "__main__":
    main()
