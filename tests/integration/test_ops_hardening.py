"""Operations hardened (issue 12): bounded metrics labels, a readiness answer cached for a second,
HSTS and the trusted proxy opt-in, Secure cookies with TLS, and jobs enqueued as JSON."""
from __future__ import annotations

import dataclasses
import zlib

import orjson
import pytest
from rq import Queue
from rq.serializers import JSONSerializer

from jobs import schedule
from tests.conftest import ApiUser, unique_ip
from web import ops
from web.app import create_app


def _series(client) -> str:
    return client.get("/metrics").get_data(as_text=True)


def test_metrics_labels_are_route_templates_and_known_methods(client):
    client.open("/api/v1/users/some_one_" + unique_ip(), method="GET")
    client.open("/no/such/path/" + unique_ip(), method="GET")
    client.open("/healthz", method="BREW" + unique_ip().replace(".", ""))
    text = _series(client)
    assert 'route="/api/v1/users/<username>"' in text
    assert 'route="unmatched"' in text and 'method="OTHER"' in text
    assert "some_one_" not in text and "/no/such/path" not in text and "BREW" not in text


def test_readyz_asks_the_databases_at_most_once_a_second(client, services, monkeypatch):
    calls = []
    real = services.redis.ping
    monkeypatch.setattr(services.redis, "ping", lambda: calls.append(1) or real())
    monkeypatch.setattr(ops, "_ready", {"at": float("-inf"), "down": []})
    for _ in range(20):
        assert client.get("/readyz").status_code == 200
    assert len(calls) == 1


def _app(services, **changes):
    return create_app(services=dataclasses.replace(services, settings=dataclasses.replace(services.settings, **changes)))


def test_hsts_only_when_configured_and_over_tls(services):
    plain = _app(services).test_client()
    assert "Strict-Transport-Security" not in plain.get("/healthz").headers
    hsts = _app(services, hsts_seconds=31536000).test_client()
    assert "Strict-Transport-Security" not in hsts.get("/healthz").headers  # plain http
    assert hsts.get("/healthz", base_url="https://localhost").headers["Strict-Transport-Security"].startswith(
        "max-age=31536000")


def test_forwarded_headers_count_only_behind_a_trusted_proxy(services, make_user):
    forwarded = {"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "https"}
    hsts_only = _app(services, hsts_seconds=60).test_client()
    assert "Strict-Transport-Security" not in hsts_only.get("/healthz", headers=forwarded).headers
    behind = _app(services, hsts_seconds=60, trusted_proxy_hops=1).test_client()
    assert "Strict-Transport-Security" in behind.get("/healthz", headers=forwarded).headers


def test_with_tls_the_session_cookie_is_secure_and_host_prefixed(services, make_user):
    secure = _app(services, session_cookie_secure=True)
    user = make_user()
    c = secure.test_client()
    r = c.post("/api/v1/auth/login", json={"username": user.username, "password": user.password},
               base_url="https://localhost", environ_base={"REMOTE_ADDR": unique_ip()})
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("__Host-sid=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie
    me = c.get("/api/v1/users/me", base_url="https://localhost")
    assert me.status_code == 200


def test_the_schedule_enqueues_json_jobs_once_per_interval(services):
    for func, _, _, _ in schedule.SCHEDULE:
        services.rq_redis.delete(schedule._next_key(func))
    queues = schedule.queues_for(services.rq_redis)
    for q in queues.values():
        q.empty()
    every = {func.__name__: interval for func, _, interval, _ in schedule.SCHEDULE}
    assert sorted(schedule.tick(services.rq_redis, queues, 1000.0)) == sorted(every)
    assert schedule.tick(services.rq_redis, queues, 1001.0) == []
    later = 1000.0 + schedule.POPULAR_EVERY_SECONDS
    assert sorted(schedule.tick(services.rq_redis, queues, later)) == sorted(
        name for name, interval in every.items() if interval <= schedule.POPULAR_EVERY_SECONDS)
    for name, q in queues.items():
        for job_id in q.get_job_ids():
            raw = services.rq_redis.hget(f"rq:job:{job_id}", "data")
            assert orjson.loads(zlib.decompress(raw))[0].startswith("jobs.")  # JSON, not a pickle
        Queue(name, connection=services.rq_redis, serializer=JSONSerializer).empty()
