"""Who is calling: a session cookie or a bearer token, loaded through flask-login; CSRF for cookies."""
from __future__ import annotations

import hmac

from flask import Flask, request
from flask_login import LoginManager, UserMixin, current_user

from domain.roles import Grant
from domain.sessions import Session
from social import accounts
from domain.errors import Forbidden, Unauthenticated
from web.context import services

SESSION_COOKIE = "sid"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Principal(UserMixin):
    def __init__(self, user_id: int, username: str, session: Session | None = None, token_id: str | None = None,
                 cached_grant: tuple[Grant | None, str] | None = None):
        self.user_id = user_id
        self.username = username
        self.session = session
        self.token_id = token_id
        self.cached_grant = cached_grant  # read with the session or token (cache/principals.py)

    def get_id(self) -> str:
        return str(self.user_id)


def viewer_id() -> int | None:
    return current_user.user_id if current_user.is_authenticated else None


def _load(req) -> Principal | None:
    """The caller and its cached grant come from one Redis round trip (cache/principals.py)."""
    svc = services()
    header = req.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
        read = svc.principals.by_token(accounts.token_hash(token))
        owner = accounts.token_owner(svc, token, read.owner)
        if owner:
            grant = read.grant if read.owner else None
            return Principal(owner["user_id"], owner["username"], token_id=str(owner["token_id"]), cached_grant=grant)
        return None
    secret = req.cookies.get(SESSION_COOKIE)
    if secret:
        read = svc.principals.by_session(secret)
        session = svc.sessions.authenticate(secret, read.owner or {})
        if session:
            return Principal(session.user_id, session.username, session=session, cached_grant=read.grant)
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
