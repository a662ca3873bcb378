"""`GET /ws`: a WebSocket carrying the stream's JSON frames to the client and direct messages from
it (web/ws_commands.py). Resumes after `?last_event_id=`; web/live.py holds the connection. Only
this site's own pages may open one (a browser sends cookies with a handshake from any page)."""
from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

import orjson
import redis
from flask import Blueprint, current_app, g, request
from flask_login import current_user
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from cache.dispatcher import REVOKED
from cache.user_streams import Frame
from domain.errors import BadRequest, Forbidden, Unauthenticated
from web.context import services
from web.live import ENDED, READY, RESET, Live, close_live, frames, open_live
from web.outputs import responds
from web.policy import SIGNED_IN, allow
from web.ws_commands import error_frame, run

log = logging.getLogger(__name__)
bp = Blueprint("ws", __name__, url_prefix="/api/v1")
sock = Sock()
WS_PING_SECONDS = 25
CLOSED = "closed"  # queued by the receiver as the client goes: wakes the sender


def _ended() -> str:
    return error_frame(Unauthenticated("session_ended", "This session or token ended; sign in again."))


@bp.before_request
def _admit():
    """Before the upgrade, so that a refusal is a plain HTTP answer (403, 429, 503)."""
    if request.endpoint != "ws.ws":
        return
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        raise Forbidden("origin_not_allowed", "WebSockets are open to this site's own pages only.")
    g.live = open_live(services(), current_user._get_current_object(), request.args.get("last_event_id"))


@bp.teardown_request
def _release(_exc) -> None:
    live = g.pop("live", None)
    if live is not None:
        close_live(live)


@bp.get("/ws")
@allow(SIGNED_IN)
@responds(None, 101, errors=(400,))
def ws_without_upgrade():
    """A WebSocket of the stream's frames that also sends messages (a plain GET is refused)."""
    raise BadRequest("websocket_expected", "Open this URL as a WebSocket.")


def _receive(app, conn, live: Live, send) -> None:
    """Every command first asks whether the socket's credential still holds."""
    try:
        with app.app_context():
            while True:
                raw = conn.receive()
                if not live.still_allowed():
                    live.listener.put(REVOKED)
                    return
                error = run(live, raw)
                if error:
                    send(error)
    except ConnectionClosed:
        pass
    except Exception:
        log.exception("websocket receiver of user %s failed", live.user_id)
    finally:
        live.listener.put(CLOSED)


@sock.route("/ws", bp=bp)
@allow(SIGNED_IN)
@responds(None, 101, errors=(400,))
def ws(conn):
    """A WebSocket of the stream's frames that also sends messages."""
    live = g.live
    lock = threading.Lock()

    def send(data: str) -> None:
        with lock:
            conn.send(data)

    receiver = threading.Thread(target=_receive, args=(current_app._get_current_object(), conn, live, send),
                                daemon=True)
    receiver.start()
    try:
        for item in frames(live):
            if not conn.connected:
                break
            if isinstance(item, Frame):
                send(item.data)
            elif item in (READY, RESET):
                send(orjson.dumps({"type": item}).decode())
            elif item == ENDED:
                send(_ended())
                break
    except (ConnectionClosed, redis.RedisError):
        pass
    finally:
        conn.close()


@bp.record_once
def _configure(state) -> None:
    state.app.config.setdefault("SOCK_SERVER_OPTIONS", {"ping_interval": WS_PING_SECONDS, "max_message_size": 16384})
