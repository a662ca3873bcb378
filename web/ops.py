"""Operations endpoints: liveness, readiness, metrics (outside /api/v1), the OpenAPI document and
the reference page rendered from it."""
from __future__ import annotations

import threading
import time

from flask import Blueprint, current_app, jsonify, make_response, render_template

from cache.client import REDIS_DOWN
from graph.driver import NEO4J_DOWN
from web import metrics
from web.context import services as svc
from web.openapi import document
from web.outputs import Status, responds
from web.policy import PUBLIC, UNLIMITED, allow

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@allow(PUBLIC, rate=UNLIMITED)
@responds(Status)
def healthz():
    """The process is running."""
    return jsonify({"status": "ok"})


READY_CACHE_SECONDS = 1.0
_ready = {"at": float("-inf"), "down": []}
_ready_lock = threading.Lock()


def _down() -> list[str]:
    """What does not answer, asked at most once a second per process: a flood of anonymous
    probes costs the databases one check a second, not one each."""
    with _ready_lock:
        if time.monotonic() - _ready["at"] < READY_CACHE_SECONDS:
            return _ready["down"]
        down = []
        try:
            svc().driver.verify_connectivity()
        except (*NEO4J_DOWN, OSError):
            down.append("neo4j")
        try:
            svc().redis.ping()
        except (*REDIS_DOWN, OSError):
            down.append("redis")
        _ready.update(at=time.monotonic(), down=down)
        return down


@bp.get("/readyz")
@allow(PUBLIC, rate=UNLIMITED)
@responds(Status)
def readyz():
    """Neo4j and Redis both answer."""
    down = _down()
    if down:
        body = {"error": {"code": "not_ready", "message": f"Not answering: {', '.join(down)}.", "down": down}}
        return jsonify(body), 503, {"Retry-After": "5"}
    return jsonify({"status": "ready"})


@bp.get("/metrics")
@allow(PUBLIC, rate=UNLIMITED)
@responds(None, media_type="text/plain")
def prometheus():
    """Prometheus text exposition."""
    return metrics.exposition()


@bp.get("/api/v1/openapi.json")
@allow(PUBLIC)
@responds(None, media_type="application/json")
def openapi():
    """This document."""
    return jsonify(document(current_app))


# Swagger UI sets style attributes, so inline styles are allowed here, unlike the web client's pages.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@bp.get("/api/v1/docs")
@allow(PUBLIC)
@responds(None, media_type="text/html")
def docs():
    """The API reference page, rendered in the browser from this document by the vendored Swagger UI."""
    response = make_response(render_template("api_docs.html"))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response
