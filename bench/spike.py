"""A spike beyond capacity against the running web server: CONCURRENCY clients at once, each
sending requests back to back for SECONDS. Shows that the excess is refused at once with 503 and
Retry-After (web/admission.py) while admitted requests keep a bounded latency.

`python -m bench.spike [concurrency] [seconds] [--json]` with WEB_URL pointing at a stack started
with RATE_LIMIT_ENABLED=0 (else the per-IP limits answer first), as `make bench` does; prints a
table, or a JSON summary for bench/policy.py. A script of its own because gevent must patch the
standard library before anything else is imported."""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

import socket  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import gevent  # noqa: E402

PATH = "/api/v1/feed/popular"


def _response(sock: socket.socket) -> tuple[int, dict]:
    """Reads one HTTP/1.1 response with a Content-Length body; a raw socket keeps the client cheap."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    return int(lines[0].split()[1]), headers


def client(url: str, until: float, statuses: Counter, latencies: dict) -> None:
    """Requests back to back on one kept-alive connection; after a 503 it waits Retry-After, as a
    well-behaved client does."""
    parts = urlsplit(url)
    request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()
    sock = None
    while time.monotonic() < until:
        started = time.monotonic()
        pause = 0
        try:
            if sock is None:
                sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
                latencies.setdefault("connect", []).append((time.monotonic() - started) * 1000)
                started = time.monotonic()
            sock.sendall(request)
            status, headers = _response(sock)
            if status == 503:
                pause = int(headers["retry-after"])
            if headers.get("connection", "").lower() == "close":
                sock.close()
                sock = None
        except OSError:
            status, sock = "error", None
        statuses[status] += 1
        latencies.setdefault(status, []).append((time.monotonic() - started) * 1000)
        time.sleep(pause)


def spike(url: str, concurrency: int, seconds: float) -> tuple[Counter, dict]:
    statuses: Counter = Counter()
    latencies: dict = {}
    until = time.monotonic() + seconds
    gevent.joinall([gevent.spawn(client, url, until, statuses, latencies) for _ in range(concurrency)])
    return statuses, latencies


def summary(statuses: Counter, latencies: dict) -> dict:
    """Per status: count, median and p99 in ms (`connect` is the time to open a TCP connection)."""
    out = {}
    for status, samples in latencies.items():
        q = statistics.quantiles(samples, n=100) if len(samples) > 1 else [samples[0]] * 99
        out[str(status)] = {"count": len(samples), "median_ms": round(statistics.median(samples)), "p99_ms": round(q[98])}
    return out


def main(concurrency: int, seconds: float, as_json: bool) -> None:
    statuses, latencies = spike(os.environ.get("WEB_URL", "http://127.0.0.1:8000") + PATH, concurrency, seconds)
    if as_json:
        print(json.dumps(summary(statuses, latencies)))
        return
    print(f"{concurrency} clients for {seconds:.0f} s on GET {PATH}")
    print("| status (connect: new TCP connections) | count | per s | median ms | p90 ms | p99 ms | over 1 s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    statuses["connect"] = len(latencies.get("connect", []))
    for status, count in sorted(statuses.items(), key=str):
        if not count:
            continue
        q = statistics.quantiles(latencies[status], n=100) if count > 1 else [latencies[status][0]] * 99
        slow = sum(1 for ms in latencies[status] if ms > 1000)
        print(
            f"| {status} | {count} | {count / seconds:.0f} | {statistics.median(latencies[status]):.0f} "
            f"| {q[89]:.0f} | {q[98]:.0f} | {slow} |"
        )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--json"]
    main(int(args[0]) if args else 1000, float(args[1]) if len(args) > 1 else 10, "--json" in sys.argv)
