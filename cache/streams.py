"""Owns the event streams between the outbox and its consumers: `events:{s}:{family}` (one Redis
Stream per family of events, read by consumer groups; all in one slot, tagged `{s}`, so that a
consumer reads every family of its group in one blocking XREADGROUP on a cluster too), `events:relay` (the events that requests nudge the
relay with, once their transaction has committed), `events:done:{group}:{event id}` (what a group has handled, for an hour: redeliveries and
duplicates are skipped) and `events:dead` (entries a group gave up on, for an operator).

An append tells which entries Redis keeps even if the server holding them dies at once: those a
replica has confirmed (`WAIT`, on the connection to the master that appended them), or, on a server
without replicas, those it wrote to its append-only file before it answered (`appendfsync always`).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import orjson
import redis

from cache.client import REDIS_DOWN, is_cluster, mget
from domain.events import FAMILIES, Envelope, unwrap

DONE_TTL_SECONDS = 3600
NUDGE_BATCH = 1000
WAIT_TIMEOUT_MS = 500  # a replica acknowledges within a millisecond or two when it is there
KEPT_BY_RECHECK_SECONDS = 10.0  # how long a server's answer to "how do you keep writes" is trusted
# A cluster node's answer that the slot is served elsewhere now (MOVED, ASK: a failover done); the
# other answers of a failover under way are among REDIS_DOWN.
REDIRECTED = (redis.exceptions.AskError,)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    stream: str
    id: str
    event: Envelope | None  # None: the entry was trimmed while it was pending


class EventStreams:
    def __init__(self, r: redis.Redis, prefix: str = "events"):
        """r decodes responses. Another prefix gives tests streams of their own."""
        self.r = r
        self.prefix = prefix
        self.keys = [self.key(family) for family in sorted(set(FAMILIES.values()))]
        self.relay_key = f"{prefix}:relay"
        self.kept_by: dict[str, tuple[float, str]] = {}  # server -> (checked at, "replica"|"fsync"|"")

    def key(self, family: str) -> str:
        return f"{self.prefix}:{{s}}:{family}"

    # --- the relay's side ---

    def nudge(self, events: list[Envelope], pipe=None) -> None:
        (pipe or self.r).rpush(self.relay_key, *[orjson.dumps(_fields(e)) for e in events])

    def publish_along(self, pipe, event: Envelope) -> bool:
        """Queues the event's nudge in a pipeline of this server, after the writes the relay should
        find done (those queued before it); its answer is the pipeline's last."""
        self.nudge([event], pipe)
        return True

    def publish(self, event: Envelope) -> None:
        """Hands the relay an event whose transaction has committed, so it moves it at once. The
        event is already safe in the outbox: a lost nudge only delays it until the relay's sweep."""
        try:
            self.nudge([event])
        except redis.RedisError as err:
            log.warning("relay not nudged (the sweep will relay event %s): %s", event.id, err)

    def nudged(self, timeout: float) -> list[Envelope]:
        """Waits up to timeout for nudges, then takes all that are there, oldest first."""
        first = self.r.blpop([self.relay_key], timeout=timeout)
        if first is None:
            return []
        rest = self.r.lpop(self.relay_key, NUDGE_BATCH) or []
        return [unwrap(**orjson.loads(raw)) for raw in (first[1], *rest)]

    def append(self, events: list[Envelope]) -> list[Envelope]:
        """Appends each event to its family's stream; returns those whose entries Redis keeps if
        the server dies now (the module's docstring says how it tells). The others may be lost by a
        crash or a failover, or were not appended at all (the slot's master was failing over)."""
        kept: list[Envelope] = []
        for server, batch in self._per_master(events):
            try:
                if self._append_kept(server, batch):
                    kept += batch
            except (*REDIS_DOWN, *REDIRECTED) as err:
                if not is_cluster(self.r):
                    raise
                log.warning("%d events not confirmed by %s (%s): they will be appended again", len(batch),
                            _name(server), err)
                self.r.nodes_manager.initialize()  # learn which node serves the slots now
        return kept

    def _per_master(self, events: list[Envelope]) -> list[tuple[redis.Redis, list[Envelope]]]:
        """The events grouped by the server whose connection must append them: one server, or
        each stream's master on a cluster (WAIT confirms only what its own connection wrote)."""
        if not is_cluster(self.r):
            return [(self.r, events)] if events else []
        groups: dict[str, tuple[redis.Redis, list[Envelope]]] = {}
        for e in events:
            node = self.r.get_node_from_key(self.key(e.family))
            groups.setdefault(node.name, (node.redis_connection, []))[1].append(e)
        return list(groups.values())

    def _append_kept(self, server: redis.Redis, events: list[Envelope]) -> bool:
        """XADD each event on one connection, then, when the server has a replica, WAIT on the
        same connection for one to hold them. True when they are kept."""
        kept_by = self._kept_by(server)
        pipe = server.pipeline(transaction=False)
        for e in events:
            pipe.xadd(self.key(e.family), _fields(e))
        if kept_by == "replica":
            pipe.execute_command("WAIT", 1, WAIT_TIMEOUT_MS)
        replies = pipe.execute()
        if kept_by == "replica":
            return replies[-1] >= 1
        return kept_by == "fsync"

    def _kept_by(self, server: redis.Redis) -> str:
        """"replica" if the server has one, else "fsync" if it writes its append-only file before
        it answers, else "" (a crash may lose what it acknowledged); asked again every few seconds."""
        name = _name(server)
        checked, answer = self.kept_by.get(name, (0.0, ""))
        if time.monotonic() - checked < KEPT_BY_RECHECK_SECONDS:
            return answer
        replication = server.info("replication")
        if replication.get("role") == "master" and replication.get("connected_slaves", 0) >= 1:
            answer = "replica"
        else:
            try:
                config = server.config_get("append*")
            except redis.ResponseError:  # CONFIG disabled: nothing says the file is synced
                config = {}
            always = config.get("appendonly") == "yes" and config.get("appendfsync") == "always"
            answer = "fsync" if always else ""
            if not always and self.kept_by.get(name, (0.0, None))[1] != "":
                log.warning("Redis %s has no replica and does not fsync each write (appendfsync "
                            "always): the relay cannot mark events relayed", name)
        self.kept_by[name] = (time.monotonic(), answer)
        return answer

    def trim(self) -> None:
        """Drops what every group has handled: nothing a group has yet to read or acknowledge."""
        for key in self.keys:
            try:
                groups = self.r.xinfo_groups(key)
            except redis.ResponseError:
                continue  # no stream yet
            if not groups:
                continue
            keep_from = []
            for g in groups:
                oldest_pending = self.r.xpending(key, g["name"])["min"]
                keep_from.append(oldest_pending or g["last-delivered-id"])
            self.r.xtrim(key, minid=min(keep_from, key=_id_key), approximate=False)

    def backlog(self) -> int:
        """Entries some group has yet to read or to acknowledge (0 when the consumers are idle)."""
        total = 0
        for key in self.keys:
            try:
                groups = self.r.xinfo_groups(key)
            except redis.ResponseError:
                continue
            last = None
            for g in groups:
                if g.get("lag") and last is None:
                    last = self.r.xinfo_stream(key)["last-generated-id"]
                # A group that has read the last entry has nothing to read, whatever its lag says:
                # the lag's counters can be off after a failover (a replica's copy of them).
                total += (0 if g["last-delivered-id"] == last else g.get("lag") or 0) + g["pending"]
        return total

    # --- a consumer group's side ---

    def ensure_group(self, group: str, families: list[str]) -> None:
        """The group on the streams of the families it handles, from their start (events relayed
        before it existed are handled too), and off the others, where it would hold back trimming."""
        wanted = {self.key(f) for f in families}
        for key in self.keys:
            if key not in wanted:
                if self.r.exists(key):
                    self.r.xgroup_destroy(key, group)  # 0 when it was not there
                continue
            try:
                self.r.xgroup_create(key, group, id="0", mkstream=True)
            except redis.ResponseError as err:
                if "BUSYGROUP" not in str(err):
                    raise

    def read(self, group: str, families: list[str], consumer: str, count: int, block_ms: int | None,
             own_pending: bool) -> list[Entry]:
        """New entries (waiting up to block_ms), or this consumer's own delivered but unacknowledged
        ones (after a crash or a failed handler), oldest first within each stream."""
        start = "0" if own_pending else ">"
        streams = {self.key(f): start for f in families}
        found = self.r.xreadgroup(group, consumer, streams, count=count, block=block_ms)
        return [_entry(stream, entry_id, fields) for stream, entries in found or () for entry_id, fields in entries]

    def claim_abandoned(self, group: str, families: list[str], consumer: str, min_idle_ms: int,
                        count: int) -> list[Entry]:
        """Pending entries of consumers that died (idle longer than min_idle_ms) become ours."""
        claimed = []
        for key in map(self.key, families):
            _, entries, deleted = self.r.xautoclaim(key, group, consumer, min_idle_ms, "0-0", count=count)
            claimed += [_entry(key, entry_id, fields) for entry_id, fields in entries]
            claimed += [Entry(key, entry_id, None) for entry_id in deleted]
        return claimed

    def done(self, group: str, entries: list[Entry]) -> list[bool]:
        found = iter(mget(self.r, [self._done_key(group, e) for e in entries if e.event]))
        return [e.event is None or next(found) is not None for e in entries]

    def finish(self, group: str, entries: list[Entry]) -> None:
        """Marks the events handled, then acknowledges their entries."""
        if not entries:
            return
        pipe = self.r.pipeline(transaction=False)
        for e in entries:
            if e.event:
                pipe.set(self._done_key(group, e), 1, ex=DONE_TTL_SECONDS)
        for stream in {e.stream for e in entries}:
            pipe.xack(stream, group, *[e.id for e in entries if e.stream == stream])
        pipe.execute()

    def bury(self, group: str, entry: Entry, error: str) -> None:
        """Keeps an entry that keeps failing for an operator, so it no longer blocks its stream."""
        fields = {"group": group, "stream": entry.stream, "entry": entry.id, "error": error[:1000]}
        if entry.event:
            fields.update(id=entry.event.id, type=entry.event.type, payload=entry.event.payload())
        self.r.xadd(f"{self.prefix}:dead", fields, maxlen=10_000, approximate=True)
        self.r.xack(entry.stream, group, entry.id)

    def _done_key(self, group: str, entry: Entry) -> str:
        return f"{self.prefix}:done:{group}:{entry.event.id}"


def _name(server: redis.Redis) -> str:
    kwargs = server.connection_pool.connection_kwargs
    return f"{kwargs.get('host')}:{kwargs.get('port')}"


def _fields(e: Envelope) -> dict:
    return {"id": e.id, "type": e.type, "payload": e.payload(), "at_ms": e.at_ms}


def _entry(stream: str, entry_id: str, fields: dict | None) -> Entry:
    return Entry(stream, entry_id, unwrap(**fields) if fields else None)


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)
