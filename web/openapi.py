"""The OpenAPI 3.1 document, generated from the routes and the models they declare, so it cannot
drift from them: parameters from `@query` models and path converters, bodies from `@takes`,
answers from `@responds`, errors from those and from `@allow`. docs/api.md tells how to declare.
"""
from __future__ import annotations

import re

from flask import Flask
from pydantic.json_schema import models_json_schema

from web.consistency import TOKEN_SECONDS
from web.inputs import JSON
from web.outputs import Error, Page
from web.policy import PUBLIC, UNLIMITED

NOT_API = {"static", "client", "media_files"}  # the web client's pages and assets, media files: not the API
_PARAM = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")
_REF = "#/components/schemas/{model}"

ANY_TEXT = {"type": "string", "minLength": 1}
ID = {"type": "string", "pattern": "^[1-9][0-9]{0,18}$",
      "description": "A positive 64-bit integer as a decimal string."}
PATH_PARAMETERS = {
    "username": {"type": "string", "minLength": 1, "description": "1-15 of A-Z, a-z, 0-9 and _, any case."},
    "tweet_id": ID,
    "token_id": ID,
    "media_id": ID,
}
ERRORS = {
    400: "Malformed JSON, parameter or cursor",
    401: "Not signed in, or the session or token has ended",
    403: "Not allowed (csrf_failed, missing_permission, account_suspended, ...)",
    404: "No such resource",
    409: "Conflict with the current state",
    413: "Body too large",
    414: "The request line is longer than the web server takes (4 KiB); answered by it, not as JSON",
    415: "The body is not application/json",
    422: "Validation failed (the code says which rule)",
    429: "Rate limited: see Retry-After",
    503: "A dependency is down or the server is overloaded: see Retry-After",
}
_INT = {"type": "integer"}
HEADERS = {
    "X-RateLimit-Limit": {"description": "Requests allowed in the window.", "schema": _INT},
    "X-RateLimit-Remaining": {"description": "Requests left in the window.", "schema": _INT},
    "X-RateLimit-Reset": {"description": "When the window resets (Unix seconds).", "schema": _INT},
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": _INT},
    "Link": {"description": 'The next page: `<absolute URL>; rel="next"` (only when there is one).',
             "schema": {"type": "string"}},
    "X-Consistency-Token": {"description": "When the request wrote: send it back as this header on your next "
                                           f"requests (for {TOKEN_SECONDS // 60} minutes) to read your own "
                                           "writes on any node (docs/scale-out.md).",
                            "schema": {"type": "string"}},
}


def _headers(*names: str) -> dict:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


