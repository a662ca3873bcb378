"""The local Redis Cluster of REDIS_MODE=cluster (stack/services.py): six redis-server nodes become
3 masters with a replica each on their first start, keep that layout in nodes.conf across a stop
and start, and a graceful stop loses no acknowledged write. On the test stack's Redis port + 100, in
a folder of the test stack's DATA_DIR (pytest's tmp_path is pruned by other pytest runs on the machine)."""
from __future__ import annotations

import pytest
from redis.cluster import ClusterNode, RedisCluster

from stack.ready import cluster_info, redis_call
from stack.services import start_redis, stop_stack
from stack.supervise import pidfile_names, running_pid
from tests.integration.conftest import private_cluster


@pytest.fixture
def cluster():
    stack = private_cluster(100, "redis-cluster-test")
    yield stack
    stop_stack(stack)


def node_ids(stack) -> list[bytes]:
    return [redis_call(port, "CLUSTER", "MYID") for port in stack.redis_ports]


def test_six_nodes_form_a_cluster_of_three_masters_and_keep_every_write_across_a_stop(cluster):
    start_redis(cluster)
    for port in cluster.redis_ports:
        info = cluster_info(port)
        assert (info["cluster_state"], info["cluster_known_nodes"], info["cluster_size"]) == ("ok", "6", "3")
    assert redis_call(cluster.rq_redis_port, "PING") == b"+PONG"  # RQ's own server, beside the cluster
    assert "cluster_enabled:0" in redis_call(cluster.rq_redis_port, "INFO", "cluster").decode()
    assert cluster.env["RQ_REDIS_URL"].endswith(f":{cluster.rq_redis_port}/0")
    ids = node_ids(cluster)
    client = RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", cluster.redis_port)])
    for i in range(300):
        client.set(f"key:{i}", i)
    client.close()

    stop_stack(cluster)
    assert not [name for name in pidfile_names(cluster) if running_pid(cluster, name)]
    start_redis(cluster)

    assert node_ids(cluster) == ids  # the same cluster, from nodes.conf, not a new one
    client = RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", cluster.redis_port)])
    assert [client.get(f"key:{i}") for i in range(300)] == [str(i).encode() for i in range(300)]
    client.close()
