"""The one place that reads the wall clock, so tests and jobs agree on what 'now' is."""
import time


def now_ms() -> int:
    return int(time.time() * 1000)
