"""What a process does at start, before its first request."""
import dataclasses
import os

from bootstrap import bootstrap
from cache import id_nodes
from domain.ids import new_id
from settings import Settings


def test_connect_opens_a_bolt_connection_before_the_first_request():
    svc = bootstrap(Settings.from_env(os.environ))
    try:
        svc.connect()
        assert svc.driver._pool.connections, "no Bolt connection was opened"
    finally:
        svc.close()


def test_connect_leases_the_process_a_node_no_running_process_holds():
    svc = bootstrap(Settings.from_env(os.environ))
    try:
        svc.connect()
        mine = new_id() % 256
        svc.connect()  # as the next process to start would
        assert new_id() % 256 == (mine + 1) % 256
        assert int(svc.redis.get(id_nodes.KEY)) % 256 == (mine + 1) % 256
    finally:
        svc.close()


def test_connect_with_the_databases_down_starts_anyway():
    down = dataclasses.replace(Settings.from_env(os.environ), neo4j_uri="bolt://127.0.0.1:1",
                               redis_url="redis://127.0.0.1:1/0")
    svc = bootstrap(down)
    try:
        svc.connect()  # logs, does not raise: /readyz tells
    finally:
        svc.close()
