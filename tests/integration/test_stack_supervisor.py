"""The supervisor of `make run` and `make up` (stack/supervise.py), run as a process of its own: a
job process killed with SIGKILL is started again, after a 1 s backoff, and the supervisor says so.
It watches an event consumer of its own, on Redis database 1 (so that it takes no event of the
other tests; with a cluster, which has database 0 only, database 1 of RQ's server) and the test stack's Neo4j, with its pid file and log in a folder of the test stack's
DATA_DIR (pytest's tmp_path is pruned by other pytest runs on the machine)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

from stack.config import ROOT, dev_stack
from stack.supervise import running_pid, start_time

SUPERVISED_CONSUMER = """
import os
from stack.config import dev_stack
from stack.services import all_services
from stack.supervise import Supervisor, interrupt_on_signals, spawn, stop_processes

stack = dev_stack(dict(os.environ))
for folder in (stack.run_dir, stack.log_dir, stack.metrics_dir):
    folder.mkdir(parents=True, exist_ok=True)
interrupt_on_signals()
consumer = all_services(stack)["consumer"]
supervisor = Supervisor(stack)
try:
    supervisor.adopt(consumer, spawn(stack, consumer))
    supervisor.watch()
except KeyboardInterrupt:
    print("supervisor: stopping", flush=True)
finally:
    stop_processes(stack, ["consumer"], 30)
"""


def pid_other_than(stack, old: int | None, seconds: float) -> int | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pid = running_pid(stack, "consumer")
        if pid and pid != old:
            return pid
        time.sleep(0.1)
    return None


def test_a_consumer_killed_with_sigkill_is_started_again_and_the_supervisor_says_so():
    folder = os.path.join(os.environ["DATA_DIR"], "supervisor-test")
    shutil.rmtree(folder, ignore_errors=True)
    server = os.environ.get("RQ_REDIS_URL") or os.environ["REDIS_URL"]
    redis_url = urlsplit(server)._replace(path="/1").geturl()
    env = {**os.environ, "DATA_DIR": folder, "REDIS_URL": redis_url, "REDIS_MODE": "single",
           "CONSUMER_NAME": "supervised"}
    stack = dev_stack(env)
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISED_CONSUMER], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = pid_other_than(stack, None, 60)
        assert first, "the supervisor did not start the consumer"
        os.kill(first, signal.SIGKILL)
        second = pid_other_than(stack, first, 60)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        output = supervisor.communicate(timeout=60)[0]
    assert second, f"the consumer was not started again:\n{output}"
    assert "consumer: was killed by SIGKILL" in output and "restarting it in 1s" in output, output
    assert "consumer: restart 1" in output, output
    assert supervisor.returncode == 0, output
    assert start_time(second) is None, "the consumer outlived its supervisor's stop"
