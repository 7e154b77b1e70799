"""The endpoint pool: resolved from configuration and validated endpoint by endpoint (pure).

Precedence is endpoint.py's: the administrator's server config (`c.CodeInterpreter.endpoints`
and `c.CodeInterpreter.endpoint`), then the user's settings (`endpoints` and `endpoint`), then
the environment (one endpoint). The first source that says anything wins. Within it, each
endpoint is validated on its own: an invalid one is reported as `{endpoint, field, message}`
and left out, the valid ones keep working.

Keys are referenced, never stored: by environment variable (`api_key_env`), secret file
(`api_key_file`), the user's key store (`api_key_name`) or Microsoft Entra ID (`entra_id`).
Endpoints from the user's settings pass binding.py's custody check as well: the server's key
sources are not theirs to send elsewhere. An administrator may ignore user settings
altogether (`allow_user_endpoints`); the pool then says so in `notes`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .binding import ALLOW_ENDPOINTS, KeyBindings, refusal
from .endpoint import (
    _ENV_NAME,
    DEFAULT_ALIAS,
    DEFAULT_AZURE_API_VERSION,
    DEFAULT_OPENAI_BASE_URL,
    DEFAULT_OPENAI_MODEL,
    ENVIRONMENT,
    NAME_PATTERN,
    SERVER_CONFIG,
    USER_SETTINGS,
    Endpoint,
    EndpointConfigError,
    _check_url,
    endpoint_from_environment,
    endpoint_from_mapping,
)

NAME = NAME_PATTERN
KEY_NAME = NAME_PATTERN

# (snake_case in server config, camelCase in settings, expected type)
FIELDS = (
    ("name", "name", str),
    ("kind", "kind", str),
    ("base_url", "baseUrl", str),
    ("deployment", "deployment", str),
    ("api_version", "apiVersion", str),
    ("model", "model", str),
    ("models", "models", list),
    ("tier", "tier", int),
    ("weight", "weight", float),
    ("rpm", "rpm", int),
    ("tpm", "tpm", int),
    ("connect_timeout", "connectTimeout", float),
    ("first_byte_timeout", "firstByteTimeout", float),
    ("read_timeout", "readTimeout", float),
    ("vision", "vision", bool),
    ("api_key_env", "apiKeyEnv", str),
    ("api_key_file", "apiKeyFile", str),
    ("api_key_name", "apiKeyName", str),
    ("entra_id", "entraId", bool),
)


@dataclass(frozen=True)
class ConfigError:
    """One invalid endpoint: which, which field, and what is wrong (never a key)."""

    endpoint: str
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"endpoint": self.endpoint, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Pool:
    """The valid endpoints of the winning source, and what was wrong with the others."""

    endpoints: tuple[Endpoint, ...] = ()
    source: str | None = None
    errors: tuple[ConfigError, ...] = field(default_factory=tuple)
    # Sentences about configuration that was ignored on purpose (not an error to fix here).
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def configured(self) -> bool:
        return bool(self.endpoints)

    @property
    def problem(self) -> str | None:
        """One sentence for the panel and error bodies, naming each invalid endpoint."""
        return " ".join(e.message for e in self.errors) or None

    def aliases(self) -> list[str]:
        names: list[str] = []
        for endpoint in self.endpoints:
            names.extend(a for a in endpoint.aliases if a not in names)
        return names

    def serving(self, alias: str) -> list[Endpoint]:
        """The endpoints that serve `alias`: the only ones a request for it may reach."""
        return [e for e in self.endpoints if alias in e.aliases]


def resolve_pool(
    server_endpoints: Sequence | None,
    server_endpoint: Mapping | None,
    user_endpoints: Sequence | None,
    user_endpoint: Mapping | None,
    environ: Mapping[str, str],
    user_problem: str | None = None,
    *,
    allow_user_endpoints: bool = True,
    allow_user_key_sources: bool = False,
) -> Pool:
    """Pick the source by precedence, then validate its endpoints one by one; endpoints from
    the user's settings also pass the custody check (binding.py)."""
    if server_endpoints or _says_something(server_endpoint):
        return _from_source(server_endpoints, server_endpoint, SERVER_CONFIG)
    notes: tuple[str, ...] = ()
    user_says = bool(user_problem or user_endpoints or _says_something(user_endpoint))
    if user_says and not allow_user_endpoints:
        notes = (
            "Your endpoint settings (endpoint, endpoints) are ignored: an administrator turned "
            f"user endpoints off ({ALLOW_ENDPOINTS} = False).",
        )
    elif user_problem:
        return Pool(source=USER_SETTINGS, errors=(ConfigError("settings", "", user_problem),))
    elif user_says:
        bindings = _server_bindings(server_endpoints, server_endpoint, environ)

        def vet(endpoint: Endpoint, label: str) -> EndpointConfigError | None:
            return refusal(endpoint, label, bindings, allow_user_key_sources)

        return _from_source(user_endpoints, user_endpoint, USER_SETTINGS, vet)
    try:
        endpoint = endpoint_from_environment(environ)
    except EndpointConfigError as err:
        error = ConfigError("environment", err.field, str(err))
        return Pool(source=ENVIRONMENT, errors=(error,), notes=notes)
    if endpoint is None:
        return Pool(notes=notes)
    return Pool(endpoints=(endpoint,), source=ENVIRONMENT, notes=notes)


