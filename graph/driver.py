"""Builds the process's one Neo4j driver and runs named Cypher files in managed transactions."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import neo4j

from settings import Settings

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


class Graph:
    """Runs named queries: reads with execute_read, writes with execute_write (both retry)."""

    def __init__(self, driver: neo4j.Driver, database: str = "neo4j"):
        self.driver = driver
        self.database = database

    def session(self) -> neo4j.Session:
        return self.driver.session(database=self.database)

    def read(self, name: str, /, **params) -> list[dict]:
        with self.session() as s:
            return s.execute_read(_run, cypher(name), params)

    def write(self, name: str, /, **params) -> list[dict]:
        with self.session() as s:
            return s.execute_write(_run, cypher(name), params)

    def write_all(self, *steps: tuple[str, dict]) -> list[list[dict]]:
        """Several named queries in one transaction: they commit together or not at all."""
        with self.session() as s:
            return s.execute_write(_run_all, [(cypher(name), params) for name, params in steps])

    def read_one(self, name: str, /, **params) -> dict | None:
        rows = self.read(name, **params)
        return rows[0] if rows else None

    def write_one(self, name: str, /, **params) -> dict | None:
        rows = self.write(name, **params)
        return rows[0] if rows else None


def _run(tx: neo4j.ManagedTransaction, query: str, params: dict) -> list[dict]:
    return tx.run(query, params).data()


def _run_all(tx: neo4j.ManagedTransaction, steps: list[tuple[str, dict]]) -> list[list[dict]]:
    return [tx.run(query, params).data() for query, params in steps]
