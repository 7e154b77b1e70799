"""Which state backend a `state_url` names: SQLite for one replica, Redis for several
(docs/hub-service.md, "State"). Apart from state.py, which the backends import."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse

from .state import StateBackend

DEFAULT_STATE_URL = "sqlite:///code_interpreter_hub.sqlite"


def open_state(url: str) -> StateBackend:
    """`sqlite:///relative/path`, `sqlite:////absolute/path`, or `redis://host:port/db`."""
    if url.startswith("sqlite:///"):
        from .state_sqlite import SqliteState

        return SqliteState(url[len("sqlite:///") :])
    if url.startswith(("redis://", "rediss://", "unix://")):
        from .state_redis import PREFIX, RedisState

        # `?prefix=<text>` keeps several services (or test runs) apart in one Redis database.
        base, _, query = url.partition("?")
        prefix = parse_qs(query).get("prefix", [PREFIX])[0]
        return RedisState(base, prefix)
    raise ValueError(f"state_url {url!r}: expected sqlite:///<path> or redis://<host>:<port>/<db>")


def describe_store(url: str) -> str:
    """The store a `state_url` names, as a message may say it: its kind and host:port/db or
    file, never a password (a Redis URL may hold one)."""
    if url.startswith("sqlite:///"):
        return f"the SQLite file {os.path.abspath(url[len('sqlite:///') :].partition('?')[0])}"
    parsed = urlparse(url.partition("?")[0])
    if parsed.scheme == "unix":
        return f"Redis at the socket {parsed.path}"
    host = parsed.hostname or "localhost"
    where = f"{host}:{parsed.port or 6379}{parsed.path if parsed.path not in ('', '/') else ''}"
    return f"Redis at {where}"


def store_secrets(url: str) -> tuple[str, ...]:
    """What of a `state_url` must never be shown (its password), to scrub error texts of."""
    password = urlparse(url.partition("?")[0]).password
    return tuple({password, unquote(password)}) if password else ()
