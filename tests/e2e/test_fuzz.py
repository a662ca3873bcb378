"""Fuzzing: schemathesis generates requests from the served OpenAPI document, signed in with a bearer
token, and checks that nothing is a server error and that every status, content type and body is
the one the document declares. FUZZ_PROFILE=quick (in `make test`) or long (`make fuzz`)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import requests

from social import accounts
from tests.e2e.conftest import WEB_URL
from tests.integration.personas import promote

PROFILE = os.environ.get("FUZZ_PROFILE", "quick")
EXAMPLES = {"quick": 8, "long": 300}[PROFILE]  # per operation and phase
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# The stream never ends by itself. Everything else is fuzzed, the admin routes by an admin as well
# (a bearer token cannot manage tokens or sessions, so the fuzzer cannot revoke its own).
EXCLUDED = ["--exclude-path", "/api/v1/stream"]
PASSES = {  # name: (roles, operations, least generated cases in the quick profile)
    "user": ((), EXCLUDED, 1000),
    "admin": (("admin",), ["--include-path-regex", "^/api/v1/admin/"], 150),
}


# The `st` command, with the module its workers would otherwise import lazily imported first: anyio
# compiles its own source on import, and CPython 3.11 can fail two threads compiling at once
# ("SystemError: AST constructor recursion depth mismatch", CPython issue 106905).
ST = "import sys, schemathesis.transport.asgi; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"


def _fuzz(token: str, operations: list[str]) -> tuple[int, str, str]:
    argv = [
        sys.executable, "-c", ST, "run", f"{WEB_URL}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(EXAMPLES),
        "--workers", "2",
        "--request-timeout", "30",
        "--seed", os.environ.get("FUZZ_SEED", "20261202"),
        "--no-color",
        *operations,
    ]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=3600)
    out = run.stdout + run.stderr
    summary = re.search(r"(\d+) generated, (.*)", out)
    assert summary, out[-5000:]
    return int(summary.group(1)), summary.group(2) if run.returncode == 0 else f"exit {run.returncode}", out


@pytest.mark.parametrize("name", PASSES)
def test_generated_requests_get_only_declared_answers(services, make_person, name):
    roles, operations, least = PASSES[name]
    fuzzer = make_person()
    promote(services, fuzzer, *roles)
    scopes = ["read", "write", *(["admin"] if "admin" in roles else [])]
    token = accounts.create_token(services, int(fuzzer.id), "fuzz", scopes)["token"]  # made as the route does
    generated, result, out = _fuzz(token, operations)
    print(f"fuzz ({name}, {PROFILE}): {generated} cases, {result}")
    assert result.endswith("passed") and f"{generated} passed" in result, out[-8000:]
    assert generated >= (least if PROFILE == "quick" else least * 10), f"only {generated} cases generated"
    me = requests.get(f"{WEB_URL}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert me.json()["user"]["username"] == fuzzer.username  # it fuzzed signed in to the end
