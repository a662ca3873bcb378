"""The worker process's services, built once by the composition root on first use."""
from __future__ import annotations

from bootstrap import Services, bootstrap

_services: Services | None = None


def services() -> Services:
    global _services
    if _services is None:
        _services = bootstrap()
    return _services


def install(svc: Services) -> None:
    """Runs jobs against given services (tests that execute jobs in-process)."""
    global _services
    _services = svc
