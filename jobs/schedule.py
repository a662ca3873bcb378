"""The ranking schedule, run by RQ's cron scheduler: `python -m jobs.schedule`. It only enqueues;
the worker runs the jobs. Popularity decays with time, so it is refreshed whole every minute."""
from __future__ import annotations

import logging

from rq.cron import CronScheduler

from cache.client import redis_client
from jobs import ranking
from settings import Settings

POPULAR_EVERY_SECONDS = 60
PAGERANK_EVERY_SECONDS = 600


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler = CronScheduler(connection=redis_client(Settings.from_env().redis_url, decode=False))
    scheduler.register(ranking.refresh_pagerank, "low", interval=PAGERANK_EVERY_SECONDS, job_timeout=900)
    scheduler.register(ranking.refresh_popular, "low", interval=POPULAR_EVERY_SECONDS, job_timeout=300)
    scheduler.start()


if __name__ == "__main__":
    main()
