"""The endpoint pool: resolved from configuration and validated endpoint by endpoint (pure).

Precedence: the administrator's server config (`c.CodeInterpreter.endpoints` and
`c.CodeInterpreter.endpoint`), then the user's settings (`endpoints` and `endpoint`), then the
environment (one endpoint). The first source that says anything wins. Within it, each
endpoint is validated on its own (endpoint.py): an invalid one is reported as
`{endpoint, field, message}` and left out, the valid ones keep working.

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
    ENVIRONMENT,
    NAME_PATTERN,
    SERVER_CONFIG,
    USER_SETTINGS,
    Endpoint,
    EndpointConfigError,
    endpoint_from_config,
    endpoint_from_environment,
)

KEY_NAME = NAME_PATTERN


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
    endpoints: list[Endpoint] = []
    errors: list[ConfigError] = []
    if _says_something(single):
        where = "c.CodeInterpreter.endpoint" if source == SERVER_CONFIG else "the setting endpoint"
        try:
            endpoint = endpoint_from_config(single, where, source, single=True)
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
            endpoint = endpoint_from_config(entry, label, source)
            refused = vet(endpoint, label) if vet and endpoint is not None else None
            if refused is not None:
                raise refused
            if endpoint is not None:
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
