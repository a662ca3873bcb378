"""Publishes domain events to the job queue, where jobs.handlers dispatches them."""
from __future__ import annotations

from rq import Queue

HANDLER = "jobs.handlers.handle"


class EventBus:
    def __init__(self, queue: Queue):
        self.queue = queue

    def publish(self, event) -> None:
        self.queue.enqueue(HANDLER, event, result_ttl=0, failure_ttl=86400)
