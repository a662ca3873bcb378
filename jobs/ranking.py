"""Scheduled ranking jobs (see jobs/schedule.py)."""
from __future__ import annotations

from jobs.runtime import services
from ranking import refresh


def refresh_pagerank() -> dict:
    return refresh.refresh_pagerank(services())


def refresh_pagerank_if_missing() -> dict | None:
    return refresh.refresh_pagerank_if_missing(services())


def refresh_popular() -> int:
    return refresh.refresh_popular(services())
