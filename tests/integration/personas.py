"""Users in each role the policy knows, made through the same use cases the console runs."""
from __future__ import annotations

from domain import rules
from social import admin
from domain.clock import now_ms
from domain.ids import new_id
from tests.conftest import unique_ip, unique_name


def promote(services, user, *roles: str):
    """Give a test user roles as the console operator would (`flask --app wsgi roles grant`)."""
    for role in roles:
        admin.change_role(services, None, user.username, role, True)
    return user


def suspend(services, user):
    admin.set_suspended(services, None, user.username, True)
    return user


def bare_user(services) -> str:
    """A user straight in the graph, with no password: a cheap target for admin actions."""
    name = unique_name("t")
    services.users.create(
        id=new_id(), username=name, username_key=rules.username_key(name), display_name=name,
        password_hash="!", now_ms=now_ms(),
    )
    return name


class SessionUser:
    """A fresh signed-in client of an existing user, from a session made directly (no password hash)."""

    def __init__(self, app, services, user_id: int, username: str):
        secret, session = services.sessions.create(user_id, username, "tests")
        self.id, self.username, self.session_id, self.csrf = str(user_id), username, session.id, session.csrf_token
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = unique_ip()
        self.client.set_cookie("sid", secret)

    def open(self, path, method="GET", headers=None, **kw):
        return self.client.open(path, method=method, headers={"X-CSRF-Token": self.csrf, **(headers or {})}, **kw)

    def get(self, path, **kw):
        return self.open(path, "GET", **kw)

    def post(self, path, **kw):
        return self.open(path, "POST", **kw)

    def put(self, path, **kw):
        return self.open(path, "PUT", **kw)

    def patch(self, path, **kw):
        return self.open(path, "PATCH", **kw)

    def delete(self, path, **kw):
        return self.open(path, "DELETE", **kw)
