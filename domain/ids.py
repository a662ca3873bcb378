"""Time-ordered 63-bit ids: sorting by id is sorting by creation time, which pages and feeds rely on."""
from __future__ import annotations

import secrets
import threading
import time

EPOCH_MS = 1_700_000_000_000
RANDOM_BITS = 22  # below the millisecond: a sequence that starts at random, then the node
NODE_BITS = 8
RUN_OVER_MS = 1000
_last = [0]  # the last id made in this process
_node = [secrets.randbits(NODE_BITS)]  # until use_node: a random one
_lock = threading.Lock()


def use_node(number: int) -> None:
    """This process's node, the lowest bits of every id it makes: leased at start from a counter
    that every process of the stack draws from (bootstrap.py, Services.connect), so that two running
    processes never share one while fewer than 256 start between them. Ids of two nodes never meet,
    even when made in the same millisecond."""
    with _lock:
        _node[0] = number % (1 << NODE_BITS)


def new_id(now_ms: int | None = None) -> int:
    """The millisecond, a sequence that starts at random, then the process's node. An id that is not
    above the process's last one, made within a second before it (busy milliseconds run over into
    the next ones), takes the sequence after the last id's, so a process never makes one id twice:
    requests that resume together, as greenlets do after a pause, would otherwise draw from the same
    bits (a like once failed on a taken event id)."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    with _lock:
        value = ((ms - EPOCH_MS) << RANDOM_BITS) | secrets.randbits(RANDOM_BITS - NODE_BITS) << NODE_BITS | _node[0]
        if value <= _last[0] and (_last[0] >> RANDOM_BITS) - (value >> RANDOM_BITS) < RUN_OVER_MS:
            value = ((_last[0] >> NODE_BITS) + 1) << NODE_BITS | _node[0]
        _last[0] = value  # an id far behind the last (a clock set back, a time given) starts anew
    return value


def id_time_ms(value: int) -> int:
    return (value >> RANDOM_BITS) + EPOCH_MS


def public(obj: dict, *nested: str) -> dict:
    """The object as it leaves the service: its `id`, and the `id` of each nested object named, as a
    decimal string (JSON clients lose integers past 2^53). A new dict; the given one is untouched."""
    out = {**obj, "id": str(obj["id"])}
    for key in nested:
        if out.get(key) is not None:
            out[key] = public(out[key])
    return out


MAX_ID = 2**63 - 1  # Neo4j integers are signed 64-bit


def parse_id(text: str) -> int | None:
    """The id a decimal string names, or None when it names none (not ASCII digits, 0, past 2^63-1)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
