"""Read-your-writes across web nodes, with Neo4j's bookmarks carried by the client.

A request that wrote to Neo4j answers `X-Consistency-Token`: the bookmarks of its last transaction,
signed with the app's secret and dated. A browser gets the same value as the `consistency` cookie; an
API client sends the header back. The caller's next request, on whichever node, opens its Neo4j
sessions after those bookmarks (graph/driver.py's chain), so a cluster's secondary waits until it
has the write before it answers. The client carries it rather than Redis: no round trip on any path,
reads or writes, and a bearer client is served like a browser. A token that is not ours, is
malformed or is older than TOKEN_SECONDS is ignored: it only ever asks to wait, so without it a
read is still answered, from whatever the server has.
"""
from __future__ import annotations

from functools import lru_cache

from flask import Flask, g, request
from itsdangerous import BadData, URLSafeTimedSerializer

from graph.driver import begin_chain, end_chain
from web.context import services
from web.security import cookie_settings

HEADER = "X-Consistency-Token"
COOKIE = "consistency"
TOKEN_SECONDS = 300  # far longer than any replication lag; older bookmarks are surely applied
MAX_BOOKMARKS = 8
MAX_TOKEN_CHARS = 1024


def _signer() -> URLSafeTimedSerializer:
    return _signer_for(services().settings.secret_key)


@lru_cache(maxsize=4)
def _signer_for(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="neo4j-bookmarks")


def bookmarks_of(token: str | None) -> list[str]:
    """The bookmarks a token carries, or none when it is absent, forged, malformed or too old."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return []
    try:
        marks = _signer().loads(token, max_age=TOKEN_SECONDS)
    except (BadData, ValueError):
        return []
    if not isinstance(marks, list) or len(marks) > MAX_BOOKMARKS:
        return []
    if not all(isinstance(m, str) and m.isascii() for m in marks):
        return []
    return marks


def token_for(bookmarks) -> str:
    return _signer().dumps(sorted(bookmarks.raw_values))


def _begin() -> None:
    token = request.headers.get(HEADER) or request.cookies.get(COOKIE)
    g.neo4j_chain = begin_chain(bookmarks_of(token))


def _carry(response):
    chain = g.get("neo4j_chain")
    if chain is not None and chain.wrote is not None:
        token = token_for(chain.wrote)
        response.headers[HEADER] = token
        if "Authorization" not in request.headers:  # a browser: it sends the cookie back by itself
            response.set_cookie(COOKIE, token, max_age=TOKEN_SECONDS, **cookie_settings(services().settings))
    return response


def _end(_error) -> None:
    end_chain()  # a keep-alive connection's next request, in the same greenlet, starts anew


def init(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_carry)
    app.teardown_request(_end)
