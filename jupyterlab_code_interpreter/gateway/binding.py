"""Key custody: which endpoints may read which key sources (pure, but for resolving file paths).

A key source of the server (an environment variable, a file, Microsoft Entra ID: the server's
own identity) is the administrator's. It is bound to the base URLs of the endpoints the
administrator configured with it (server config, or the environment: `AZURE_OPENAI_API_KEY` to
`AZURE_OPENAI_ENDPOINT`, `OPENAI_API_KEY` to `OPENAI_BASE_URL` or api.openai.com), so that
whatever can write the user's settings (a page with the user's cookie, kernel code, a prompt
injection that gets either to run) cannot send it to a URL of its choosing.

An endpoint from the user's settings may therefore use a key the user stored (`apiKeyName`) or
none. Server key sources in a setting are refused unless the administrator sets
`c.CodeInterpreter.allow_user_key_sources`, and even then a bound source goes only to the base
URLs it is bound to.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .endpoint import (
    DEFAULT_OPENAI_BASE_URL,
    USER_SETTINGS,
    Endpoint,
    EndpointConfigError,
)
from .settings_schema import setting_name

ALLOW_KEY_SOURCES = "c.CodeInterpreter.allow_user_key_sources = True"
ALLOW_ENDPOINTS = "c.CodeInterpreter.allow_user_endpoints"

# The environment endpoint's variables: the key one and the one naming the URL it goes to.
_ENVIRONMENT_KEYS = (
    ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", None),
    ("OPENAI_API_KEY", "OPENAI_BASE_URL", DEFAULT_OPENAI_BASE_URL),
)
# Jupyter's own credentials: never a model key, whatever a setting says.
_JUPYTER_SECRETS = ("JUPYTER_TOKEN", "JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN")
# Pseudo-files that expose a process (its environment, memory) rather than hold a key.
_PSEUDO_FILES = ("/proc/", "/sys/", "/dev/")


@dataclass(frozen=True)
class KeyBindings:
    """Each server key source (`("env", NAME)`, `("file", real path)` or `("entra", "")`)
    with the base URLs (normalised) it may be sent to."""

    urls: Mapping[tuple[str, str], frozenset[str]]

    @classmethod
    def of(cls, endpoints: Iterable[Endpoint], environ: Mapping[str, str]) -> KeyBindings:
        """The bindings the administrator's endpoints and the environment make. The SDK's
        variables are bound even when no endpoint uses them (to nothing, for an Azure key
        without `AZURE_OPENAI_ENDPOINT`): they are the server's secrets all the same."""
        urls: dict[tuple[str, str], set[str]] = {}
        for key_variable, url_variable, default in _ENVIRONMENT_KEYS:
            url = (environ.get(url_variable) or "").strip() or default
            bound = urls.setdefault(("env", key_variable), set())
            if url:
                bound.add(normalise_url(url))
        for name in _JUPYTER_SECRETS:
            urls[("env", name)] = set()
        for endpoint in endpoints:
            source = server_key_source(endpoint)
            if source is not None and endpoint.source != USER_SETTINGS:
                urls.setdefault(source, set()).add(normalise_url(endpoint.base_url))
        return cls({source: frozenset(bound) for source, bound in urls.items()})


def server_key_source(endpoint: Endpoint) -> tuple[str, str] | None:
    """The server key source an endpoint reads, or None (a stored key, or no key)."""
    if endpoint.entra_id:
        return ("entra", "")
    if endpoint.api_key_file:
        # The same file by another path (a symlink, `..`) is the same secret.
        return ("file", os.path.realpath(endpoint.api_key_file))
    if endpoint.api_key_env:
        return ("env", endpoint.api_key_env)
    return None


def refusal(
    endpoint: Endpoint, label: str, bindings: KeyBindings, allow_key_sources: bool
) -> EndpointConfigError | None:
    """Why an endpoint from the user's settings may not read its key source, or None.

    `label` names the endpoint as messages do (e.g. "the setting endpoints[0] ('x')"). The
    message names the field and the variable or file, never a key."""
    if endpoint.source != USER_SETTINGS:
        return None
    source = server_key_source(endpoint)
    if source is None:
        return None
    field = setting_name(_SOURCE_FIELDS[source[0]])
    what = {
        "env": f"the server's environment variable {endpoint.api_key_env}",
        "file": f"the server's file {endpoint.api_key_file}",
        "entra": "Microsoft Entra ID (the server's identity)",
    }[source[0]]
    if not allow_key_sources:
        return EndpointConfigError(
            f"{label}.{field} is refused: {what} is a server secret, and a setting cannot send "
            "the server's secrets to an endpoint it names. Store your own key (PUT "
            "code-interpreter/keys/<name>) and name it in apiKeyName, or ask an administrator "
            f"to allow this with {ALLOW_KEY_SOURCES}.",
            field,
        )
    if source[0] == "file" and (source[1] + "/").startswith(_PSEUDO_FILES):
        return EndpointConfigError(
            f"{label}.{field} is refused: {source[1]} is not a key file (it exposes a process "
            "of this machine). Store your key (PUT code-interpreter/keys/<name>) and name it in "
            "apiKeyName.",
            field,
        )
    bound = bindings.urls.get(source)
    if bound is not None and normalise_url(endpoint.base_url) not in bound:
        return EndpointConfigError(
            f"{label}.{field} is refused: {what} is bound by the server's configuration and is "
            f"sent {_where(bound)}. Store your own key for this endpoint (PUT "
            "code-interpreter/keys/<name>) and name it in apiKeyName.",
            field,
        )
    return None


def normalise_url(url: str) -> str:
    """A base URL as compared for binding: scheme and host lower-cased, default port dropped,
    no trailing slash (the path is kept: it is part of where the key goes)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    if path.endswith("/openai"):
        path = path[: -len("/openai")]  # Azure's resource URL, written either way
    return f"{scheme}://{host}{path}"


def _where(urls: frozenset[str]) -> str:
    return f"only to {', '.join(sorted(urls))}" if urls else "to no endpoint a setting names"


# The field that names each kind of source (its spelling in the settings: settings_schema.py).
_SOURCE_FIELDS = {"env": "api_key_env", "file": "api_key_file", "entra": "entra_id"}
