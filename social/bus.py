"""Hands the relay the events of a transaction that has committed, so it moves them at once.

The events are already safe in the outbox (graph/outbox.py): a lost nudge only delays them until
the relay's sweep. Inline (tests of job effects), the events are handled in the caller instead,
through the same handlers the stream consumers run.
"""
from __future__ import annotations

import importlib
import logging

import redis

from cache.streams import EventStreams
from domain.events import Envelope

log = logging.getLogger(__name__)
INLINE_HANDLER = "jobs.consumer.handle_inline"


class EventBus:
    def __init__(self, streams: EventStreams, inline: bool = False):
        self.streams = streams
        self.inline = inline

    def publish(self, event: Envelope) -> None:
        if self.inline:
            module, name = INLINE_HANDLER.rsplit(".", 1)
            getattr(importlib.import_module(module), name)(event)
            return
        try:
            self.streams.nudge([event])
        except redis.RedisError as err:
            log.warning("relay not nudged (the sweep will relay event %s): %s", event.id, err)
