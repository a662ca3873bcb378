"""Auth endpoints: register, login, logout, sessions and bearer tokens."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from social import accounts
from domain.errors import NotFound
from web.context import services as svc
from web.inputs import Body, path_id, takes
from web.outputs import LoggedIn, NewTokenSecret, SessionList, TokenList, UserBody, responds
from web.policy import PUBLIC, SIGNED_IN, allow
from web.presenters import iso_ms, no_content, session_json
from web.security import cookie_settings

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")


class Register(Body):
    username: str
    password: str
    display_name: str | None = None


class Login(Body):
    username: str
    password: str


class NewToken(Body):
    name: str
    scopes: list[str] | None = None
    expires_in: int | None = None


class NewPassword(Body):
    current_password: str
    new_password: str


@bp.post("/register")
@allow(PUBLIC, rate="register")
@responds(UserBody, 201, errors=(409, 422))
@takes(Register)
def register(body: Register):
    """Create an account."""
    user = accounts.register(svc(), body.username, body.password, body.display_name)
    return jsonify({"user": user}), 201


@bp.post("/login")
@allow(PUBLIC, rate="login")
@responds(LoggedIn, errors=(401, 403))
@takes(Login)
def login(body: Login):
    """Start a session: sets the HttpOnly session cookie and returns the CSRF token."""
    secret, session, user = accounts.login(
        svc(), body.username, body.password, request.remote_addr or "unknown", request.user_agent.string
    )
    response = jsonify(
        {
            "user": user,
            "csrf_token": session.csrf_token,
            "session": {"id": session.id, "expires_at": iso_ms(session.expires_at)},
        }
    )
    settings = svc().settings
    response.set_cookie(settings.session_cookie_name, secret, max_age=settings.session_ttl_seconds,
                        **cookie_settings(settings))
    return response


@bp.post("/logout")
@allow(SIGNED_IN)
@responds(None, 204)
def logout():
    """End the current session at once."""
    if current_user.session is not None:
        accounts.logout(svc(), current_user.user_id, current_user.session.id)
    response = current_app.response_class(status=204)
    settings = svc().settings
    response.delete_cookie(settings.session_cookie_name, **cookie_settings(settings))
    return response


@bp.post("/password")
@allow(SIGNED_IN, rate="login", bearer=False)
@responds(None, 204, errors=(401, 422))
@takes(NewPassword)
def change_password(body: NewPassword):
    """Change your password: every other session and every token of yours ends."""
    accounts.change_password(svc(), current_user.user_id, current_user.username, current_user.session.id,
                             body.current_password, body.new_password, request.remote_addr or "unknown")
    return no_content()


@bp.get("/sessions")
@allow(SIGNED_IN, bearer=False)
@responds(SessionList)
def sessions():
    """The caller's live sessions."""
    current_id = current_user.session.id if current_user.session else None
    items = [session_json(s, current_id) for s in svc().sessions.list(current_user.user_id)]
    return jsonify({"sessions": items})


@bp.delete("/sessions/<session_id>")
@allow(SIGNED_IN, bearer=False)
@responds(None, 204)
def revoke_session(session_id: str):
    """Revoke one of the caller's sessions."""
    accounts.revoke_session(svc(), current_user.user_id, session_id)
    return no_content()


@bp.get("/tokens")
@allow(SIGNED_IN, bearer=False)
@responds(TokenList)
def tokens():
    """The caller's bearer tokens (names and ids; the secret is shown only at creation)."""
    return jsonify({"tokens": svc().tokens.list(current_user.user_id)})


@bp.post("/tokens")
@allow(SIGNED_IN, bearer=False)
@responds(NewTokenSecret, 201, errors=(422,))
@takes(NewToken)
def create_token(body: NewToken):
    """Issue a bearer token for API clients."""
    token = accounts.create_token(svc(), current_user.user_id, body.name, body.scopes, body.expires_in)
    return jsonify({**token, "expires_at": iso_ms(token["expires_at"]) if token["expires_at"] else None}), 201


@bp.delete("/tokens/<token_id>")
@allow(SIGNED_IN, bearer=False)
@responds(None, 204)
def revoke_token(token_id: str):
    """Revoke a bearer token at once."""
    not_found = NotFound("token_not_found", "You have no token with that id.")
    accounts.revoke_token(svc(), current_user.user_id, path_id(token_id, not_found))
    return no_content()
