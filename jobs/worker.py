"""The RQ worker: `python -m jobs.worker [QUEUE ...]` (by default high, default, low, in that
order of priority). Any number of workers may serve the same queues: rq hands each job to one of
them, and one worker at a time (holding rq's scheduler lock) moves due delayed jobs. Jobs run in
this process (no fork per job), so the Neo4j driver and Redis pools are built once and reused.
Jobs travel as JSON, never as pickles. Redis going away (a restart) does not end the process: the
worker starts again once it is back; only a stop request (SIGTERM, Ctrl-C), after which rq's
work() returns, does."""
from __future__ import annotations

import logging
import sys
import threading

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from domain.retry import forever
from jobs.runtime import services

QUEUES = ("high", "default", "low")


def main(queues: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    svc = services()
    stopped = threading.Event()

    def work() -> None:
        SimpleWorker(queues, connection=svc.rq_redis, serializer=JSONSerializer).work(with_scheduler=True)
        stopped.set()

    forever(stopped, "rq worker", work, first=0.5, cap=5.0)


if __name__ == "__main__":
    main(sys.argv[1:] or list(QUEUES))
