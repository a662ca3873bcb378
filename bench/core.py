"""What every benchmark shares: result rows, the loopback HTTP client, wrk, and process memory."""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bootstrap import Services
from domain.ids import new_id

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass
class Row:
    item: str
    value: float | str
    unit: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""


@dataclass
class Context:
    svc: Services
    web_url: str
    data_dir: Path
    sizes: dict
    rows: list[Row] = field(default_factory=list)

    def add(self, *args, **kwargs) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        print(f"  {row.item}: {row.value} {row.unit} {('(goal ' + row.goal + ')') if row.goal else ''}", flush=True)
        return row


def bearer_token(web_url: str, username: str, password: str) -> str:
    """Signs in like a browser, then issues a bearer token for load tools."""
    s = requests.Session()
    r = s.post(f"{web_url}/api/v1/auth/login", json={"username": username, "password": password}, timeout=10)
    r.raise_for_status()
    r = s.post(
        f"{web_url}/api/v1/auth/tokens",
        json={"name": "bench"},
        headers={"X-CSRF-Token": r.json()["csrf_token"]},
        timeout=10,
    )
    r.raise_for_status()
    return r.json()["token"]


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * UNITS[unit]


def wrk(url: str, token: str | None = None, seconds: int = 10, connections: int = 32, script: Path | None = None) -> WrkResult:
    """A bounded loopback load: wrk -t2 -cN -dS --latency (only 127.0.0.1 is ever targeted)."""
    assert url.startswith("http://127.0.0.1:"), url
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if token:
        argv += ["-H", f"Authorization: Bearer {token}"]
    if script:
        argv += ["-s", str(script)]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|Socket errors:.*?timeout)\D*(\d+)", out))
    return WrkResult(rps, p50, p99, errors)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return round(kb / 1024, 1)


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its threads so far (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def compiler_seconds(pid: int) -> float:
    """CPU so far of a JVM's JIT compiler threads (C1 and C2): Neo4j's code compiling itself, which
    settles once each path it runs is hot and is no work of the queries."""
    seconds = 0.0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            if (task / "comm").read_text().startswith(("C1 Compiler", "C2 Compiler")):
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except FileNotFoundError:
            continue
    return seconds


SETTLED = 0.05  # the JIT compiler's share of a core during a warm-up pass below which Neo4j counts as warm


def warm_until_settled(neo4j: list[int], one_pass, passes: int) -> list[float]:
    """Runs one_pass() until Neo4j's JIT compiler took less than SETTLED of a core during one, at
    most `passes` times: the share of each pass. The loads after it measure the steady state."""
    shares: list[float] = []
    while len(shares) < passes and (not shares or shares[-1] > SETTLED):
        compiled, started = sum(map(compiler_seconds, neo4j)), time.perf_counter()
        one_pass()
        shares.append((sum(map(compiler_seconds, neo4j)) - compiled) / (time.perf_counter() - started))
    return shares


def settled_note(shares: list[float], passes: int) -> str:
    return (f"until Neo4j's JIT compiler took less than {SETTLED:.0%} of a core (at most {passes} passes): "
            + ", ".join(f"{share:.0%}" for share in shares))


def fresh_users(ctx: Context, prefix: str, count: int, start_ms: int) -> list[int]:
    """The ids of `count` new users made straight in the graph (none can sign in), one a
    millisecond from start_ms on, named after prefix and a random tag."""
    tag = secrets.token_hex(3)
    users = [{"id": new_id(start_ms + i), "username": f"{prefix}{tag}{i}"} for i in range(count)]
    ctx.svc.graph.driver.execute_query(
        "UNWIND $rows AS r CREATE (:User {id: r.id, username: r.username, username_key: toLower(r.username), "
        "display_name: r.username, bio: '', password_hash: '!', created_at: datetime()})", rows=users)
    return [u["id"] for u in users]


def neo4j_pid(ctx: Context, section: str) -> int | None:
    """The bench stack's Neo4j process, or None after a row saying `section` was skipped."""
    pid = pid_of(ctx.data_dir, "neo4j")
    if pid is None:
        ctx.add(section, "skipped", note="no Neo4j pid file in this data folder")
    return pid


def neo4j_idle_rate(pid: int, seconds: float = 3.0) -> float:
    """Neo4j's own CPU per second while nobody asks anything (its background threads)."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def neo4j_cpu_of(pid: int, work, idle: float) -> float:
    """Neo4j CPU seconds that work() cost, its idle background work taken out."""
    before, started = cpu_seconds(pid), time.perf_counter()
    work()
    time.sleep(0.2)  # let the last commit's background work land in this measure
    return cpu_seconds(pid) - before - idle * (time.perf_counter() - started)


def in_batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Cpu:
    """The CPU each process group spends between start and stop."""

    def __init__(self, groups: dict[str, list[int]]):
        self.groups = groups
        self.before = {name: sum(map(cpu_seconds, pids)) for name, pids in groups.items()}
        self.compiled_before = self._compiled()

    def _compiled(self) -> float:
        return sum(map(compiler_seconds, self.groups.get("neo4j", [])))

    def per_op(self, ops: float) -> tuple[float, str]:
        """The CPU per op (ms) of all the groups, and a note of each group's (Neo4j's with the part
        of it its JIT compiler took)."""
        spent = {name: sum(map(cpu_seconds, pids)) - self.before[name] for name, pids in self.groups.items()}
        compiled = self._compiled() - self.compiled_before
        ops = max(ops, 1)
        note = ", ".join(f"{name} {seconds / ops * 1000:.2f}"
                         + (f" (its JIT compiler {compiled / ops * 1000:.2f})" if name == "neo4j" else "")
                         for name, seconds in spent.items())
        return sum(spent.values()) / ops * 1000, note


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def pid_of(data_dir: Path, name: str) -> int | None:
    path = data_dir / "run" / f"{name}.pid"
    if not path.exists():
        return None
    pid = int(path.read_text().split()[0])
    return pid if os.path.exists(f"/proc/{pid}") else None


def stack_processes(ctx: Context) -> dict[str, list[int]]:
    """The bench stack's processes by group: the web workers, Neo4j, Redis and the consumer."""
    web = pid_of(ctx.data_dir, "web")
    found = {"web workers": children(web) if web else []}
    return found | {name: [pid] for name in ("neo4j", "redis", "consumer") if (pid := pid_of(ctx.data_dir, name))}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def wait_until(predicate, timeout: float, every: float = 0.01) -> float | None:
    """Seconds until predicate() held, or None after timeout."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate():
            return time.perf_counter() - start
        time.sleep(every)
    return None


def run_alone(section, **defaults: int) -> None:
    """Runs one section's run(ctx, ...) against a running stack (WEB_URL, DATA_DIR) and prints its
    table; each keyword is a size, which the environment variable of its name in capitals overrides."""
    from bench.__main__ import table
    from bootstrap import bootstrap

    svc = bootstrap()
    ctx = Context(svc, os.environ["WEB_URL"], Path(os.environ["DATA_DIR"]), {})
    section(ctx, **{name: int(os.environ.get(name.upper(), value)) for name, value in defaults.items()})
    print(table(ctx.rows))
    svc.close()
