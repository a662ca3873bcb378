"""Who is calling: a session cookie or a bearer token, loaded through flask-login; CSRF for cookies."""
from __future__ import annotations

import hmac

from flask import Flask, request
from flask_login import LoginManager, UserMixin, current_user

from domain.sessions import Session
from social import accounts
from domain.errors import Forbidden, Unauthenticated
from web.context import services

SESSION_COOKIE = "sid"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Principal(UserMixin):
    def __init__(self, user_id: int, username: str, session: Session | None = None, token_id: str | None = None):
        self.user_id = user_id
        self.username = username
        self.session = session
        self.token_id = token_id

    def get_id(self) -> str:
        return str(self.user_id)


def viewer_id() -> int | None:
    return current_user.user_id if current_user.is_authenticated else None


def _load(req) -> Principal | None:
    svc = services()
    header = req.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        owner = accounts.token_owner(svc, header[7:].strip())
        if owner:
            return Principal(owner["user_id"], owner["username"], token_id=str(owner["token_id"]))
        return None
    secret = req.cookies.get(SESSION_COOKIE)
    if secret:
        session = svc.sessions.authenticate(secret)
        if session:
            return Principal(session.user_id, session.username, session=session)
    return None


def _unauthorized():
    raise Unauthenticated()


def check_csrf() -> None:
    """Cookie-authenticated writes must echo the login's csrf_token; bearer requests are exempt."""
    if request.method not in UNSAFE_METHODS or not current_user.is_authenticated:
        return
    session = current_user.session
    if session is None:
        return
    sent = request.headers.get("X-CSRF-Token", "")
    if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise Forbidden("csrf_failed", "Send the X-CSRF-Token header that login returned.")


def init(app: Flask) -> None:
    manager = LoginManager(app)
    manager.session_protection = None
    manager.request_loader(_load)
    manager.unauthorized_handler(_unauthorized)
