"""Pure rules of the hardening issue: client keys for failed logins, the account slow-down, token
scopes, sign-in redirects (server and client), production settings, the security log's refusals,
and a live connection's inbox keeping a revocation."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cache.dispatcher import REVOKED, SYNC, Listener
from domain import credentials
from domain.errors import Unprocessable
from settings import Settings
from social import security_log
from web.client import local_path

ROOT = Path(__file__).resolve().parents[2]
REDIRECTS = {
    "/": "/",
    "/u/ada?tab=likes": "/u/ada?tab=likes",
    "/messages/alan": "/messages/alan",
    "/\t/evil.example": "/",
    "/\n/evil.example": "/",
    "/\r\n/evil.example": "/",
    "//evil.example": "/",
    "/\\evil.example": "/",
    "\\\\evil.example": "/",
    "https://evil.example/": "/",
    "javascript:alert(1)": "/",
    "evil.example": "/",
    "/\x7f/x": "/",
    "": "/",
}


@pytest.mark.parametrize("address, key", [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("not an address", "not an address"),
])
def test_failed_logins_count_ipv6_by_64_and_ipv4_by_address(address, key):
    assert credentials.client_key(address) == key


def test_the_account_slow_down_grows_then_stops_at_a_few_seconds():
    delays = [credentials.login_delay_seconds(n) for n in range(60)]
    assert delays[:credentials.FREE_ACCOUNT_FAILURES] == [0.0] * credentials.FREE_ACCOUNT_FAILURES
    assert delays == sorted(delays) and delays[credentials.FREE_ACCOUNT_FAILURES] > 0
    assert max(delays) == credentials.MAX_LOGIN_DELAY_SECONDS <= 5


def test_token_scopes_default_to_read_write_and_refuse_unknown_ones():
    assert credentials.check_scopes(None) == ("read", "write")
    assert credentials.check_scopes(["admin", "read"]) == ("read", "admin")
    for bad in ([], ["root"], "read", [1]):
        with pytest.raises(Unprocessable):
            credentials.check_scopes(bad)
    assert credentials.check_expires_in(3600) == 3600
    for bad in (0, 59, True, "60", 10**12):
        with pytest.raises(Unprocessable):
            credentials.check_expires_in(bad)


def test_a_request_needs_read_for_safe_methods_write_for_others_and_admin_for_permissions():
    assert credentials.scope_needed("GET", "signed_in", "signed_in") == "read"
    assert credentials.scope_needed("DELETE", "signed_in", "signed_in") == "write"
    assert credentials.scope_needed("GET", "admin:read", "signed_in") == "admin"


@pytest.mark.parametrize("value, expected", REDIRECTS.items())
def test_the_sign_in_redirect_stays_on_this_site(value, expected):
    assert local_path(value) == expected


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_client_applies_the_same_redirect_rule():
    script = (
        "import('" + (ROOT / "web/static/js/paths.js").as_uri() + "').then(({ localPath }) => {"
        "const cases = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(cases.map((c) => localPath(c))));});"
    )
    cases = list(REDIRECTS)
    out = subprocess.run(["node", "--input-type=module", "-e", script, json.dumps(cases)],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    assert json.loads(out) == [REDIRECTS[c] for c in cases]


def test_production_refuses_the_default_secrets_and_uses_secure_host_cookies():
    with pytest.raises(RuntimeError, match="SECRET_KEY and NEO4J_PASSWORD"):
        Settings.from_env({"APP_ENV": "production"}).check()
    with pytest.raises(RuntimeError, match="NEO4J_PASSWORD"):
        Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s" * 40}).check()
    prod = Settings.from_env({"APP_ENV": "production", "SECRET_KEY": "s" * 40, "NEO4J_PASSWORD": "p" * 20})
    prod.check()
    assert prod.session_cookie_secure and prod.session_cookie_name == "__Host-sid"
    dev = Settings.from_env({})
    dev.check()
    assert not dev.session_cookie_secure and dev.session_cookie_name == "sid"
    assert not Settings.from_env({"APP_ENV": "production", "SESSION_COOKIE_SECURE": "0"}).session_cookie_secure


def test_the_security_log_refuses_secrets_whoever_passes_them():
    for field in ("password", "token", "session_id", "csrf_token"):
        with pytest.raises(ValueError):
            security_log.event("login.failed", **{field: "x"})


def _drain(listener: Listener) -> list:
    items = []
    while (item := listener.get(0)) is not None:
        items.append(item)
    return items


def test_a_full_inbox_keeps_a_revocation():
    """A slow client's inbox is cleared when full: a revocation in it must survive that."""
    listener = Listener(1, "session:a")
    listener.put(REVOKED)
    for _ in range(300):
        listener.put(SYNC)
    assert REVOKED in _drain(listener)
    listener = Listener(1, "session:a")
    for _ in range(256):
        listener.put(SYNC)
    listener.put(REVOKED)  # the one that overflows
    assert _drain(listener) == [REVOKED]
