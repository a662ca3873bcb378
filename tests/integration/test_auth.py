"""Accounts, sessions, tokens and CSRF against the real Neo4j and Redis."""
import secrets
import time

import pytest

from domain import credentials, rules
from tests.conftest import ApiUser, unique_ip, unique_name


def test_register_returns_the_user_with_exact_zero_counts(client):
    name = unique_name()
    r = client.post("/api/v1/auth/register", json={"username": name, "password": "longenough", "display_name": "Ann"})
    assert r.status_code == 201
    user = r.get_json()["user"]
    assert user["username"] == name and user["display_name"] == "Ann"
    assert (user["followers_count"], user["following_count"], user["tweets_count"]) == (0, 0, 0)
    assert "password_hash" not in user and "following" not in user


def test_username_taken_in_any_case_is_409(client):
    name = unique_name("Ab")
    assert client.post("/api/v1/auth/register", json={"username": name, "password": "longenough"}).status_code == 201
    r = client.post("/api/v1/auth/register", json={"username": name.swapcase(), "password": "longenough"})
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "username_taken"


def test_bad_registrations_are_refused_and_create_nothing(client):
    cases = [
        ({"username": "bad name", "password": "longenough"}, 422, "invalid_username"),
        ({"username": "x" * 16, "password": "longenough"}, 422, "invalid_username"),
        ({"username": unique_name(), "password": "short"}, 422, "password_too_short"),
        ({"username": unique_name()}, 400, "missing_field"),
        ({"username": 5, "password": "longenough"}, 400, "invalid_parameter"),
        ({"username": unique_name(), "password": "longenough", "admin": True}, 400, "unknown_field"),
    ]
    for body, status, code in cases:
        r = client.post("/api/v1/auth/register", json=body)
        assert r.status_code == status, (body, r.get_json())
        assert r.get_json()["error"]["code"] == code
        if isinstance(body.get("username"), str):
            assert client.get(f"/api/v1/users/{body['username']}").status_code in (404, 400)


def test_login_sets_a_hardened_cookie_and_new_session_each_time(app, make_user):
    user = make_user()
    c = app.test_client()
    r1 = c.post("/api/v1/auth/login", json={"username": user.username, "password": user.password})
    r2 = c.post("/api/v1/auth/login", json={"username": user.username.upper(), "password": user.password})
    assert r1.status_code == r2.status_code == 200
    cookie = r1.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    assert r1.get_json()["session"]["id"] != r2.get_json()["session"]["id"]
    assert r1.get_json()["csrf_token"] and r1.get_json()["session"]["expires_at"].endswith("Z")


def test_no_request_keeps_state_in_flasks_signed_cookie(app):
    """Sessions live in Redis; Flask's cookie session is a null one, so a write to it fails
    instead of leaking state into a cookie that every request would open and sign."""
    from flask import session

    with app.test_request_context("/api/v1/users/me"):
        with pytest.raises(RuntimeError):
            session["anything"] = 1


