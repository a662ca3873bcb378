"""The relay marks an event relayed only once Redis confirms it keeps the stream entry (jobs/relay.py,
cache/streams.py): on a server without replicas, when each write is synced to its append-only file
before the answer; on a Redis Cluster, when the replica of the master holding the stream has it
(WAIT on that master's connection). What was not confirmed stays unrelayed in the outbox, and the
sweep appends it again, after a failover too. The cluster is a private one of six nodes on the test
Redis port + 200, as in tests/integration/test_redis_cluster.py.

The events of these tests are dated ten minutes ahead, and the sweep is told to take them: the test
stack's own relay (in its consumer process, on the same Neo4j) leaves them alone meanwhile."""
from __future__ import annotations

import os
import secrets
import signal
import time
from contextlib import contextmanager
from dataclasses import replace

import pytest
import redis
from redis.cluster import RedisCluster

import cache.streams
from cache.client import redis_client
import jobs.relay
from cache.streams import EventStreams
from domain.clock import now_ms
from domain.events import Envelope, Followed, LikeChanged
from domain.ids import new_id
from jobs.relay import Relay
from stack.ready import redis_call, replication
from stack.services import redis_services, start_redis, stop_stack
from stack.supervise import running_pid, spawn, wait_for_exit
from tests.integration.conftest import private_cluster
from tests.integration.test_events import events_about, new_user

AHEAD_MS = 600_000
BALLAST_BYTES = 48 << 20


def ahead(event) -> Envelope:
    at = now_ms() + AHEAD_MS
    return Envelope(new_id(at), at, event)


def event_ahead(svc) -> Envelope:
    """A follow written with its outbox event, as a request does, dated AHEAD_MS ahead."""
    a, b = new_user(svc), new_user(svc)
    event = ahead(Followed(a, b))
    assert svc.users.follow(a, b, now_ms(), event)
    return event


def unrelayed(svc, event: Envelope) -> bool:
    [row] = [e for e in events_about(svc, "Followed", f'"follower_id":{event.event.follower_id}')]
    return row["unrelayed"]


def entry_ids(r, key: str) -> list[int]:
    return [int(fields["id"]) for _, fields in r.xrange(key)]


@pytest.fixture
def sweep_now(monkeypatch):
    """The sweep takes events dated up to AHEAD_MS ahead, and appends unconfirmed ones at once."""
    monkeypatch.setattr(jobs.relay, "STALE_AFTER_MS", -2 * AHEAD_MS)
    monkeypatch.setattr(jobs.relay, "RETRY_UNKEPT_SECONDS", 0.0)
    monkeypatch.setattr(cache.streams, "KEPT_BY_RECHECK_SECONDS", 0.0)


@pytest.mark.skipif(os.environ.get("REDIS_MODE") == "cluster", reason="the single server's own way")
def test_on_a_single_server_an_event_is_marked_only_once_each_write_is_synced_to_the_append_only_file(
        private, sweep_now):
    event = event_ahead(private)
    key = private.event_streams.key("follows")
    relay = Relay(private)
    private.redis.config_set("appendfsync", "everysec")  # a crash of the machine may lose a second
    try:
        assert relay.relay([event]) == 1
        assert entry_ids(private.redis, key) == [event.id]
        assert relay.mark_kept() == 0 and unrelayed(private, event)
    finally:
        private.redis.config_set("appendfsync", "always")  # the stack's setting (stack/redis/redis.conf)
    relay.sweep()
    assert relay.mark_kept() >= 1 and not unrelayed(private, event)
    assert entry_ids(private.redis, key).count(event.id) == 2  # again: consumers skip the duplicate


# --- on a Redis Cluster -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster():
    stack = private_cluster(200, "redis-cluster-relay")
    port = stack.redis_port
    try:
        start_redis(stack)
        deadline = time.monotonic() + 60
        while not all(replicating(port) for port in stack.redis_ports):  # a replica syncs after the cluster forms
            assert time.monotonic() < deadline, "the replicas never caught up with their masters"
            time.sleep(0.2)
        client = redis_client(f"redis://127.0.0.1:{port}/0", cluster=True)  # the app's own, as REDIS_MODE=cluster makes it
        yield stack, client
        client.close()
    finally:
        stop_stack(stack)


