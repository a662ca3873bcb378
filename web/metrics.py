"""Prometheus metrics of HTTP traffic; multi-process aware under gunicorn (PROMETHEUS_MULTIPROC_DIR)."""
from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("http_requests_total", "HTTP requests served", ["method", "route", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to serve a request",
    ["route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def _start():
    g.started = time.perf_counter()


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # every path that names no route: one series, whatever a client sends


def labels() -> tuple[str, str]:
    """(method, route template): both from closed sets, so a client cannot mint new series."""
    method = request.method if request.method in METHODS else "OTHER"
    rule = request.url_rule
    return method, rule.rule if rule is not None else UNMATCHED


def _finish(response):
    method, route = labels()
    if "started" in g:
        LATENCY.labels(route).observe(time.perf_counter() - g.started)
    REQUESTS.labels(method, route, str(response.status_code)).inc()
    return response


def exposition() -> Response:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def init(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
