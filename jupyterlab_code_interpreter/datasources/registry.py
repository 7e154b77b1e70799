"""The server's data sources at run time: their descriptions for the model (schemas read when
first asked for, then cached), the configuration kernels get, and the check of a kernel's
signed request for a password. No tornado here (routes.py is the HTTP shell)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable, Iterable
from typing import Any

from .schema import SchemaError, discover
from .sources import DataSource, DataSourceConfigError, parse_sources, read_password

FAILURE_CACHE_SECONDS = 30.0
# A signed request is accepted within this many seconds of its time stamp, once.
SIGNATURE_WINDOW_SECONDS = 60


class PasswordRefused(Exception):
    """A kernel's request for a password is refused; `status` is the HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class DataSourceRegistry:
    def __init__(
        self,
        configured: list,
        cache_seconds: float = 600.0,
        max_tables: int = 50,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.cache_seconds = cache_seconds
        self.max_tables = max_tables
        self.clock = clock
        self.config_error: str | None = None
        try:
            sources = parse_sources(configured)
        except DataSourceConfigError as err:
            self.config_error = str(err)
            sources = []
        self.sources: dict[str, DataSource] = {s.name: s for s in sources}
        self._schemas: dict[str, tuple[float, dict[str, Any]]] = {}
        self._seen_nonces: dict[str, float] = {}

    def password_env_names(self) -> list[str]:
        """Variables kernels must not inherit."""
        return sorted({s.password_env for s in self.sources.values() if s.password_env})

    def password_files(self) -> list[str]:
        """Files the code policy treats as secrets."""
        return sorted({s.password_file for s in self.sources.values() if s.password_file})

    def holds_password(self) -> bool:
        return any(read_password(s) for s in self.sources.values())

    def kernel_config(self, route: str) -> dict[str, Any]:
        """What `configure_data_sources` in the kernel receives: no password, no path."""
        return {
            "route": route if self.sources else "",
            "sources": {
                s.name: {
                    "url": s.url,
                    "read_only": s.read_only,
                    "dialect": s.dialect,
                    "password": bool(s.password_env or s.password_file),
                }
                for s in self.sources.values()
            },
        }

    async def describe(self, refresh: bool = False) -> dict[str, Any]:
        """`{"sources": [...], "error": config error or None}` for the browser and the model."""
        names = list(self.sources)
        described = await asyncio.gather(*(self._describe(n, refresh) for n in names))
        return {"sources": described, "error": self.config_error}

    async def _describe(self, name: str, refresh: bool) -> dict[str, Any]:
        source = self.sources[name]
        now = self.clock()
        cached = self._schemas.get(name)
        if refresh or cached is None or cached[0] <= now:
            try:
                schema = await asyncio.to_thread(discover, source, self.max_tables)
                entry = {**schema, "error": None}
                expires = now + self.cache_seconds
            except SchemaError as err:
                entry = {"tables": [], "more_tables": 0, "error": str(err)}
                expires = now + FAILURE_CACHE_SECONDS
            cached = (expires, entry)
            self._schemas[name] = cached
        return {
            "name": source.name,
            "dialect": source.dialect,
            "url": source.url,
            "read_only": source.read_only,
            "description": source.description,
            **cached[1],
        }

    def password_for(self, body: object, kernel_keys: Iterable[bytes], now: float) -> str | None:
        """The password a kernel asked for with a valid signature, else `PasswordRefused`.

        `body` is `{"source", "time", "nonce", "mac"}`; `mac` is HMAC-SHA256 over
        `source \\n time \\n nonce` with the key of one of the server's kernels (`kernel_keys`);
        `now` is wall-clock time (the kernel's stamp is too)."""
        if not isinstance(body, dict):
            raise PasswordRefused(400, "the request is not a JSON object")
        name, stamp, nonce, mac = (body.get(k) for k in ("source", "time", "nonce", "mac"))
        if not all(isinstance(v, str) and v for v in (name, stamp, nonce, mac)):
            raise PasswordRefused(400, "source, time, nonce and mac are required")
        source = self.sources.get(name)
        if source is None:
            raise PasswordRefused(404, f"there is no data source named {name!r}")
        try:
            age = abs(now - int(stamp))
        except ValueError:
            raise PasswordRefused(400, "time is not a number") from None
        if age > SIGNATURE_WINDOW_SECONDS:
            raise PasswordRefused(403, "the request's time is too far from the server's clock")
        message = "\n".join([name, stamp, nonce]).encode("utf-8")
        signed = any(
            hmac.compare_digest(hmac.new(key, message, hashlib.sha256).hexdigest(), mac)
            for key in kernel_keys
            if key
        )
        if not signed:
            raise PasswordRefused(403, "the request is not signed by a kernel of this server")
        self._forget_old_nonces(now)
        if nonce in self._seen_nonces:
            raise PasswordRefused(403, "the request was already used")
        self._seen_nonces[nonce] = now
        password = read_password(source)
        if password is None and (source.password_env or source.password_file):
            raise PasswordRefused(503, f"{source.password_source} is not set or is empty")
        return password

    def _forget_old_nonces(self, now: float) -> None:
        old = [n for n, t in self._seen_nonces.items() if now - t > 2 * SIGNATURE_WINDOW_SECONDS]
        for nonce in old:
            del self._seen_nonces[nonce]
