"""Fuzzing: schemathesis generates requests from the served OpenAPI document, signed in with a bearer
token, and checks that nothing is a server error and that every status, content type and body is
the one the document declares. FUZZ_PROFILE=quick (in `make test`) or long (`make fuzz`)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import WEB_URL

PROFILES = {  # (examples per operation and phase, least generated cases, seconds at most)
    "quick": (8, 1000, 300),
    "long": (200, 20000, 3600),
}
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# The stream never ends by itself; revoking a token would revoke the fuzzer's own (schemathesis reuses
# ids that answers gave it). Everything else is fuzzed.
EXCLUDED = ["--exclude-path", "/api/v1/stream", "--exclude-operation-id", "auth_revoke_token_delete"]


def test_generated_requests_get_only_declared_answers(make_person):
    profile = os.environ.get("FUZZ_PROFILE", "quick")
    examples, least, seconds = PROFILES[profile]
    fuzzer = make_person()
    token = fuzzer.call("POST", "/auth/tokens", 201, json={"name": "fuzz"})["token"]
    argv = [
        str(Path(sys.executable).with_name("st")), "run", f"{WEB_URL}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(examples),
        "--workers", "2",
        "--request-timeout", "30",
        "--seed", os.environ.get("FUZZ_SEED", "20261202"),
        "--no-color",
        *EXCLUDED,
    ]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=seconds,
                         env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    out = run.stdout + run.stderr
    summary = re.search(r"(\d+) generated, (.*)", out)
    print(out[-3000:])
    assert summary, out[-5000:]
    generated = int(summary.group(1))
    assert run.returncode == 0 and "passed" in summary.group(2), out[-8000:]
    assert generated >= least, f"only {generated} cases generated"
    assert fuzzer.call("GET", "/users/me")["user"]["username"] == fuzzer.username  # still signed in
