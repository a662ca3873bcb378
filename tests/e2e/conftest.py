"""Fixtures of the e2e tier: Debian's Chromium driven by Playwright against the running stack, and
people signed in to it. Playwright never downloads a browser here; `make test` installs chromium."""
from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from social import accounts
from tests.conftest import unique_name
from tests.openapi_check import OpenApiCheck
from web.security import SESSION_COOKIE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"  # git-ignored
WEB_URL = os.environ.get("WEB_URL", "http://127.0.0.1:8000")
PASSWORD = "correct horse"


@pytest.fixture(scope="session", autouse=True)
def checked_http():
    """Every API response the tier receives through requests is checked against the served document."""
    send = requests.Session.send
    checks: list[OpenApiCheck] = []

    def checked_send(self, request, **kwargs):
        response = send(self, request, **kwargs)
        if response.url.startswith(WEB_URL) and not request.url.endswith("/api/v1/openapi.json"):
            if not checks:
                checks.append(OpenApiCheck(send(self, requests.Request("GET", f"{WEB_URL}/api/v1/openapi.json").prepare(),
                                                timeout=10).json()))
            checks[0].check(request.method, urlsplit(response.url).path, response.status_code,
                            response.headers.get("Content-Type"), lambda: response.content)
        return response

    requests.Session.send = checked_send
    yield
    requests.Session.send = send


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module. Module scope, because Playwright's sync API cannot
    run inside another one, so no two modules' browsers may overlap."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


class Person:
    """An account made in-process as sign-up makes it, with sessions made as login makes them: the
    per-address limits on sign-ups and logins are shared by every e2e test, all from 127.0.0.1.
    `call` and `tweet` use the API over HTTP, to arrange a test's data and check its outcome."""

    def __init__(self, services, display_name: str | None = None):
        self.services = services
        self.username = unique_name("w")
        self.id = accounts.register(services, self.username, PASSWORD, display_name)["id"]

    @cached_property
    def http(self) -> requests.Session:
        """The API client's own session, made on first use so that it shows only when it is used."""
        secret, csrf_token = self.new_session("e2e")
        http = requests.Session()
        http.cookies.set(SESSION_COOKIE, secret)
        http.headers["X-CSRF-Token"] = csrf_token
        return http

    def new_session(self, user_agent: str) -> tuple[str, str]:
        """A fresh session's cookie secret and CSRF token."""
        secret, session = self.services.sessions.create(int(self.id), self.username, user_agent)
        return secret, session.csrf_token

    def call(self, method: str, path: str, status: int = 200, **kw) -> dict | None:
        r = self.http.request(method, f"{WEB_URL}/api/v1{path}", timeout=10, **kw)
        assert r.status_code == status, r.text
        return r.json() if r.content else None

    def tweet(self, text: str) -> dict:
        return self.call("POST", "/tweets", 201, json={"text": text})["tweet"]

    def signed_in_context(self, browser: Browser, **options) -> BrowserContext:
        """A browser of its own (cookies apart) holding a new session of this person's."""
        context = browser.new_context(base_url=WEB_URL, **options)
        secret, _ = self.new_session(f"Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/{browser.version}")
        context.add_cookies([{"name": SESSION_COOKIE, "value": secret, "url": WEB_URL, "httpOnly": True,
                              "sameSite": "Lax"}])
        return context


@pytest.fixture
def make_person(services):
    return lambda display_name=None: Person(services, display_name)
