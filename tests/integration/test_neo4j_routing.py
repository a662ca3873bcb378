"""The graph adapter on a routing URI (`neo4j://`), as a Neo4j cluster or Aura is reached: this
Community server answers routing as a single-member cluster. Reads run as read transactions, which
is what lets a routing driver send them to secondaries."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

import neo4j
import pytest

from domain.clock import now_ms
from domain.events import Followed, envelop
from graph.driver import Graph, open_driver
from graph.users import UserRepository
from social import accounts
from tests.conftest import unique_name


@pytest.fixture(scope="module")
def routed(services):
    direct = urlsplit(services.settings.neo4j_uri)
    driver = open_driver(replace(services.settings, neo4j_uri=f"neo4j://{direct.hostname}:{direct.port}"))
    yield Graph(driver)
    driver.close()


def test_reads_and_writes_go_through_a_routing_uri(services, routed):
    a = int(accounts.register(services, unique_name(), "long-password", None)["id"])
    b = int(accounts.register(services, unique_name(), "long-password", None)["id"])
    assert UserRepository(routed).follow(a, b, now_ms(), envelop(Followed(a, b)))
    assert routed.read("feed/follower_count", author_id=b) == [{"followers": 1}]


def test_a_read_is_a_read_transaction_so_a_cluster_may_serve_it_from_a_secondary(routed):
    event = envelop(Followed(1, 2))
    recorded = {"id": event.id, "type": event.type, "payload": event.payload()}
    with pytest.raises(neo4j.exceptions.ClientError) as refused:
        routed.read("outbox/record", events=[recorded])  # a write, sent the way reads are
    assert refused.value.code == "Neo.ClientError.Statement.AccessMode"
