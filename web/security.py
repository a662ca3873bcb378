"""Who is calling: a session cookie or a bearer token, loaded through flask-login; CSRF for
cookies; what a bearer token's scopes allow; the transport headers (HSTS) and the trusted proxy."""
from __future__ import annotations

import hmac
from typing import Callable

from flask import Flask, current_app, g, request
from flask.sessions import SessionInterface
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from domain import credentials
from domain.errors import Forbidden, Unauthenticated
from domain.roles import Grant
from domain.sessions import Session
from settings import Settings
from social import accounts, security_log
from web.context import services

SESSION_COOKIE = "sid"  # the cookie's name without TLS (make run, make test); settings.session_cookie_name
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Principal(UserMixin):
    def __init__(self, user_id: int, username: str, session: Session | None = None, token_id: str | None = None,
                 scopes: frozenset[str] = frozenset(), token_hash: str | None = None,
                 cached_grant: tuple[Grant | None, str] | None = None):
        self.user_id = user_id
        self.username = username
        self.session = session
        self.token_id = token_id
        self.scopes = scopes
        self.token_hash = token_hash
        self.cached_grant = cached_grant  # read with the session or token (cache/principals.py)

    def get_id(self) -> str:
        return str(self.user_id)

    @property
    def credential(self) -> str:
        """What a revocation names (cache/revocations.py): this session, or this token."""
        if self.session is not None:
            return credentials.session_credential(self.session.id)
        return credentials.token_credential(self.token_id)

    def read_again(self, svc, rider=None):
        """The session or token and its user's cached grant, read afresh in one round trip
        (cache/principals.py), with the rider's read in it."""
        if self.session is not None:
            return svc.principals.by_session_id(self.session.id, rider)
        return svc.principals.by_token(self.token_hash, rider)

    def still_valid(self, svc, read) -> bool:
        """Whether the session or token is still live, from what read_again read (a long-lived
        connection asks again and again)."""
        if self.session is not None:
            return read.session is not None
        return accounts.token_owner_by_hash(svc, self.token_hash, read.owner) is not None


def viewer_id() -> int | None:
    return current_user.user_id if current_user.is_authenticated else None


def prefetch(read: Callable):
    """Declares a view's cache read that rides in the caller's round trip (cache/principals.py):
    read(**view_args) names it. The view takes its answer from `prefetched()`."""

    def decorate(view):
        view.prefetch = read
        return view

    return decorate


def prefetched():
    """What the view's declared read got, for the caller the request names; None when nothing rode
    (an anonymous caller, a cluster, a caller the script could not name)."""
    return g.get("ridden") if current_user.is_authenticated else None  # loads the caller, and the read


def _rider(req):
    view = current_app.view_functions.get(req.endpoint) if req.endpoint else None
    read = getattr(view, "prefetch", None)
    return read(**(req.view_args or {})) if read is not None else None


def _load(req) -> Principal | None:
    """The caller and its cached grant (and the view's prefetched read) come from one Redis round
    trip (cache/principals.py)."""
    svc = services()
    header = req.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token_hash = accounts.token_hash_of(header[7:].strip())
        read = svc.principals.by_token(token_hash, _rider(req))
        g.ridden = read.ridden  # prefetched() hands it out only to a signed-in caller
        owner = accounts.token_owner_by_hash(svc, token_hash, read.owner)
        if owner:
            return Principal(owner["user_id"], owner["username"], token_id=str(owner["token_id"]),
                             scopes=frozenset(owner.get("scopes") or ()), token_hash=token_hash,
                             cached_grant=read.grant if read.owner else None)
        return None
    secret = req.cookies.get(svc.settings.session_cookie_name)
    if secret:
        read = svc.principals.by_session(secret, _rider(req))
        g.ridden = read.ridden
        if read.session:
            return Principal(read.session.user_id, read.session.username, session=read.session,
                             cached_grant=read.grant)
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
        security_log.event("csrf.refused", user_id=current_user.user_id, method=request.method,
                           route=request.url_rule.rule if request.url_rule else None, client=request.remote_addr)
        raise Forbidden("csrf_failed", "Send the X-CSRF-Token header that login returned.")


def check_bearer(scope: str, bearer_allowed: bool) -> None:
    """A bearer request may do what its scopes name, and never manage sessions or tokens."""
    if current_user.session is not None:
        return
    if not bearer_allowed:
        raise Forbidden("session_required", "Sessions and tokens are managed when signed in, not with a token.")
    if scope not in current_user.scopes:
        raise Forbidden("insufficient_scope", f"This token lacks the {scope} scope.", scope=scope)


def cookie_settings(settings: Settings) -> dict:
    """How the session cookie is set and deleted: HttpOnly, SameSite=Lax, Path=/, Secure with TLS."""
    return {"httponly": True, "samesite": "Lax", "secure": settings.session_cookie_secure, "path": "/"}


def _transport_headers(response):
    hsts = services().settings.hsts_seconds
    if hsts and request.is_secure:
        response.headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
    return response


class NoCookieSession(SessionInterface):
    """Flask's signed-cookie session is not used: sessions live in Redis (cache/sessions.py) and
    flask-login loads the caller from each request. So no request opens or signs that cookie, and
    writing to `flask.session` fails loudly (a null session) instead of leaking state into a cookie."""

    def open_session(self, app, request):
        return None  # Flask then makes the null session

    def save_session(self, app, session, response) -> None:
        pass


def init(app: Flask) -> None:
    app.session_interface = NoCookieSession()
    manager = LoginManager(app)
    manager.session_protection = None
    manager.request_loader(_load)
    manager.unauthorized_handler(_unauthorized)
    app.after_request(_transport_headers)
    hops = app.extensions["services"].settings.trusted_proxy_hops
    if hops > 0:  # only then is X-Forwarded-* believed: anyone can send the header
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
