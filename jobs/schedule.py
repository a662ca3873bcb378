"""The ranking schedule: `python -m jobs.schedule`. It only enqueues; the worker runs the jobs.
Popularity decays with time, so it is refreshed whole every minute; unfinished media uploads are
purged hourly once a day old.

Jobs travel as JSON (rq's JSONSerializer, in the worker too), never as pickles: whoever can write
to Redis must not be able to run code in the worker. rq's own cron scheduler always pickles, so
this small loop enqueues instead: each job at most once per interval, also over restarts (the
next run time of each is kept in Redis).

PageRank runs every 10 minutes. A graph without ranks (a new deployment, a bulk load since the last
run) should not wait that long: every minute, and at once at start, a cheap check runs PageRank
when most users have no rank yet."""
from __future__ import annotations

import logging
import threading
import time

from rq import Queue
from rq.serializers import JSONSerializer

from cache.client import redis_client
from jobs import media, ranking
from settings import Settings

log = logging.getLogger(__name__)
POPULAR_EVERY_SECONDS = 60
PAGERANK_EVERY_SECONDS = 600
MISSING_RANKS_EVERY_SECONDS = 60
MEDIA_PURGE_EVERY_SECONDS = 3600
SCHEDULE = (  # (job, queue, interval, timeout), enqueued in this order when due together
    (ranking.refresh_pagerank, "low", PAGERANK_EVERY_SECONDS, 900),
    (ranking.refresh_pagerank_if_missing, "low", MISSING_RANKS_EVERY_SECONDS, 900),
    (ranking.refresh_popular, "low", POPULAR_EVERY_SECONDS, 300),
    (media.purge_stale, "low", MEDIA_PURGE_EVERY_SECONDS, 900),
)
TICK_SECONDS = 1.0


def _next_key(func) -> str:
    return f"schedule_next:{func.__module__}.{func.__name__}"


def tick(r, queues: dict[str, Queue], now: float) -> list[str]:
    """Enqueues every job whose time has come. The next run time is swapped in atomically, and the
    job enqueued only by whoever swapped out the value it read, so two schedulers never both do."""
    enqueued = []
    for func, queue_name, every, timeout in SCHEDULE:
        due = r.get(_next_key(func))
        if due is not None and now < float(due):
            continue
        if r.getset(_next_key(func), repr(now + every)) == due:
            queues[queue_name].enqueue(func, job_timeout=timeout)
            enqueued.append(func.__name__)
    return enqueued


def queues_for(r) -> dict[str, Queue]:
    return {name: Queue(name, connection=r, serializer=JSONSerializer) for name in {q for _, q, _, _ in SCHEDULE}}


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    r = redis_client(Settings.from_env().rq_url, decode=False)
    queues = queues_for(r)
    stop = threading.Event()
    while not stop.is_set():
        try:
            for name in tick(r, queues, time.time()):
                log.info("enqueued %s", name)
        except Exception as err:  # Redis restarting: the next tick tries again
            log.warning("schedule tick failed: %s", err)
        stop.wait(TICK_SECONDS)


if __name__ == "__main__":
    main()
