#!/usr/bin/env python3
"""Install, start, stop and test the local stack: Neo4j, Redis, the job processes and gunicorn.

Usage: stackctl.py install | run | up | down | status | test [PYTEST_ARGS...] | bench [ARGS...]

Standard library only, because it runs before the venv exists. stack/README.md describes the
commands, the folders under DATA_DIR and the environment variables.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
STACK_DIR = ROOT / "stack"
VENV_BIN = ROOT / ".venv" / "bin"
REQUIREMENTS = (ROOT / "requirements.txt", ROOT / "requirements-dev.txt")
NEO4J_POM = STACK_DIR / "neo4j" / "pom.xml"
NEO4J_LIB = STACK_DIR / "neo4j" / "target" / "lib"
JVM_OPTIONS = (
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/java.io=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+ExitOnOutOfMemoryError",
)
# Debian packages, each with the file that tells it is installed. The tests also need Chromium:
# Playwright drives Debian's build, since it cannot download a browser of its own here.
STACK_PACKAGES = {"redis-server": Path("/usr/bin/redis-server")}
TEST_PACKAGES = {**STACK_PACKAGES, "chromium": Path("/usr/bin/chromium")}
BENCH_PACKAGES = {**STACK_PACKAGES, "wrk": Path("/usr/bin/wrk")}
DEFAULT_PASSWORD = "socialgraph-dev"
TEST_PORT_OFFSET = 10000

# Long-running processes in start order; they stop in reverse, each given this many seconds
# to finish cleanly before it is killed (Neo4j checkpoints its stores on the way down).
SERVICES = ("redis", "neo4j", "worker", "consumer", "scheduler", "web")
STOP_SECONDS = {"web": 30, "scheduler": 30, "consumer": 30, "worker": 30, "redis": 30, "neo4j": 120}
START_SECONDS = {"databases": 240, "app": 120}


class StackError(Exception):
    """A failure the user can act on: printed without a traceback, with the log that explains it."""

    def __init__(self, message: str, log: Path | None = None):
        super().__init__(message)
        self.log = log


@dataclass(frozen=True)
class Stack:
    """One instance of the stack: its folder, its ports and the environment its processes share."""

    data_dir: Path
    web_port: int
    bolt_port: int
    http_port: int
    redis_port: int
    neo4j_memory: str
    env: dict[str, str]
    scheduled: bool = True  # the ranking schedule; tests and benchmarks run ranking themselves

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(s for s in SERVICES if self.scheduled or s != "scheduler")

    @property
    def neo4j_home(self) -> Path:
        return self.data_dir / "neo4j"

    @property
    def redis_dir(self) -> Path:
        return self.data_dir / "redis"

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def metrics_dir(self) -> Path:
        return self.run_dir / "prometheus"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"

    @property
    def seeded_marker(self) -> Path:
        return self.data_dir / "seeded"

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def pidfile(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"


def dev_stack(environ: dict[str, str]) -> Stack:
    """The stack of `run`, `up` and `down`, configured by the contract's environment variables."""
    neo4j_uri = environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")
    redis_url = environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return make_stack(
        environ,
        data_dir=Path(environ.get("DATA_DIR", "var")),
        web_port=int(environ.get("WEB_PORT", "8000")),
        bolt_port=urlsplit(neo4j_uri).port or 7687,
        http_port=int(environ.get("NEO4J_HTTP_PORT", "7474")),
        redis_port=urlsplit(redis_url).port or 6379,
        neo4j_uri=neo4j_uri,
        redis_url=redis_url,
        neo4j_memory=environ.get("NEO4J_MEMORY", "1g"),
    )


def isolated_stack(environ: dict[str, str], name: str) -> Stack:
    """A throwaway stack for tests or benchmarks, on the default ports plus TEST_PORT_OFFSET.

    Its folder is var/<name>, or var/<name>-<offset> for another offset, so that runs with
    different offsets can share the machine.
    """
    offset = int(environ.get("TEST_PORT_OFFSET", TEST_PORT_OFFSET))
    folder = name if offset == TEST_PORT_OFFSET else f"{name}-{offset}"
    bolt_port, redis_port = 7687 + offset, 6379 + offset
    return make_stack(
        environ,
        data_dir=Path("var") / folder,
        web_port=8000 + offset,
        bolt_port=bolt_port,
        http_port=7474 + offset,
        redis_port=redis_port,
        neo4j_uri=f"bolt://127.0.0.1:{bolt_port}",
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        neo4j_memory=environ.get("NEO4J_MEMORY", "512m"),
        scheduled=False,
    )


