"""What the server keeps from kernels: the environment variables that hold model keys (pure).

Shared by the kernel environment filter (kernels start without these variables) and the code
policy's `secrets` category (code that reads them asks before it runs).
"""

from __future__ import annotations

from collections.abc import Iterable

# The variables the openai SDK and the gateway read keys from when nothing else is configured.
DEFAULT_KEY_ENV_NAMES = ("AZURE_OPENAI_API_KEY", "OPENAI_API_KEY")


def secret_env_names(
    endpoints: Iterable[object] = (),
    extra: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> list[str]:
    """The variable names a kernel must not inherit: every endpoint's `api_key_env`, the SDK's
    defaults and the administrator's `extra` list, less what the administrator chose to `keep`."""
    names = set(DEFAULT_KEY_ENV_NAMES)
    names.update(getattr(e, "api_key_env", "") for e in endpoints)
    names.update(extra)
    names.difference_update(keep)
    names.discard("")
    return sorted(names)
