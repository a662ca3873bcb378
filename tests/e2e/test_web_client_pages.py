"""The web client's page shells over plain HTTP: who gets a page and who is sent to sign in, where
sign-in may send a browser afterwards, and the headers that keep the pages to this origin."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import WEB_URL, Person
from web.security import SESSION_COOKIE

MEMBERS_PAGES = ["/", "/notifications", "/messages", "/messages/someone", "/sessions", "/bookmarks", "/blocks"]
SCRIPTS = Path(__file__).resolve().parents[2] / "web" / "static" / "js"


@pytest.fixture(scope="module")
def person(services) -> Person:
    return Person(services)


@pytest.mark.parametrize("path", MEMBERS_PAGES)
def test_members_pages_send_anonymous_browsers_to_sign_in_and_back(path):
    r = requests.get(f"{WEB_URL}{path}", allow_redirects=False, timeout=10)
    assert r.status_code == 302
    assert r.headers["Location"] == f"/signin?next={path}"


def test_public_pages_render_for_anonymous_browsers_without_a_csrf_token():
    for path in ("/signin", "/signup", "/u/whoever", "/t/1", "/search?q=x", "/tags/whatever"):
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


def test_pages_reflect_path_values_only_as_escaped_attributes():
    for path in ("/tags/", "/t/", "/u/"):
        r = requests.get(f"{WEB_URL}{path}%22%3E%3Cscript%3Ealert(1)%3C", timeout=10)
        assert r.status_code == 200, path
        assert "<script>alert(1)" not in r.text and "&#34;&gt;&lt;script&gt;alert(1)&lt;" in r.text, path


def test_client_scripts_build_the_page_with_dom_apis_never_html_strings():
    scripts = sorted(SCRIPTS.glob("*.js"))
    assert len(scripts) >= 7
    for script in scripts:
        source = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment", "eval("):
            assert sink not in source, f"{script.name} uses {sink}"
