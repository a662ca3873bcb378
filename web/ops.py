"""Operations endpoints outside /api/v1: liveness, readiness, metrics, the OpenAPI document."""
from __future__ import annotations

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


@bp.get("/readyz")
@allow(PUBLIC, rate=UNLIMITED)
def readyz():
    """Neo4j and Redis both answer."""
    down = []
    try:
        svc().driver.verify_connectivity()
    except (*NEO4J_DOWN, OSError):
        down.append("neo4j")
    try:
        svc().redis.ping()
    except (*REDIS_DOWN, OSError):
        down.append("redis")
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
