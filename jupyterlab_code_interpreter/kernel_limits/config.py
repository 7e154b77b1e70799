"""The administrator's kernel limits (`c.CodeInterpreterKernelLimits`), and the launcher command
line they make for each kernel launch."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from traitlets import Bool, Float, Integer, TraitError, Unicode, validate
from traitlets.config import Configurable

LAUNCHER = "jupyterlab_code_interpreter.kernel_limits.launch"
UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$", re.IGNORECASE)
PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
CGROUP_MEMORY_MAX = Path("/sys/fs/cgroup/memory.max")


class CodeInterpreterKernelLimits(Configurable):
    """Memory, CPU and time limits for every kernel the server launches (docs/kernel-limits.md).

    #### Notes
    Applied by a launcher wrapped around the kernel command of kernels that jupyter_client's
    local provisioner starts (the default), at every start and restart. Linux is where every
    limit holds; elsewhere the ones the system lacks are left out. Changes take effect for
    kernels started after the server restarts.
    """

    enabled = Bool(
        True,
        config=True,
        help="Apply the limits below to the kernels this server launches.",
    )

    memory_limit = Unicode(
        "50%",
        config=True,
        help=(
            "The most memory (RLIMIT_DATA: heap and other private writable memory, allocated "
            "or reserved) one kernel and each process it starts may use: a size such as '4G' "
            "or '512M' (binary units), or a percentage of the machine's memory ('50%'; the "
            "container's memory limit when it is lower). An "
            "allocation past it fails: Python raises MemoryError, which the kernel explains. "
            "'0' or '' turns the limit off."
        ),
    )

    cpu_cores = Integer(
        0,
        min=0,
        config=True,
        help=(
            "How many CPU cores one kernel may run on (Linux: the kernel is pinned to that many "
            "of the server's cores, so a busy kernel leaves the others free). 0: all of them."
        ),
    )

    niceness = Integer(
        5,
        min=0,
        max=19,
        config=True,
        help=(
            "How much lower than the server's the kernels' CPU priority is (a nice increment), "
            "so that a kernel busy computing does not slow the server down. 0: the same."
        ),
    )

    execution_time_limit = Float(
        600.0,
        min=0.0,
        config=True,
        help=(
            "Seconds one cell may run in an IPython kernel before it is stopped with "
            "ExecutionTimeLimitExceeded, whose message names this setting. 0: no limit."
        ),
    )

    @validate("memory_limit")
    def _valid_memory_limit(self, proposal):
        value = proposal["value"]
        try:
            memory_bytes(value, total=1)
        except ValueError as err:
            raise TraitError(str(err)) from None
        return value

    def launch_command(self, kernel_cmd: list[str]) -> list[str]:
        """`kernel_cmd` run through the launcher with these limits (unchanged when off)."""
        if not self.enabled or os.name != "posix":
            return list(kernel_cmd)
        options = [
            f"--memory={memory_bytes(self.memory_limit, machine_memory())}",
            f"--cores={self.cpu_cores}",
            f"--niceness={self.niceness}",
            f"--time-limit={self.execution_time_limit:g}",
        ]
        return [sys.executable, "-m", LAUNCHER, *options, "--", *kernel_cmd]


def memory_bytes(value: str, total: int) -> int:
    """A `memory_limit` setting in bytes, given the machine's `total` memory; 0 for none."""
    if value.strip() in ("", "0"):
        return 0
    percent = PERCENT.match(value)
    if percent:
        share = float(percent.group(1))
        if not 0 < share <= 100:
            raise ValueError(f"memory_limit {value!r}: a percentage is between 0 and 100")
        return int(total * share / 100)
    size = SIZE.match(value)
    if size is None:
        raise ValueError(
            f"memory_limit {value!r} is neither a size ('4G', '512M') nor a percentage ('50%')"
        )
    return int(float(size.group(1)) * UNITS[size.group(2).upper()])


def machine_memory() -> int:
    """The machine's physical memory, or the container's limit (cgroup v2) when lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = CGROUP_MEMORY_MAX.read_text().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total
