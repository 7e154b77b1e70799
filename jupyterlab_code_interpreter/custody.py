"""What the server keeps from kernels: the environment variables that hold model keys (pure).

Shared by the kernel environment filter (kernels start without these variables) and the code
policy's `secrets` category (code that reads them asks before it runs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# The variables the openai SDK and the gateway read keys from when nothing else is configured.
DEFAULT_KEY_ENV_NAMES = ("AZURE_OPENAI_API_KEY", "OPENAI_API_KEY")


def secret_env_names(
    endpoints: Iterable[object] = (),
    extra: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> list[str]:
    """The variable names a kernel must not inherit: every endpoint's `api_key_env`, the SDK's
    defaults and the administrator's `extra` list, less what the administrator chose to `keep`.

    An endpoint is an `Endpoint` or, as configured, a dict (snake_case or the setting's
    camelCase); anything else, or a name that is not a string, names nothing."""
    names = set(DEFAULT_KEY_ENV_NAMES)
    names.update(_key_env(e) for e in endpoints)
    names.update(n for n in extra if isinstance(n, str))
    names.difference_update(keep)
    names.discard("")
    return sorted(names)


def gateway_secret_env_names(gateway, subtract_kept: bool = True) -> list[str]:
    """`secret_env_names` for a running gateway: over the server configuration's endpoints (as
    configured, so an invalid one still counts) and the current pool, with the administrator's
    `kernel_env_strip`, and less `kernel_env_keep` when `subtract_kept` (kernels keep those on
    purpose; the code policy still treats reading them as reading a key)."""
    config = gateway.config
    endpoints: list[object] = [*config.endpoints, config.endpoint]
    try:
        endpoints += gateway.pool().endpoints
    except Exception:  # a broken pool is reported by the gateway; the defaults still apply
        gateway.log.exception("code-interpreter: could not read the endpoint pool")
    keep = config.kernel_env_keep if subtract_kept else ()
    return secret_env_names(endpoints, config.kernel_env_strip, keep)


def _key_env(endpoint: object) -> str:
    if isinstance(endpoint, Mapping):
        name = endpoint.get("api_key_env") or endpoint.get("apiKeyEnv")
    else:
        name = getattr(endpoint, "api_key_env", "")
    return name if isinstance(name, str) else ""
