"""The media purge of uploads that never became ready, queued hourly by jobs.schedule (processing
runs in the consumers' "media" group, jobs/handlers.py)."""
from __future__ import annotations

from jobs.runtime import services
from social import media


def purge_stale() -> int:
    return media.purge_stale(services())
