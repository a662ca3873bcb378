"""Live connections (issue 12) against the real Redis and Neo4j, in-process: the per-user cap over
every worker and the per-worker cap, the binding of each connection to its session or token (a
revocation ends it, published or not), and WebSocket messages in the HTTP route's rate budget."""
from __future__ import annotations

import dataclasses

import orjson
import pytest

from domain.credentials import session_credential
from social import accounts, admin
from tests.conftest import ApiUser
from web import live, ws_commands
from web.app import create_app
from web.limits import LIMITS
from web.security import Principal

API = "/api/v1"


def principal_of(services, user) -> Principal:
    return Principal(int(user.id), user.username, session=services.sessions.by_id(user.session_id))


def until_end(connection: live.Live, limit: int = 20) -> list:
    """The stream's items up to ENDED (at most `limit` heartbeats: the test fails rather than hangs)."""
    items = []
    for item in live.frames(connection, heartbeat=1.0):
        items.append(item)
        if item == live.ENDED or items.count(live.HEARTBEAT) >= limit:
            return items
    return items


def test_the_eleventh_stream_of_a_user_is_429_with_retry_after(app, services, make_user):
    user = make_user()
    cap = services.settings.max_live_per_user
    for i in range(cap - 1):  # held by other workers
        assert services.live_connections.acquire(int(user.id), f"elsewhere-{i}") == 0
    tenth = user.get(f"{API}/stream", buffered=False)
    assert tenth.status_code == 200
    r = user.get(f"{API}/stream")
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_streams"
    assert 0 < int(r.headers["Retry-After"]) <= 60
    tenth.close()  # its slot comes free at once
    again = user.get(f"{API}/stream", buffered=False)
    assert again.status_code == 200
    again.close()


def test_a_full_worker_refuses_more_streams_with_503(services, make_user):
    settings = dataclasses.replace(services.settings, max_live_per_worker=0)
    full = create_app(services=dataclasses.replace(services, settings=settings))
    user = make_user()
    r = ApiUser(full, user.username, user.password).get(f"{API}/stream")
    assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0


def test_logout_ends_the_sessions_open_stream_through_the_dispatcher(services, make_user):
    user = make_user()
    connection = live.open_live(services, principal_of(services, user), None)
    try:
        stream = live.frames(connection, heartbeat=1.0)
        assert next(stream) == live.READY
        accounts.logout(services, int(user.id), user.session_id)
        assert until_end(connection)[-1] == live.ENDED
    finally:
        live.close_live(connection)


def test_other_sessions_streams_go_on_when_one_session_is_revoked(services, app, make_user, monkeypatch):
    monkeypatch.setattr(live, "CHECK_SECONDS", 0.2)
    user = make_user()
    other = ApiUser(app, user.username, user.password)
    connection = live.open_live(services, principal_of(services, other), None)
    try:
        accounts.revoke_session(services, int(user.id), user.session_id)
        items = [item for _, item in zip(range(3), live.frames(connection, heartbeat=0.3))]
        assert live.ENDED not in items
    finally:
        live.close_live(connection)


def test_a_revocation_whose_message_was_lost_ends_the_stream_at_the_next_check(services, make_user, monkeypatch):
    monkeypatch.setattr(live, "CHECK_SECONDS", 0.2)
    user = make_user()
    connection = live.open_live(services, principal_of(services, user), None)
    try:
        services.sessions.revoke(int(user.id), user.session_id)  # no announcement at all
        assert until_end(connection)[-1] == live.ENDED
    finally:
        live.close_live(connection)


def test_suspension_ends_a_tokens_open_stream(services, make_user, monkeypatch):
    user = make_user()
    token = accounts.create_token(services, int(user.id), "cli")
    owner = accounts.token_owner(services, token["token"])
    principal = Principal(owner["user_id"], owner["username"], token_id=str(owner["token_id"]),
                          scopes=frozenset(owner["scopes"]), token_hash=accounts.token_hash_of(token["token"]))
    connection = live.open_live(services, principal, None)
    try:
        admin.set_suspended(services, None, user.username, True)
        assert until_end(connection)[-1] == live.ENDED
    finally:
        live.close_live(connection)
    assert services.live_connections.count(int(user.id)) == 0


def test_a_revocation_names_only_its_own_credential(services, make_user):
    user = make_user()
    connection = live.open_live(services, principal_of(services, user), None)
    try:
        assert connection.listener.credential == session_credential(user.session_id)
    finally:
        live.close_live(connection)


@pytest.fixture
def limited_app(services):
    settings = dataclasses.replace(services.settings, rate_limit_enabled=True)
    return create_app(services=dataclasses.replace(services, settings=settings))


def test_websocket_messages_spend_the_same_budget_as_post_messages(limited_app, services, make_user, monkeypatch):
    monkeypatch.setitem(LIMITS, "posts", dataclasses.replace(LIMITS["posts"], user="3 per hour"))
    sender, recipient = make_user(), make_user()
    web_sender = ApiUser(limited_app, sender.username, sender.password)
    connection = live.open_live(services, principal_of(services, web_sender), None)
    frame = orjson.dumps({"type": "message", "to": recipient.username, "text": "hi"})
    try:
        with limited_app.app_context():
            assert ws_commands.run(connection, frame) is None
            assert ws_commands.run(connection, frame) is None
        assert web_sender.post(f"{API}/messages/{recipient.username}", json={"text": "hi"}).status_code == 201
        with limited_app.app_context():
            refused = orjson.loads(ws_commands.run(connection, frame))
        assert refused["type"] == "error" and refused["error"]["code"] == "rate_limited"
        assert refused["error"]["retry_after"] > 0
        r = web_sender.post(f"{API}/messages/{recipient.username}", json={"text": "hi"})
        assert r.status_code == 429
    finally:
        live.close_live(connection)
    assert len(services.messages.page_ids(int(sender.id), int(recipient.id), None, 10)) == 3
