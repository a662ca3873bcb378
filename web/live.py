"""A live connection of the signed-in user, SSE (web/sse.py) or WebSocket (web/ws.py): how one
opens (under the caps), where it starts (Last-Event-ID), the frames it carries in stream order,
and how it ends when its session or token does.

- Caps: at most `max_live_per_user` open at once per user over every worker (leases in Redis,
  cache/live_connections.py; the next is a 429 with Retry-After), and `max_live_per_worker` per
  process (a 503): a single account cannot take every connection slot.
- Binding: each connection remembers the session or token that opened it. A revocation is
  published to every worker's dispatcher (cache/revocations.py) and ends it at once; as a message
  can be missed, the connection also asks again every CHECK_SECONDS whether its credential and
  its user are still good, and renews its lease then.
"""
from __future__ import annotations

import logging
import math
import re
import secrets
import time
from dataclasses import dataclass, field

import redis
from prometheus_client import Gauge

from bootstrap import Services
from cache.dispatcher import REVOKED, SYNC, Listener
from cache.user_streams import Frame, id_key
from domain.errors import RateLimited, Unavailable
from social import admin
from graph.driver import NEO4J_DOWN
from web.security import Principal

log = logging.getLogger(__name__)
OPEN_STREAMS = Gauge("event_streams_open", "Open event streams (SSE and WebSocket) of this worker",
                     multiprocess_mode="liveall")

HEARTBEAT_SECONDS = 10.0  # the contract asks for one at least every 15 s
CHECK_SECONDS = 10.0  # a revocation whose message was lost still ends the connection within this
STREAM_SECONDS = 600.0  # then the client reconnects (with Last-Event-ID)
_EVENT_ID = re.compile(r"\d{1,20}-\d{1,20}")

READY = "ready"  # the stream is live: frames pushed from now on will come
HEARTBEAT = "heartbeat"
RESET = "reset"  # frames after the client's last id were trimmed away: it should reload
ENDED = "ended"  # the session or token is gone, or the user suspended: the connection closes


@dataclass(eq=False)
class Live:
    svc: Services
    principal: Principal
    listener: Listener
    connection_id: str
    cursor: str
    resumed: bool
    closed: bool = False
    next_check: float = field(default_factory=lambda: time.monotonic() + CHECK_SECONDS)

    @property
    def user_id(self) -> int:
        return self.principal.user_id

    def still_allowed(self) -> bool:
        """The credential is live, the user not suspended, and the lease renewed: one Redis round
        trip when warm, the renewal riding in the credential's read (cache/live_connections.py). A
        database that does not answer is not a revocation: the next check asks again."""
        try:
            read = self.principal.read_again(self.svc, self.svc.live_connections.rider(self.connection_id))
            if not self.principal.still_valid(self.svc, read):
                return False
            grant = admin.grant_of(self.svc, self.user_id, read.grant)
        except NEO4J_DOWN:
            return True
        if grant is None or grant.suspended:
            return False
        wait = read.ridden
        if wait is None:  # nothing rode: a cluster, or a token whose owner the script could not name
            wait = self.svc.live_connections.acquire(self.user_id, self.connection_id)
        return wait == 0

    def due_check(self) -> bool:
        """Whether the periodic check is due (and then it is made): False means end now."""
        if time.monotonic() < self.next_check:
            return True
        self.next_check = time.monotonic() + CHECK_SECONDS
        return self.still_allowed()


def _resume_point(svc: Services, user_id: int, last_event_id: str | None) -> tuple[str, bool]:
    """Where the stream starts: after the client's last id if it sent one of this stream, else
    after the newest entry. Read before the response starts, so that Redis down is a 503."""
    svc.user_streams.seen(user_id)
    tail = svc.user_streams.tail(user_id)
    if last_event_id and _EVENT_ID.fullmatch(last_event_id) and id_key(last_event_id) <= id_key(tail):
        return last_event_id, True
    return tail, False


def open_live(svc: Services, principal: Principal, last_event_id: str | None) -> Live:
    """Takes a slot and subscribes; raises the refusal (429, 503) when a cap is reached."""
    if svc.dispatcher.open_streams() >= svc.settings.max_live_per_worker:
        raise Unavailable("too_many_connections", "This server holds all the live connections it can; retry soon.",
                          retry_after=5)
    cursor, resumed = _resume_point(svc, principal.user_id, last_event_id)
    connection_id = secrets.token_hex(8)
    wait = svc.live_connections.acquire(principal.user_id, connection_id)
    if wait:
        raise RateLimited("too_many_streams",
                          f"At most {svc.settings.max_live_per_user} streams and sockets may be open at once.",
                          retry_after=math.ceil(wait), limit=svc.settings.max_live_per_user)
    listener = svc.dispatcher.attach(principal.user_id, principal.credential)
    OPEN_STREAMS.inc()
    return Live(svc, principal, listener, connection_id, cursor, resumed)


def close_live(live: Live) -> None:
    if live.closed:
        return
    live.closed = True
    OPEN_STREAMS.dec()
    live.svc.dispatcher.detach(live.listener)
    try:
        live.svc.live_connections.release(live.user_id, live.connection_id)
        live.svc.user_streams.seen(live.user_id)
    except redis.RedisError:
        pass  # Redis is down: the lease lapses by itself, and the user was marked as the stream opened


def frames(live: Live, heartbeat: float = HEARTBEAT_SECONDS, lifetime: float = STREAM_SECONDS):
    """READY once live (after replaying what was missed), then every new frame in order with no
    gap and no repeat; HEARTBEAT when nothing came for `heartbeat` seconds; ENDED, and no more,
    when the credential ends; nothing more after `lifetime` seconds."""
    svc, cursor, live_yet = live.svc, live.cursor, False
    until = time.monotonic() + lifetime
    while time.monotonic() < until:
        item = live.listener.get(min(heartbeat, CHECK_SECONDS))
        if item is None and not live_yet:
            log.warning("stream of user %s not live yet: %s", live.user_id, svc.dispatcher.state_of(live.user_id))
        if item == REVOKED or not live.due_check():
            yield ENDED
            return
        if item == SYNC:
            if live.resumed and not live_yet and svc.user_streams.lost_since(live.user_id, cursor):
                yield RESET
            for frame in svc.user_streams.after(live.user_id, cursor):
                yield frame
                cursor = frame.id
            if not live_yet:
                live_yet = True
                yield READY
        elif isinstance(item, Frame):
            if id_key(item.id) > id_key(cursor):
                yield item
                cursor = item.id
        elif item is None:
            yield HEARTBEAT
