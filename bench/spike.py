"""A spike beyond capacity against the running web server: CONCURRENCY clients at once, each
sending requests back to back for SECONDS. Shows that the excess is refused at once with 503 and
Retry-After (web/admission.py) while admitted requests keep a bounded latency.

`python -m bench.spike [concurrency] [seconds]` with WEB_URL pointing at a stack started with
RATE_LIMIT_ENABLED=0 (else the per-IP limits answer first); prints a table."""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

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
    parts = urlsplit(url)
    request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()
    sock = None
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            if sock is None:
                sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
                latencies.setdefault("connect", []).append((time.monotonic() - started) * 1000)
                started = time.monotonic()
            sock.sendall(request)
            status, headers = _response(sock)
            if status == 503:
                assert headers["retry-after"]
            if headers.get("connection", "").lower() == "close":
                sock.close()
                sock = None
        except OSError:
            status, sock = "error", None
        statuses[status] += 1
        latencies.setdefault(status, []).append((time.monotonic() - started) * 1000)


def main(concurrency: int, seconds: float) -> None:
    url = os.environ.get("WEB_URL", "http://127.0.0.1:8000") + PATH
    statuses: Counter = Counter()
    latencies: dict = {}
    until = time.monotonic() + seconds
    gevent.joinall([gevent.spawn(client, url, until, statuses, latencies) for _ in range(concurrency)])
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
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, float(sys.argv[2]) if len(sys.argv) > 2 else 10)
