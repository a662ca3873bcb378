"""Shared fixtures. Integration and e2e tests use the real Neo4j and Redis that `make test` starts."""
from __future__ import annotations

import os
import secrets

import flask
import pytest
from flask.testing import FlaskClient

from tests.openapi_check import OpenApiCheck


CLUSTER = os.environ.get("REDIS_MODE") == "cluster"  # make test-cluster: the app on a Redis Cluster


def single_server(reason: str):
    """Skips, on a Redis Cluster, a test that is single-server by nature (docs/scale-out.md lists them)."""
    return pytest.mark.skipif(CLUSTER, reason=f"single Redis server by nature: {reason}")


def pytest_collection_modifyitems(items):
    """Tests that stop and restart services (marked faults) run last, so no other test meets them."""
    items.sort(key=lambda item: item.get_closest_marker("faults") is not None)


def unique_name(prefix: str = "u") -> str:
    return (prefix + secrets.token_hex(7))[:15]


def unique_ip() -> str:
    """Each test client calls from its own address, as distinct users do, so per-IP limits hold per test."""
    return "10." + ".".join(str(b) for b in secrets.token_bytes(3))


def inline_services(settings=None):
    """Services whose events are handled as they are published, in the caller, by the same handlers
    the stream consumers run (tests of job effects)."""
    from bootstrap import bootstrap
    from jobs.handlers import InlineEvents

    svc = bootstrap(settings)
    svc.bus = InlineEvents(svc)
    return svc


class CheckedClient(FlaskClient):
    """The test client of every app the tests make: each response is checked against that app's
    OpenAPI document (tests/openapi_check.py)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        app = self.application
        if "openapi_check" not in app.extensions:
            from web.openapi import document

            app.extensions["openapi_check"] = OpenApiCheck(document(app))
        request = response.request
        app.extensions["openapi_check"].check(
            request.method, request.path, response.status_code, response.content_type, response.get_data
        )
        return response


@pytest.fixture(scope="session", autouse=True)
def checked_responses():
    flask.Flask.test_client_class = CheckedClient
    yield
    flask.Flask.test_client_class = None


@pytest.fixture(scope="session")
def services():
    """Jobs run inline, at enqueue time, so integration tests see their effects at once; the e2e
    tier exercises the real worker."""
    from graph.migrate import migrate
    from jobs import runtime

    svc = inline_services()
    migrate(svc.graph)
    runtime.install(svc)
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def app(services):
    from web.app import create_app

    return create_app(services=services)


class ApiUser:
    """A signed-in test client: adds the CSRF header to writes, as a browser client would."""

    def __init__(self, app, username: str, password: str, ip: str | None = None):
        self.username = username
        self.password = password
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = ip or unique_ip()
        r = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.get_json()
        self.csrf = r.get_json()["csrf_token"]
        self.session_id = r.get_json()["session"]["id"]
        self.id = r.get_json()["user"]["id"]

    def _headers(self, headers):
        return {"X-CSRF-Token": self.csrf, **(headers or {})}

    def open(self, path, method="GET", headers=None, **kw):
        return self.client.open(path, method=method, headers=self._headers(headers), **kw)

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, headers=None, **kw):
        return self.client.post(path, headers=self._headers(headers), **kw)

    def patch(self, path, headers=None, **kw):
        return self.client.patch(path, headers=self._headers(headers), **kw)

    def put(self, path, headers=None, **kw):
        return self.client.put(path, headers=self._headers(headers), **kw)

    def delete(self, path, headers=None, **kw):
        return self.client.delete(path, headers=self._headers(headers), **kw)

    def tweet(self, text: str = "hello") -> dict:
        r = self.post("/api/v1/tweets", json={"text": text})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["tweet"]


@pytest.fixture
def client(app):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = unique_ip()
    return c


@pytest.fixture
def make_user(app):
    def make(username: str | None = None, password: str = "correct horse", **extra) -> ApiUser:
        username = username or unique_name()
        ip = unique_ip()
        r = app.test_client().post(
            "/api/v1/auth/register",
            json={"username": username, "password": password, **extra},
            environ_base={"REMOTE_ADDR": ip},
        )
        assert r.status_code == 201, r.get_json()
        return ApiUser(app, username, password, ip)

    return make
