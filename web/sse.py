"""`GET /stream`: the signed-in user's live events as server-sent events (docs/events.md has the
frames). A client that comes back with the id of the last frame it got (Last-Event-ID) first gets
what it missed; web/live.py holds the connection."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from flask_login import current_user

from cache.user_streams import Frame
from web.context import services
from cache.client import REDIS_DOWN
from web.live import ENDED, READY, RESET, Live, close_live, frames, open_live
from web.outputs import responds
from web.policy import SIGNED_IN, allow

log = logging.getLogger(__name__)
bp = Blueprint("stream", __name__, url_prefix="/api/v1")
RETRY_MS = 2000


def _sse(item) -> bytes:
    if isinstance(item, Frame):
        return f"id: {item.id}\nevent: {item.event}\ndata: {item.data}\n\n".encode()
    if item == RESET:
        return b"event: reset\ndata: {}\n\n"
    if item == ENDED:
        return b"event: ended\ndata: {}\n\n"
    return b": live\n\n" if item == READY else b": heartbeat\n\n"


def _event_stream(live: Live):
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        for item in frames(live):
            yield _sse(item)
    except REDIS_DOWN as err:
        log.warning("event stream of user %s ends: %s", live.user_id, err)
    finally:
        close_live(live)


@bp.get("/stream")
@allow(SIGNED_IN)
@responds(None, media_type="text/event-stream")
def stream():
    """Server-sent events: notification, tweet and message, each with an id to resume from."""
    live = open_live(services(), current_user._get_current_object(), request.headers.get("Last-Event-ID"))
    return Response(
        _event_stream(live),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
