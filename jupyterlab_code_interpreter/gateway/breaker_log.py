"""Breaker transitions in the server's log, at INFO, so an administrator can follow a
deployment's health without polling the status route. Messages name the deployment by its
pool name (or host/model), never its URL or key, and give the time a rest ends."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone

from .breaker import COOLING, HALF_OPEN, HEALTHY, OPEN, Breaker


class BreakerLog:
    """A breaker's `notify`: one INFO line per change of state."""

    def __init__(
        self,
        name: str,
        log: logging.Logger,
        wall_clock: Callable[[], float] = time.time,
    ):
        self.name, self.log, self.wall_clock = name, log, wall_clock
        self.breaker: Breaker | None = None  # set by the deployment that owns both

    def __call__(self, state: str, previous: str, detail: str) -> None:
        prefix = f"code-interpreter gateway: deployment {self.name!r}"
        because = f" ({detail})" if detail else ""
        if state == OPEN:
            self.log.info("%s is open%s%s; then one probe request", prefix, because, self._rest())
        elif state == COOLING:
            self.log.info("%s is cooling%s%s", prefix, because, self._rest())
        elif state == HALF_OPEN:
            self.log.info("%s is half-open: one probe request may go", prefix)
        elif state == HEALTHY and previous == COOLING:
            self.log.info("%s cooled down: it takes requests again", prefix)
        elif state == HEALTHY:
            self.log.info("%s is closed: healthy again%s", prefix, because)

    def _rest(self) -> str:
        """' for 30 s, until 14:02:03 UTC': how long the rest lasts and when it ends."""
        until = self.breaker.until if self.breaker is not None else None
        if until is None:
            return ""
        seconds = max(0.0, until - self.breaker.clock())
        ends = datetime.fromtimestamp(self.wall_clock() + seconds, timezone.utc)
        return f" for {seconds:.3g} s, until {ends:%H:%M:%S} UTC"
