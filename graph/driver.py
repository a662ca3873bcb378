"""Builds the process's one Neo4j driver and runs named Cypher files in managed transactions."""
from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

import neo4j

from settings import Settings

T = TypeVar("T")
RACED = "Neo.ClientError.Statement.EntityNotFound"
RACE_RETRIES = 2
BAD_BOOKMARK = "Neo.ClientError.Transaction.InvalidBookmark"  # also ...InvalidBookmarkMixture
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


class Chain:
    """The causal chain of one caller (a web request): its transactions start after `after`, the
    bookmarks of the caller's last write (carried from another node, or from an earlier write of this
    chain), so a routing driver's secondary waits until it has them before it answers. Each write of
    the chain moves `after` on to its own bookmarks, which `wrote` then holds for the caller to carry."""

    __slots__ = ("after", "wrote")

    def __init__(self, after: Iterable[str] = ()):
        self.after = neo4j.Bookmarks.from_raw_values(after) if after else None
        self.wrote: neo4j.Bookmarks | None = None

    def advance(self, bookmarks: neo4j.Bookmarks) -> None:
        self.after = self.wrote = bookmarks


_chain: ContextVar[Chain | None] = ContextVar("neo4j_chain", default=None)


def begin_chain(after: Iterable[str] = ()) -> Chain:
    """A new chain for the current context (a request's greenlet or thread), until end_chain."""
    chain = Chain(after)
    _chain.set(chain)
    return chain


def end_chain() -> None:
    _chain.set(None)


def advance_chain(bookmarks: neo4j.Bookmarks) -> None:
    """The current chain (if any) follows a transaction that ran elsewhere: a group commit's batch."""
    chain = _chain.get()
    if chain is not None:
        chain.advance(bookmarks)


def _dropped_bad_bookmarks(err: neo4j.exceptions.ClientError) -> bool:
    """Whether err refused the current chain's bookmarks, which are then dropped so that the
    transaction can run again without them: bookmarks of another database (restored, replaced)."""
    chain = _chain.get()
    if chain is None or chain.after is None or not (err.code or "").startswith(BAD_BOOKMARK):
        return False
    chain.after = None
    return True


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

    def session(self, bookmarks: neo4j.Bookmarks | None = None) -> neo4j.Session:
        return self.driver.session(database=self.database, bookmarks=bookmarks)

    def read(self, name: str, /, **params) -> list[dict]:
        """A read transaction, which a routing driver may send to a secondary: opened after the
        current chain's bookmarks, if there is a chain. Without one (the job processes) sessions
        carry no bookmarks, the driver's default."""
        try:
            return self._read(name, params)
        except neo4j.exceptions.ClientError as err:
            if not _dropped_bad_bookmarks(err):
                raise
        return self._read(name, params)

    def _read(self, name: str, params: dict) -> list[dict]:
        chain = _chain.get()
        with self.session(chain.after if chain else None) as s:
            return s.execute_read(lambda tx: Tx(tx).run(name, **params))

    def write_with(self, work: Callable[..., T], /, *args) -> T:
        """work(tx, *args) in one write transaction: its queries commit together or not at all. The
        driver retries transient errors; a node that a concurrent commit deleted under this
        transaction's feet (EntityNotFound) is a race too, so the whole transaction runs again."""
        return self.write_bookmarked(work, *args)[0]

    def write_bookmarked(self, work: Callable[..., T], /, *args) -> tuple[T, neo4j.Bookmarks]:
        """`write_with`, and the bookmarks of the transaction that committed it (the current chain,
        if any, has moved on to them already)."""
        for _ in range(RACE_RETRIES):
            try:
                return self._write(work, args)
            except neo4j.exceptions.ClientError as err:
                if err.code != RACED and not _dropped_bad_bookmarks(err):
                    raise
        return self._write(work, args)

    def _write(self, work: Callable[..., T], args: tuple) -> tuple[T, neo4j.Bookmarks]:
        chain = _chain.get()
        with self.session(chain.after if chain else None) as s:
            result = s.execute_write(lambda tx: work(Tx(tx), *args))
            bookmarks = s.last_bookmarks()
        if chain is not None:
            chain.advance(bookmarks)
        return result, bookmarks

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

