"""A spike beyond capacity against the running web server: CONCURRENCY clients at once, each
sending requests back to back for SECONDS. Shows that the excess is refused at once with 503 and
Retry-After (web/admission.py) while admitted requests keep a bounded latency.

`python -m bench.spike [concurrency] [seconds] [--json]` with WEB_URL pointing at a stack started
with RATE_LIMIT_ENABLED=0 (else the per-IP limits answer first), as `make bench` does; prints a
table, or a JSON summary for bench/policy.py. A script of its own because gevent must patch the
standard library before anything else is imported.

`python -m bench.spike surge feed|post [seconds] [--json]` (tokens in SPIKE_TOKENS, comma-separated)
is the surge of issue 12: it measures the capacity (closed loop) and the baseline p99 (light closed
loop), then offers 10x that capacity as an open-loop arrival rate for `seconds` (30 by default),
then watches the light load again: no 500/502/504 may come, every 429/503 must carry Retry-After,
and the p99 of each second after the surge must be back near the baseline within 10 s."""
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


PATHS = {"feed": ("GET", "/api/v1/feed/home?limit=20"), "post": ("POST", "/api/v1/tweets")}
SURGE_FACTOR = 10
CAPACITY_CLIENTS = 32
BASELINE_CLIENTS = 4
MEASURE_SECONDS = 5.0
RECOVERY_SECONDS = 15
RECOVERED_WITHIN = 10
MAX_IN_FLIGHT = 1500  # the client's own ceiling on open sockets (under gunicorn's 2 x 1000 connection slots)


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


