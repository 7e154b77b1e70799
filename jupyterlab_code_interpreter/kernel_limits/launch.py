"""The kernel launcher: applies the limits to its own process, then `exec`s the kernel command.

    python -m jupyterlab_code_interpreter.kernel_limits.launch [options] -- <kernel command>

Limits set before `exec` stay with the kernel (same process id, so the server's interrupts and
shutdowns reach it) and pass to every process it starts. Standard library only, and nothing of
the package beyond this module: it runs before every kernel start.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from pathlib import Path

TIME_LIMIT_ENV = "CODE_INTERPRETER_EXECUTION_TIME_LIMIT"
MEMORY_LIMIT_ENV = "CODE_INTERPRETER_MEMORY_LIMIT"
KERNEL_SIDE = Path(__file__).parent / "kernel_side"
EXTENSION = "code_interpreter_kernel_limits"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kernel_limits.launch")
    parser.add_argument("--memory", type=int, default=0, help="data memory limit, bytes")
    parser.add_argument("--cores", type=int, default=0, help="how many CPU cores, 0 all")
    parser.add_argument("--niceness", type=int, default=0, help="nice increment")
    parser.add_argument("--time-limit", type=float, default=0, help="seconds per cell")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    if options.command[:1] == ["--"]:
        options.command = options.command[1:]
    if not options.command:
        parser.error("no kernel command after --")
    return options


def limit_memory(limit: int) -> None:
    """RLIMIT_DATA (Linux 4.7 and later: the heap and every private writable mapping): an
    allocation past it fails, and Python raises MemoryError. Not RLIMIT_AS: the address
    space also counts what threads and libraries reserve without using (an ipykernel with
    pandas and matplotlib holds 1.2 GB of it for 0.2 GB resident, 0.4 GB of data)."""
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def cores_for(pid: int, allowed: set[int], count: int) -> set[int]:
    """`count` of the `allowed` cores, starting at a place the process id picks, so that
    kernels spread over the machine rather than all sharing the first cores."""
    ordered = sorted(allowed)
    if count <= 0 or count >= len(ordered):
        return set(ordered)
    start = pid % len(ordered)
    return {ordered[(start + i) % len(ordered)] for i in range(count)}


def is_ipython_kernel(command: list[str]) -> bool:
    return any(Path(part).name in ("ipykernel_launcher", "ipykernel") for part in command[:4])


def kernel_command_and_env(options: argparse.Namespace, env: dict[str, str]):
    """The command to exec and its environment: an IPython kernel also loads the extension
    that times each cell and explains a MemoryError."""
    command = list(options.command)
    if not is_ipython_kernel(command) or not (options.time_limit > 0 or options.memory > 0):
        return command, env
    env = dict(env)
    paths = [str(KERNEL_SIDE), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env[TIME_LIMIT_ENV] = f"{options.time_limit:g}"
    env[MEMORY_LIMIT_ENV] = str(options.memory)
    command.append(f"--IPKernelApp.extra_extensions={EXTENSION}")
    return command, env


def warn(message: str) -> None:
    print(f"code-interpreter kernel limits: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    options = parse(sys.argv[1:] if argv is None else argv)
    if options.memory > 0:
        try:
            limit_memory(options.memory)
        except (OSError, ValueError) as err:
            warn(f"could not set the memory limit ({err})")
    if options.cores > 0 and hasattr(os, "sched_setaffinity"):
        try:
            allowed = os.sched_getaffinity(0)
            os.sched_setaffinity(0, cores_for(os.getpid(), allowed, options.cores))
        except OSError as err:
            warn(f"could not limit the CPU cores ({err})")
    if options.niceness > 0:
        try:
            os.nice(options.niceness)
        except OSError as err:
            warn(f"could not lower the CPU priority ({err})")
    command, env = kernel_command_and_env(options, dict(os.environ))
    try:
        os.execvpe(command[0], command, env)
    except OSError as err:
        # Without the launcher the server would report this itself; say it in its log.
        warn(f"cannot run the kernel command {command[0]!r}: {err}")
        sys.exit(127)


if __name__ == "__main__":
    main()
