"""Shapes plain values into the contract's JSON objects where the graph does not already."""
from __future__ import annotations

from datetime import datetime, timezone

import orjson
from flask import Response, jsonify

from domain.sessions import Session


def iso_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def session_json(s: Session, current_id: str | None = None) -> dict:
    return {
        "id": s.id,
        "created_at": iso_ms(s.created_at),
        "last_seen_at": iso_ms(s.last_seen_at),
        "expires_at": iso_ms(s.expires_at),
        "user_agent": s.user_agent,
        "current": s.id == current_id,
    }


def page(name: str, items: list, cursor: str | None, **extra):
    return jsonify({name: items, "next_cursor": cursor, **extra})


def no_content():
    return "", 204


def json_bytes(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/json")


def raw_array(items: list[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


def raw_page(name: str, items: list[bytes], cursor: str | None) -> Response:
    """A page of objects already serialised (tweets from the cached read path)."""
    return json_bytes(b'{"%s":%s,"next_cursor":%s}' % (name.encode(), raw_array(items), orjson.dumps(cursor)))
