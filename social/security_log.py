"""The security log: one JSON line per event on the `security` logger (sign-ins and their
failures, lockouts, CSRF refusals, sessions and tokens made and revoked, password, role and
suspension changes), for an operator or a SIEM to read. It never carries a password, a token or a
session id: fields by those names are refused here, whoever passes them."""
from __future__ import annotations

import logging
import sys
import time

import orjson

log = logging.getLogger("security")
SECRET_FIELDS = frozenset({"password", "new_password", "current_password", "token", "secret", "session_id",
                           "csrf_token", "cookie", "authorization"})


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


def _install() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def event(name: str, **fields) -> None:
    """name like `login.failed`; fields plain values (user ids, usernames, client addresses)."""
    leaked = SECRET_FIELDS & fields.keys()
    if leaked:
        raise ValueError(f"the security log never takes {sorted(leaked)}")
    _install()
    line = {"ts": round(time.time(), 3), "event": name, **{k: v for k, v in fields.items() if v is not None}}
    log.info(orjson.dumps(line, default=str).decode())
