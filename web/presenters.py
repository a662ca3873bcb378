"""Shapes plain values into the contract's JSON objects where the graph does not already."""
from __future__ import annotations

from datetime import datetime, timezone

from urllib.parse import urlencode

import orjson
from flask import Response, jsonify, request

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


def next_link(cursor: str) -> str:
    """The Link header of a page that has a next one: this URL with the cursor replaced."""
    return f'<{request.base_url}?{urlencode({**request.args.to_dict(), "cursor": cursor})}>; rel="next"'


def with_next_link(response, cursor: str | None):
    if cursor:
        response.headers["Link"] = next_link(cursor)
    return response


def page(name: str, items: list, cursor: str | None, **extra):
    return with_next_link(jsonify({name: items, "next_cursor": cursor, **extra}), cursor)


def no_content():
    return "", 204


def json_bytes(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/json")


def raw_array(items: list[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


def raw_page(name: str, items: list[bytes], cursor: str | None) -> Response:
    """A page of objects already serialised (tweets from the cached read path)."""
    body = b'{"%s":%s,"next_cursor":%s}' % (name.encode(), raw_array(items), orjson.dumps(cursor))
    return with_next_link(json_bytes(body), cursor)
