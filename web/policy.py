"""The one decision point: every route declares what it needs, and undeclared routes are refused."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

from social.errors import Forbidden, Unauthenticated
from web.security import check_csrf

PUBLIC = "public"
SIGNED_IN = "signed_in"


def allow(requirement: str):
    def decorate(view):
        view.requirement = requirement
        return view

    return decorate


def requirement_of(endpoint: str | None) -> str | None:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "requirement", None)


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


def init(app: Flask) -> None:
    app.before_request(_enforce)


def permitted(permission: str) -> bool:
    """Whether the caller holds a permission beyond signing in (roles come with the policy issue)."""
    return False
