"""Where the hub service keeps its counters and its usage log: SQLite for one replica (the
default), Redis when several replicas share them. Both apply a quota `Plan` atomically, so two
replicas (or two processes on one SQLite file) admitting at once never both take the last
unit of a limit.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Protocol

from .quota import Plan, Refusal


@dataclass
class UsageEntry:
    """One request in the usage and audit log. `prompt` only when an administrator turned
    `log_prompts` on."""

    user: str
    time: float
    alias: str
    deployment: str
    prompt_tokens: int
    completion_tokens: int
    status: int
    prompt: str | None = None

    def as_dict(self) -> dict:
        entry = asdict(self)
        entry["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.time))
        return entry


class StateBackend(Protocol):
    async def admit(self, plan: Plan, now: float) -> Refusal | None:
        """Check the plan's limits and, if none is reached, count it; else count nothing."""

    async def settle(self, plan: Plan, tokens: int, entry: UsageEntry | None = None) -> None:
        """The request ended having cost `tokens`: correct its reserved estimate, free its
        stream slot, and log `entry`, all in one step."""

    async def record(self, entry: UsageEntry) -> None:
        """Append to the usage log."""

    async def usage(self, user: str | None = None, since: float = 0.0) -> dict[str, dict]:
        """Totals per user since `since` (Unix seconds): requests, refused, prompt_tokens,
        completion_tokens, total_tokens."""

    async def entries(self, user: str, since: float = 0.0, limit: int = 100) -> list[dict]:
        """The user's latest log entries, newest first."""

    async def counters(self, plan: Plan, now: float) -> dict[str, int]:
        """The current value of each of the plan's counters, by limit name."""

    async def ping(self) -> None:
        """A trivial call that raises when the store does not answer."""

    async def aclose(self) -> None: ...


def empty_totals() -> dict:
    return {
        "requests": 0,
        "refused": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "total_tokens": 0,
    }
