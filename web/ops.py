"""Operations endpoints outside /api/v1: liveness, readiness, metrics, the OpenAPI document."""
from __future__ import annotations

import threading
import time

from flask import Blueprint, current_app, jsonify

from cache.client import REDIS_DOWN
from graph.driver import NEO4J_DOWN
from web import metrics
from web.context import services as svc
from web.openapi import document
from web.policy import PUBLIC, UNLIMITED, allow

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@allow(PUBLIC, rate=UNLIMITED)
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
def readyz():
    """Neo4j and Redis both answer."""
    down = _down()
    if down:
        body = {"error": {"code": "not_ready", "message": f"Not answering: {', '.join(down)}.", "down": down}}
        return jsonify(body), 503, {"Retry-After": "5"}
    return jsonify({"status": "ready"})


@bp.get("/metrics")
@allow(PUBLIC, rate=UNLIMITED)
def prometheus():
    """Prometheus text exposition."""
    return metrics.exposition()


@bp.get("/api/v1/openapi.json")
@allow(PUBLIC)
def openapi():
    """This document."""
    return jsonify(document(current_app))
