"""Request limits: per class and user, per IP, higher for staff, brute force on logins; 429 + Retry-After."""
from __future__ import annotations

import dataclasses
import time

import pytest

from cache.login_attempts import LoginAttempts
from tests.conftest import ApiUser, unique_ip, unique_name
from tests.integration.personas import promote
from web import limits
from web.app import create_app
from web.limits import RateClass


@pytest.fixture(scope="module")
def limited(services):
    """An app with the request limits on, whatever RATE_LIMIT_ENABLED says (`make test` turns them
    off for the shared stack, whose end-to-end tests sign up many users from 127.0.0.1)."""
    settings = dataclasses.replace(services.settings, rate_limit_enabled=True)
    return create_app(services=dataclasses.replace(services, settings=settings))


@pytest.fixture
def limited_user(limited, make_user):
    """A new user signed in to the limited app, from an address of their own."""

    def make() -> ApiUser:
        user = make_user()
        return ApiUser(limited, user.username, user.password)

    return make


@pytest.fixture
def tight(monkeypatch):
    """Small limits for one test: the classes are read per request, so a patch takes effect at once."""

    def set_limits(**classes):
        for name, rc in classes.items():
            monkeypatch.setitem(limits.LIMITS, name, rc)

    return set_limits


def _assert_429(r, window_seconds=60):
    assert r.status_code == 429, r.get_json()
    assert r.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= window_seconds
    assert r.get_json()["error"]["retry_after"] == int(r.headers["Retry-After"])


def test_a_class_limit_counts_per_user_and_answers_429_with_retry_after(tight, limited_user):
    tight(posts=RateClass("3 per minute"))
    alice, bob = limited_user(), limited_user()
    for i in range(3):
        assert alice.post("/api/v1/tweets", json={"text": f"t{i}"}).status_code == 201
    _assert_429(alice.post("/api/v1/tweets", json={"text": "one too many"}))
    assert bob.post("/api/v1/tweets", json={"text": "bob is not limited by alice"}).status_code == 201
    assert alice.get("/api/v1/users/me").status_code == 200  # other classes keep their own budget


def test_moderators_and_admins_get_a_higher_read_budget(tight, services, limited_user):
    tight(reads=RateClass("3 per minute", staff="6 per minute"))
    user, moderator = limited_user(), promote(services, limited_user(), "moderator")
    assert [user.get("/api/v1/users/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [moderator.get("/api/v1/users/me").status_code for _ in range(7)] == [200] * 6 + [429]


def test_anonymous_callers_are_limited_per_ip(tight, limited):
    tight(reads=RateClass("30 per minute", anonymous="2 per minute"))
    here, there = limited.test_client(), limited.test_client()
    here.environ_base["REMOTE_ADDR"], there.environ_base["REMOTE_ADDR"] = unique_ip(), unique_ip()
    assert [here.get("/api/v1/feed/popular").status_code for _ in range(3)] == [200, 200, 429]
    assert there.get("/api/v1/feed/popular").status_code == 200


def test_one_address_has_a_ceiling_over_all_its_users(monkeypatch, limited_user):
    monkeypatch.setattr(limits, "PER_IP", "4 per minute")
    ip = unique_ip()
    first, second = limited_user(), limited_user()
    for caller in (first, second):
        caller.client.environ_base["REMOTE_ADDR"] = ip
    codes = [caller.get("/api/v1/users/me").status_code for caller in (first, second, first, second, first)]
    assert codes == [200, 200, 200, 200, 429]


def test_monitoring_probes_are_never_limited(monkeypatch, tight, limited):
    monkeypatch.setattr(limits, "PER_IP", "1 per minute")
    tight(reads=RateClass("1 per minute"))
    assert {limited.test_client().get("/healthz").status_code for _ in range(5)} == {200}


def test_logins_are_limited_per_address_even_when_they_succeed(tight, limited, make_user):
    tight(login=RateClass("3 per 5 minutes", by_ip=True))
    user, ip = make_user(), unique_ip()
    c = limited.test_client()
    c.environ_base["REMOTE_ADDR"] = ip
    body = {"username": user.username, "password": user.password}
    assert [c.post("/api/v1/auth/login", json=body).status_code for _ in range(3)] == [200, 200, 200]
    _assert_429(c.post("/api/v1/auth/login", json=body), 300)


def test_rate_limit_enabled_0_switches_the_request_limits_off(tight, services):
    tight(reads=RateClass("1 per minute"))
    unlimited = create_app(services=dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, rate_limit_enabled=False)
    ))
    c = unlimited.test_client()
    c.environ_base["REMOTE_ADDR"] = unique_ip()
    assert {c.get("/api/v1/feed/popular").status_code for _ in range(3)} == {200}


def test_brute_force_is_stopped_then_the_right_password_works_after_the_window(services, make_user):
    """Failures block per (username, address) and per address: the contract's 20 in 15 minutes,
    here 5 in 2 seconds so that the window passes within the test. The owner elsewhere is never blocked."""
    quick = create_app(services=dataclasses.replace(services, login_attempts=LoginAttempts(services.redis, 5, 2)))
    user = make_user()

    def login(password, ip):
        c = quick.test_client()
        c.environ_base["REMOTE_ADDR"] = ip
        return c.post("/api/v1/auth/login", json={"username": user.username, "password": password})

    guesser = unique_ip()
    for _ in range(5):
        assert login("wrong-password", guesser).status_code == 401
    blocked = login(user.password, guesser)  # the right password, from the guessing address
    assert blocked.status_code == 429 and blocked.get_json()["error"]["code"] == "too_many_login_attempts"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 2
    assert login(user.password, unique_ip()).status_code == 200  # the owner, from anywhere else

    time.sleep(2.1)
    ok = login(user.password, guesser)
    assert ok.status_code == 200
    ApiUser(quick, user.username, user.password)  # and the account keeps working


def test_failures_from_one_address_block_it_for_every_account(services, make_user):
    quick = create_app(services=dataclasses.replace(services, login_attempts=LoginAttempts(services.redis, 5, 60)))
    c = quick.test_client()
    c.environ_base["REMOTE_ADDR"] = unique_ip()
    for _ in range(5):
        assert c.post("/api/v1/auth/login", json={"username": unique_name(), "password": "guess-guess"}).status_code == 401
    victim = make_user()
    r = c.post("/api/v1/auth/login", json={"username": victim.username, "password": victim.password})
    assert r.status_code == 429
