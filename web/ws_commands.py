"""What a WebSocket client may send: `{"type": "message", "to": username, "text": ...}`, parsed,
checked and run like its HTTP twin `POST /messages/{username}` (the same rule, the same rate
budget). The answer is None, or an `error` frame to send back."""
from __future__ import annotations

import orjson

from domain.errors import AppError, BadRequest, RateLimited, Unavailable
from social import messages
from cache.client import REDIS_DOWN
from graph.driver import NEO4J_DOWN
from web.limits import spend
from web.live import Live

MESSAGE_RATE = "posts"  # the rate class of POST /messages/{username} (web/messages.py)


def error_frame(err: AppError) -> str:
    return orjson.dumps({"type": "error", "error": err.body()["error"]}).decode()


def parse(raw) -> tuple[str, str]:
    """(to, text) of a message frame; BadRequest for anything else."""
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("invalid_json", "A frame must be a JSON object.") from None
    if not isinstance(frame, dict) or frame.get("type") != "message":
        raise BadRequest("unknown_frame", 'Send {"type": "message", "to": ..., "text": ...}.')
    to, text = frame.get("to"), frame.get("text")
    if not isinstance(to, str) or not isinstance(text, str):
        raise BadRequest("invalid_parameter", "A message frame needs `to` and `text` strings.")
    return to, text


def run(live: Live, raw) -> str | None:
    """Handles one frame from the client (the socket's credential is already rechecked)."""
    try:
        to, text = parse(raw)
        wait = spend(MESSAGE_RATE, live.user_id)
        if wait:
            raise RateLimited("rate_limited", "Too many messages; retry later.", retry_after=wait)
        messages.send(live.svc, live.user_id, to, text)  # comes back through the stream, to every tab
    except AppError as err:
        return error_frame(err)
    except (*NEO4J_DOWN, *REDIS_DOWN):
        return error_frame(Unavailable("unavailable", "A database is not answering; retry later.", retry_after=5))
    return None
