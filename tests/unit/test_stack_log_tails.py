from stack.config import dev_stack
from stack.runner import print_log_tails


def test_a_failed_run_prints_the_end_of_each_app_log_without_its_audit_events(tmp_path, capsys):
    stack = dev_stack({"DATA_DIR": str(tmp_path)})
    stack.log_dir.mkdir(parents=True)
    stack.log("web").write_text("".join(f"line {i}\n" for i in range(100)) + '{"ts":1,"event":"login.failed"}\n')
    stack.log("consumer").write_text("Traceback (most recent call last):\n")

    print_log_tails(stack, lines=3)

    out = capsys.readouterr().out
    assert "line 97\nline 98\nline 99\n" in out and "line 96" not in out
    assert "login.failed" not in out
    assert "consumer.log ---\nTraceback" in out
    assert "worker.log" not in out  # no log, nothing to show
