"""Where an endpoint's key comes from, and the user's write-only key store.

Sources, one per endpoint: an environment variable of the server (`api_key_env`), a secret
file (`api_key_file`, e.g. a mounted Kubernetes Secret), a key the user pasted into the key
store (`api_key_name`), or a Microsoft Entra ID token (`entra_id`; `azure-identity` is an
optional dependency, imported only when such an endpoint is used), or none at all: an endpoint
from the user's settings that names no stored key is called without one (binding.py decides
which sources an endpoint may name). No key is ever logged, returned by a route, or put in an
error message: messages name the source, never the value.
"""

from __future__ import annotations

import asyncio
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .endpoint import Endpoint
from .pool import KEY_NAME

ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"


@dataclass(frozen=True)
class Credential:
    """A key ready to send: `value` goes in `api-key` (Azure key), or as a Bearer token."""

    value: str | None
    bearer: bool
    source: str  # "environment variable X", "file …", "stored key X", "Microsoft Entra ID"


class KeyMissing(Exception):
    """The endpoint's key source is empty or unreadable; the message says which source."""


class KeyStore:
    """Keys the user pasted, one file each (mode 0600) in a directory only they can read
    (0700): `<jupyter data dir>/code_interpreter/keys/<name>`."""

    def __init__(self, directory: str | os.PathLike | None = None):
        if directory is None:
            from jupyter_core.paths import jupyter_data_dir

            directory = Path(jupyter_data_dir()) / "code_interpreter" / "keys"
        self.directory = Path(directory)

    def _path(self, name: str) -> Path:
        if not KEY_NAME.fullmatch(name):
            raise ValueError("A key name is letters, digits, '.', '_' or '-' (up to 64).")
        return self.directory / name

    def put(self, name: str, key: str) -> None:
        path = self._path(name)
        key = key.strip()
        if not key or "\n" in key or len(key) > 8192:
            raise ValueError("The key must be one non-empty line of at most 8192 characters.")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.directory, 0o700)
        temporary = self.directory / f".{name}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)

    def delete(self, name: str) -> bool:
        try:
            self._path(name).unlink()
        except FileNotFoundError:
            return False
        return True

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.name for p in self.directory.iterdir() if KEY_NAME.fullmatch(p.name))

    def get(self, name: str) -> str | None:
        try:
            return self._path(name).read_text(encoding="utf-8").strip() or None
        except (OSError, ValueError):
            return None


class KeyResolver:
    """Reads the key of an endpoint at request time (so a rotated key applies at once)."""

    def __init__(self, environ: Mapping[str, str], store: KeyStore):
        self.environ = environ
        self.store = store
        self._files: dict[str, tuple[tuple[int, int], str | None]] = {}
        self._entra_credential = None
        self._entra_token: tuple[str, float] | None = None

    def source_of(self, endpoint: Endpoint) -> str:
        if endpoint.entra_id:
            return "Microsoft Entra ID"
        if endpoint.api_key_file:
            return f"the key file {endpoint.api_key_file}"
        if endpoint.api_key_name:
            return f"the stored key {endpoint.api_key_name!r}"
        if endpoint.api_key_env:
            return f"the environment variable {endpoint.api_key_env}"
        return "no key (the endpoint names none)"

    def peek(self, endpoint: Endpoint) -> str | None:
        """The key without network calls (None for Entra ID or when unset); for status and
        scrubbing."""
        if endpoint.entra_id:
            return self._entra_token[0] if self._entra_token else None
        if endpoint.api_key_file:
            return self._read_file(endpoint.api_key_file)
        if endpoint.api_key_name:
            return self.store.get(endpoint.api_key_name)
        return self.environ.get(endpoint.api_key_env) or None if endpoint.api_key_env else None

    def missing(self, endpoint: Endpoint) -> str | None:
        """Why this endpoint cannot be called for lack of a key, else None. OpenAI-compatible
        endpoints without a key are called without one (local servers such as Ollama)."""
        if endpoint.entra_id or self.peek(endpoint) or not has_key_source(endpoint):
            return None
        if endpoint.kind == "openai" and not (endpoint.api_key_file or endpoint.api_key_name):
            return None
        return f"{self.source_of(endpoint)} is not set or is empty"

    async def credential(self, endpoint: Endpoint) -> Credential:
        source = self.source_of(endpoint)
        if endpoint.entra_id:
            return Credential(await self._entra(), True, source)
        value = self.peek(endpoint)
        if value is None and self.missing(endpoint):
            raise KeyMissing(self.missing(endpoint))
        return Credential(value, endpoint.kind != "azure", source)

    def _read_file(self, path: str) -> str | None:
        try:
            info = os.stat(path)
        except OSError:
            return None
        stamp = (info.st_mtime_ns, info.st_size)
        cached = self._files.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        value = None
        if stat.S_ISREG(info.st_mode) and info.st_size <= 65536:
            try:
                value = Path(path).read_text(encoding="utf-8").strip() or None
            except (OSError, UnicodeDecodeError):
                value = None
            if value is not None and not _one_line(value):
                value = None  # not a key (e.g. a whole environment block): never sent
        self._files[path] = (stamp, value)
        return value

    async def _entra(self) -> str:
        if self._entra_token and self._entra_token[1] - time.time() > 300:
            return self._entra_token[0]
        if self._entra_credential is None:
            try:
                from azure.identity import DefaultAzureCredential
            except ImportError:
                raise KeyMissing(
                    "Microsoft Entra ID needs the azure-identity package on the server "
                    "(pip install 'jupyterlab-code-interpreter[entra]')"
                ) from None
            self._entra_credential = DefaultAzureCredential()
        try:
            token = await asyncio.to_thread(self._entra_credential.get_token, ENTRA_SCOPE)
        except Exception as err:  # azure-identity raises many kinds; name only the kind
            raise KeyMissing(f"Microsoft Entra ID gave no token ({type(err).__name__})") from None
        self._entra_token = (token.token, float(token.expires_on))
        return token.token


def has_key_source(endpoint: Endpoint) -> bool:
    """Whether the endpoint names a key at all; one that does not is called without a key."""
    return bool(
        endpoint.entra_id or endpoint.api_key_file or endpoint.api_key_name or endpoint.api_key_env
    )


def _one_line(value: str) -> bool:
    """A key is printable ASCII on one line; anything else would not survive a header."""
    return value.isascii() and value.isprintable()
