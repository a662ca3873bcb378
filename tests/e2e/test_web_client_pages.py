"""The web client's page shells over plain HTTP: who gets a page and who is sent to sign in, where
sign-in may send a browser afterwards, and the headers that keep the pages to this origin."""
from __future__ import annotations

import pytest
import requests

from tests.e2e.conftest import WEB_URL, Person
from web.security import SESSION_COOKIE

MEMBERS_PAGES = ["/", "/notifications", "/messages", "/messages/someone", "/sessions"]


@pytest.fixture(scope="module")
def person(services) -> Person:
    return Person(services)


@pytest.mark.parametrize("path", MEMBERS_PAGES)
def test_members_pages_send_anonymous_browsers_to_sign_in_and_back(path):
    r = requests.get(f"{WEB_URL}{path}", allow_redirects=False, timeout=10)
    assert r.status_code == 302
    assert r.headers["Location"] == f"/signin?next={path}"


def test_public_pages_render_for_anonymous_browsers_without_a_csrf_token():
    for path in ("/signin", "/signup", "/u/whoever"):
        r = requests.get(f"{WEB_URL}{path}", timeout=10)
        assert r.status_code == 200, path
        assert 'name="csrf-token"' not in r.text


def test_signed_in_page_carries_the_sessions_csrf_token_and_nothing_is_cached(person):
    secret, csrf_token = person.new_session("e2e")
    r = requests.get(f"{WEB_URL}/", cookies={SESSION_COOKIE: secret}, timeout=10)
    assert r.status_code == 200
    assert f'<meta name="csrf-token" content="{csrf_token}">' in r.text
    assert f'data-me="{person.username}"' in r.text
    assert r.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "target, expected",
    [("/sessions", "/sessions"), ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/")],
)
def test_sign_in_page_sends_a_signed_in_browser_only_to_paths_of_this_site(person, target, expected):
    r = person.http.get(f"{WEB_URL}/signin", params={"next": target}, allow_redirects=False, timeout=10)
    assert r.status_code == 302
    assert r.headers["Location"] == expected


def test_pages_allow_only_this_origin_and_their_assets_are_served_by_the_app():
    r = requests.get(f"{WEB_URL}/signin", timeout=10)
    policy = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    for asset, kind in [("/static/js/app.js", "javascript"), ("/static/app.css", "text/css")]:
        served = requests.get(f"{WEB_URL}{asset}", timeout=10)
        assert served.status_code == 200 and kind in served.headers["Content-Type"], asset
