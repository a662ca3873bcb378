"""How this project talks to Redis: one client factory (a single server, or redis-py's RedisCluster
when REDIS_MODE=cluster), the errors that mean "Redis is down", and the few helpers that keep the
cache owners' multi-key work within one hash slot on a cluster (docs/scale-out.md has the scheme).

On a cluster every command, pipeline transaction and script must touch one slot. Keys that must
meet carry the same hash tag (`user_tag`); work over many users is grouped by slot (`by_slot`);
pipelines of script calls go through `run_scripts` (redis-py's cluster pipeline refuses scripts);
a transaction says `pipeline(transaction=True)`, as a cluster
pipeline is none by default."""
from __future__ import annotations

import select
import threading
from collections import defaultdict
from typing import Callable, Iterable, TypeVar

import redis
from gevent.monkey import get_original
from redis.cluster import RedisCluster
from redis._parsers import _HiredisParser
from redis._parsers.encoders import Encoder
from redis.maint_notifications import MaintNotificationsConfig
from redis.commands.core import Script
from redis.exceptions import ClusterError, RedisClusterException, SlotNotCoveredError, TryAgainError

# ClusterError covers ClusterDownError and MasterDownError (a failover in progress) and the
# client's own "gave up after its retries"; TRYAGAIN and an uncovered slot are the same moment.
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError, ClusterError, TryAgainError,
              SlotNotCoveredError, redis.ReadOnlyError)

Client = redis.Redis | RedisCluster  # on a cluster, a LazyCluster in front of one
T = TypeVar("T")


# Connections one client may open. A web worker's greenlets (requests, and hundreds of open
# streams that each read now and then) share its clients; redis-py's own default of 100 ended
# streams and refused requests with "Too many connections" in a burst. Past the bound a command
# waits for a free connection, at most POOL_WAIT_SECONDS (then it is a 503, as for a down Redis).
POOL_SIZE = 1000
POOL_WAIT_SECONDS = 2.0


# Before a pooled connection serves a command, redis-py checks that it holds no stray data (the
# reply to a command whose caller was killed before reading it, a greenlet timed out): such a
# connection is made anew, or the next command would read that reply as its own. redis-py 8 skips
# the check when the pool takes Redis Enterprise's maintenance notifications, which it does by
# default over RESP3 ("auto"); this Redis has none to send, so they are off, and the check is on.
_NO_MAINTENANCE_NOTIFICATIONS = MaintNotificationsConfig(enabled=False)
_kernel_poll = get_original("select", "poll")


class _Parser(_HiredisParser):
    """hiredis's, with a cheaper check for stray data. The check is a poll that does not wait; in a
    gevent web worker that poll is gevent's, which makes a pass of the hub's loop for it (about 6 %
    of a profile read's CPU, one check per command). A poll that does not wait needs no hub, so this
    asks the kernel directly, and leaves whatever it finds there to hiredis's own check."""

    def can_read(self, timeout: float = 0) -> bool:
        if timeout == 0 and self._reader is not None and self._sock is not None and not self._reader.has_data():
            poller = _kernel_poll()
            poller.register(self._sock.fileno(), select.POLLIN)
            if not poller.poll(0):
                return False
        return super().can_read(timeout)


def redis_client(url: str, decode: bool = True, name: str | None = None, cluster: bool = False) -> Client:
    """Short timeouts: a down Redis must become a quick 503, never a hung request. With cluster,
    url names one startup node; the client learns the others and follows the slots' moves."""
    options = dict(client_name=name, decode_responses=decode, socket_timeout=2.0, socket_connect_timeout=2.0,
                   retry_on_timeout=False, parser_class=_Parser,
                   maint_notifications_config=_NO_MAINTENANCE_NOTIFICATIONS)
    if cluster:
        return LazyCluster(url, {**options, "max_connections": POOL_SIZE})
    pool = redis.BlockingConnectionPool.from_url(url, max_connections=POOL_SIZE, timeout=POOL_WAIT_SECONDS,
                                                 health_check_interval=15, **options)
    return redis.Redis(connection_pool=pool)


