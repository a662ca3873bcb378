"""The signed-in user's live events: `GET /stream` (server-sent events) and `GET /ws` (a WebSocket
carrying the same JSON frames, which also sends direct messages). docs/events.md has the frames.

Both read the user's stream in Redis (cache/user_streams.py) through the worker's one Dispatcher:
frames go out in stream order, each at most once, and a client that comes back with the id of the
last frame it got (Last-Event-ID, or ?last_event_id= on the WebSocket) first gets what it missed.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from urllib.parse import urlsplit

import orjson
import redis
from flask import Blueprint, Response, request
from flask_login import current_user
from flask_sock import Sock
from prometheus_client import Gauge
from simple_websocket import ConnectionClosed

from bootstrap import Services
from cache.client import REDIS_DOWN
from cache.user_streams import SYNC, Frame, Listener, id_key
from domain.errors import AppError, BadRequest, Forbidden, Unavailable
from graph.driver import NEO4J_DOWN
from social import messages
from web.context import services
from web.policy import SIGNED_IN, allow

log = logging.getLogger(__name__)
OPEN_STREAMS = Gauge("event_streams_open", "Open event streams (SSE and WebSocket) of this worker",
                     multiprocess_mode="liveall")
bp = Blueprint("events", __name__, url_prefix="/api/v1")
sock = Sock()

HEARTBEAT_SECONDS = 10.0  # the contract asks for one at least every 15 s
STREAM_SECONDS = 600.0  # then the client reconnects (with Last-Event-ID), and signs in again
RETRY_MS = 2000
WS_PING_SECONDS = 25
_EVENT_ID = re.compile(r"\d{1,20}-\d{1,20}")

READY = "ready"  # the stream is live: frames pushed from now on will come
HEARTBEAT = "heartbeat"
RESET = "reset"  # frames after the client's last id were trimmed away: it should reload


def _resume_point(svc: Services, user_id: int, last_event_id: str | None) -> tuple[str, bool]:
    """Where the stream starts: after the client's last id if it sent one of this stream, else
    after the newest entry. Read before the response starts, so that Redis down is a 503."""
    svc.user_streams.seen(user_id)
    tail = svc.user_streams.tail(user_id)
    if last_event_id and _EVENT_ID.fullmatch(last_event_id) and id_key(last_event_id) <= id_key(tail):
        return last_event_id, True
    return tail, False


def frames(svc: Services, listener: Listener, cursor: str, resumed: bool, heartbeat: float):
    """READY once live (after replaying what was missed), then every new frame in order with no
    gap and no repeat; HEARTBEAT when nothing came for `heartbeat` seconds."""
    live = False
    while True:
        item = listener.get(heartbeat)
        if item == SYNC:
            if resumed and not live and svc.user_streams.lost_since(listener.user_id, cursor):
                yield RESET
            for frame in svc.user_streams.after(listener.user_id, cursor):
                yield frame
                cursor = frame.id
            if not live:
                live = True
                yield READY
        elif isinstance(item, Frame):
            if id_key(item.id) > id_key(cursor):
                yield item
                cursor = item.id
        else:
            yield HEARTBEAT


def _sse(item) -> bytes:
    if isinstance(item, Frame):
        return f"id: {item.id}\nevent: {item.event}\ndata: {item.data}\n\n".encode()
    if item == RESET:
        return b"event: reset\ndata: {}\n\n"
    return b": live\n\n" if item == READY else b": heartbeat\n\n"


def _attach(svc: Services, user_id: int) -> Listener:
    OPEN_STREAMS.inc()
    return svc.dispatcher.attach(user_id)


def _detach(svc: Services, listener: Listener) -> None:
    OPEN_STREAMS.dec()
    svc.dispatcher.detach(listener)
    try:
        svc.user_streams.seen(listener.user_id)
    except redis.RedisError:
        pass  # Redis is down: it was marked as the stream opened


def _event_stream(svc: Services, user_id: int, cursor: str, resumed: bool):
    listener = _attach(svc, user_id)
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        until = time.monotonic() + STREAM_SECONDS
        for item in frames(svc, listener, cursor, resumed, HEARTBEAT_SECONDS):
            yield _sse(item)
            if time.monotonic() > until:
                return
    except REDIS_DOWN as err:
        log.warning("event stream of user %s ends: %s", user_id, err)
    finally:
        _detach(svc, listener)


@bp.get("/stream")
@allow(SIGNED_IN)
def stream():
    """Server-sent events: notification, tweet and message, each with an id to resume from."""
    svc = services()
    cursor, resumed = _resume_point(svc, current_user.user_id, request.headers.get("Last-Event-ID"))
    return Response(
        _event_stream(svc, current_user.user_id, cursor, resumed),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@bp.before_request
def _same_origin():
    """A browser sends cookies with a WebSocket handshake from any page: only our own may open one."""
    if request.endpoint == "events.ws":
        origin = request.headers.get("Origin")
        if origin and urlsplit(origin).netloc != request.host:
            raise Forbidden("origin_not_allowed", "WebSockets are open to this site's own pages only.")


@bp.get("/ws")
@allow(SIGNED_IN)
def ws_without_upgrade():
    """A WebSocket of the stream's frames that also sends messages (a plain GET is refused)."""
    raise BadRequest("websocket_expected", "Open this URL as a WebSocket.")


