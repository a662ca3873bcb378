"""Request parsing: JSON bodies and query strings checked against pydantic models, ids in paths.

A view declares what it reads: `@takes(Body)` passes the parsed body as its first argument,
`@query(Query)` passes the parsed query string as the keyword argument `query`. The OpenAPI
document (web.openapi) is generated from the same declarations.
"""
from __future__ import annotations

from functools import wraps
from typing import Annotated

import orjson
from flask import Flask, current_app, request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from domain.errors import AppError, BadRequest, UnsupportedMediaType
from domain.ids import parse_id
from domain.pages import DEFAULT_LIMIT, MAX_LIMIT, PageRequest, decode_cursor

JSON = "application/json"


class Body(BaseModel):
    """Strict: wrong types are refused, not coerced; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _digits(value):
    """Query numbers are ASCII digits only: int() would also take '٣', '+3', ' 3' or '1_0'."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and len(value) <= 19):
        raise ValueError("must be a whole number")
    return value


Whole = Annotated[int, BeforeValidator(_digits)]


class Query(BaseModel):
    """Query parameters; parameters the model does not name are ignored, as web clients add their own."""

    model_config = ConfigDict(extra="ignore")


class LimitQuery(Query):
    limit: Whole = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items at most.")


class PageQuery(LimitQuery):
    cursor: str | None = Field(None, max_length=200, description="The `next_cursor` of the previous page.")

    def page(self, key_parts: int) -> PageRequest:
        return PageRequest(limit=self.limit, key=decode_cursor(self.cursor, key_parts) if self.cursor else None)


_CODES = {"missing": "missing_field", "extra_forbidden": "unknown_field"}


def _refusal(err: ValidationError) -> BadRequest:
    problems = [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]}
        for e in err.errors(include_url=False, include_input=False, include_context=False)
    ]
    first = min(problems, key=lambda p: p["type"] != "extra_forbidden")
    return BadRequest(
        _CODES.get(first["type"], "invalid_parameter"),
        f"{first['field']}: {first['message']}",
        field=first["field"],
        problems=problems,
    )


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
        raise _refusal(err) from None


def takes(model: type[Body], optional: bool = False):
    """Passes the parsed body as the view's first argument (optional: an empty body is `model()`)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            empty = optional and not request.get_data(cache=True).strip()
            return view(model() if empty else parse_body(model), *args, **kwargs)

        wrapper.body_model = model
        wrapper.body_optional = optional
        return wrapper

    return decorate


def query(model: type[Query]):
    """Passes the parsed query string as the keyword argument `query`."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                parsed = model.model_validate(request.args.to_dict())
            except ValidationError as err:
                raise _refusal(err) from None
            return view(*args, query=parsed, **kwargs)

        wrapper.query_model = model
        return wrapper

    return decorate


def accepts(*media_types: str):
    """The body types a view reads, when not JSON (the raw bytes of a media chunk)."""

    def decorate(view):
        view.accepts = media_types
        return view

    return decorate


def path_id(value: str, not_found: AppError) -> int:
    """Ids are decimal strings of positive 64-bit integers; anything else names no resource."""
    found = parse_id(value)
    if found is None:
        raise not_found
    return found


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _check_media_type():
    """A body is read as JSON only when it says it is one: a text/plain form from another site
    (login CSRF) or a mislabelled upload is refused before anything reads it."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or not _has_body():
        return
    allowed = getattr(view, "accepts", (JSON,))
    if request.mimetype not in allowed:
        raise UnsupportedMediaType(
            message=f"Send the body as {' or '.join(allowed)}, with that Content-Type.", accepted=list(allowed)
        )


def init(app: Flask) -> None:
    """Registered after web.policy, so an anonymous or refused caller hears 401/403 first."""
    app.before_request(_check_media_type)
