"""Keep other processes of the same user out of the server's `/proc/<pid>/environ` and memory.

Kernels start without the key variables (kernel_env.py), but kernel code runs as the same OS
user as the server, and Linux lets a process read `/proc/<pid>/environ` (and ptrace, so read the
memory of) any process of its own user. A process marked non-dumpable
(`prctl(PR_SET_DUMPABLE, 0)`) is out of their reach: its `/proc/<pid>/` files belong to root
and ptrace access needs CAP_SYS_PTRACE. Side effects, all on the server process only: no core
dump, and debuggers or profilers the user attaches (gdb, py-spy) are refused. Kernels are not
affected: `execve` makes a process dumpable again, so a kernel can read its own `/proc/self`.
Root, and any process holding CAP_SYS_PTRACE, can still read the server.
"""

from __future__ import annotations

import ctypes
import os
import sys

PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4


def _prctl(option: int, value: int = 0) -> int:
    # The process's own symbols include libc's; find_library would spawn ldconfig.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.restype = ctypes.c_int
    result = libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0)
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result


def is_dumpable() -> bool | None:
    """Whether this process is dumpable; None where prctl does not exist (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    return _prctl(PR_GET_DUMPABLE) == 1


def set_non_dumpable() -> None:
    """Mark this process non-dumpable (Linux; raises OSError elsewhere or on failure)."""
    if not sys.platform.startswith("linux"):
        raise OSError("prctl(PR_SET_DUMPABLE) exists only on Linux")
    _prctl(PR_SET_DUMPABLE, 0)


class ServerProcessGuard:
    """Marks the server non-dumpable once it holds a model key: checked when the extension
    loads and again before every kernel launch (a key stored later is then covered before
    the next kernel starts)."""

    def __init__(self, gateway, secret_names, log=None):
        self.gateway = gateway
        self.secret_names = secret_names  # () -> the key variable names (KernelEnvironment)
        self.log = log or gateway.log
        self.done = False

    def holds_key(self) -> bool:
        """A key variable is set, an endpoint reads a key file, a stored key or Entra ID,
        or the user's key store holds a key."""
        environ = self.gateway.environ
        if any(environ.get(name) for name in self.secret_names()):
            return True
        config = self.gateway.config
        configured = [e for e in [*config.endpoints, config.endpoint] if isinstance(e, dict)]
        if any(e.get("api_key_file") or e.get("api_key_name") for e in configured):
            return True
        try:
            pool = self.gateway.pool().endpoints
        except Exception:
            pool = []
        if any(e.api_key_file or e.api_key_name or e.entra_id for e in pool):
            return True
        return bool(self.gateway.keys.store.names())

    def ensure(self) -> None:
        """Protect the process if it holds a key and protection is on; logs once."""
        if self.done:
            return
        try:
            held = self.holds_key()
        except Exception:  # cannot tell: protect, which costs little
            self.log.exception("code-interpreter: could not tell whether the server holds a key")
            held = True
        if not held:
            return
        self.done = True
        if not self.gateway.config.protect_server_process:
            self.log.info(
                "code-interpreter: the server holds a model key and is NOT marked non-dumpable "
                "(c.CodeInterpreter.protect_server_process = False): kernels and other "
                "processes of this user can read its /proc/%d/environ",
                os.getpid(),
            )
            return
        try:
            set_non_dumpable()
        except (OSError, AttributeError) as err:
            self.log.warning(
                "code-interpreter: could not mark the server non-dumpable (%s): kernels and "
                "other processes of this user may read its environment; see docs/security.md",
                err,
            )
            return
        root = " (running as root: root's processes can still read it)" if _is_root() else ""
        self.log.info(
            "code-interpreter: the server holds a model key, so its process is marked "
            "non-dumpable: other processes of this user, kernels included, cannot read its "
            "/proc/%d/environ or memory%s. c.CodeInterpreter.protect_server_process = False "
            "turns this off.",
            os.getpid(),
            root,
        )


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
