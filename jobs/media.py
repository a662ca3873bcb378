"""Media jobs: processing a finalized upload (queued by the finalize request) and the daily purge
of uploads that never became ready (scheduled by jobs.schedule)."""
from __future__ import annotations

from jobs.runtime import services
from social import media

PROCESS_TIMEOUT_SECONDS = 900


def process(media_id: int) -> None:
    media.process(services(), media_id)


def purge_stale() -> int:
    return media.purge_stale(services())


def queue_processing(queue, media_id: int) -> None:
    queue.enqueue(process, media_id, job_timeout=PROCESS_TIMEOUT_SECONDS)
