"""The one decision point: every route declares what it needs, and undeclared routes are refused.

A declaration is `@allow(PUBLIC)`, `@allow(SIGNED_IN)` or `@allow("some:permission")`, optionally
with the rate class its requests count against (web.limits). The decision reads the caller's grant
(roles and permissions from the graph, cached in Redis) once per request.
"""
from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_login import current_user

from domain.credentials import scope_needed
from social import accounts, admin
from domain.errors import Forbidden, Unauthenticated
from domain.roles import Grant
from web.context import services
from web.security import check_bearer, check_csrf

PUBLIC = "public"
SIGNED_IN = "signed_in"
UNLIMITED = "unlimited"  # the rate class of monitoring probes


def allow(requirement: str, rate: str | None = None, bearer: bool = True):
    """requirement: PUBLIC, SIGNED_IN or a permission name; rate: a class of web.limits.LIMITS,
    by default `reads` for GET and `writes` for the other methods; bearer=False: for a session
    only (managing sessions and tokens), refused with a bearer token."""

    def decorate(view):
        view.requirement = requirement
        view.rate_class = rate
        view.bearer = bearer
        return view

    return decorate


def requirement_of(endpoint: str | None) -> str | None:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "requirement", None)


def current_grant() -> Grant | None:
    """The signed-in caller's grant, read once per request; None for anonymous callers."""
    if "grant" not in g:
        g.grant = (
            admin.grant_of(services(), current_user.user_id, current_user.cached_grant)
            if current_user.is_authenticated
            else None
        )
    return g.grant


def _enforce():
    if request.endpoint is None or request.endpoint == "static":
        return  # unknown routes become a JSON 404 in web.errors
    needed = requirement_of(request.endpoint)
    if needed is None:
        raise Forbidden("no_policy", "This route declares no policy, so it is refused.")
    if needed == PUBLIC:
        return  # public routes act for nobody, so a cookie on them carries no authority to forge
    if not current_user.is_authenticated:
        raise Unauthenticated()
    check_csrf()
    view = current_app.view_functions[request.endpoint]
    check_bearer(scope_needed(request.method, needed, SIGNED_IN), getattr(view, "bearer", True))
    grant = current_grant()
    if grant is None or grant.suspended:
        _end_access(current_user.user_id)
        raise Unauthenticated()
    if needed != SIGNED_IN and needed not in grant.permissions:
        raise Forbidden("missing_permission", f"This needs the {needed} permission.", permission=needed)


def _end_access(user_id: int) -> None:
    """A session or token that outlived its suspension (a login racing the suspend) ends here."""
    accounts.end_all_access(services(), user_id, "suspended")


def permitted(permission: str) -> bool:
    """Whether the signed-in caller holds a permission, for decisions on one object (a moderator's delete)."""
    grant = current_grant()
    if current_user.is_authenticated and current_user.session is None and "admin" not in current_user.scopes:
        return False  # a token acts for its owner's administration only with the admin scope
    return grant is not None and not grant.suspended and permission in grant.permissions


def init(app: Flask) -> None:
    app.before_request(_enforce)
