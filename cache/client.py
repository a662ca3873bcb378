"""How this project talks to Redis: one client factory, and the errors that mean "Redis is down"."""
from __future__ import annotations

import redis

REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)


def redis_client(url: str, decode: bool = True, name: str | None = None) -> redis.Redis:
    """Short timeouts: a down Redis must become a quick 503, never a hung request."""
    return redis.Redis.from_url(
        url,
        client_name=name,
        decode_responses=decode,
        socket_timeout=2.0,
        socket_connect_timeout=2.0,
        health_check_interval=15,
        retry_on_timeout=False,
    )
