"""One-shot steps of the stack run side by side (stack/supervise.py run_steps): the query warm-up
and the Redis warm-up of a bulk seed share the wait for nothing but the cores."""
import os

import pytest

from stack.config import StackError
from stack.supervise import run_steps


class Logs:
    def __init__(self, folder):
        self.folder = folder

    def log(self, name):
        return self.folder / f"{name}.log"


def test_steps_run_side_by_side(tmp_path):
    mark = tmp_path / "b-ran"
    waits_for_b = ["sh", "-c", f"for i in $(seq 100); do [ -f {mark} ] && exit 0; sleep 0.1; done; exit 1"]
    run_steps(Logs(tmp_path), [("a", waits_for_b), ("b", ["touch", str(mark)])], dict(os.environ))
    assert mark.exists()


def test_a_failed_step_is_raised_once_the_others_have_ended(tmp_path):
    done = tmp_path / "slow-done"
    with pytest.raises(StackError, match="fails failed with exit code 3"):
        run_steps(Logs(tmp_path), [("fails", ["sh", "-c", "exit 3"]),
                                   ("slow", ["sh", "-c", f"sleep 0.3; touch {done}"])], dict(os.environ))
    assert done.exists()
