"""The one way a long-running loop waits out a failure: exponential backoff, reset by a success."""
from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger(__name__)


def forever(stop: threading.Event, name: str, step: Callable[[], object],
            on_error: Callable[[Exception], None] | None = None, first: float = 0.2, cap: float = 5.0) -> None:
    """Runs step until stop is set. A failure is logged and told to on_error, then the next try
    waits first, 2×first, ... up to cap seconds (a database down is waited out, not given up on)."""
    pause = first
    while not stop.is_set():
        try:
            step()
            pause = first
        except Exception as err:
            log.warning("%s failed (%s: %s); retrying in %.1fs", name, type(err).__name__, err, pause)
            if on_error is not None:
                on_error(err)
            stop.wait(pause)
            pause = min(pause * 2, cap)