def _error_frame(err: AppError) -> str:
    return orjson.dumps({"type": "error", "error": err.body()["error"]}).decode()


def _command(svc: Services, user_id: int, raw) -> str | None:
    """Handles one frame from the client; an error frame to send back, or None."""
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _error_frame(BadRequest("invalid_json", "A frame must be a JSON object."))
    if not isinstance(frame, dict) or frame.get("type") != "message":
        return _error_frame(BadRequest("unknown_frame", 'Send {"type": "message", "to": ..., "text": ...}.'))
    to, text = frame.get("to"), frame.get("text")
    if not isinstance(to, str) or not isinstance(text, str):
        return _error_frame(BadRequest("invalid_parameter", "A message frame needs `to` and `text` strings."))
    try:
        messages.send(svc, user_id, to, text)  # comes back through the stream, to every tab
    except AppError as err:
        return _error_frame(err)
    except (*NEO4J_DOWN, *REDIS_DOWN):
        return _error_frame(Unavailable("unavailable", "A database is not answering; retry later.", retry_after=5))
    return None


def _receive(conn, svc: Services, user_id: int, listener: Listener, send) -> None:
    try:
        while True:
            error = _command(svc, user_id, conn.receive())
            if error:
                send(error)
    except ConnectionClosed:
        pass
    except Exception:
        log.exception("websocket receiver of user %s failed", user_id)
    finally:
        listener.put("closed")  # wakes the sender, which sees the connection gone


@sock.route("/ws", bp=bp)
@allow(SIGNED_IN)
def ws(conn):
    """A WebSocket of the stream's frames that also sends messages."""
    svc = services()
    user_id = current_user.user_id
    try:
        cursor, resumed = _resume_point(svc, user_id, request.args.get("last_event_id"))
    except REDIS_DOWN:  # the socket is open already: say it there, and close
        conn.send(_error_frame(Unavailable("redis_unavailable", "The cache is not answering; retry later.", retry_after=5)))
        return
    lock = threading.Lock()

    def send(data: str) -> None:
        with lock:
            conn.send(data)

    listener = _attach(svc, user_id)
    receiver = threading.Thread(target=_receive, args=(conn, svc, user_id, listener, send), daemon=True)
    receiver.start()
    try:
        until = time.monotonic() + STREAM_SECONDS
        for item in frames(svc, listener, cursor, resumed, HEARTBEAT_SECONDS):
            if not conn.connected or time.monotonic() > until:
                break
            if isinstance(item, Frame):
                send(item.data)
            elif item in (READY, RESET):
                send(orjson.dumps({"type": item}).decode())
    except (ConnectionClosed, redis.RedisError):
        pass
    finally:
        _detach(svc, listener)


@bp.record_once
def _configure(state) -> None:
    state.app.config.setdefault("SOCK_SERVER_OPTIONS", {"ping_interval": WS_PING_SECONDS, "max_message_size": 16384})
