"""The hub service refuses to start on a configuration file that does not load: running
without the pool and quotas its administrator wrote, it would look healthy and overspend."""

import subprocess
import sys


def run_service(config_file, port):
    return subprocess.run(
        [sys.executable, "-m", "jupyterlab_code_interpreter.hub", "--config", str(config_file),
         "--url", f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip


def test_a_config_file_with_a_syntax_error_stops_the_start_saying_why(tmp_path, unused_tcp_port):
    broken = tmp_path / "code_interpreter_hub_config.py"
    broken.write_text('c.CodeInterpreterHub.quotas = {"default": {"requests_per_minute": 5}\n')
    finished = run_service(broken, unused_tcp_port)
    assert finished.returncode == 1
    assert str(broken) in finished.stderr
    assert "SyntaxError" in finished.stderr
    assert "does not start" in finished.stderr


def test_a_config_file_that_raises_stops_the_start(tmp_path, unused_tcp_port):
    broken = tmp_path / "code_interpreter_hub_config.py"
    broken.write_text('import os\nc.CodeInterpreter.endpoints = [os.environ["NO_SUCH_VAR_X"]]\n')
    finished = run_service(broken, unused_tcp_port)
    assert finished.returncode == 1
    assert "KeyError" in finished.stderr and "NO_SUCH_VAR_X" in finished.stderr
