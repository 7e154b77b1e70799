"""Idle kernels are culled by default: jupyter_server's own culler (MappingKernelManager's
`cull_idle_timeout`, `cull_interval`), which is off unless configured, gets this extension's
defaults when the administrator set nothing."""

from __future__ import annotations

# An hour without activity; kernels of an open notebook are kept (cull_connected stays False).
DEFAULT_CULLING = {"cull_idle_timeout": 3600, "cull_interval": 300}


def configured_names(kernel_manager, config) -> set[str]:
    """The culling settings the configuration sets for `kernel_manager`'s class or a parent."""
    sections = [c.__name__ for c in type(kernel_manager).mro() if c.__name__ in config]
    return {name for name in DEFAULT_CULLING for section in sections if name in config[section]}


def apply_culling_defaults(kernel_manager, config) -> dict[str, int]:
    """Set the defaults the configuration leaves open, before the first kernel starts (the
    culler starts with it); returns what was set."""
    applied = {}
    for name, value in DEFAULT_CULLING.items():
        if name not in configured_names(kernel_manager, config) and kernel_manager.has_trait(name):
            setattr(kernel_manager, name, value)
            applied[name] = value
    return applied
