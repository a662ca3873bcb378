"""graph/driver.py's one retry loop, `_retried`: auto-commit transactions (reads, and `apply`'s
writes) are not retried by the driver, so it retries them on the errors the driver would retry a
managed transaction on, for as long as it would; any transaction, managed or not, a few times at
once on a race with a concurrent delete; and never on any other error."""
from __future__ import annotations

import neo4j.exceptions
import pytest

from graph import driver


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(driver, "FIRST_RETRY_DELAY", 0.01)


def _failing(times: int, error: Exception):
    calls = []

    def run():
        calls.append(1)
        if len(calls) <= times:
            raise error
        return ["row"]

    return run, calls


@pytest.mark.parametrize("error", [
    neo4j.exceptions.ServiceUnavailable("Neo4j restarting"),
    neo4j.exceptions.SessionExpired("the connection went"),
])
def test_a_lost_connection_is_tried_again_until_it_answers(error):
    run, calls = _failing(2, error)
    assert driver._retried(run, transient=True) == ["row"] and len(calls) == 3


def test_an_error_of_the_query_itself_is_not_tried_again():
    run, calls = _failing(1, neo4j.exceptions.CypherSyntaxError("bad query"))
    with pytest.raises(neo4j.exceptions.CypherSyntaxError):
        driver._retried(run, transient=True)
    assert len(calls) == 1


def test_a_node_deleted_under_its_feet_is_tried_again_at_once_a_bounded_number_of_times():
    raced = neo4j.exceptions.Neo4jError._hydrate_neo4j(code=driver.RACED, message="Unable to load NODE")
    run, calls = _failing(driver.RACE_RETRIES, raced)
    assert driver._retried(run, transient=True) == ["row"] and len(calls) == driver.RACE_RETRIES + 1
    run, calls = _failing(driver.RACE_RETRIES + 1, raced)
    with pytest.raises(neo4j.exceptions.ClientError):
        driver._retried(run, transient=True)


def test_a_managed_transaction_is_not_tried_again_on_what_the_driver_already_retried():
    run, calls = _failing(1, neo4j.exceptions.ServiceUnavailable("down for 3 s already"))
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        driver._retried(run, transient=False)
    assert len(calls) == 1


def test_it_gives_up_after_retry_seconds(monkeypatch):
    monkeypatch.setattr(driver, "RETRY_SECONDS", 0.1)
    run, calls = _failing(1000, neo4j.exceptions.ServiceUnavailable("down"))
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        driver._retried(run, transient=True)
    assert 2 <= len(calls) < 10  # 0.01, 0.02, 0.04 s of delays fit in 0.1 s; then the next would not