RATE_HEADERS = _headers("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
RETRY_AFTER = _headers("Retry-After")
LINK = _headers("Link")
CONSISTENCY = _headers("X-Consistency-Token")


def openapi_path(rule: str) -> str:
    return _PARAM.sub(r"{\1}", rule)


def _operations(app: Flask):
    """(path, method, endpoint, view) of every API route."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in NOT_API or rule.endpoint in NOT_API:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield openapi_path(rule.rule), method.lower(), rule.endpoint, app.view_functions[rule.endpoint]


def _parameters(view, path: str) -> list[dict]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS.get(name, ANY_TEXT)}
        for name in re.findall(r"{([a-z_]+)}", path)
    ]
    model = getattr(view, "query_model", None)
    if model is not None:
        schema = model.model_json_schema(ref_template=_REF)
        for name, prop in schema.get("properties", {}).items():
            prop = _not_null(prop)
            param = {"name": name, "in": "query", "required": name in schema.get("required", []), "schema": prop}
            if "description" in prop:
                param["description"] = prop["description"]
            params.append(param)
    return params


def _not_null(prop: dict) -> dict:
    """A query parameter is left out rather than null: `str | None = None` is documented as a string."""
    prop = {k: v for k, v in prop.items() if k != "title"}
    variants = [v for v in prop.pop("anyOf", []) if v != {"type": "null"}]
    if len(variants) == 1:
        prop = {**variants[0], **prop}
    elif variants:
        prop["anyOf"] = variants
    if prop.get("default", 0) is None:
        del prop["default"]
    return prop


def _content(ref: dict | None, media_type: str) -> dict:
    if ref is None:
        ref = {"type": "object"} if media_type == JSON else {"type": "string"}
    return {media_type: {"schema": ref}}


def _error_statuses(view, path: str, method: str) -> set[int]:
    statuses = {503, *getattr(view, "errors", ())}
    if getattr(view, "rate_class", None) != UNLIMITED:
        statuses.add(429)
    if getattr(view, "requirement", None) is None:
        statuses.add(403)  # no_policy: refused until it declares one
    elif view.requirement != PUBLIC:
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if getattr(view, "query_model", None) is not None or getattr(view, "body_model", None) is not None:
        statuses.add(400)
    if method in ("post", "put", "patch", "delete"):
        statuses |= {413, 415}
    if "{" in path or getattr(view, "query_model", None) is not None:
        statuses.add(414)
    return statuses


def _operation(view, endpoint: str, path: str, method: str, refs: dict) -> dict:
    summary = " ".join((view.__doc__ or view.__name__).split())
    limited = getattr(view, "rate_class", None) != UNLIMITED
    responses = {}
    for status, (model, media_type) in sorted(getattr(view, "responses", {}).items()):
        answer = {"description": summary}
        if status not in (101, 204):
            answer["content"] = _content(refs[(model, "serialization")] if model else None, media_type)
        headers = {**(RATE_HEADERS if limited else {}), **(LINK if model and issubclass(model, Page) else {}),
                   **(CONSISTENCY if method in ("post", "put", "patch", "delete") else {})}
        if headers:
            answer["headers"] = headers
        responses[str(status)] = answer
    if not responses:
        responses["200"] = {"description": summary}
    for status in sorted(_error_statuses(view, path, method)):
        if status == 414:
            responses["414"] = {"description": ERRORS[414], "content": _content(None, "text/html")}
            continue
        headers = {**(RATE_HEADERS if limited and status != 429 else {}),
                   **(RETRY_AFTER if status in (429, 503) else {})}
        responses[str(status)] = {"description": ERRORS.get(status, "An error"),
                                  "content": _content(refs[(Error, "serialization")], JSON),
                                  **({"headers": headers} if headers else {})}
    op = {
        "operationId": f"{endpoint.replace('.', '_')}_{method}",
        "tags": [endpoint.split(".")[0]],
        "summary": summary,
        "parameters": _parameters(view, path),
        "responses": responses,
    }
    if getattr(view, "requirement", PUBLIC) != PUBLIC:
        op["security"] = [{"cookie": [], "csrf": []}, {"bearer": []}]
    body = getattr(view, "body_model", None)
    if body is not None:
        op["requestBody"] = {"required": not getattr(view, "body_optional", False),
                             "content": {JSON: {"schema": refs[(body, "validation")]}}}
    elif getattr(view, "accepts", None):
        raw = {"schema": {"type": "string", "format": "binary"}}
        op["requestBody"] = {"required": True, "content": {media_type: raw for media_type in view.accepts}}
    return op


def _models(app: Flask) -> list:
    keys = {(Error, "serialization")}
    for _, _, _, view in _operations(app):
        keys |= {(model, "serialization") for model, _ in getattr(view, "responses", {}).values() if model is not None}
        if getattr(view, "body_model", None) is not None:
            keys.add((view.body_model, "validation"))
    return sorted(keys, key=lambda k: (k[0].__name__, k[1]))


def document(app: Flask) -> dict:
    refs, definitions = models_json_schema(_models(app), ref_template=_REF)
    paths: dict[str, dict] = {}
    for path, method, endpoint, view in _operations(app):
        paths.setdefault(path, {})[method] = _operation(view, endpoint, path, method, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "socialgraph API",
            "version": "1.1",
            "description": "A Twitter-like service on a graph. Errors are always "
                           '`{"error": {"code", "message", ...details}}`. docs/api.md in the repository tells more.',
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": definitions.get("$defs", {}),
            "headers": HEADERS,
            "securitySchemes": {
                "cookie": {"type": "apiKey", "in": "cookie", "name": "sid",
                           "description": "The session cookie that POST /api/v1/auth/login sets."},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                         "description": "The login's csrf_token, on cookie-authenticated POST, PUT, PATCH and DELETE."},
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A token from POST /api/v1/auth/tokens."},
            },
        },
    }
