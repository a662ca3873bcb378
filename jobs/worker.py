"""The RQ worker: `python -m jobs.worker`. Jobs run in this process (no fork per job), so the
Neo4j driver and Redis pools are built once and reused."""
from __future__ import annotations

import logging

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from jobs.runtime import services

QUEUES = ("high", "default", "low")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    svc = services()
    worker = SimpleWorker(list(QUEUES), connection=svc.raw_redis, serializer=JSONSerializer)  # never pickle
    worker.work(with_scheduler=True)


if __name__ == "__main__":
    main()