def test_wrong_password_and_unknown_user_are_401(client, make_user):
    user = make_user()
    for body in ({"username": user.username, "password": "wrong-password"}, {"username": unique_name(), "password": "whatever1"}):
        r = client.post("/api/v1/auth/login", json=body, environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert r.status_code == 401
        assert r.get_json()["error"]["code"] == "invalid_credentials"


def test_logout_revokes_the_session_at_once(make_user):
    user = make_user()
    assert user.get("/api/v1/users/me").status_code == 200
    assert user.post("/api/v1/auth/logout").status_code == 204
    r = user.get("/api/v1/users/me")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "not_authenticated"


def test_sessions_list_and_revoke_own_only(app, make_user):
    alice, bob = make_user(), make_user()
    second = ApiUser(app, alice.username, alice.password)
    sessions = alice.get("/api/v1/auth/sessions").get_json()["sessions"]
    assert {s["id"] for s in sessions} >= {alice.session_id, second.session_id}
    assert [s["current"] for s in sessions if s["id"] == alice.session_id] == [True]
    assert bob.delete(f"/api/v1/auth/sessions/{alice.session_id}").status_code == 404
    assert alice.get("/api/v1/users/me").status_code == 200
    assert alice.delete(f"/api/v1/auth/sessions/{second.session_id}").status_code == 204
    assert second.get("/api/v1/users/me").status_code == 401


def test_session_expires_after_its_ttl(app, services, make_user):
    from web.app import create_app
    from bootstrap import bootstrap
    from dataclasses import replace

    short = bootstrap(replace(services.settings, session_ttl_seconds=1))
    short_app = create_app(services=short)
    user = make_user()
    logged = ApiUser(short_app, user.username, user.password)
    assert logged.get("/api/v1/users/me").status_code == 200
    time.sleep(2.2)
    assert logged.get("/api/v1/users/me").status_code == 401
    short.close()


def test_csrf_is_required_for_cookie_writes(make_user):
    user = make_user()
    r = user.client.post("/api/v1/tweets", json={"text": "no csrf"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
    r = user.client.post("/api/v1/tweets", json={"text": "bad csrf"}, headers={"X-CSRF-Token": "nope"})
    assert r.status_code == 403
    assert user.get(f"/api/v1/users/{user.username}").get_json()["user"]["tweets_count"] == 0
    assert user.post("/api/v1/tweets", json={"text": "with csrf"}).status_code == 201


def test_bearer_tokens_work_without_csrf_and_die_when_revoked(app, make_user):
    user = make_user()
    r = user.post("/api/v1/auth/tokens", json={"name": "cli"})
    assert r.status_code == 201
    token, token_id = r.get_json()["token"], r.get_json()["id"]
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/users/me", headers=auth).get_json()["user"]["username"] == user.username
    assert api.post("/api/v1/tweets", json={"text": "from the api"}, headers=auth).status_code == 201
    assert [t["id"] for t in user.get("/api/v1/auth/tokens").get_json()["tokens"]] == [token_id]
    assert user.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 204
    assert api.get("/api/v1/users/me", headers=auth).status_code == 401
    assert api.get("/api/v1/users/me", headers={"Authorization": "Bearer garbage"}).status_code == 401


def test_another_users_token_cannot_be_revoked(make_user):
    alice, bob = make_user(), make_user()
    token_id = alice.post("/api/v1/auth/tokens", json={"name": "mine"}).get_json()["id"]
    assert bob.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 404
    assert len(alice.get("/api/v1/auth/tokens").get_json()["tokens"]) == 1


def _login(c, username, password, ip):
    return c.post("/api/v1/auth/login", json={"username": username, "password": password},
                  environ_base={"REMOTE_ADDR": ip})


def test_failed_logins_block_the_guessing_address_but_never_lock_the_owner_out(app, services, make_user,
                                                                                monkeypatch):
    monkeypatch.setattr(credentials, "MAX_LOGIN_DELAY_SECONDS", 0.001)  # the slow-down, not its length
    user = make_user()
    c = app.test_client()
    limit = services.settings.login_failure_limit
    guesser, owner = unique_ip(), unique_ip()
    for i in range(limit):
        assert _login(c, user.username, "wrong-password", guesser).status_code == 401
    r = _login(c, user.username, user.password, guesser)
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_login_attempts"
    assert 0 < int(r.headers["Retry-After"]) <= services.settings.login_failure_window_seconds
    for i in range(limit):  # the account's failures from many addresses: it slows, it never blocks
        assert _login(c, user.username, "wrong-password", unique_ip()).status_code == 401
    assert services.login_attempts.check(rules.username_key(user.username), owner)[1] >= 2 * limit
    assert _login(c, user.username, user.password, owner).status_code == 200


def test_failed_logins_count_ipv6_clients_by_their_64(app, services, make_user, monkeypatch):
    monkeypatch.setattr(credentials, "MAX_LOGIN_DELAY_SECONDS", 0.001)
    user = make_user()
    c = app.test_client()
    prefix = f"2001:db8:{secrets.randbelow(65535):x}:1"
    for i in range(services.settings.login_failure_limit):
        assert _login(c, user.username, "wrong-password", f"{prefix}::{i + 1:x}").status_code == 401
    assert _login(c, user.username, user.password, f"{prefix}::ffff").status_code == 429
    assert _login(c, user.username, user.password, f"{prefix[:-1]}2::1").status_code == 200


def test_failed_logins_are_limited_per_ip(app, services, make_user):
    ip = "10.3.3.3"
    c = app.test_client()
    for _ in range(services.settings.login_failure_limit):
        c.post("/api/v1/auth/login", json={"username": unique_name(), "password": "nope-nope"}, environ_base={"REMOTE_ADDR": ip})
    user = make_user()
    r = c.post("/api/v1/auth/login", json={"username": user.username, "password": user.password}, environ_base={"REMOTE_ADDR": ip})
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_successful_logins_do_not_count_against_a_user(app, services, make_user):
    user = make_user()
    c = app.test_client()
    for _ in range(services.settings.login_failure_limit + 3):
        assert c.post("/api/v1/auth/login", json={"username": user.username, "password": user.password}).status_code == 200