def _server_bindings(
    server_endpoints: Sequence | None, server_endpoint: Mapping | None, environ: Mapping[str, str]
) -> KeyBindings:
    """The bindings the administrator's endpoints and the environment make. The former are
    empty whenever a setting is read (they win when they say anything); they are included so
    that no change of precedence could unbind them."""
    endpoints = list(_from_source(server_endpoints, server_endpoint, SERVER_CONFIG).endpoints)
    try:
        endpoint = endpoint_from_environment(environ)
    except EndpointConfigError:
        endpoint = None
    if endpoint is not None:
        endpoints.append(endpoint)
    return KeyBindings.of(endpoints, environ)


def _says_something(mapping: Mapping | None) -> bool:
    return bool(mapping) and any(v not in ("", None) for v in mapping.values())


Vet = Callable[[Endpoint, str], EndpointConfigError | None]


def _from_source(
    entries: Sequence | None, single: Mapping | None, source: str, vet: Vet | None = None
) -> Pool:
    """Validate a source's endpoints; `vet` may refuse a valid one (its error is reported
    like any other)."""
    camel = source == USER_SETTINGS
    endpoints: list[Endpoint] = []
    errors: list[ConfigError] = []
    if _says_something(single):
        where = "c.CodeInterpreter.endpoint" if source == SERVER_CONFIG else "the setting endpoint"
        try:
            endpoint = endpoint_from_mapping(single or {}, source, camel)
            refused = vet(endpoint, where) if vet and endpoint is not None else None
            if refused is not None:
                raise refused
        except EndpointConfigError as err:
            errors.append(ConfigError("endpoint", err.field.rsplit(".", 1)[-1], str(err)))
        else:
            if endpoint is not None:
                endpoints.append(endpoint)
    where = "c.CodeInterpreter.endpoints" if source == SERVER_CONFIG else "the setting endpoints"
    if entries is not None and not isinstance(entries, (list, tuple)):
        message = f"{where} must be a list of endpoint objects."
        errors.append(ConfigError("endpoints", "", message))
        entries = ()
    for index, entry in enumerate(entries or ()):
        label = f"{where}[{index}]"
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str) and entry["name"]:
            label += f" ({entry['name']!r})"
        try:
            endpoint = parse_entry(entry, index, label, source, camel)
            refused = vet(endpoint, label) if vet else None
            if refused is not None:
                raise refused
            endpoints.append(endpoint)
        except EndpointConfigError as err:
            name = entry.get("name") if isinstance(entry, Mapping) else None
            field_name = err.field.rsplit(".", 1)[-1]
            errors.append(ConfigError(str(name or f"#{index}"), field_name, str(err)))
    seen: set[str] = set()
    unique = []
    for endpoint in endpoints:
        if endpoint.label in seen:
            message = f"Two endpoints are named {endpoint.label!r}; names must be unique."
            errors.append(ConfigError(endpoint.label, "name", message))
            continue
        seen.add(endpoint.label)
        unique.append(endpoint)
    return Pool(endpoints=tuple(unique), source=source, errors=tuple(errors))


