"""The one place that reads the wall clock, so tests and jobs agree on what 'now' is."""
import time


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_ms(at_ms: int) -> str:
    """An instant in UTC as Neo4j's toString(datetime({epochMillis: ...})) writes it (no trailing
    zeros in the fraction, none at all on a whole second), so a value made here and one read from
    the graph compare equal."""
    seconds, ms = divmod(at_ms, 1000)
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return whole + (f".{ms:03d}".rstrip("0") if ms else "") + "Z"
