"""Request parsing: JSON bodies checked against pydantic models, page parameters, ids in paths."""
from __future__ import annotations

from functools import wraps

import orjson
from flask import request
from pydantic import BaseModel, ConfigDict, ValidationError

from domain.errors import AppError, BadRequest
from domain.pages import DEFAULT_LIMIT, MAX_LIMIT, PageRequest, decode_cursor


class Body(BaseModel):
    """Strict: wrong types are refused, not coerced; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


_CODES = {"missing": "missing_field", "extra_forbidden": "unknown_field"}


def parse_body(model: type[Body]) -> Body:
    raw = request.get_data(cache=True)
    try:
        data = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError as err:
        raise BadRequest("invalid_json", f"The body is not valid JSON: {err}.") from None
    if not isinstance(data, dict):
        raise BadRequest("invalid_json", "The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]}
            for e in err.errors(include_url=False, include_input=False)
        ]
        first = min(problems, key=lambda p: p["type"] != "extra_forbidden")
        raise BadRequest(
            _CODES.get(first["type"], "invalid_parameter"),
            f"{first['field']}: {first['message']}",
            field=first["field"],
            problems=problems,
        ) from None


def takes(model: type[Body]):
    """Passes the parsed body as the view's first argument; the OpenAPI document reads body_model."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(parse_body(model), *args, **kwargs)

        wrapper.body_model = model
        return wrapper

    return decorate


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest("invalid_parameter", f"{name} must be a whole number from {low} to {high}.", field=name)
    return int(raw)


def page_request(key_parts: int) -> PageRequest:
    limit = int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    cursor = request.args.get("cursor")
    return PageRequest(limit=limit, key=decode_cursor(cursor, key_parts) if cursor else None)


def path_id(value: str, not_found: AppError) -> int:
    """Ids are decimal strings; anything else names no resource."""
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        raise not_found
    return int(value)
