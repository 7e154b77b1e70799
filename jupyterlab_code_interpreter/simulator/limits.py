"""Requests-per-minute and tokens-per-minute limits, as Azure OpenAI enforces per deployment.

Sliding 60 s windows; with ``burst`` also Azure's short-window check (RPM/6 requests per 10 s),
which is what makes real deployments answer 429 to bursts well below their nominal RPM.
Pure: time comes from an injectable clock so tests need not sleep.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

MINUTE = 60.0
BURST_WINDOW = 10.0


@dataclass(frozen=True)
class Admission:
    """Outcome of one request: allowed or not, when to retry, and the headers to send."""

    allowed: bool
    retry_after: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class SlidingWindow:
    """Sum of amounts spent in the last ``seconds``."""

    def __init__(self, limit: int, seconds: float):
        self.limit = limit
        self.seconds = seconds
        self._spent: deque[tuple[float, int]] = deque()
        self._total = 0

    def remaining(self, now: float) -> int:
        self._forget(now)
        return max(0, self.limit - self._total)

    def wait_for(self, amount: int, now: float) -> float:
        """Seconds until ``amount`` more fits; 0 if it fits now."""
        self._forget(now)
        excess = self._total + amount - self.limit
        if excess <= 0:
            return 0.0
        for spent_at, spent in self._spent:
            excess -= spent
            if excess <= 0:
                return spent_at + self.seconds - now
        return self.seconds  # larger than the whole limit: never fits; say "a full window"

    def reset_in(self, now: float) -> float:
        """Seconds until the oldest spending leaves the window (the budget starts refilling)."""
        self._forget(now)
        return self._spent[0][0] + self.seconds - now if self._spent else 0.0

    def spend(self, amount: int, now: float) -> None:
        self._spent.append((now, amount))
        self._total += amount

    def _forget(self, now: float) -> None:
        while self._spent and self._spent[0][0] <= now - self.seconds:
            self._total -= self._spent.popleft()[1]


class DeploymentLimits:
    """The RPM/TPM budget of one deployment (or OpenAI model)."""

    def __init__(
        self,
        rpm: int | None,
        tpm: int | None,
        burst: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._clock = clock
        self._requests = SlidingWindow(rpm, MINUTE) if rpm else None
        self._burst = SlidingWindow(max(1, rpm // 6), BURST_WINDOW) if rpm and burst else None
        self._tokens = SlidingWindow(tpm, MINUTE) if tpm else None

    def admit(self, tokens: int) -> Admission:
        """Spend one request and ``tokens`` if both fit, else refuse with a retry delay."""
        now = self._clock()
        waits = [
            window.wait_for(amount, now)
            for window, amount in ((self._requests, 1), (self._burst, 1), (self._tokens, tokens))
            if window is not None
        ]
        wait = max(waits, default=0.0)
        if wait > 0:
            return Admission(False, wait, self._headers(now))
        for window, amount in ((self._requests, 1), (self._burst, 1), (self._tokens, tokens)):
            if window is not None:
                window.spend(amount, now)
        return Admission(True, 0.0, self._headers(now))

    def _headers(self, now: float) -> dict[str, str]:
        headers = {}
        for kind, window in (("requests", self._requests), ("tokens", self._tokens)):
            if window is not None:
                headers[f"x-ratelimit-limit-{kind}"] = str(window.limit)
                headers[f"x-ratelimit-remaining-{kind}"] = str(window.remaining(now))
                headers[f"x-ratelimit-reset-{kind}"] = format_duration(window.reset_in(now))
        return headers


def retry_headers(seconds: float) -> dict[str, str]:
    """``Retry-After`` (whole seconds, rounded up) and Azure's millisecond ``retry-after-ms``."""
    return {
        "Retry-After": str(math.ceil(seconds)),
        "retry-after-ms": str(math.ceil(seconds * 1000)),
    }


def format_duration(seconds: float) -> str:
    """OpenAI's reset format: ``120ms``, ``6.5s``, ``1m30s``."""
    if seconds < 1:
        return f"{math.ceil(seconds * 1000)}ms"
    if seconds < MINUTE:
        return f"{round(seconds, 3):g}s"
    minutes, rest = divmod(seconds, MINUTE)
    return f"{int(minutes)}m{round(rest, 3):g}s"