def make_stack(environ: dict[str, str], *, data_dir: Path, web_port: int, bolt_port: int,
               http_port: int, redis_port: int, neo4j_uri: str, redis_url: str,
               neo4j_memory: str, scheduled: bool = True) -> Stack:
    """Build a Stack whose environment is the caller's, with its own addresses written in."""
    data_dir = (ROOT / data_dir).resolve()
    env = {
        **environ,
        "NEO4J_URI": neo4j_uri,
        "NEO4J_HTTP_PORT": str(http_port),
        "NEO4J_USER": environ.get("NEO4J_USER", "neo4j"),
        "NEO4J_PASSWORD": environ.get("NEO4J_PASSWORD", DEFAULT_PASSWORD),
        "REDIS_URL": redis_url,
        "WEB_PORT": str(web_port),
        "WEB_URL": f"http://127.0.0.1:{web_port}",
        "DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
    }
    return Stack(data_dir, web_port, bolt_port, http_port, redis_port, neo4j_memory, env, scheduled)


# --- installing -------------------------------------------------------------------------------

def install(packages: dict[str, Path] = STACK_PACKAGES) -> None:
    """Install what is missing; each part is skipped in milliseconds when already in place."""
    ensure_venv()
    ensure_neo4j_jars()
    ensure_debian_packages(packages)


