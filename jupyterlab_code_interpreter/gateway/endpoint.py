"""One model endpoint: the dataclass, and the validators of its three sources (pure: no I/O).

The sources are the administrator's server config (`c.CodeInterpreter.endpoint`), the user's
JupyterLab setting `endpoint`, and the environment (the openai SDK's variable names). pool.py
picks among them by precedence and applies key custody (binding.py).

Keys are never part of an endpoint; it names where the key is read from. An endpoint from the
server config or the environment defaults to AZURE_OPENAI_API_KEY / OPENAI_API_KEY; one from
the user's settings has no default: a setting names a stored key or goes without one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_AZURE_API_VERSION = "2024-10-21"
DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_ALIAS = "default"

SERVER_CONFIG = "server_config"
USER_SETTINGS = "user_settings"
ENVIRONMENT = "environment"

# (snake_case in server config, camelCase in the JupyterLab setting)
_FIELDS = (
    ("kind", "kind"),
    ("base_url", "baseUrl"),
    ("deployment", "deployment"),
    ("api_version", "apiVersion"),
    ("model", "model"),
    ("api_key_env", "apiKeyEnv"),
    ("api_key_name", "apiKeyName"),
)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
# Endpoint names and the key store's key names (file names: no path, no leading dot).
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class EndpointConfigError(ValueError):
    """A configuration that names its source and the field that is wrong (never its value
    when the value might be a key). `field` is the field's name as configured, if known."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Endpoint:
    """One upstream: an Azure OpenAI deployment or an OpenAI-compatible server."""

    kind: str  # "azure" | "openai"
    base_url: str
    model: str  # OpenAI: the upstream model name; Azure: the deployment name
    api_version: str = ""
    api_key_env: str = ""
    source: str = ENVIRONMENT
    # Pool fields (pool.py); the defaults describe a lone endpoint.
    name: str = ""
    models: tuple[str, ...] = ()  # the aliases it serves; empty: "default" and its model
    tier: int = 0
    weight: float = 1.0
    rpm: int | None = None
    tpm: int | None = None
    connect_timeout: float | None = None
    first_byte_timeout: float | None = None
    read_timeout: float | None = None
    vision: bool = False
    api_key_file: str = ""
    api_key_name: str = ""
    entra_id: bool = False

    @property
    def label(self) -> str:
        """The name status and messages use."""
        return self.name or f"{self.host}/{self.model}"

    @functools.cached_property
    def host(self) -> str:
        # Read on every request; parsed once (the instance is frozen).
        return urlsplit(self.base_url).hostname or self.base_url

    @property
    def where(self) -> str:
        """How messages name this endpoint: its pool name when it has one, host, and
        deployment for Azure."""
        detail = f"deployment {self.model}" if self.kind == "azure" else f"model {self.model}"
        if self.name:
            return f"'{self.name}' ({self.host}, {detail})"
        return f"{self.host} ({detail})"

    @property
    def aliases(self) -> tuple[str, ...]:
        if self.models:
            return self.models
        return (DEFAULT_ALIAS, self.model) if self.model != DEFAULT_ALIAS else (DEFAULT_ALIAS,)


