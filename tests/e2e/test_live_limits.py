"""Live connections against the running stack (gunicorn workers, their dispatchers, Redis): the
eleventh stream of a user is a 429 with Retry-After, and a revocation, a password change or a
suspension ends the open stream and socket of that session while the other sessions' go on."""
from __future__ import annotations

import json

import pytest
import requests
from simple_websocket import Client, ConnectionClosed

from social import admin
from tests.e2e.test_stream import API, PASSWORD, Person, ws_frames, ws_url

READ_SECONDS = 30  # a revocation must arrive within 15 s; a read timeout of twice that fails, not hangs


class Signed:
    """One more session of a person: its cookie, CSRF token and public id."""

    def __init__(self, services, person: Person):
        secret, session = services.sessions.create(int(person.id), person.username, "e2e")
        self.id = session.id
        self.http = requests.Session()
        self.http.headers.update({"Cookie": f"sid={secret}", "X-CSRF-Token": session.csrf_token})


def open_stream(signed: Signed) -> requests.Response:
    r = signed.http.get(f"{API}/stream", stream=True, timeout=(5, READ_SECONDS))
    r.lines = r.iter_lines(chunk_size=1, decode_unicode=True)  # one reader for the whole response
    return r


def lines_until_end(r: requests.Response) -> list[str]:
    """Reads the stream until the server closes it; its last event should be `ended`."""
    lines = []
    try:
        for line in r.lines:
            lines.append(line)
    except requests.exceptions.ConnectionError:
        pass  # a read timeout: the stream never ended
    return lines


def live(r: requests.Response) -> None:
    for line in r.lines:
        if line == ": live":
            return


def test_the_eleventh_open_stream_of_a_user_is_429_with_retry_after(services):
    person = Person(services)
    signed = Signed(services, person)
    streams = [open_stream(signed) for _ in range(services.settings.max_live_per_user)]
    try:
        assert {s.status_code for s in streams} == {200}
        r = signed.http.get(f"{API}/stream", timeout=10)
        assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_streams"
        assert int(r.headers["Retry-After"]) > 0
        with pytest.raises(Exception):  # a socket counts against the same cap
            Client.connect(ws_url(), headers={"Cookie": signed.http.headers["Cookie"]})
    finally:
        for s in streams:
            s.close()


def test_revoking_a_session_ends_its_open_stream_and_not_the_others(services):
    person = Person(services)
    doomed, kept = Signed(services, person), Signed(services, person)
    doomed_stream, kept_stream = open_stream(doomed), open_stream(kept)
    try:
        live(doomed_stream)
        live(kept_stream)
        assert kept.http.delete(f"{API}/auth/sessions/{doomed.id}", timeout=10).status_code == 204
        lines = lines_until_end(doomed_stream)
        assert "event: ended" in lines
        assert kept.http.get(f"{API}/users/me", timeout=10).status_code == 200
    finally:
        doomed_stream.close()
        kept_stream.close()


def test_a_password_change_ends_the_other_sessions_socket(services):
    person = Person(services)
    other, current = Signed(services, person), Signed(services, person)
    ws = Client.connect(ws_url(), headers={"Cookie": other.http.headers["Cookie"]})
    try:
        ws_frames(ws, lambda got: got[-1]["type"] == "ready")
        r = current.http.post(f"{API}/auth/password", json={"current_password": PASSWORD,
                                                             "new_password": "another horse"}, timeout=30)
        assert r.status_code == 204
        frames = ws_frames(ws, lambda got: got[-1]["type"] == "error", timeout=READ_SECONDS)
        assert frames[-1]["error"]["code"] == "session_ended"
        with pytest.raises(ConnectionClosed):
            for _ in range(50):
                ws.send(json.dumps({"type": "message", "to": person.username, "text": "still here?"}))
                ws.receive(timeout=0.2)
    finally:
        if ws.connected:
            ws.close()


def test_suspension_ends_every_open_stream_of_the_user(services):
    person = Person(services)
    stream = open_stream(Signed(services, person))
    try:
        live(stream)
        admin.set_suspended(services, None, person.username, True)
        assert "event: ended" in lines_until_end(stream)
    finally:
        stream.close()
