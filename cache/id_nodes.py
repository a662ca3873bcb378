"""Owns `id_nodes`: the counter each process of the stack draws its id node from at start
(domain/ids.py, use_node), so that no two running processes make ids with the same lowest bits."""
from __future__ import annotations

import redis

KEY = "id_nodes"


def lease(r: redis.Redis) -> int:
    return r.incr(KEY)
