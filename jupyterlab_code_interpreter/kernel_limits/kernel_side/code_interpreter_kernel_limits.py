"""The per-execution time limit, and the memory limit's message, inside an IPython kernel.

The launcher (jupyterlab_code_interpreter/kernel_limits/launch.py) loads this module as an IPython
extension from a folder of its own on PYTHONPATH, so it runs in whatever Python the kernelspec
names: it imports only the standard library. The limits come from the launcher's environment
variables below.

The time limit is a real-time timer (SIGALRM) armed when a cell starts and disarmed when it ends;
it raises `ExecutionTimeLimitExceeded` in the cell's code, a BaseException so that a cell's own
`except Exception:` does not swallow it. Like Ctrl-C, it stops Python code between bytecodes and
interrupts sleeps and blocking calls. A cell that catches it anyway (a bare `except:` in a retry
loop) gets it again every second, and if its code is still running `grace` seconds after the
limit the kernel ends itself, saying why, and the server's restarter starts it again. A backstop
thread does the same a little later for a cell stuck in C code that released the interpreter
lock (BLAS, hashing, compression), where no signal handler can run; C code that holds the lock
blocks every thread, so only an interrupt or a restart from outside ends it. Cells running in a
thread other than the main one (ipykernel subshells) are not timed, and code that sets its own
SIGALRM handler replaces ours for that cell.
"""

import os
import signal
import sys
import threading
import time

TIME_LIMIT_ENV = "CODE_INTERPRETER_EXECUTION_TIME_LIMIT"
MEMORY_LIMIT_ENV = "CODE_INTERPRETER_MEMORY_LIMIT"

TIME_LIMIT_MESSAGE = (
    "This cell ran longer than the kernel's execution time limit of {limit} and was stopped. "
    "To allow longer runs, raise c.CodeInterpreterKernelLimits.execution_time_limit in the "
    "Jupyter server's configuration (0 turns the limit off) and restart the server."
)
ENDED_MESSAGE = (
    "\nThis cell was still running {grace} after the execution time limit of "
    "{limit} ({why}), so the kernel ends now and restarts; its variables are lost. Raise "
    "c.CodeInterpreterKernelLimits.execution_time_limit in the Jupyter server's "
    "configuration to allow longer runs.\n"
)
CAUGHT = "it caught ExecutionTimeLimitExceeded"
STUCK = "in code that cannot be interrupted"
MEMORY_MESSAGE = (
    "The kernel ran out of memory: it may use at most {limit} "
    "(c.CodeInterpreterKernelLimits.memory_limit). Free memory (del large variables), work "
    "on smaller pieces of the data, or raise the limit in the Jupyter server's configuration "
    "and restart the server."
)


class ExecutionTimeLimitExceeded(BaseException):  # noqa: N818 (named as the user reads it)
    """Raised in a cell that runs past the kernel's execution time limit."""


def format_seconds(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def format_bytes(count: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} bytes"


class CellTimer:
    """Arms SIGALRM for each cell the shell runs (its pre_run_cell / post_run_cell events)."""

    # After the limit, the stop is raised again this often while the cell's code still runs.
    REPEAT = 1.0

    def __init__(self, seconds: float, cells=None, end_kernel=None):
        self.seconds = seconds
        # How long a cell may go on after the stop before the kernel ends.
        self.grace = min(10.0, seconds)
        # Code file names of the shell's cells (IPython's compiler map); None: cannot tell.
        self.cells = cells
        self.end_kernel = end_kernel or _end_kernel
        self.running = False
        self.stopped_at = None
        self.backstop = None

    def start(self, info=None) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        signal.signal(signal.SIGALRM, self.expired)
        self.running = True
        self.stopped_at = None
        signal.setitimer(signal.ITIMER_REAL, self.seconds, self.REPEAT)
        # Later than the signal path's own end, which it leaves to the signal when it can.
        self.backstop = threading.Timer(self.seconds + self.grace + 2 * self.REPEAT, self.stuck)
        self.backstop.daemon = True
        self.backstop.start()

    def stop(self, result=None) -> None:
        if not self.running:
            return
        self.running = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        if self.backstop is not None:
            self.backstop.cancel()

    def stuck(self) -> None:
        if self.running:
            self.running = False
            self.end_kernel(self.ended(STUCK))

    def ended(self, why: str) -> str:
        grace, limit = format_seconds(self.grace), format_seconds(self.seconds)
        return ENDED_MESSAGE.format(grace=grace, limit=limit, why=why)

    def expired(self, signum, frame) -> None:
        # Only the cell's own code is stopped: not IPython reporting a cell that just ended.
        if not self.running or not self.in_cell_code(frame):
            return
        limit = format_seconds(self.seconds)
        now = time.monotonic()
        if self.stopped_at is None:
            self.stopped_at = now
        elif now - self.stopped_at >= self.grace:
            self.stop()
            self.end_kernel(self.ended(CAUGHT))
            return
        raise ExecutionTimeLimitExceeded(TIME_LIMIT_MESSAGE.format(limit=limit))

    def in_cell_code(self, frame) -> bool:
        if self.cells is None:
            return True
        while frame is not None:
            if frame.f_code.co_filename in self.cells:
                return True
            frame = frame.f_back
        return False


def _end_kernel(message: str) -> None:
    sys.stderr.write(message)
    sys.stderr.flush()
    time.sleep(1)  # the kernel's output thread sends the message meanwhile
    os._exit(1)


def explain_memory_error(limit: int):
    """An IPython custom exception handler: a MemoryError's traceback says what the limit is."""

    def handler(shell, etype, value, tb, tb_offset=None):
        if not value.args:
            value.args = (MEMORY_MESSAGE.format(limit=format_bytes(limit)),)
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    return handler


def _positive(name: str, convert):
    try:
        value = convert(os.environ.get(name, "0"))
    except ValueError:
        return 0
    return value if value > 0 else 0


def load_ipython_extension(shell) -> None:
    seconds = _positive(TIME_LIMIT_ENV, float)
    if seconds:
        timer = CellTimer(seconds, getattr(shell.compile, "_filename_map", None))
        shell.events.register("pre_run_cell", timer.start)
        shell.events.register("post_run_cell", timer.stop)
    memory = _positive(MEMORY_LIMIT_ENV, int)
    # A handler someone else installed is left alone: IPython keeps only one.
    if memory and not shell.custom_exceptions:
        shell.set_custom_exc((MemoryError,), explain_memory_error(memory))
