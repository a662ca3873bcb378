"""Processes of the stack: started in their own session with a pid file, stopped politely then by
force, and watched by the supervisor, which restarts a crashed job process with backoff."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from stack.config import ROOT, Stack, StackError, relative


@dataclass(frozen=True)
class Service:
    """A long-running process of the stack. `restart`: the supervisor starts it again when it
    crashes (the job processes and the web server); otherwise its exit stops the stack."""

    name: str
    argv: list[str]
    env: dict[str, str]
    restart: bool = False


# --- pid files --------------------------------------------------------------------------------

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


def write_pidfile(stack: Stack, name: str, pid: int) -> None:
    stack.pidfile(name).write_text(f"{pid} {start_time(pid)}\n")


def pidfile_names(stack: Stack) -> list[str]:
    return sorted(path.stem for path in stack.run_dir.glob("*.pid"))


# --- starting and stopping --------------------------------------------------------------------

def spawn(stack: Stack, service: Service) -> subprocess.Popen:
    """Start a long-running process in its own session (Ctrl-C reaches only us); note its pid."""
    with stack.log(service.name).open("ab") as log:
        process = subprocess.Popen(service.argv, cwd=ROOT, env=service.env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    write_pidfile(stack, service.name, process.pid)
    print(f"{service.name}: started, pid {process.pid}, log {relative(stack.log(service.name))}",
          flush=True)
    return process


def run_step(stack: Stack, name: str, argv: list[str], env: dict[str, str]) -> None:
    """Run a one-shot step (password, migrations, seed) to its end; its output goes to its log."""
    started = time.monotonic()
    with stack.log(name).open("ab") as log:
        code = subprocess.run(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                              stderr=subprocess.STDOUT).returncode
    if code:
        raise StackError(f"{name} failed with exit code {code}", stack.log(name))
    print(f"{name}: done in {time.monotonic() - started:.1f}s", flush=True)


def stop_processes(stack: Stack, names: list[str], grace: float) -> None:
    """Stop these processes of the stack together: SIGTERM to each, then wait up to `grace`
    seconds, then SIGKILL what is left with everything it started. Their pid files go."""
    pids = {name: pid for name in names if (pid := running_pid(stack, name))}
    started = time.monotonic()
    for name, pid in pids.items():
        print(f"{name}: stopping pid {pid} ...", flush=True)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for name, pid in pids.items():
        if wait_for_exit(pid, grace - (time.monotonic() - started)):
            print(f"{name}: stopped in {time.monotonic() - started:.1f}s", flush=True)
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)  # its own session: the group holds its children too
        wait_for_exit(pid, 10)
        print(f"{name}: killed after {grace}s without stopping", flush=True)
    for name in names:
        stack.pidfile(name).unlink(missing_ok=True)


def wait_for_exit(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if start_time(pid) is None:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


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


# --- the supervisor -----------------------------------------------------------------------------

class Backoff:
    """Seconds to wait before restarting a process that exited: 1, 2, 4 ... at most 30; back to 1
    once a run has lasted a minute, so a process that crashes now and then restarts at once."""

    FIRST, MOST, STABLE = 1.0, 30.0, 60.0

    def __init__(self):
        self.delay = self.FIRST

    def after_exit(self, uptime: float) -> float:
        if uptime >= self.STABLE:
            self.delay = self.FIRST
        delay = self.delay
        self.delay = min(delay * 2, self.MOST)
        return delay


class Supervisor:
    """Watches the processes it was given; restarts those that may be restarted, with backoff, and
    raises StackError when another one (a database) exits."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.running: dict[str, tuple[Service, subprocess.Popen, float]] = {}
        self.due: dict[str, tuple[Service, float]] = {}  # restarts waiting for their time
        self.backoff: dict[str, Backoff] = {}
        self.restarts: dict[str, int] = {}

    def adopt(self, service: Service, process: subprocess.Popen) -> None:
        self.running[service.name] = (service, process, time.monotonic())

    def watch(self) -> None:
        """Block until interrupted, or until a process that is not restarted exits."""
        while True:
            self.check()
            time.sleep(0.5)

    def check(self) -> None:
        now = time.monotonic()
        for name, (service, process, started) in list(self.running.items()):
            code = process.poll()
            if code is None:
                continue
            del self.running[name]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # what it started and left behind
            how = exit_description(code)
            if not service.restart:
                raise StackError(f"{name} {how}: stopping the stack (a database is not restarted; "
                                 f"start the stack again)", self.stack.log(name))
            delay = self.backoff.setdefault(name, Backoff()).after_exit(now - started)
            print(f"{name}: {how} after {now - started:.0f}s; restarting it in {delay:.0f}s",
                  flush=True)
            self.due[name] = (service, now + delay)
        for name, (service, at) in list(self.due.items()):
            if now >= at:
                del self.due[name]
                self.restarts[name] = self.restarts.get(name, 0) + 1
                print(f"{name}: restart {self.restarts[name]}", flush=True)
                self.adopt(service, spawn(self.stack, service))


def exit_description(code: int) -> str:
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"
