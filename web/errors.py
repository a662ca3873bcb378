"""Turns every error into the contract's JSON shape, in one place. Never a 500 for client input."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from cache.client import REDIS_DOWN
from domain.errors import AppError, MethodNotAllowed, NotFound, PayloadTooLarge, Unavailable
from graph.driver import NEO4J_DOWN

log = logging.getLogger(__name__)



def error_response(err: AppError):
    response = jsonify(err.body())
    response.status_code = err.status
    retry_after = getattr(err, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _http(err: HTTPException):
    if err.code == 404:
        return error_response(NotFound("route_not_found", "No such endpoint."))
    if err.code == 405:
        return error_response(MethodNotAllowed())
    if err.code == 413:
        return error_response(PayloadTooLarge(message="The request body is too large."))
    generic = AppError(message=err.description or "The request cannot be served.")
    generic.status = err.code or 400
    generic.code = (err.name or "bad_request").lower().replace(" ", "_")
    return error_response(generic)


def register(app: Flask) -> None:
    app.register_error_handler(AppError, error_response)
    app.register_error_handler(HTTPException, _http)

    def neo4j_down(err):
        log.warning("neo4j unavailable: %s", type(err).__name__)
        return error_response(
            Unavailable("neo4j_unavailable", "The graph database is not answering; retry later.", retry_after=5)
        )

    def redis_down(err):
        log.warning("redis unavailable: %s", type(err).__name__)
        return error_response(
            Unavailable("redis_unavailable", "The cache is not answering; retry later.", retry_after=5)
        )

    for cls in NEO4J_DOWN:
        app.register_error_handler(cls, neo4j_down)
    for cls in REDIS_DOWN:
        app.register_error_handler(cls, redis_down)

    @app.errorhandler(Exception)
    def unexpected(err):
        log.exception("unhandled error")
        internal = AppError("internal_error", "Something went wrong on our side.")
        internal.status = 500
        return error_response(internal)
