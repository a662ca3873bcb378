"""The OpenAPI 3 document, generated from the routes themselves so it cannot drift from them."""
from __future__ import annotations

import re

from flask import Flask

from web.policy import PUBLIC

_PARAM = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def openapi_path(rule: str) -> str:
    return _PARAM.sub(r"{\1}", rule)


def _operation(view, path: str, method: str) -> dict:
    doc = (view.__doc__ or view.__name__).strip().splitlines()[0]
    op = {
        "operationId": f"{method}_{view.__name__}",
        "summary": doc,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{([a-z_]+)}", path)
        ],
        "responses": {
            "default": {
                "description": "An error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
            "200": {"description": "Success"},
        },
    }
    if getattr(view, "requirement", PUBLIC) != PUBLIC:
        op["security"] = [{"cookie": []}, {"bearer": []}]
    model = getattr(view, "body_model", None)
    raw = getattr(view, "raw_body", None)  # a media type, for routes that take bytes (media chunks)
    if raw is not None:
        op["requestBody"] = {"required": True, "content": {raw: {"schema": {"type": "string", "format": "binary"}}}}
    if model is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    return op


def document(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        path = openapi_path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, path, method.lower())
    return {
        "openapi": "3.0.3",
        "info": {"title": "Social graph API", "version": "1"},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {
                "cookie": {"type": "apiKey", "in": "cookie", "name": "sid"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }
