"""Time-ordered 63-bit ids: sorting by id is sorting by creation time, which pages and feeds rely on."""
from __future__ import annotations

import secrets
import threading
import time

EPOCH_MS = 1_700_000_000_000
RANDOM_BITS = 22
_last = [0]  # the last id made in this process
_lock = threading.Lock()


def new_id(now_ms: int | None = None) -> int:
    """The millisecond, then random bits. An id of the process's last millisecond (or the one before:
    a busy millisecond runs over into the next) that is not above its last id is its last id + 1, so
    a process never makes one id twice: requests that resume together, as greenlets do after a
    pause, would otherwise draw from the same 22 bits (a like once failed on a taken event id)."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    value = ((ms - EPOCH_MS) << RANDOM_BITS) | secrets.randbits(RANDOM_BITS)
    with _lock:
        if value <= _last[0] and (_last[0] >> RANDOM_BITS) - (value >> RANDOM_BITS) <= 1:
            value = _last[0] + 1
        _last[0] = max(_last[0], value)
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