def parse_entry(entry: object, index: int, label: str, source: str, camel: bool) -> Endpoint:
    """Validate one endpoint of a pool; raises EndpointConfigError naming the field."""
    if not isinstance(entry, Mapping):
        raise EndpointConfigError(f"{label} must be an object.", "")
    names = {(camel_name if camel else snake): (snake, kind) for snake, camel_name, kind in FIELDS}
    unknown = sorted(str(k) for k in entry if k not in names)
    if unknown:
        raise EndpointConfigError(
            f"{label} has unknown field(s) {', '.join(unknown)}; known: {', '.join(names)}.",
            unknown[0],
        )
    values: dict[str, object] = {}
    for name, (snake, kind) in names.items():
        values[snake] = _typed(entry.get(name), kind, f"{label}.{name}", name)
    shown = {snake: camel_name if camel else snake for snake, camel_name, _ in FIELDS}

    def fail(snake: str, what: str) -> EndpointConfigError:
        return EndpointConfigError(f"{label}.{shown[snake]} {what}", shown[snake])

    name = values["name"] or ""
    if not name:
        raise fail("name", "is empty; give each endpoint a unique name.")
    if not NAME.fullmatch(name):
        raise fail("name", "must be letters, digits, '.', '_' or '-' (up to 64).")
    kind = values["kind"] or "openai"
    if kind not in ("azure", "openai"):
        raise fail("kind", "must be 'azure' or 'openai'.")
    sources = [k for k in ("api_key_env", "api_key_file", "api_key_name") if values[k]]
    sources += ["entra_id"] if values["entra_id"] else []
    if len(sources) > 1:
        raise fail(sources[1], f"conflicts with {shown[sources[0]]}; give one key source.")
    if values["api_key_env"] and not _ENV_NAME.fullmatch(values["api_key_env"]):
        raise fail(
            "api_key_env",
            "must be the NAME of an environment variable that holds the key (letters, digits, "
            "underscore), not the key itself.",
        )
    if values["api_key_name"] and not KEY_NAME.fullmatch(values["api_key_name"]):
        raise fail("api_key_name", "must be the name of a stored key (letters, digits, . _ -).")
    if values["entra_id"] and kind != "azure":
        raise fail("entra_id", "is only for kind 'azure'.")
    for snake in ("rpm", "tpm", "weight", "connect_timeout", "first_byte_timeout", "read_timeout"):
        if values[snake] is not None and values[snake] <= 0:
            raise fail(snake, "must be greater than 0.")
    models = tuple(values["models"] or ())
    for alias in models:
        if not isinstance(alias, str) or not alias.strip():
            raise fail("models", "must be a list of non-empty alias strings.")
    if kind == "azure":
        if not values["base_url"]:
            raise fail("base_url", "is empty; Azure needs https://<resource>.openai.azure.com.")
        if not values["deployment"]:
            raise fail("deployment", "is empty; Azure needs the name of a model deployment.")
        base_url = _check_url(values["base_url"], f"{label}.{shown['base_url']}")
        base_url = base_url[: -len("/openai")] if base_url.endswith("/openai") else base_url
        model = values["deployment"]
    else:
        base_url = values["base_url"] or DEFAULT_OPENAI_BASE_URL
        base_url = _check_url(base_url, f"{label}.{shown['base_url']}")
        model = values["model"] or DEFAULT_OPENAI_MODEL
    # An administrator's endpoint defaults to the SDK's variable; a setting's has no default
    # (the server's key is not the setting's to send).
    default_env = "AZURE_OPENAI_API_KEY" if kind == "azure" else "OPENAI_API_KEY"
    default_env = "" if source == USER_SETTINGS else default_env
    return Endpoint(
        kind=kind,
        base_url=base_url,
        model=model,
        api_version=(values["api_version"] or DEFAULT_AZURE_API_VERSION) if kind == "azure" else "",
        api_key_env=values["api_key_env"] or ("" if sources else default_env),
        source=source,
        name=name,
        models=tuple(a.strip() for a in models) or (DEFAULT_ALIAS, model),
        tier=values["tier"] or 0,
        weight=values["weight"] or (values["tpm"] / 1000.0 if values["tpm"] else 1.0),
        rpm=values["rpm"],
        tpm=values["tpm"],
        connect_timeout=values["connect_timeout"],
        first_byte_timeout=values["first_byte_timeout"],
        read_timeout=values["read_timeout"],
        vision=bool(values["vision"]),
        api_key_file=values["api_key_file"] or "",
        api_key_name=values["api_key_name"] or "",
        entra_id=bool(values["entra_id"]),
    )


def _typed(value: object, kind: type, where: str, name: str) -> object:
    if value is None or (kind is str and value == ""):
        return None if kind is not str else ""
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise EndpointConfigError(f"{where} must be a {_TYPE_NAMES[kind]}.", name)
    return value.strip() if isinstance(value, str) else value


_TYPE_NAMES = {str: "string", int: "whole number", float: "number", bool: "boolean", list: "list"}
