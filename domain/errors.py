"""The error family: every refusal a client can act on, turned into JSON in one place (web.errors)."""
from __future__ import annotations


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = "The request cannot be served."

    def __init__(self, code: str | None = None, message: str | None = None, **details):
        self.code = code or self.code
        self.message = message or self.message
        self.details = details
        super().__init__(self.message)

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class BadRequest(AppError):
    status = 400
    code = "invalid_parameter"


class Unauthenticated(AppError):
    status = 401
    code = "not_authenticated"
    message = "Sign in first: no valid session or token came with the request."


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = "No such resource."


class MethodNotAllowed(AppError):
    status = 405
    code = "method_not_allowed"
    message = "This method is not allowed on this resource."


class Conflict(AppError):
    status = 409
    code = "conflict"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"


class RangeNotSatisfiable(AppError):
    status = 416
    code = "range_not_satisfiable"
    message = "The Range header names no satisfiable single byte range of this file."


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"
    message = "Send the body as application/json, with that Content-Type."


class Unprocessable(AppError):
    status = 422
    code = "validation_failed"


class RetryLater(AppError):
    """A refusal that names when to come back (sent as Retry-After)."""

    def __init__(self, code: str | None = None, message: str | None = None, *, retry_after: int, **details):
        super().__init__(code, message, retry_after=max(1, int(retry_after)), **details)
        self.retry_after = max(1, int(retry_after))


class RateLimited(RetryLater):
    status = 429
    code = "rate_limited"
    message = "Too many requests; retry later."


class Unavailable(RetryLater):
    status = 503
    code = "service_unavailable"
    message = "A dependency of the service is down; retry later."