def ensure_venv() -> None:
    """Create .venv and install requirements-dev.txt, again whenever a requirements file changes."""
    stamp = ROOT / ".venv" / "requirements.sha256"
    digest = sha256_of(*REQUIREMENTS)
    if stamp.exists() and stamp.read_text() == digest:
        return
    if sys.version_info < (3, 11):
        raise StackError(f"Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    with timed("python venv + requirements-dev.txt"):
        if not (VENV_BIN / "python").exists():
            sh([sys.executable, "-m", "venv", str(ROOT / ".venv")])
        sh([str(VENV_BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
            "-r", str(ROOT / "requirements-dev.txt")])
    stamp.write_text(digest)


def ensure_neo4j_jars() -> None:
    """Gather the Neo4j server and Browser jars with Maven, again whenever pom.xml changes."""
    stamp = NEO4J_LIB.parent / "lib.sha256"
    digest = sha256_of(NEO4J_POM)
    if NEO4J_LIB.is_dir() and stamp.exists() and stamp.read_text() == digest:
        return
    for tool in ("java", "mvn"):
        if not shutil.which(tool):
            raise StackError(f"`{tool}` is missing: Neo4j needs a Java 17 JDK and Maven")
    with timed("Neo4j jars (mvn package)"):
        shutil.rmtree(NEO4J_LIB, ignore_errors=True)
        sh(["mvn", "-q", "-B", "-f", str(NEO4J_POM), "package"])
    stamp.write_text(digest)


def ensure_debian_packages(packages: dict[str, Path]) -> None:
    """apt-get install the packages whose file is missing; we run their binaries, not services."""
    missing = [name for name, path in packages.items() if not path.exists()]
    if not missing:
        return
    if os.geteuid() != 0:
        raise StackError(f"missing Debian packages: apt-get install {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with timed(f"{' '.join(missing)} (apt-get)"), services_not_started():
        sh(["apt-get", "update", "-qq"], env=env)
        sh(["apt-get", "install", "-y", "-qq", *missing], env=env)


@contextlib.contextmanager
def services_not_started():
    """Debian starts a package's service on install (redis-server would take port 6379) unless
    policy-rc.d says no; say no for the length of our install where the machine does not already."""
    policy = Path("/usr/sbin/policy-rc.d")
    if policy.exists():
        yield
        return
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    try:
        yield
    finally:
        policy.unlink(missing_ok=True)


def sha256_of(*paths: Path) -> str:
    return hashlib.sha256(b"".join(path.read_bytes() for path in paths)).hexdigest()


def sh(argv: list[str], **kwargs) -> None:
    """Run an install step quietly; on failure show its output and raise a StackError."""
    result = subprocess.run(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace", **kwargs)
    if result.returncode:
        print(result.stdout[-20000:], file=sys.stderr)
        raise StackError(f"`{' '.join(argv)}` failed with exit code {result.returncode}")


@contextlib.contextmanager
def timed(what: str):
    started = time.monotonic()
    print(f"installing {what} ...", flush=True)
    yield
    print(f"installed {what} in {time.monotonic() - started:.1f}s", flush=True)


# --- processes and pid files ------------------------------------------------------------------

def start_time(pid: int) -> str | None:
    """The kernel's start time of a live process, else None (a reused pid is not taken for ours)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child that has exited
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # fields 3... of proc(5); field 2 may hold spaces
    return None if fields[0] == "Z" else fields[19]


def running_pid(stack: Stack, name: str) -> int | None:
    """The pid of the named process if its pid file points at it and it still runs."""
    try:
        pid, started = stack.pidfile(name).read_text().split()
    except (FileNotFoundError, ValueError):
        return None
    return int(pid) if start_time(int(pid)) == started else None


def spawn(stack: Stack, name: str, argv: list[str], env: dict[str, str]) -> None:
    """Start a long-running process in its own session (Ctrl-C reaches only us); note its pid."""
    with stack.log(name).open("ab") as log:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    stack.pidfile(name).write_text(f"{process.pid} {start_time(process.pid)}\n")
    print(f"{name}: started, pid {process.pid}, log {relative(stack.log(name))}", flush=True)


def run_step(stack: Stack, name: str, argv: list[str], env: dict[str, str]) -> None:
    """Run a one-shot step (password, migrations, seed) to its end; its output goes to its log."""
    started = time.monotonic()
    with stack.log(name).open("ab") as log:
        code = subprocess.run(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                              stderr=subprocess.STDOUT).returncode
    if code:
        raise StackError(f"{name} failed with exit code {code}", stack.log(name))
    print(f"{name}: done in {time.monotonic() - started:.1f}s", flush=True)


def stop_stack(stack: Stack) -> None:
    """Stop every process of the stack that still runs, newest first: politely, then by force."""
    with signals_ignored():
        for name in reversed(SERVICES):
            pid = running_pid(stack, name)
            if pid:
                stop_process(name, pid, STOP_SECONDS[name])
            stack.pidfile(name).unlink(missing_ok=True)


def stop_process(name: str, pid: int, grace: float) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL the process and everything it started."""
    started = time.monotonic()
    print(f"{name}: stopping pid {pid} ...", flush=True)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if wait_for_exit(pid, grace):
        print(f"{name}: stopped in {time.monotonic() - started:.1f}s", flush=True)
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # its own session: the group holds its children too
    wait_for_exit(pid, 10)
    print(f"{name}: killed after {grace}s without stopping", flush=True)


def wait_for_exit(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if start_time(pid) is None:
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def signals_ignored():
    """Let a shutdown finish even if Ctrl-C is pressed again while it runs."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN)
                for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def interrupt_on_signals() -> None:
    """Make SIGTERM and SIGHUP stop us like Ctrl-C does, so the `finally` that stops the stack runs.

    SIGINT too: a shell that starts us in the background would otherwise leave it ignored.
    """
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)


# --- readiness --------------------------------------------------------------------------------

def neo4j_ready(stack: Stack) -> bool:
    """True once the default database runs a query with the stack's credentials."""
    credentials = f"{stack.env['NEO4J_USER']}:{stack.env['NEO4J_PASSWORD']}".encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.http_port}/db/neo4j/tx/commit",
        data=b'{"statements": [{"statement": "RETURN 1"}]}',
        headers={"Content-Type": "application/json",
                 "Authorization": "Basic " + base64.b64encode(credentials).decode()},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return not json.load(response)["errors"]
    except urllib.error.HTTPError as error:
        if error.code == 401:
            raise StackError(f"Neo4j refused user {stack.env['NEO4J_USER']!r} and NEO4J_PASSWORD: "
                             f"{relative(stack.neo4j_home)} was set up with another password")
        return False
    except OSError:
        return False


def redis_ready(stack: Stack) -> bool:
    """True once Redis answers PING (it answers LOADING until its append-only file is read)."""
    try:
        with socket.create_connection(("127.0.0.1", stack.redis_port), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def web_ready(stack: Stack) -> bool:
    """True once the app's /readyz says that it reaches Neo4j and Redis."""
    try:
        with urllib.request.urlopen(f"{stack.env['WEB_URL']}/readyz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def wait_ready(stack: Stack, checks: dict[str, Callable[[Stack], bool]], watched: tuple[str, ...],
               timeout: float) -> None:
    """Poll until each check passes; fail at once, with its log, if a watched process exits."""
    started = time.monotonic()
    pending = dict(checks)
    while pending:
        for name in watched:
            if running_pid(stack, name) is None:
                raise StackError(f"{name} exited while starting", stack.log(name))
        for name, ready in list(pending.items()):
            if ready(stack):
                del pending[name]
                print(f"{name}: ready after {time.monotonic() - started:.1f}s", flush=True)
        if pending and time.monotonic() - started > timeout:
            name = next(iter(pending))
            raise StackError(f"{name} was not ready after {timeout}s", stack.log(name))
        time.sleep(0.25)


# --- the stack ----------------------------------------------------------------------------------

def check_can_start(stack: Stack) -> None:
    """Refuse to start over a running instance, or on a port that another program holds."""
    running = [name for name in SERVICES if running_pid(stack, name)]
    if running:
        raise StackError(f"{', '.join(running)} already running from {relative(stack.data_dir)}: "
                         f"stop them first (DATA_DIR={relative(stack.data_dir)} make down)")
    for port in (stack.web_port, stack.bolt_port, stack.http_port, stack.redis_port):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise StackError(f"port {port} is taken; `ss -ltnp 'sport = :{port}'` "
                                 "shows by whom") from None


def start_stack(stack: Stack, seed: bool) -> None:
    """Start the databases, migrate, start the jobs and the web server, and (first time) seed."""
    prepare_folders(stack)
    spawn(stack, "redis", ["redis-server", str(stack.redis_dir / "redis.conf")], stack.env)
    if not (stack.neo4j_home / "data" / "dbms" / "auth.ini").exists():
        run_step(stack, "neo4j-password", neo4j_admin_argv(stack), {
            **stack.env, "NEO4J_HOME": str(stack.neo4j_home),
            "NEO4J_CONF": str(stack.neo4j_home / "conf")})
    spawn(stack, "neo4j", neo4j_argv(stack), stack.env)
    wait_ready(stack, {"redis": redis_ready, "neo4j": neo4j_ready}, ("redis", "neo4j"),
               START_SECONDS["databases"])

    run_step(stack, "migrate", [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "migrate"],
             stack.env)
    app_env = {**stack.env, "PROMETHEUS_MULTIPROC_DIR": str(stack.metrics_dir)}
    spawn(stack, "worker", [str(VENV_BIN / "python"), "-m", "jobs.worker"], app_env)
    spawn(stack, "consumer", [str(VENV_BIN / "python"), "-m", "jobs.consumer"], app_env)
    spawn(stack, "web", [str(VENV_BIN / "gunicorn"), "-c", str(STACK_DIR / "gunicorn.conf.py"),
                         "wsgi:app"], app_env)
    if stack.scheduled:
        spawn(stack, "scheduler", [str(VENV_BIN / "python"), "-m", "jobs.schedule"], app_env)
    wait_ready(stack, {"web": web_ready}, stack.services, START_SECONDS["app"])

    if seed and not stack.seeded_marker.exists():
        run_step(stack, "seed", [str(VENV_BIN / "python"), "seed_graph.py"], stack.env)
        stack.seeded_marker.touch()


def prepare_folders(stack: Stack) -> None:
    """Create the instance's folders and render its config files from the templates in stack/."""
    for folder in (stack.neo4j_home / "conf", stack.redis_dir, stack.run_dir,
                   stack.log_dir):
        folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(stack.metrics_dir, ignore_errors=True)
    stack.metrics_dir.mkdir()
    render(STACK_DIR / "neo4j" / "neo4j.conf", stack.neo4j_home / "conf" / "neo4j.conf",
           home=stack.neo4j_home, memory=stack.neo4j_memory, bolt_port=stack.bolt_port,
           http_port=stack.http_port)
    render(STACK_DIR / "redis" / "redis.conf", stack.redis_dir / "redis.conf",
           port=stack.redis_port, dir=stack.redis_dir)


def render(template: Path, target: Path, **values) -> None:
    target.write_text(string.Template(template.read_text()).substitute(values))


def java_argv(main_class: str, *args: str, heap: tuple[str, ...] = ()) -> list[str]:
    return [shutil.which("java") or "java", *heap, *JVM_OPTIONS, "-cp", f"{NEO4J_LIB}/*",
            main_class, *args]


def neo4j_admin_argv(stack: Stack) -> list[str]:
    """`neo4j-admin dbms set-initial-password`, which only counts before the first start."""
    return java_argv("org.neo4j.server.startup.Neo4jAdminCommand",
                     "dbms", "set-initial-password", stack.env["NEO4J_PASSWORD"])


def neo4j_argv(stack: Stack) -> list[str]:
    """The Neo4j server as a single foreground JVM: what `neo4j console` finally runs."""
    return java_argv("org.neo4j.server.CommunityEntryPoint", f"--home-dir={stack.neo4j_home}",
                     f"--config-dir={stack.neo4j_home / 'conf'}", "--console-mode",
                     heap=(f"-Xms{stack.neo4j_memory}", f"-Xmx{stack.neo4j_memory}"))


def watch(stack: Stack) -> None:
    """Block until a process of the stack exits on its own (then fail) or we are interrupted."""
    while True:
        for name in stack.services:
            if running_pid(stack, name) is None:
                raise StackError(f"{name} exited unexpectedly", stack.log(name))
        time.sleep(1)


def print_urls(stack: Stack) -> None:
    password = stack.env["NEO4J_PASSWORD"]
    shown = password if password == DEFAULT_PASSWORD else "from NEO4J_PASSWORD"
    print(f"""
The stack is up, data in {relative(stack.data_dir)}/, logs in {relative(stack.log_dir)}/
  web client     {stack.env['WEB_URL']}/
  API            {stack.env['WEB_URL']}/api/v1
  Neo4j Browser  http://127.0.0.1:{stack.http_port}/browser/
                 connect to bolt://127.0.0.1:{stack.bolt_port}
                 as {stack.env['NEO4J_USER']}, password {shown}
  Redis          {stack.env['REDIS_URL']}
Demo users (ada, alan, grace, ...) sign in with the password demo-password.
""", flush=True)


def relative(path: Path) -> str:
    return os.path.relpath(path, Path.cwd())


# --- commands -----------------------------------------------------------------------------------

def cmd_install(args: list[str]) -> int:
    install(TEST_PACKAGES)
    return 0


def cmd_run(args: list[str]) -> int:
    """The stack in the foreground until Ctrl-C, SIGTERM, or one of its processes dies."""
    install()
    stack = dev_stack(dict(os.environ))
    check_can_start(stack)
    interrupt_on_signals()
    try:
        start_stack(stack, seed=True)
        print_urls(stack)
        print("Ctrl-C stops everything.", flush=True)
        watch(stack)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the stack", flush=True)
    finally:
        stop_stack(stack)
    return 0


def cmd_up(args: list[str]) -> int:
    """The stack in the background; returns once /readyz answers 200."""
    started = time.monotonic()
    install()
    stack = dev_stack(dict(os.environ))
    check_can_start(stack)
    interrupt_on_signals()
    try:
        start_stack(stack, seed=True)
    except BaseException:
        stop_stack(stack)
        raise
    print_urls(stack)
    print(f"Up in {time.monotonic() - started:.1f}s. `make down` stops it.", flush=True)
    return 0


def cmd_down(args: list[str]) -> int:
    stack = dev_stack(dict(os.environ))
    if not any(running_pid(stack, name) for name in SERVICES):
        print(f"nothing is running from {relative(stack.data_dir)}")
    stop_stack(stack)
    return 0


def cmd_status(args: list[str]) -> int:
    stack = dev_stack(dict(os.environ))
    for name in SERVICES:
        pid = running_pid(stack, name)
        print(f"{name:8} {f'running, pid {pid}' if pid else 'stopped'}")
    return 0


def cmd_test(args: list[str]) -> int:
    """pytest against a fresh stack of its own; its exit code (5, no tests, is a failure too)."""
    install(TEST_PACKAGES)
    # The end-to-end tier signs up many users from 127.0.0.1, more than the per-IP limits allow;
    # tests/integration/test_rate_limits.py builds an app of its own with the limits on. Tests
    # do not need warm query plans (graph/warmup.py), which cost minutes on a loaded machine.
    environ = {"RATE_LIMIT_ENABLED": "0", "WARM_QUERY_PLANS": "0", **os.environ}
    code = run_against(isolated_stack(environ, "test"),
                       [str(VENV_BIN / "pytest"), "-q", *args])
    if code == 5:
        print("pytest collected no tests: that counts as a failure", flush=True)
    return code


def cmd_bench(args: list[str]) -> int:
    """The benchmarks against a fresh stack of their own, with the request limits off: its graph
    is bulk-imported at the benchmark's size and the time to a ready stack is recorded."""
    if not (ROOT / "bench" / "__main__.py").exists():
        raise StackError("bench/__main__.py does not exist yet")
    install(BENCH_PACKAGES)
    environ = {"RATE_LIMIT_ENABLED": "0", "NEO4J_MEMORY": "2g", **os.environ}
    sizes = bench_sizes(args)
    return run_against(isolated_stack(environ, "bench"),
                       [str(VENV_BIN / "python"), "-m", "bench", *args],
                       start=lambda stack: bulk_seeded_start(stack, sizes))


def bench_sizes(args: list[str]) -> dict[str, str]:
    """The graph sizes among the benchmark's arguments (`--users 1000` or `--users=1000`)."""
    sizes = {"users": "100000", "follows": "2000000", "tweets": "1000000", "likes": "5000000"}
    for i, arg in enumerate(args):
        name, _, value = arg.lstrip("-").partition("=")
        if arg.startswith("--") and name in sizes:
            sizes[name] = value or args[i + 1]
    return sizes


def bulk_seeded_start(stack: Stack, sizes: dict[str, str]) -> None:
    """A new database bulk-imported from generated CSV, then the stack started (which migrates)
    and Redis warmed; the seconds from nothing to a ready stack go to DATA_DIR/seed.json."""
    prepare_folders(stack)
    started = time.monotonic()
    python = str(VENV_BIN / "python")
    run_step(stack, "seed-import", [python, "seed_graph.py", "--bulk", *(f"--{k}={v}" for k, v in sizes.items())],
             stack.env)
    start_stack(stack, seed=False)
    run_step(stack, "seed-warm", [python, "seed_graph.py", "--warm"], stack.env)
    seconds = round(time.monotonic() - started, 1)
    (stack.data_dir / "seed.json").write_text(json.dumps({"seconds": seconds, **sizes}))
    print(f"bulk seed to a ready stack: {seconds}s", flush=True)


def run_against(stack: Stack, argv: list[str], start: Callable[[Stack], None] | None = None) -> int:
    """Start a clean isolated stack, run argv against it, always stop it; argv's exit code."""
    stop_stack(stack)  # what an interrupted earlier run of ours left behind, found by pid file
    shutil.rmtree(stack.data_dir, ignore_errors=True)
    check_can_start(stack)
    interrupt_on_signals()
    try:
        if start is None:
            start_stack(stack, seed=False)
        else:
            start(stack)
        print(f"running: {' '.join(argv)}", flush=True)
        return run_client(argv, stack.env)
    finally:
        stop_stack(stack)


def run_client(argv: list[str], env: dict[str, str]) -> int:
    """Run the tests or benchmarks in the foreground: Ctrl-C goes to them; we await their report."""
    process = subprocess.Popen(argv, cwd=ROOT, env=env)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return process.wait()
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if process.poll() is None:
            process.terminate()
            process.wait()


COMMANDS = {"install": cmd_install, "run": cmd_run, "up": cmd_up, "down": cmd_down,
            "status": cmd_status, "test": cmd_test, "bench": cmd_bench}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except StackError as error:
        print(f"\nstackctl {argv[0]}: {error}", file=sys.stderr)
        if error.log and error.log.exists():
            lines = error.log.read_text(errors="replace").splitlines()[-40:]
            print(f"--- last lines of {relative(error.log)} ---", *lines, sep="\n", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
