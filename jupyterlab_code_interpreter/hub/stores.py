"""Which state backend a `state_url` names: SQLite for one replica, Redis for several
(docs/hub-service.md, "State"). Apart from state.py, which the backends import."""

from __future__ import annotations

from urllib.parse import parse_qs

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
