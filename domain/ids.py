"""Time-ordered 63-bit ids: sorting by id is sorting by creation time, which pages and feeds rely on."""
from __future__ import annotations

import secrets
import time

EPOCH_MS = 1_700_000_000_000
RANDOM_BITS = 22


def new_id(now_ms: int | None = None) -> int:
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return ((ms - EPOCH_MS) << RANDOM_BITS) | secrets.randbits(RANDOM_BITS)


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
