"""How each command runs the stack: supervised until stopped (`run` in the foreground, `up` in the
background), or started fresh around a client that runs against it (`test`, `bench`)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from typing import Callable

from stack.config import DEFAULT_PASSWORD, ROOT, STACK_DIR, VENV_BIN, Stack, StackError, relative
from stack.services import (SUPERVISOR, STOP_SECONDS, app_services, check_can_start, prepare_folders,
                            set_initial_password, start_stack, stop_stack)
from stack.supervise import (Service, Supervisor, interrupt_on_signals, run_step, running_pid,
                             spawn, stop_processes, write_pidfile)

# How long `make down` waits for the supervisor to stop the stack before it stops what is left.
SUPERVISOR_STOP_SECONDS = sum(STOP_SECONDS.values()) + 30


def supervise(stack: Stack, hint: str = "") -> None:
    """Start the stack and watch it until SIGINT/SIGTERM or until a database exits; a crashed job
    process or web server is restarted instead. Whatever happens, stop the stack at the end."""
    interrupt_on_signals()
    stack.run_dir.mkdir(parents=True, exist_ok=True)
    write_pidfile(stack, SUPERVISOR, os.getpid())  # `make down` stops the stack through us
    try:
        supervisor = Supervisor(stack)
        for service, process in start_stack(stack, seed=True):
            supervisor.adopt(service, process)
        print_urls(stack)
        if hint:
            print(hint, flush=True)
        stack.ready_marker.touch()
        supervisor.watch()
    except KeyboardInterrupt:
        print("\nstopping the stack", flush=True)
    finally:
        stop_stack(stack)
        stack.pidfile(SUPERVISOR).unlink(missing_ok=True)


def start_in_background(stack: Stack) -> None:
    """`make up`: the supervisor in the background, its output shown until the stack is up.
    Fails, with that output, if the supervisor gives up; Ctrl-C stops what it had started."""
    for folder in (stack.run_dir, stack.log_dir):
        folder.mkdir(parents=True, exist_ok=True)
    stack.ready_marker.unlink(missing_ok=True)
    log = stack.log(SUPERVISOR)
    offset = log.stat().st_size if log.exists() else 0
    spawn(stack, Service(SUPERVISOR, [sys.executable, str(STACK_DIR / "stackctl.py"), "supervise"],
                         stack.env))
    interrupt_on_signals()
    try:
        follow(stack, offset, lambda: stack.ready_marker.exists() or not running_pid(stack, SUPERVISOR))
    except KeyboardInterrupt:
        stop_supervised(stack)
        raise
    if not stack.ready_marker.exists():
        raise StackError("the stack did not start (its supervisor's output is above)")


def stop_supervised(stack: Stack) -> None:
    """`make down`: ask the supervisor to stop the stack and show what it does; then stop whatever
    is left (a supervisor killed by hand leaves its processes running)."""
    pid = running_pid(stack, SUPERVISOR)
    if pid:
        log = stack.log(SUPERVISOR)
        offset = log.stat().st_size if log.exists() else 0
        os.kill(pid, signal.SIGTERM)
        follow(stack, offset, lambda: not running_pid(stack, SUPERVISOR), SUPERVISOR_STOP_SECONDS)
        stop_processes(stack, [SUPERVISOR], 10)
    stop_stack(stack)


def follow(stack: Stack, offset: int, done: Callable[[], bool], timeout: float | None = None) -> None:
    """Print the supervisor's log from `offset` on, as it grows, until done() or the timeout."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with stack.log(SUPERVISOR).open("rb") as log:
        log.seek(offset)
        while True:
            finished = done()
            sys.stdout.write(log.read().decode(errors="replace"))
            sys.stdout.flush()
            if finished or (deadline and time.monotonic() > deadline):
                return
            time.sleep(0.2)


def run_against(stack: Stack, argv: list[str], start: Callable[[Stack], object] | None = None) -> int:
    """Start a clean isolated stack (by `start`, if given), run argv against it, always stop it;
    argv's exit code."""
    stop_stack(stack)  # what an interrupted earlier run of ours left behind, found by pid file
    shutil.rmtree(stack.data_dir, ignore_errors=True)
    check_can_start(stack)
    interrupt_on_signals()
    try:
        (start or (lambda s: start_stack(s, seed=False)))(stack)
        print(f"running: {' '.join(argv)}", flush=True)
        code = run_client(argv, stack.env)
        if code not in (0, 130):
            print_log_tails(stack)
        return code
    finally:
        stop_stack(stack)


def print_log_tails(stack: Stack, lines: int = 300) -> None:
    """After a failed run, the end of each app process's log: a CI run keeps nothing else to tell
    a flake from a fault. Audit events (JSON lines) are left out: they say who, not what failed."""
    for service in app_services(stack):
        path = stack.log(service.name)
        if not path.exists():
            continue
        kept = [line for line in path.read_text(errors="replace").splitlines() if not line.startswith('{"ts"')]
        print(f"--- last lines of {relative(path)} ---", *kept[-lines:], sep="\n", flush=True)


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
    # The password's own JVM runs beside the import (which spends its first seconds in Python).
    password = threading.Thread(target=set_initial_password, args=(stack,))
    password.start()
    run_step(stack, "seed-import", [python, "seed_graph.py", "--bulk", *(f"--{k}={v}" for k, v in sizes.items())],
             stack.env)
    password.join()
    # Redis's read models are built beside the migrate step's plan warm-up (both are Neo4j work
    # that leaves a core idle at times); the warm-up waits for the migrations itself.
    start_stack(stack, seed=False,
                beside_migrate=partial(run_step, stack, "seed-warm", [python, "seed_graph.py", "--warm"], stack.env))
    seconds = round(time.monotonic() - started, 1)
    (stack.data_dir / "seed.json").write_text(json.dumps({"seconds": seconds, **sizes}))
    print(f"bulk seed to a ready stack: {seconds}s", flush=True)


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


def print_urls(stack: Stack) -> None:
    password = stack.env["NEO4J_PASSWORD"]
    shown = password if password == DEFAULT_PASSWORD else "from NEO4J_PASSWORD"
    redis = stack.env["REDIS_URL"]
    if stack.redis_mode == "cluster":
        redis += f" (a cluster: ports {stack.redis_ports[0]}-{stack.redis_ports[-1]})"
    web = f"{stack.env['WEB_URL']}/"
    if stack.web_nodes > 1:
        web += f" (HAProxy, in front of ports {', '.join(map(str, stack.web_node_ports))})"
    print(f"""
The stack is up, data in {relative(stack.data_dir)}/, logs in {relative(stack.log_dir)}/
  web client     {web}
  API            {stack.env['WEB_URL']}/api/v1
  Neo4j Browser  http://127.0.0.1:{stack.http_port}/browser/
                 connect to bolt://127.0.0.1:{stack.bolt_port}
                 as {stack.env['NEO4J_USER']}, password {shown}
  Redis          {redis}
Demo users (ada, alan, grace, ...) sign in with the password demo-password.
A job process or web server that crashes is restarted; if Neo4j or Redis exits, the stack stops.
""", flush=True)
