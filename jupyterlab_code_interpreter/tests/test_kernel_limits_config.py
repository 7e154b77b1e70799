"""The kernel limits' settings and the launcher's pure parts (the limits in real kernels:
test_kernel_limits.py)."""

import sys

import pytest
from traitlets import Integer, TraitError
from traitlets.config import Config, Configurable

from jupyterlab_code_interpreter.kernel_limits import launch
from jupyterlab_code_interpreter.kernel_limits.config import (
    LAUNCHER,
    CodeInterpreterKernelLimits,
    memory_bytes,
)
from jupyterlab_code_interpreter.kernel_limits.culling import apply_culling_defaults

sys.path.insert(0, str(launch.KERNEL_SIDE))
import code_interpreter_kernel_limits as kernel_side  # noqa: E402


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4G", 4 << 30),
        ("512M", 512 << 20),
        ("1.5GiB", 3 << 29),
        ("2gb", 2 << 30),
        ("1000", 1000),
        ("50%", 500),
        ("0", 0),
        ("", 0),
    ],
)
def test_memory_sizes(value, expected):
    assert memory_bytes(value, total=1000) == expected


@pytest.mark.parametrize("value", ["lots", "4X", "150%", "-1G"])
def test_a_malformed_memory_limit_is_refused_when_configured(value):
    with pytest.raises(TraitError, match="memory_limit"):
        CodeInterpreterKernelLimits(memory_limit=value)


def test_the_launch_command_wraps_the_kernel_command():
    limits = CodeInterpreterKernelLimits(
        memory_limit="1G", cpu_cores=2, niceness=4, execution_time_limit=30
    )
    kernel = ["python", "-m", "ipykernel_launcher", "-f", "k.json"]
    command = limits.launch_command(kernel)
    assert command[:3] == [sys.executable, "-m", LAUNCHER]
    options = launch.parse(command[3:])
    assert (options.memory, options.cores, options.niceness) == (1 << 30, 2, 4)
    assert options.time_limit == 30
    assert options.command == kernel
    assert CodeInterpreterKernelLimits(enabled=False).launch_command(kernel) == kernel


def test_kernels_spread_over_the_cores():
    allowed = {0, 1, 2, 3}
    assert launch.cores_for(5, allowed, 2) == {1, 2}
    assert launch.cores_for(7, allowed, 2) == {3, 0}
    assert launch.cores_for(7, allowed, 0) == allowed
    assert launch.cores_for(7, allowed, 9) == allowed


def test_only_ipython_kernels_load_the_extension():
    options = launch.parse(
        ["--time-limit=5", "--", "python", "-m", "ipykernel_launcher", "-f", "x"]
    )
    command, env = launch.kernel_command_and_env(options, {"PYTHONPATH": "/mine"})
    assert command[-1] == f"--IPKernelApp.extra_extensions={launch.EXTENSION}"
    assert env["PYTHONPATH"] == f"{launch.KERNEL_SIDE}:/mine"
    assert env[launch.TIME_LIMIT_ENV] == "5"

    options = launch.parse(["--time-limit=5", "--", "R", "--slave", "-e", "IRkernel::main()"])
    assert launch.kernel_command_and_env(options, {}) == (options.command, {})


def test_the_launcher_and_the_kernel_side_agree_on_the_variables():
    assert launch.TIME_LIMIT_ENV == kernel_side.TIME_LIMIT_ENV
    assert launch.MEMORY_LIMIT_ENV == kernel_side.MEMORY_LIMIT_ENV
    assert launch.EXTENSION == kernel_side.__name__


def test_limits_are_written_as_people_read_them():
    assert kernel_side.format_seconds(600) == "10 min"
    assert kernel_side.format_seconds(2.5) == "2.5 s"
    assert kernel_side.format_bytes(1 << 30) == "1 GiB"
    assert kernel_side.format_bytes(3 << 29) == "1.5 GiB"


class KernelManager(Configurable):
    """Stands in for jupyter_server's MappingKernelManager: only its culling traits matter."""

    cull_idle_timeout = Integer(0, config=True)
    cull_interval = Integer(300, config=True)


def test_culling_defaults_fill_only_what_is_not_configured():
    manager = KernelManager()
    assert apply_culling_defaults(manager, Config()) == {
        "cull_idle_timeout": 3600,
        "cull_interval": 300,
    }
    assert manager.cull_idle_timeout == 3600

    config = Config({"KernelManager": {"cull_idle_timeout": 0}})
    manager = KernelManager(config=config)
    assert apply_culling_defaults(manager, config) == {"cull_interval": 300}
    assert manager.cull_idle_timeout == 0


def test_a_kernel_command_that_cannot_run_is_named(capsys):
    with pytest.raises(SystemExit) as ended:
        launch.main(["--", "/nonexistent/kernel", "-f", "k.json"])
    assert ended.value.code == 127
    assert "cannot run the kernel command '/nonexistent/kernel'" in capsys.readouterr().err