def replicating(port: int) -> bool:
    """A master with its replica attached, or a replica whose link to its master is up."""
    info = replication(port)
    return info["replica_port"] is not None if info["role"] == "master" else info["master_link_status"] == "up"


def private_streams(client: RedisCluster) -> EventStreams:
    return EventStreams(client, prefix=f"test-events-{secrets.token_hex(4)}")


def another_master(client: RedisCluster, port: int) -> int:
    return next(node.port for node in client.get_primaries() if node.port != port)


def node_pid(stack, port: int) -> int:
    return running_pid(stack, f"redis-{port}")


def replica_port(client: RedisCluster, key: str) -> int:
    """The port of the replica of the master holding key, as that master sees it (CLUSTER SLOTS
    leaves out a replica that has not yet reported an offset)."""
    return replication(client.get_node_from_key(key).port)["replica_port"]


def key_on(client: RedisCluster, port: int) -> str:
    return next(k for i in range(10_000) if client.get_node_from_key(k := f"ballast:{i}").port == port)


@contextmanager
def stopped(pid: int):
    """The process frozen (SIGSTOP): its connections stay open, it answers nothing."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


def test_on_a_cluster_an_entry_is_kept_once_the_replica_of_its_streams_master_has_it(cluster, monkeypatch):
    # A busy machine (the test stack's Neo4j keeps the disk busy) can hold a replica's answer past
    # the half second the relay waits, and the append is then merely retried: this test asks which
    # master WAIT goes to, not how fast the replica answers.
    monkeypatch.setattr(cache.streams, "WAIT_TIMEOUT_MS", 5000)
    stack, client = cluster
    streams = private_streams(client)
    key = streams.key("follows")
    follow, like = ahead(Followed(1, 2)), ahead(LikeChanged(1, 2, True))  # appended only
    assert streams.append([follow, like]) == [follow, like]

    elsewhere = another_master(client, client.get_node_from_key(key).port)
    with stopped(node_pid(stack, replication(elsewhere)["replica_port"])):
        later = ahead(Followed(3, 4))
        assert streams.append([later]) == [later]  # WAIT asked the streams' master, not another
    with stopped(node_pid(stack, replica_port(client, key))):
        last_follow, last_like = ahead(Followed(5, 6)), ahead(LikeChanged(5, 6, True))
        assert streams.append([last_follow, last_like]) == []  # WAIT on the streams' master timed out
    assert entry_ids(client, key) == [follow.id, later.id, last_follow.id]  # appended all the same
    assert streams.append([last_follow]) == [last_follow]  # the replica is back


def test_an_event_the_replica_never_got_is_appended_again_after_its_master_failed_over(services, cluster,
                                                                                         sweep_now):
    stack, client = cluster
    svc = replace(services, event_streams=private_streams(client))
    key = svc.event_streams.key("follows")
    master, replica = client.get_node_from_key(key).port, replica_port(client, key)
    master_pid = node_pid(stack, master)
    event = event_ahead(svc)
    relay = Relay(svc)

    with stopped(node_pid(stack, replica)):
        # More than the loopback's socket buffers hold: the entry waits in the master's own memory.
        client.set(key_on(client, master), b"x" * BALLAST_BYTES)
        assert relay.relay([event]) == 1
        assert relay.mark_kept() == 0 and unrelayed(svc, event)
        os.kill(master_pid, signal.SIGKILL)  # with the entry its replica never received
        assert wait_for_exit(master_pid, 10)
    assert redis_call(replica, "CLUSTER", "FAILOVER", "TAKEOVER") == b"+OK"
    promoted = redis.Redis(port=replica, decode_responses=True)
    assert promoted.xrange(key) == []  # the entry was lost with its master
    relay.sweep()  # appended again (or not: the client may not know the new master yet), not kept:
    assert relay.mark_kept() == 0 and unrelayed(svc, event)  # the new master has no replica

    killed = next(s for s in redis_services(stack) if s.name == f"redis-{master}")
    spawn(stack, killed)  # it comes back as the new master's replica (its nodes.conf)
    deadline = time.monotonic() + 60
    while relay.mark_kept() == 0:  # the sweep appends the event again until a WAIT confirms it
        assert time.monotonic() < deadline, "the sweep never had the event kept"
        relay.sweep()
        time.sleep(0.2)
    assert not unrelayed(svc, event)
    assert event.id in entry_ids(promoted, key)
