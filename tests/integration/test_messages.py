"""Direct messages through the API: sent, paged from both sides, readable by their two parties only,
refused with the contract's errors, and delivered (notification and message frames) inline."""
from __future__ import annotations

import pytest

from domain.rules import MESSAGE_LIMIT


def send(sender, to, text: str):
    return sender.post(f"/api/v1/messages/{to.username}", json={"text": text})


def conversation(user, other, query: str = "") -> dict:
    r = user.get(f"/api/v1/messages/{other.username}{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_message_is_stored_and_both_parties_read_the_conversation(make_user):
    a, b = make_user(), make_user()
    r = send(a, b, "hello b")
    assert r.status_code == 201
    message = r.get_json()["message"]
    assert message["from"] == a.username and message["to"] == b.username and message["text"] == "hello b"
    send(b, a, "hello a")
    for user, other in ((a, b), (b, a)):
        page = conversation(user, other)
        assert [m["text"] for m in page["messages"]] == ["hello a", "hello b"] and page["next_cursor"] is None
    assert page["messages"][1] == message


def test_only_the_two_parties_read_a_conversation(make_user):
    a, b, eve = make_user(), make_user(), make_user()
    send(a, b, "a secret")
    assert conversation(eve, a)["messages"] == []  # eve's own conversation with a: empty
    assert conversation(eve, b)["messages"] == []


def test_a_conversation_pages_newest_first(make_user):
    a, b = make_user(), make_user()
    for i in range(5):
        send(a if i % 2 else b, b if i % 2 else a, f"m{i}")
    seen, cursor = [], None
    while True:
        page = conversation(a, b, f"?limit=2{f'&cursor={cursor}' if cursor else ''}")
        seen += [m["text"] for m in page["messages"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"m{i}" for i in range(4, -1, -1)]


def test_a_message_notifies_its_recipient_and_reaches_both_live_streams(services, make_user):
    a, b = make_user(), make_user()
    message = send(a, b, "are you there?").get_json()["message"]
    [note] = b.get("/api/v1/notifications").get_json()["notifications"]
    assert note["type"] == "message" and note["actor"]["username"] == a.username
    assert note["message"] == message
    assert a.get("/api/v1/notifications").get_json()["notifications"] == []
    for user, kinds in ((a, ["message"]), (b, ["notification", "message"])):
        frames = services.user_streams.after(int(user.id), "0-0")
        assert [f.event for f in frames] == kinds
    assert message["id"] in frames[-1].data


def test_messages_do_not_group(make_user):
    a, b = make_user(), make_user()
    send(a, b, "one")
    send(a, b, "two")
    notes = b.get("/api/v1/notifications").get_json()["notifications"]
    assert [n["message"]["text"] for n in notes] == ["two", "one"] and all(n["count"] == 1 for n in notes)


@pytest.mark.parametrize(
    "text, code",
    [("x" * (MESSAGE_LIMIT + 1), "message_too_long"), ("   ", "message_empty"), ("", "message_empty")],
)
def test_bad_message_text_is_422_and_nothing_is_sent(make_user, text, code):
    a, b = make_user(), make_user()
    r = send(a, b, text)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == code
    assert conversation(a, b)["messages"] == []


def test_a_message_of_exactly_the_limit_is_accepted(make_user):
    a, b = make_user(), make_user()
    assert send(a, b, "é" * MESSAGE_LIMIT).status_code == 201


def test_messages_to_nobody_or_yourself_are_refused(make_user):
    a = make_user()
    r = a.post("/api/v1/messages/nobody_here_x", json={"text": "hi"})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "user_not_found"
    r = send(a, a, "hi me")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "cannot_message_self"
    assert a.get(f"/api/v1/messages/{a.username}").status_code == 422


@pytest.mark.parametrize(
    "body, code",
    [({"text": 5}, "invalid_parameter"), ({}, "missing_field"), ({"text": "x", "to": "y"}, "unknown_field")],
)
def test_malformed_message_bodies_are_400(make_user, body, code):
    a, b = make_user(), make_user()
    r = a.post(f"/api/v1/messages/{b.username}", json=body)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == code


def test_messages_need_a_signed_in_user_and_csrf(app, client, make_user):
    a, b = make_user(), make_user()
    assert client.get(f"/api/v1/messages/{b.username}").status_code == 401
    assert client.post(f"/api/v1/messages/{b.username}", json={"text": "hi"}).status_code == 401
    r = a.client.post(f"/api/v1/messages/{b.username}", json={"text": "no csrf"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