def endpoint_from_mapping(mapping: Mapping, source: str, camel: bool) -> Endpoint | None:
    """Validate a server-config (snake_case) or user-setting (camelCase) endpoint mapping.

    Returns None when the mapping sets nothing (e.g. the setting's default `{}`)."""
    where = "c.CodeInterpreter.endpoint" if source == SERVER_CONFIG else "the setting endpoint"
    if not isinstance(mapping, Mapping):
        raise EndpointConfigError(f"{where} must be an object, got {type(mapping).__name__}.")
    names = {(camel_name if camel else snake): snake for snake, camel_name in _FIELDS}
    unknown = sorted(str(k) for k in mapping if k not in names)
    if unknown:
        raise EndpointConfigError(
            f"{where} has unknown field(s) {', '.join(unknown)}; known fields: {', '.join(names)}."
        )
    values: dict[str, str] = {}
    for name, snake in names.items():
        value = mapping.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise EndpointConfigError(f"{where}.{name} must be a string.")
        values[snake] = value.strip()
    if not any(
        values[k] for k in ("base_url", "deployment", "model", "api_key_env", "api_key_name")
    ):
        return None

    def field_name(snake: str) -> str:
        return f"{where}.{dict(_FIELDS)[snake] if camel else snake}"

    kind = values["kind"] or ("openai" if camel else "")
    if kind not in ("azure", "openai"):
        raise EndpointConfigError(
            f"{field_name('kind')} must be 'azure' or 'openai'.", field_name("kind")
        )
    api_key_env = values["api_key_env"]
    if api_key_env and not _ENV_NAME.fullmatch(api_key_env):
        # Someone may have pasted the key itself here: say so without repeating it.
        raise EndpointConfigError(
            f"{field_name('api_key_env')} must be the NAME of an environment variable that holds "
            "the key (letters, digits, underscore), not the key itself.",
            field_name("api_key_env"),
        )
    api_key_name = values["api_key_name"]
    if api_key_env and api_key_name:
        raise EndpointConfigError(
            f"{field_name('api_key_name')} conflicts with {field_name('api_key_env')}; give one "
            "key source.",
            field_name("api_key_name"),
        )
    if api_key_name and not NAME_PATTERN.fullmatch(api_key_name):
        raise EndpointConfigError(
            f"{field_name('api_key_name')} must be the name of a stored key (letters, digits, "
            ". _ -).",
            field_name("api_key_name"),
        )
    # A setting gets no default key: the server's variables are for its own endpoints.
    default_key = source != USER_SETTINGS and not api_key_name
    if kind == "azure":
        if not values["base_url"]:
            raise EndpointConfigError(
                f"{field_name('base_url')} is empty; Azure needs the resource endpoint, "
                "e.g. https://<resource>.openai.azure.com.",
                field_name("base_url"),
            )
        if not values["deployment"]:
            raise EndpointConfigError(
                f"{field_name('deployment')} is empty; Azure needs the name of a model deployment.",
                field_name("deployment"),
            )
        base_url = _check_url(values["base_url"], field_name("base_url"))
        base_url = base_url[: -len("/openai")] if base_url.endswith("/openai") else base_url
        return Endpoint(
            kind="azure",
            base_url=base_url,
            model=values["deployment"],
            api_version=values["api_version"] or DEFAULT_AZURE_API_VERSION,
            api_key_env=api_key_env or ("AZURE_OPENAI_API_KEY" if default_key else ""),
            source=source,
            api_key_name=api_key_name,
        )
    return Endpoint(
        kind="openai",
        base_url=_check_url(values["base_url"] or DEFAULT_OPENAI_BASE_URL, field_name("base_url")),
        model=values["model"] or DEFAULT_OPENAI_MODEL,
        api_key_env=api_key_env or ("OPENAI_API_KEY" if default_key else ""),
        source=source,
        api_key_name=api_key_name,
    )


def endpoint_from_environment(environ: Mapping[str, str]) -> Endpoint | None:
    """The endpoint the openai SDK's environment variables describe, or None."""
    if environ.get("AZURE_OPENAI_ENDPOINT"):
        deployment = environ.get("AZURE_OPENAI_DEPLOYMENT", "").strip()
        if not deployment:
            raise EndpointConfigError(
                "AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_DEPLOYMENT is not; set it to the "
                "name of a model deployment."
            )
        base_url = _check_url(environ["AZURE_OPENAI_ENDPOINT"].strip(), "AZURE_OPENAI_ENDPOINT")
        base_url = base_url[: -len("/openai")] if base_url.endswith("/openai") else base_url
        return Endpoint(
            kind="azure",
            base_url=base_url,
            model=deployment,
            api_version=environ.get("OPENAI_API_VERSION", "").strip() or DEFAULT_AZURE_API_VERSION,
            api_key_env="AZURE_OPENAI_API_KEY",
            source=ENVIRONMENT,
        )
    if environ.get("OPENAI_BASE_URL") or environ.get("OPENAI_API_KEY"):
        base_url = environ.get("OPENAI_BASE_URL", "").strip() or DEFAULT_OPENAI_BASE_URL
        return Endpoint(
            kind="openai",
            base_url=_check_url(base_url, "OPENAI_BASE_URL"),
            model=environ.get("OPENAI_MODEL", "").strip() or DEFAULT_OPENAI_MODEL,
            api_key_env="OPENAI_API_KEY",
            source=ENVIRONMENT,
        )
    return None


def _check_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointConfigError(f"{name} must be an http(s) URL with a host name.", name)
    if parts.username or parts.password:
        raise EndpointConfigError(
            f"{name} must not contain credentials; put the key in an environment variable.",
            name,
        )
    if parts.query or parts.fragment:
        raise EndpointConfigError(f"{name} must not have a query string or fragment.", name)
    return url.rstrip("/")
