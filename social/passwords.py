"""Argon2id password hashing, run off the gevent loop so one login never stalls a worker's other requests."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def _off_loop(fn, *args):
    try:
        from gevent import get_hub
        from gevent.monkey import is_module_patched
    except ImportError:  # pragma: no cover - gevent is a pinned dependency
        return fn(*args)
    if is_module_patched("socket"):
        return get_hub().threadpool.apply(fn, args)
    return fn(*args)


class Passwords:
    def __init__(self, time_cost: int, memory_kib: int):
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        self._dummy = self.hasher.hash("not-a-real-password")

    def hash(self, password: str) -> str:
        return _off_loop(self.hasher.hash, password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Unknown users are checked against a dummy hash so timing does not tell who exists."""
        try:
            ok = _off_loop(self.hasher.verify, password_hash or self._dummy, password)
        except (VerificationError, InvalidHashError):
            ok = False
        return ok and password_hash is not None
