"""Fixtures of the integration tier."""
from __future__ import annotations

import secrets
from dataclasses import replace

import pytest

from cache.streams import EventStreams


@pytest.fixture
def private(services):
    """Services whose event streams have a prefix of their own; the streams are deleted afterwards."""
    streams = EventStreams(services.redis, prefix=f"test-events-{secrets.token_hex(4)}")
    yield replace(services, event_streams=streams)
    keys = list(services.redis.scan_iter(f"{streams.prefix}:*"))
    if keys:
        services.redis.delete(*keys)
