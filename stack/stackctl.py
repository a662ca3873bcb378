#!/usr/bin/env python3
"""Install, start, stop and test the local stack: Neo4j, Redis, the job processes and gunicorn.

Usage: stackctl.py install | run | up | down | status | test [PYTEST_ARGS...] | bench [ARGS...]
       (and `supervise`: what `up` runs in the background)

Standard library only, because it runs before the venv exists. stack/README.md describes the
commands, the folders under DATA_DIR and the environment variables; the modules beside this one
do the work (config, install, services, supervise, ready, runner).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import the package from the repository's root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from stack import runner  # noqa: E402
from stack.config import ROOT, VENV_BIN, StackError, dev_stack, isolated_stack, relative  # noqa: E402
from stack.install import BENCH_PACKAGES, TEST_PACKAGES, install, packages_for  # noqa: E402
from stack.services import SUPERVISOR, all_services, check_can_start  # noqa: E402
from stack.supervise import pidfile_names, running_pid  # noqa: E402


def cmd_install(args: list[str]) -> int:
    install(packages_for(dev_stack(dict(os.environ)), TEST_PACKAGES))
    return 0


def cmd_run(args: list[str]) -> int:
    """The stack in the foreground until Ctrl-C, SIGTERM, or Neo4j or Redis exits."""
    stack = dev_stack(dict(os.environ))
    install(packages_for(stack))
    check_can_start(stack)
    runner.supervise(stack, hint="Ctrl-C stops everything.")
    return 0


def cmd_supervise(args: list[str]) -> int:
    """What `up` runs in the background: `run` without the install step."""
    runner.supervise(dev_stack(dict(os.environ)))
    return 0


def cmd_up(args: list[str]) -> int:
    """The stack in the background, supervised; returns once /readyz answers 200."""
    started = time.monotonic()
    stack = dev_stack(dict(os.environ))
    install(packages_for(stack))
    check_can_start(stack)
    runner.start_in_background(stack)
    print(f"Up in {time.monotonic() - started:.1f}s. `make down` stops it.", flush=True)
    return 0


def cmd_down(args: list[str]) -> int:
    stack = dev_stack(dict(os.environ))
    if not any(running_pid(stack, name) for name in pidfile_names(stack)):
        print(f"nothing is running from {relative(stack.data_dir)}")
    runner.stop_supervised(stack)
    return 0


def cmd_status(args: list[str]) -> int:
    stack = dev_stack(dict(os.environ))
    for name in dict.fromkeys([SUPERVISOR, *all_services(stack), *pidfile_names(stack)]):
        pid = running_pid(stack, name)
        print(f"{name:12} {f'running, pid {pid}' if pid else 'stopped'}")
    return 0


def cmd_test(args: list[str]) -> int:
    """pytest against a fresh stack of its own; its exit code (5, no tests, is a failure too)."""
    # The end-to-end tier signs up many users from 127.0.0.1, more than the per-IP limits allow;
    # tests/integration/test_rate_limits.py builds an app of its own with the limits on. Tests
    # need no warm query plans (graph/warmup.py), which cost minutes on a loaded machine.
    stack = isolated_stack({"RATE_LIMIT_ENABLED": "0", "WARM_QUERY_PLANS": "0", **os.environ}, "test")
    install(packages_for(stack, TEST_PACKAGES))
    code = runner.run_against(stack, [str(VENV_BIN / "pytest"), "-q", *args])
    if code == 5:
        print("pytest collected no tests: that counts as a failure", flush=True)
    return code


def cmd_bench(args: list[str]) -> int:
    """The benchmarks against a fresh stack of their own, with the request limits off: its graph
    is bulk-imported at the benchmark's size and the time to a ready stack is recorded."""
    if not (ROOT / "bench" / "__main__.py").exists():
        raise StackError("bench/__main__.py does not exist yet")
    stack = isolated_stack({"RATE_LIMIT_ENABLED": "0", "NEO4J_MEMORY": "2g", **os.environ}, "bench")
    install(packages_for(stack, BENCH_PACKAGES))
    sizes = runner.bench_sizes(args)
    return runner.run_against(stack, [str(VENV_BIN / "python"), "-m", "bench", *args],
                              start=lambda s: runner.bulk_seeded_start(s, sizes))


COMMANDS = {"install": cmd_install, "run": cmd_run, "up": cmd_up, "down": cmd_down,
            "status": cmd_status, "test": cmd_test, "bench": cmd_bench, "supervise": cmd_supervise}


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
