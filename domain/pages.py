"""Cursor pages: a cursor is the opaque, URL-safe form of the last item's sort key."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from domain.errors import BadRequest
from domain.ids import MAX_ID

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    key: tuple[int, ...] | None = None  # the sort key after which the page starts


def encode_cursor(key: tuple[int, ...]) -> str:
    raw = ".".join(str(k) for k in key).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> tuple[int, ...]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        key = tuple(int(p) if p.isdigit() and len(p) <= 19 else -1 for p in raw.split("."))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        key = ()
    if len(key) != parts or any(not 0 <= k <= MAX_ID for k in key):
        raise BadRequest("invalid_cursor", "The cursor is not one this service gave out.", field="cursor")
    return key


def split_page(rows: list, limit: int, key_of) -> tuple[list, str | None]:
    """Rows were fetched with limit + 1: the extra row only tells that another page exists."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(key_of(rows[-1]))
    return rows, None
