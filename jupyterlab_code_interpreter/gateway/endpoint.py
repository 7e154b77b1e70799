"""One model endpoint: the dataclass, and how one is read from each of its sources (pure).

An endpoint is configured in the administrator's server config (`c.CodeInterpreter.endpoints`,
`c.CodeInterpreter.endpoint`, snake_case), in the user's settings (`endpoints`, `endpoint`,
camelCase), or by the environment (the openai SDK's variable names). Configured endpoints are
checked against the settings schema (settings_schema.py) and then for what a schema cannot say
(names, key sources, URLs). pool.py picks the source by precedence and applies key custody
(binding.py).

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

from .settings_schema import POOL, SINGLE, fields, present, shape_problems

DEFAULT_AZURE_API_VERSION = "2024-10-21"
DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_ALIAS = "default"
# How the frontend's loop runs code with an endpoint's model (docs/gateway.md, "Tool protocol").
TOOL_PROTOCOLS = ("auto", "native", "text")
DEFAULT_TOOL_PROTOCOL = "auto"

SERVER_CONFIG = "server_config"
USER_SETTINGS = "user_settings"
ENVIRONMENT = "environment"

# The single endpoint is set when one of these is (its other fields have defaults).
_SAYS_SOMETHING = ("base_url", "deployment", "model", "api_key_env", "api_key_name")
_KEY_SOURCES = ("api_key_env", "api_key_file", "api_key_name", "entra_id")
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
    tool_protocol: str = DEFAULT_TOOL_PROTOCOL

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


def endpoint_from_config(
    mapping: object, label: str, source: str, *, single: bool = False
) -> Endpoint | None:
    """Validate one configured endpoint: an entry of a pool, or the single endpoint (`single`;
    None when it sets nothing, e.g. the setting's default `{}`).

    Server config writes the fields in snake_case, the user's settings in camelCase; their
    shape is checked against the settings schema (settings_schema.py), the rest here. `label`
    names the endpoint as messages do. Raises EndpointConfigError naming the field."""
    camel = source == USER_SETTINGS
    which = SINGLE if single else POOL
    problems = shape_problems(mapping, which, camel)
    if problems:
        raise EndpointConfigError(problems[0].sentence(label), problems[0].field)
    given = present(mapping, which, camel)  # type: ignore[arg-type]  # the schema said: a mapping
    known = fields(which)
    values = {f.snake: _value(given.get(f.shown(camel)), f.type) for f in known}
    shown = {f.snake: f.shown(camel) for f in known}

    def fail(snake: str, what: str) -> EndpointConfigError:
        return EndpointConfigError(f"{label}.{shown[snake]} {what}", shown[snake])

    if single and not any(values.get(k) for k in _SAYS_SOMETHING):
        return None
    if not single and not NAME_PATTERN.fullmatch(values["name"] or ""):
        if not values["name"]:
            raise fail("name", "is empty; give each endpoint a unique name.")
        raise fail("name", "must be letters, digits, '.', '_' or '-' (up to 64).")
    # The administrator's single endpoint names its kind; everywhere else it defaults.
    kind = values["kind"] or ("" if single and not camel else "openai")
    if kind not in ("azure", "openai"):
        raise fail("kind", "must be 'azure' or 'openai'.")
    sources = [k for k in _KEY_SOURCES if values.get(k)]
    if len(sources) > 1:
        raise fail(sources[1], f"conflicts with {label}.{shown[sources[0]]}; give one key source.")
    if values["api_key_env"] and not _ENV_NAME.fullmatch(values["api_key_env"]):
        # Someone may have pasted the key itself here: say so without repeating it.
        raise fail(
            "api_key_env",
            "must be the NAME of an environment variable that holds the key (letters, digits, "
            "underscore), not the key itself.",
        )
    if values["api_key_name"] and not NAME_PATTERN.fullmatch(values["api_key_name"]):
        raise fail("api_key_name", "must be the name of a stored key (letters, digits, . _ -).")
    if values.get("entra_id") and kind != "azure":
        raise fail("entra_id", "is only for kind 'azure'.")
    aliases = tuple(values.get("models") or ())
    if not all(alias.strip() for alias in aliases):
        raise fail("models", "must be a list of non-empty alias strings.")
    if kind == "azure":
        if not values["base_url"]:
            raise fail(
                "base_url",
                "is empty; Azure needs the resource endpoint, e.g. https://<resource>.openai.azure.com.",
            )
        if not values["deployment"]:
            raise fail("deployment", "is empty; Azure needs the name of a model deployment.")
        base_url = _check_url(values["base_url"], f"{label}.{shown['base_url']}")
        base_url = base_url[: -len("/openai")] if base_url.endswith("/openai") else base_url
        model = values["deployment"]
    else:
        base_url = values["base_url"] or DEFAULT_OPENAI_BASE_URL
        base_url = _check_url(base_url, f"{label}.{shown['base_url']}")
        model = values["model"] or DEFAULT_OPENAI_MODEL
    # An administrator's endpoint that names no key reads the SDK's variable; a setting's gets
    # no default: the server's key is not the setting's to send.
    default_env = "AZURE_OPENAI_API_KEY" if kind == "azure" else "OPENAI_API_KEY"
    default_env = "" if source == USER_SETTINGS or sources else default_env
    tpm = values.get("tpm")
    return Endpoint(
        kind=kind,
        base_url=base_url,
        model=model,
        api_version=(values["api_version"] or DEFAULT_AZURE_API_VERSION) if kind == "azure" else "",
        api_key_env=values["api_key_env"] or default_env,
        source=source,
        name=values.get("name") or "",
        models=tuple(a.strip() for a in aliases) or (() if single else (DEFAULT_ALIAS, model)),
        tier=values.get("tier") or 0,
        weight=values.get("weight") or (tpm / 1000.0 if tpm else 1.0),
        rpm=values.get("rpm"),
        tpm=tpm,
        connect_timeout=values.get("connect_timeout"),
        first_byte_timeout=values.get("first_byte_timeout"),
        read_timeout=values.get("read_timeout"),
        vision=bool(values.get("vision")),
        api_key_file=values.get("api_key_file") or "",
        api_key_name=values["api_key_name"] or "",
        entra_id=bool(values.get("entra_id")),
        tool_protocol=values.get("tool_protocol") or DEFAULT_TOOL_PROTOCOL,
    )


def _value(value: object, json_type: str) -> object:
    """A value the schema accepted, as the Endpoint holds it: strings trimmed, numbers float."""
    if isinstance(value, str):
        return value.strip()
    if json_type == "number" and value is not None:
        return float(value)  # type: ignore[arg-type]
    return value


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