class Target:
    """One kind of request, signed in with bearer tokens (round robin over several users)."""

    def __init__(self, url: str, kind: str, tokens: list[str]):
        self.parts = urlsplit(url)
        self.method, self.path = PATHS[kind]
        self.tokens = tokens
        self.n = 0

    def request(self) -> bytes:
        self.n += 1
        token = self.tokens[self.n % len(self.tokens)]
        head = f"{self.method} {self.path} HTTP/1.1\r\nHost: {self.parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
        if self.method == "POST":
            body = json.dumps({"text": f"surge {self.n} {time.time_ns()}"}).encode()
            return (head + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        return (head + "\r\n").encode()

    def connect(self) -> socket.socket:
        return socket.create_connection((self.parts.hostname, self.parts.port), timeout=30)


def _one(target: Target, sock: socket.socket | None) -> tuple[object, dict, float, socket.socket | None]:
    """One request on `sock` (or a new connection): status, headers, ms, the socket to reuse."""
    started = time.monotonic()
    try:
        sock = sock or target.connect()
        sock.sendall(target.request())
        status, headers = _response(sock)
        if headers.get("connection", "").lower() == "close":
            sock.close()
            sock = None
    except OSError as err:
        status, headers, sock = f"error: {type(err).__name__}", {}, None
    return status, headers, (time.monotonic() - started) * 1000, sock


def closed_loop(target: Target, clients: int, seconds: float) -> list[tuple[float, object, float]]:
    """`clients` back to back: (finished at, status, ms) of every request."""
    done: list[tuple[float, object, float]] = []
    until = time.monotonic() + seconds

    def run():
        sock = None
        while time.monotonic() < until:
            status, _, ms, sock = _one(target, sock)
            done.append((time.monotonic(), status, ms))

    gevent.joinall([gevent.spawn(run) for _ in range(clients)])
    return done


def open_loop(target: Target, rate: float, seconds: float) -> tuple[Counter, int, int]:
    """Requests arrive at `rate` per second whatever the answers (a surge does not wait): status
    counts, refusals without Retry-After, and arrivals the client itself could not send."""
    statuses: Counter = Counter()
    idle: list[socket.socket] = []
    in_flight = [0]
    no_retry_after = [0]
    dropped = [0]

    def send():
        in_flight[0] += 1
        try:
            status, headers, _, sock = _one(target, idle.pop() if idle else None)
            statuses[status] += 1
            if status in (429, 503) and not headers.get("retry-after"):
                no_retry_after[0] += 1
            if sock is not None:
                idle.append(sock)
        finally:
            in_flight[0] -= 1

    started = time.monotonic()
    sent = 0
    greenlets = []
    while (now := time.monotonic()) < started + seconds:
        due = int((now - started) * rate)
        while sent < due:
            sent += 1
            if in_flight[0] >= MAX_IN_FLIGHT:
                dropped[0] += 1
                continue
            greenlets.append(gevent.spawn(send))
        gevent.sleep(0.002)
    gevent.joinall(greenlets, timeout=60)
    for sock in idle:
        sock.close()
    return statuses, no_retry_after[0], dropped[0]


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else (samples[0] if samples else 0.0)


def surge(url: str, kind: str, tokens: list[str], seconds: float, measure: float = MEASURE_SECONDS) -> dict:
    target = Target(url, kind, tokens)
    closed_loop(target, BASELINE_CLIENTS, 1)  # warm up
    base = [ms for _, status, ms in closed_loop(target, BASELINE_CLIENTS, measure) if status in (200, 201)]
    full = closed_loop(target, CAPACITY_CLIENTS, measure)
    capacity = sum(1 for _, status, _ in full if status in (200, 201)) / measure
    rate = SURGE_FACTOR * capacity
    statuses, no_retry_after, dropped = open_loop(target, rate, seconds)
    ended = time.monotonic()
    after = closed_loop(target, BASELINE_CLIENTS, RECOVERY_SECONDS)
    baseline_p99 = _p99(base)
    tolerance = max(1.5 * baseline_p99, baseline_p99 + 20)
    windows = []
    for second in range(RECOVERY_SECONDS):
        samples = [ms for at, status, ms in after if second <= at - ended < second + 1 and status in (200, 201)]
        windows.append(round(_p99(samples)) if samples else None)
    recovered = next((s for s in range(len(windows))
                      if all(w is not None and w <= tolerance for w in windows[s:])), None)
    after_statuses = Counter(status for _, status, _ in after)
    return {
        "kind": kind, "seconds": seconds, "capacity_per_s": round(capacity), "offered_per_s": round(rate),
        "baseline_p99_ms": round(baseline_p99), "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "after_statuses": {str(k): v for k, v in after_statuses.items()},
        "server_errors": sum(v for k, v in statuses.items() if k in (500, 502, 504)) +
                         sum(v for k, v in after_statuses.items() if k in (500, 502, 504)),
        "refused_without_retry_after": no_retry_after, "not_sent_by_client": dropped,
        "p99_per_second_after_ms": windows, "recovered_after_s": recovered,
        "recovered_within_10s": recovered is not None and recovered <= RECOVERED_WITHIN,
    }


def print_surge(result: dict) -> None:
    print(f"surge on {result['kind']}: capacity {result['capacity_per_s']}/s, offered {result['offered_per_s']}/s "
          f"for {result['seconds']:.0f} s; baseline p99 {result['baseline_p99_ms']} ms")
    print(f"  statuses during the surge: {result['statuses']}; after it: {result['after_statuses']}")
    print(f"  500/502/504: {result['server_errors']}; 429/503 without Retry-After: "
          f"{result['refused_without_retry_after']}; arrivals the client could not send: {result['not_sent_by_client']}")
    print(f"  p99 per second after the surge (ms): {result['p99_per_second_after_ms']}")
    print(f"  recovered after: {result['recovered_after_s']} s (goal: within {RECOVERED_WITHIN} s)")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--json"]
    if args and args[0] == "surge":
        outcome = surge(os.environ.get("WEB_URL", "http://127.0.0.1:8000"), args[1],
                        os.environ["SPIKE_TOKENS"].split(","), float(args[2]) if len(args) > 2 else 30,
                        float(args[3]) if len(args) > 3 else MEASURE_SECONDS)
        print(json.dumps(outcome)) if "--json" in sys.argv else print_surge(outcome)
    else:
        main(int(args[0]) if args else 1000, float(args[1]) if len(args) > 1 else 10, "--json" in sys.argv)
