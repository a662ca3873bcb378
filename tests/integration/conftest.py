"""Fixtures of the integration tier."""
from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cache.streams import EventStreams
from stack.config import Stack, make_stack


@pytest.fixture
def private(services):
    """Services whose event streams have a prefix of their own; the streams are deleted afterwards."""
    streams = EventStreams(services.redis, prefix=f"test-events-{secrets.token_hex(4)}")
    yield replace(services, event_streams=streams)
    keys = list(services.redis.scan_iter(f"{streams.prefix}:*"))
    if keys:
        services.redis.delete(*keys)


def private_cluster(port_shift: int, folder: str) -> Stack:
    """A Redis Cluster stack of its own (six nodes, not started) on the test Redis port + port_shift,
    in a fresh folder of the test stack's DATA_DIR (pytest's tmp_path is pruned by other pytest runs
    on the machine)."""
    port = urlsplit(os.environ["REDIS_URL"]).port + port_shift
    data_dir = Path(os.environ["DATA_DIR"]) / folder
    shutil.rmtree(data_dir, ignore_errors=True)
    return make_stack({**os.environ, "REDIS_MODE": "cluster"}, data_dir=data_dir, web_port=0, bolt_port=0,
                      http_port=0, redis_port=port, neo4j_uri="", redis_url="", neo4j_memory="")