class LazyCluster:
    """A RedisCluster made at its first command, not at start: redis-py's asks the cluster for its
    layout as it is made, so a process started while the cluster is down would fail to start,
    where with one server it answers 503 until Redis is back. Scripts register without it."""

    def __init__(self, url: str, options: dict):
        self._url, self._options = url, options
        self._client: RedisCluster | None = None
        self._lock = threading.Lock()

    def _cluster(self) -> RedisCluster:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    try:
                        self._client = RedisCluster.from_url(self._url, **self._options)
                    except RedisClusterException as err:  # no startup node answered
                        raise redis.ConnectionError(str(err)) from err
        return self._client

    def __getattr__(self, name: str):
        return getattr(self._cluster(), name)

    def register_script(self, script: str) -> Script:
        return Script(self, script)

    def get_encoder(self) -> Encoder:
        return Encoder("utf-8", "strict", self._options["decode_responses"])

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def is_cluster(r) -> bool:
    return isinstance(r, (RedisCluster, LazyCluster))


def user_tag(user_id: int | str) -> str:
    """The hash tag of a user's keys: every key of one user lands in one slot."""
    return f"{{u:{user_id}}}"


def key_parts(key_of: Callable[[str], str]) -> tuple[str, str]:
    """(head, tail) around the id in key_of's keys, for scripts that build keys from ids."""
    head, _, tail = key_of("\x00").partition("\x00")
    return head, tail


def by_slot(r, items: list[T], key_of: Callable[[T], str]) -> list[list[T]]:
    """items grouped by the slot of their key on a cluster; on a single server, all of them at once."""
    if not is_cluster(r):
        return [items] if items else []
    groups: dict[int, list[T]] = defaultdict(list)
    for item in items:
        groups[r.keyslot(key_of(item))].append(item)
    return list(groups.values())


def mget(r, keys: list[str]) -> list:
    """MGET on a server; on a cluster one MGET per slot (redis-py's mget_nonatomic)."""
    if not keys:
        return []
    return r.mget_nonatomic(keys) if is_cluster(r) else r.mget(keys)


Call = tuple[Script, list, list]  # a script, its keys, its arguments


def queue_scripts(pipe, calls: list[Call]) -> None:
    """Adds each call to a pipeline by its SHA alone: redis-py's own script call in a pipeline first
    asks the server whether it holds the script, a round trip more."""
    for script, keys, args in calls:
        pipe.evalsha(script.sha, len(keys), *keys, *args)


def rerun_refused(calls: list[Call], answers: list) -> list:
    """The calls' answers, with each call the server refused (a server that lacks the script, a
    slot that moved) or lost in a failover run again on its own through its client, which loads the
    script and follows the move. The scripts sent this way are idempotent."""
    return [script(keys=keys, args=args) if isinstance(answer, Exception) else answer
            for (script, keys, args), answer in zip(calls, answers)]


def run_scripts(r, calls: Iterable[Call]) -> list:
    """Each call in one pipeline (on a cluster, one per master of the cluster's layout, as
    redis-py refuses scripts in its cluster pipeline); their answers in order (`rerun_refused`)."""
    calls = list(calls)
    out: list = [None] * len(calls)
    for client, indexes in _by_node(r, calls):
        mine = [calls[i] for i in indexes]
        pipe = client.pipeline(transaction=False)
        queue_scripts(pipe, mine)
        try:
            answers = pipe.execute(raise_on_error=False)
        except REDIS_DOWN as err:
            if not is_cluster(r):
                raise
            answers = [err] * len(indexes)
        for i, answer in zip(indexes, rerun_refused(mine, answers)):
            out[i] = answer
    return out


def _by_node(r, calls: list[Call]) -> list[tuple[redis.Redis, list[int]]]:
    """The calls' indexes by the client of the server (or of the cluster's master) they go to."""
    if not calls:
        return []
    if not is_cluster(r):
        return [(r, list(range(len(calls))))]
    cluster = r._cluster() if isinstance(r, LazyCluster) else r
    by_node: dict[str, list[int]] = defaultdict(list)
    for i, (_, keys, _) in enumerate(calls):
        by_node[cluster.get_node_from_key(keys[0]).name].append(i)
    return [(cluster.get_redis_connection(cluster.get_node(node_name=name)), indexes)
            for name, indexes in by_node.items()]
