"""Rules of credentials: token scopes and lifetimes, which scope a request needs, how failed
logins are counted (client addresses, IPv6 by /64) and how they slow an account down."""
from __future__ import annotations

import ipaddress

from domain.errors import Unprocessable

SCOPES = ("read", "write", "admin")
DEFAULT_SCOPES = ("read", "write")
TOKEN_MAX_SECONDS = 10 * 365 * 86400
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

FREE_ACCOUNT_FAILURES = 5  # failures for one account (from anywhere) before its logins slow down
MAX_LOGIN_DELAY_SECONDS = 3.0


def session_credential(session_id: str) -> str:
    """The name of a session as a live connection is bound to it, and as a revocation names it."""
    return f"session:{session_id}"


def token_credential(token_id: str | int) -> str:
    return f"token:{token_id}"


def check_scopes(scopes: list | None) -> tuple[str, ...]:
    if scopes is None:
        return DEFAULT_SCOPES
    if not isinstance(scopes, list) or not scopes or any(s not in SCOPES for s in scopes):
        raise Unprocessable("invalid_scopes", f"scopes is a non-empty list of {', '.join(SCOPES)}.", field="scopes")
    return tuple(s for s in SCOPES if s in scopes)


def check_expires_in(seconds: int | None) -> int | None:
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 60 <= seconds <= TOKEN_MAX_SECONDS:
        raise Unprocessable("invalid_expires_in", f"expires_in is 60 to {TOKEN_MAX_SECONDS} seconds.",
                            field="expires_in")
    return seconds


def scope_needed(method: str, requirement: str, signed_in: str) -> str:
    """A route that needs a permission (administration) needs `admin`; else reads and writes by method."""
    if requirement != signed_in:
        return "admin"
    return "read" if method.upper() in SAFE_METHODS else "write"


def client_key(address: str) -> str:
    """What failed logins are counted by: the IPv4 address, or the /64 an IPv6 address is in (one
    subscriber holds a whole /64, so counting single addresses would let it rotate forever)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address[:64] or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def login_delay_seconds(account_failures: int) -> float:
    """The pause before checking a password for an account that failed often lately: it grows
    with the failures, from anywhere, but never blocks, so no one can lock the owner out."""
    over = account_failures - FREE_ACCOUNT_FAILURES
    if over < 0:
        return 0.0
    return min(MAX_LOGIN_DELAY_SECONDS, 0.25 * 2 ** min(over, 8))
