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

REQUESTS = Counter("http_requests_total", "HTTP requests served", ["method", "endpoint", "status"])
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to serve a request",
    ["endpoint"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


def _start():
    g.started = time.perf_counter()


def _finish(response):
    endpoint = request.endpoint or "unknown"
    if "started" in g:
        LATENCY.labels(endpoint).observe(time.perf_counter() - g.started)
    REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
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
