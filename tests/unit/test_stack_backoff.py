"""The supervisor's restart delays (stack/supervise.py): doubling from 1 s to at most 30 s, and back
to 1 s once a run has lasted a minute."""
from stack.supervise import Backoff


def test_a_process_that_keeps_crashing_waits_twice_as_long_each_time_up_to_30_seconds():
    backoff = Backoff()
    assert [backoff.after_exit(uptime=2) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_process_that_ran_for_a_minute_before_crashing_restarts_after_1_second_again():
    backoff = Backoff()
    for _ in range(5):
        backoff.after_exit(uptime=2)
    assert backoff.after_exit(uptime=60) == 1
    assert backoff.after_exit(uptime=2) == 2
