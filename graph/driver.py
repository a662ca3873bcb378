"""Builds the process's one Neo4j driver and runs named Cypher files in managed transactions."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

import neo4j

from settings import Settings

T = TypeVar("T")
RACED = "Neo.ClientError.Statement.EntityNotFound"
RACE_RETRIES = 2
NEO4J_DOWN = (
    neo4j.exceptions.ServiceUnavailable,
    neo4j.exceptions.SessionExpired,
    neo4j.exceptions.TransientError,
    neo4j.exceptions.SessionError,
)
CYPHER_DIR = Path(__file__).resolve().parent.parent / "cypher"


def open_driver(settings: Settings) -> neo4j.Driver:
    """Short timeouts everywhere: a down database must become a quick 503, never a hung request."""
    return neo4j.GraphDatabase.driver(
        settings.neo4j_uri,
        auth=(settings.neo4j_user, settings.neo4j_password),
        connection_timeout=3.0,
        connection_acquisition_timeout=5.0,
        max_transaction_retry_time=3.0,
        max_connection_pool_size=200,
        notifications_min_severity="OFF",
    )


@lru_cache(maxsize=None)
def cypher(name: str) -> str:
    """The text of cypher/<name>.cypher, the single home of that query."""
    return (CYPHER_DIR / f"{name}.cypher").read_text(encoding="utf-8")


class Tx:
    """One managed transaction, as the work given to `Graph.write_with` sees it: named queries only."""

    def __init__(self, tx: neo4j.ManagedTransaction):
        self._tx = tx

    def run(self, name: str, /, **params) -> list[dict]:
        return self._tx.run(cypher(name), params).data()


class Graph:
    """Runs named queries in managed transactions (execute_read / execute_write), which the driver
    retries as a whole on transient errors: the one way this project runs Cypher."""

    def __init__(self, driver: neo4j.Driver, database: str = "neo4j"):
        self.driver = driver
        self.database = database

    def session(self) -> neo4j.Session:
        return self.driver.session(database=self.database)

    def read(self, name: str, /, **params) -> list[dict]:
        with self.session() as s:
            return s.execute_read(lambda tx: Tx(tx).run(name, **params))

    def write_with(self, work: Callable[..., T], /, *args) -> T:
        """work(tx, *args) in one write transaction: its queries commit together or not at all. The
        driver retries transient errors; a node that a concurrent commit deleted under this
        transaction's feet (EntityNotFound) is a race too, so the whole transaction runs again."""
        for _ in range(RACE_RETRIES):
            try:
                return self._write(work, args)
            except neo4j.exceptions.ClientError as err:
                if err.code != RACED:
                    raise
        return self._write(work, args)

    def _write(self, work: Callable[..., T], args: tuple) -> T:
        with self.session() as s:
            return s.execute_write(lambda tx: work(Tx(tx), *args))

    def write(self, name: str, /, **params) -> list[dict]:
        return self.write_with(lambda tx: tx.run(name, **params))

    def write_all(self, *steps: tuple[str, dict]) -> list[list[dict]]:
        """Several named queries in one transaction."""
        return self.write_with(lambda tx: [tx.run(name, **params) for name, params in steps])

    def read_one(self, name: str, /, **params) -> dict | None:
        rows = self.read(name, **params)
        return rows[0] if rows else None

    def write_one(self, name: str, /, **params) -> dict | None:
        rows = self.write(name, **params)
        return rows[0] if rows else None

