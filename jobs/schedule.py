"""The ranking schedule, run by RQ's cron scheduler: `python -m jobs.schedule`. It only enqueues;
the worker runs the jobs. Popularity decays with time, so it is refreshed whole every minute.

PageRank runs every 10 minutes on the clock. A graph without ranks (a new deployment, a bulk load)
should not wait that long: every minute, and at once at start, a cheap check runs PageRank when
most users have no rank yet."""
from __future__ import annotations

import logging

from redis import Redis
from rq.cron import CronScheduler

from cache.client import redis_client
from jobs import ranking
from settings import Settings

POPULAR_EVERY_SECONDS = 60
PAGERANK_CRON = "*/10 * * * *"
MISSING_RANKS_EVERY_SECONDS = 60


def scheduler(connection: Redis) -> CronScheduler:
    """Interval jobs run at start, then every interval; cron jobs first run at their next time."""
    cron = CronScheduler(connection=connection)
    cron.register(ranking.refresh_pagerank, "low", cron=PAGERANK_CRON, job_timeout=900)
    cron.register(ranking.refresh_pagerank_if_missing, "low", interval=MISSING_RANKS_EVERY_SECONDS, job_timeout=900)
    cron.register(ranking.refresh_popular, "low", interval=POPULAR_EVERY_SECONDS, job_timeout=300)
    return cron


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler(redis_client(Settings.from_env().redis_url, decode=False)).start()


if __name__ == "__main__":
    main()
