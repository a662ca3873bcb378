"""The resident memory of each process of the stack under test (issue 3's figures)."""
from __future__ import annotations

from bench.core import Context, children, pid_of, rss_mb


def run(ctx: Context) -> None:
    for name in ("neo4j", "redis", "worker"):
        pid = pid_of(ctx.data_dir, name)
        if pid:
            ctx.add(f"RSS {name}", rss_mb(pid), "MB")
    master = pid_of(ctx.data_dir, "web")
    if master:
        ctx.add("RSS gunicorn master", rss_mb(master), "MB")
        for i, pid in enumerate(children(master), 1):
            ctx.add(f"RSS gunicorn worker {i}", rss_mb(pid), "MB")
