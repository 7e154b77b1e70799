"""Kernels (and terminals) the server starts get its environment without the model keys.

jupyter_client builds a kernel's environment in several places: the session manager passes
`{**os.environ, "JPY_SESSION_NAME": path}`, a session's rename merges `os.environ` again into the
arguments a restart reuses (`update_env`), the provisioner's `pre_launch` falls back on
`os.environ` and applies the kernelspec's `env` substitutions (`{"K": "${OPENAI_API_KEY}"}`).
Filtering any one of those leaves the others, so the filter sits after all of them: the kernel
manager's `_async_launch_kernel(cmd, **kw)`, whose `env` is what the provisioner hands to the
new process. Every start and every restart (the REST API's, the notebook UI's, the automatic
one after a kernel died) goes through it, whatever kernel manager class or provisioner the
server is configured with.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping

from .custody import gateway_secret_env_names

# A variable holding the same value as a key variable is a copy of the key (a kernelspec
# substitution, `export MY_KEY=$OPENAI_API_KEY`); shorter values ("1", "true") are too
# common to say so.
MIN_COPIED_VALUE = 6

Clean = Callable[[Mapping[str, str]], dict[str, str]]
# (kernel command, the kernel's manager) -> the command to launch (kernel_limits wraps it).
WrapCommand = Callable[[list[str], object], list[str]]


def without_secrets(
    env: Mapping[str, str], strip: Iterable[str], keep: Iterable[str] = ()
) -> dict[str, str]:
    """`env` less the `strip` variables and less any other variable holding one of their
    values, except the variables the administrator chose to `keep`."""
    strip, keep = set(strip), set(keep)
    values = {env[n] for n in strip if len(env.get(n) or "") >= MIN_COPIED_VALUE}
    return {
        name: value
        for name, value in env.items()
        if name in keep or (name not in strip and value not in values)
    }


class KernelEnvironment:
    """What a kernel may inherit, worked out again at every launch: the pool can change
    (the user's settings file, the environment) while the server runs."""

    def __init__(self, gateway, more_secret_names: Callable[[], Iterable[str]] = tuple):
        self.gateway = gateway
        # Other secrets the server holds, e.g. the data sources' password variables.
        self.more_secret_names = more_secret_names

    def secret_names(self) -> list[str]:
        """The variable names kernels must not inherit."""
        kept = set(self.gateway.config.kernel_env_keep)
        more = [n for n in self.more_secret_names() if n not in kept]
        return sorted({*gateway_secret_env_names(self.gateway), *more})

    def clean(self, env: Mapping[str, str]) -> dict[str, str]:
        return without_secrets(env, self.secret_names(), self.gateway.config.kernel_env_keep)


def filter_kernel_launches(
    kernel_manager, clean: Clean, wrap_command: WrapCommand | None = None
) -> None:
    """Make every kernel `kernel_manager` (a jupyter_client `MultiKernelManager`, such as
    jupyter_server's `MappingKernelManager`) launches from now on start with `clean(env)`,
    and with the command `wrap_command` makes of its own when one is given.

    Each per-kernel manager is made by `kernel_manager_factory`; the wrapped factory filters
    the launches of the managers it makes. A factory set later (the server's
    `kernel_manager_class` changed) is wrapped again."""

    def wrap(factory):
        if getattr(factory, "_code_interpreter_filtered", False):
            return factory

        def make_filtered(*args, **kwargs):
            manager = factory(*args, **kwargs)
            filter_launches(manager, clean, wrap_command)
            return manager

        make_filtered._code_interpreter_filtered = True
        return make_filtered

    kernel_manager.kernel_manager_factory = wrap(kernel_manager.kernel_manager_factory)

    def rewrap(change) -> None:
        if not getattr(change["new"], "_code_interpreter_filtered", False):
            kernel_manager.kernel_manager_factory = wrap(change["new"])

    kernel_manager.observe(rewrap, names="kernel_manager_factory")
    for manager in list(getattr(kernel_manager, "_kernels", {}).values()):
        filter_launches(manager, clean, wrap_command)


def filter_launches(manager, clean: Clean, wrap_command: WrapCommand | None = None) -> None:
    """Filter the environment (and the command) of one kernel manager's launches (starts and
    restarts)."""
    if getattr(manager, "_code_interpreter_filtered", False):
        return
    launch = getattr(manager, "_async_launch_kernel", None)
    if launch is None:
        # jupyter_client's launch step is not where it was (7.x, 8.x): better no kernel
        # than a kernel holding the keys.
        raise RuntimeError(
            f"jupyterlab_code_interpreter cannot keep model keys out of kernels started by "
            f"{type(manager).__name__} (it has no _async_launch_kernel): install a "
            f"jupyter_client this version supports (7 or 8) or disable the extension."
        )

    async def launch_filtered(kernel_cmd, **kw):
        env = kw.get("env")
        kw["env"] = clean(os.environ if env is None else env)
        if wrap_command is not None:
            kernel_cmd = wrap_command(kernel_cmd, manager)
        return await launch(kernel_cmd, **kw)

    manager._async_launch_kernel = launch_filtered
    manager._code_interpreter_filtered = True


def filter_terminal_env(terminal_manager, clean: Clean) -> None:
    """Terminals too: a kernel's code can open one through the REST API (with the token in
    Jupyter's runtime folder) and read its environment."""
    make_env = terminal_manager.make_term_env

    def make_filtered_env(*args, **kwargs):
        return clean(make_env(*args, **kwargs))

    terminal_manager.make_term_env = make_filtered_env
