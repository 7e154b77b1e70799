"""The state backend as the service uses it: a failure of the store (Redis down, unreachable or
timing out; the SQLite file gone, locked, full or not a database) becomes `StateUnavailable`,
which names the store and never its password, so the service can answer 503
`hub_state_unavailable` instead of a bare 500. The store's health is logged when it changes:
once at ERROR when it fails, once at WARNING when it answers again, not a trace per request.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from .quota import Plan, Refusal
from .state import StateBackend, UsageEntry

T = TypeVar("T")


def _store_failures() -> tuple[type[BaseException], ...]:
    """What a store raises when it cannot do its job (OSError covers refused connections and
    timeouts); anything else is a bug of ours and stays a 500 with its trace."""
    failures: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency of the hub extra
        return failures
    return (*failures, RedisError)


class StateUnavailable(Exception):
    """The store did not do what was asked: `store` names it, `reason` is its error (scrubbed)."""

    def __init__(self, store: str, reason: str):
        super().__init__(f"{store}: {reason}")
        self.store = store
        self.reason = reason


class GuardedState:
    """A `StateBackend` whose store failures raise `StateUnavailable` (see the module)."""

    def __init__(
        self,
        backend: StateBackend,
        store: str,
        secrets: tuple[str, ...] = (),
        log: logging.Logger | None = None,
    ):
        self.backend = backend
        self.store = store
        self._secrets = secrets
        self._log = log or logging.getLogger("code_interpreter_hub")
        self._failures = _store_failures()
        self._failing_since: float | None = None
        self._failed_calls = 0

    @property
    def answers(self) -> bool:
        """Whether the store's last call succeeded."""
        return self._failing_since is None

    async def _call(self, work: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await work()
        except self._failures as error:
            raise self._failed(error) from None
        if self._failing_since is not None:
            self._log.warning(
                "code-interpreter hub: the state store (%s) answers again after %.0f s; "
                "%d call(s) failed meanwhile. Requests are admitted again.",
                self.store,
                time.monotonic() - self._failing_since,
                self._failed_calls,
            )
            self._failing_since, self._failed_calls = None, 0
        return result

    def _failed(self, error: BaseException) -> StateUnavailable:
        reason = f"{type(error).__name__}: {error}".rstrip(": ")
        for secret in self._secrets:
            reason = reason.replace(secret, "***")
        self._failed_calls += 1
        if self._failing_since is None:
            self._failing_since = time.monotonic()
            self._log.error(
                "code-interpreter hub: the state store (%s) failed (%s). Chat requests are "
                "refused with 503 hub_state_unavailable until it answers again: check that "
                "store (running, reachable, its disk and file).",
                self.store,
                reason,
            )
        else:
            self._log.debug("code-interpreter hub: the state store still fails (%s)", reason)
        return StateUnavailable(self.store, reason)

    async def admit(self, plan: Plan, now: float) -> Refusal | None:
        return await self._call(lambda: self.backend.admit(plan, now))

    async def settle(self, plan: Plan, tokens: int, entry: UsageEntry | None = None) -> None:
        await self._call(lambda: self.backend.settle(plan, tokens, entry))

    async def record(self, entry: UsageEntry) -> None:
        await self._call(lambda: self.backend.record(entry))

    async def usage(self, user: str | None = None, since: float = 0.0) -> dict[str, dict]:
        return await self._call(lambda: self.backend.usage(user, since))

    async def entries(self, user: str, since: float = 0.0, limit: int = 100) -> list[dict]:
        return await self._call(lambda: self.backend.entries(user, since, limit))

    async def counters(self, plan: Plan, now: float) -> dict[str, int]:
        return await self._call(lambda: self.backend.counters(plan, now))

    async def ping(self) -> bool:
        """Whether the store answers a trivial call now (logged as any call is)."""
        try:
            await self._call(self.backend.ping)
        except StateUnavailable:
            return False
        return True

    async def aclose(self) -> None:
        try:
            await self.backend.aclose()
        except self._failures:
            pass  # closing a store that is gone has nothing left to lose
