"""Credentials hardened (issue 12) against the real Neo4j and Redis: password change, token scopes
and expiry, session and token management refused to tokens, the idle timeout, the session and
token-cache races, and the security log."""
from __future__ import annotations

import logging
import time

import pytest

from cache.sessions import session_id
from domain import rules
from social import accounts
from tests.conftest import ApiUser, unique_ip
from tests.integration.personas import promote

API = "/api/v1"


def token_of(user, **body) -> str:
    r = user.post(f"{API}/auth/tokens", json={"name": "cli", **body})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def security_lines():
    """The security log's JSON lines of one test."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    handler = Collect()
    logging.getLogger("security").addHandler(handler)
    yield lines
    logging.getLogger("security").removeHandler(handler)


def test_a_password_change_ends_every_other_session_and_every_token(app, make_user, security_lines):
    user = make_user()
    other = ApiUser(app, user.username, user.password)
    token = token_of(user)
    api = app.test_client()
    r = user.post(f"{API}/auth/password", json={"current_password": user.password, "new_password": "new horse battery"})
    assert r.status_code == 204
    assert user.get(f"{API}/users/me").status_code == 200  # this session goes on
    assert other.get(f"{API}/users/me").status_code == 401
    assert api.get(f"{API}/users/me", headers=bearer(token)).status_code == 401
    login = app.test_client().post(f"{API}/auth/login", json={"username": user.username, "password": user.password},
                                   environ_base={"REMOTE_ADDR": unique_ip()})
    assert login.status_code == 401
    ApiUser(app, user.username, "new horse battery")
    logged = "\n".join(security_lines)
    assert '"event":"password.changed"' in logged and '"event":"session.revoked"' in logged
    assert '"event":"token.revoked"' in logged
    assert user.password not in logged and "new horse battery" not in logged and token not in logged
    assert other.session_id not in logged and user.session_id not in logged


def test_a_wrong_current_password_changes_nothing(app, make_user):
    user = make_user()
    other = ApiUser(app, user.username, user.password)
    r = user.post(f"{API}/auth/password", json={"current_password": "not it at all", "new_password": "whatever123"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "invalid_credentials"
    r = user.post(f"{API}/auth/password", json={"current_password": user.password, "new_password": "short"})
    assert r.status_code == 422
    assert other.get(f"{API}/users/me").status_code == 200
    ApiUser(app, user.username, user.password)


def test_sessions_tokens_and_passwords_are_not_managed_with_a_token(app, make_user):
    user = make_user()
    token = token_of(user, scopes=["read", "write", "admin"])
    api = app.test_client()
    for method, path, body in [
        ("GET", "/auth/sessions", None), ("DELETE", f"/auth/sessions/{user.session_id}", None),
        ("GET", "/auth/tokens", None), ("POST", "/auth/tokens", {"name": "more"}),
        ("POST", "/auth/password", {"current_password": user.password, "new_password": "x" * 12}),
    ]:
        r = api.open(f"{API}{path}", method=method, json=body, headers=bearer(token))
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "session_required", (method, path)
    assert user.get(f"{API}/users/me").status_code == 200


def test_a_token_acts_only_within_its_scopes(app, services, make_user):
    user = promote(services, make_user(), "admin")
    api = app.test_client()
    read_only = token_of(user, scopes=["read"])
    assert api.get(f"{API}/users/me", headers=bearer(read_only)).status_code == 200
    r = api.post(f"{API}/tweets", json={"text": "nope"}, headers=bearer(read_only))
    assert r.status_code == 403 and r.get_json()["error"] == {
        "code": "insufficient_scope", "message": "This token lacks the write scope.", "scope": "write"}
    default = token_of(user)
    assert api.post(f"{API}/tweets", json={"text": "yes"}, headers=bearer(default)).status_code == 201
    r = api.get(f"{API}/admin/audit", headers=bearer(default))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "insufficient_scope"
    assert api.get(f"{API}/admin/audit", headers=bearer(token_of(user, scopes=["read", "admin"]))).status_code == 200
    listed = {t["scopes"][0] for t in user.get(f"{API}/auth/tokens").get_json()["tokens"]}
    assert listed == {"read"}
    r = user.post(f"{API}/auth/tokens", json={"name": "x", "scopes": ["root"]})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_scopes"


def test_a_token_with_expires_in_stops_working_when_it_expires(app, services, make_user):
    user = make_user()
    r = user.post(f"{API}/auth/tokens", json={"name": "short", "expires_in": 3600})
    assert r.status_code == 201 and r.get_json()["expires_at"]
    lapsed = "sgt_lapsed_" + user.username
    services.tokens.create(int(user.id), 1 + int(time.time() * 1000), "old", accounts.token_hash_of(lapsed),
                           int(time.time() * 1000) - 10_000, ["read"], int(time.time() * 1000) - 1)
    assert app.test_client().get(f"{API}/users/me", headers=bearer(lapsed)).status_code == 401
    assert app.test_client().get(f"{API}/users/me", headers=bearer(r.get_json()["token"])).status_code == 200


def test_a_lookup_racing_a_revoke_never_caches_the_revoked_token(app, services, make_user):
    user = make_user()
    token = token_of(user)
    token_hash = accounts.token_hash_of(token)
    owner = services.tokens.owner(token_hash)  # a lookup read the graph ...
    token_id = int(owner["token_id"])
    accounts.revoke_token(services, int(user.id), token_id)  # ... the token is revoked ...
    services.token_cache.put(token_hash, owner)  # ... and the lookup caches what it read
    assert app.test_client().get(f"{API}/users/me", headers=bearer(token)).status_code == 401


def test_a_session_ends_after_the_idle_timeout(app, services, make_user):
    user = make_user()
    key = f"session:{user.session_id}"
    assert 0 < services.redis.ttl(key) <= services.settings.session_idle_seconds
    idle_since = int(time.time() * 1000) - services.settings.session_idle_seconds * 1000 - 1000
    services.redis.hset(key, "last_seen_at", str(idle_since))
    assert user.get(f"{API}/users/me").status_code == 401
    assert not services.redis.exists(key)


def test_a_touch_pushes_the_idle_expiry_on_but_never_past_the_absolute_one(app, services, make_user):
    user = make_user()
    key = f"session:{user.session_id}"
    services.redis.hset(key, "last_seen_at", str(int(time.time() * 1000) - 120_000))
    services.redis.expire(key, 100)
    assert user.get(f"{API}/users/me").status_code == 200
    assert services.redis.ttl(key) > 100
    services.redis.hset(key, mapping={"last_seen_at": str(int(time.time() * 1000) - 120_000),
                                      "expires_at": str(int(time.time() * 1000) + 50_000)})
    assert user.get(f"{API}/users/me").status_code == 200
    assert 0 < services.redis.ttl(key) <= 50


def test_a_partial_session_hash_left_by_a_race_is_no_session_and_no_error(app, services, make_user):
    """The old race: a revoke's DEL between a touch's read and its HSET left {last_seen_at} without a TTL."""
    user = make_user()
    secret = "left-behind-" + user.username
    key = f"session:{session_id(secret)}"
    services.redis.hset(key, "last_seen_at", str(int(time.time() * 1000)))
    c = app.test_client()
    c.set_cookie("sid", secret)
    assert c.get(f"{API}/users/me").status_code == 401
    assert not services.redis.exists(key)


def test_sign_ins_failures_lockouts_and_csrf_refusals_are_logged_without_secrets(app, services, make_user,
                                                                                security_lines):
    user = make_user()
    c = app.test_client()
    ip = unique_ip()
    for _ in range(services.settings.login_failure_limit + 1):
        c.post(f"{API}/auth/login", json={"username": user.username, "password": "wrong-guess"},
               environ_base={"REMOTE_ADDR": ip})
    assert user.client.post(f"{API}/tweets", json={"text": "no csrf"}).status_code == 403
    events = [line for line in security_lines]
    names = [e.split('"event":"')[1].split('"')[0] for e in events]
    assert {"login.failed", "login.lockout", "login.blocked", "csrf.refused"} <= set(names)
    assert "wrong-guess" not in "".join(events) and user.session_id not in "".join(events)
    assert rules.username_key(user.username) in "".join(events)
