"""A circuit breaker per deployment (pure: no I/O, no tornado; the clock is injected).

States:
- ``healthy``: requests flow.
- ``cooling``: the deployment answered 429; it rests until the time its headers gave
  (Retry-After, retry-after-ms, x-ratelimit-reset-*), 10 s when none was given. No failure count.
- ``open``: repeated 5xx/timeouts (3 in 30 s, or at least half of 10 or more in 30 s), or a
  401/403. Open times grow 30 s, 60 s, ... up to 5 min; an auth failure opens for 5 min.
- ``half_open``: the open time is over; exactly one probe request may go. Its success closes
  the breaker (and resets the growth), its failure opens it again for twice as long.

Slow start: a deployment that has not answered yet (new, or back from ``open``) is healthy but
unproven: it gets one request in flight until an answer comes (`on_answered`, the response's
headers, or any verdict but a failure), so a dead deployment at server start takes one request,
not a share of the first burst; that request's failure opens it at once, as a probe's would.

Every change of state is told to `notify` (breaker_log.py logs it with the deployment's name);
the two that come with time alone (``open`` → ``half_open``, ``cooling`` → ``healthy``) are
told when the state is next read, i.e. when the next request asks.

A deployment that is the only one serving an alias is spared (as LiteLLM spares
single-deployment groups): `allows(sole=True)` lets requests through an ``open`` or
``half_open`` breaker, since refusing them would only turn a flaky deployment into a dead
one. That includes a rejected key: keys are read at request time, so the user's fix (a new
key in the store, a corrected setting) must work on the next prompt, and each retry costs
one quick upstream answer with the same clear error. Cooling (429) is still honoured.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

HEALTHY, COOLING, OPEN, HALF_OPEN = "healthy", "cooling", "open", "half_open"

# notify(state, previous, detail): `detail` is what led there ("3 failures in 30 s", "the key
# was rejected", "rate limited"), empty for changes that come with time.
Notify = Callable[[str, str, str], None]


@dataclass(frozen=True)
class BreakerPolicy:
    """The thresholds; the defaults follow Azure's and APIM's guidance (see docs/gateway.md)."""

    default_cooldown: float = 10.0
    window: float = 30.0
    failures_to_open: int = 3
    min_requests_for_ratio: int = 10
    failure_ratio: float = 0.5
    first_open: float = 30.0
    max_open: float = 300.0
    auth_open: float = 300.0


class Breaker:
    """The health of one deployment. `allows` is asked before sending, `on_send` told of the
    request, then exactly one of `on_success`, `on_rate_limited`, `on_failure`,
    `on_auth_failure` (or `on_release` when the request ended for a reason that says nothing
    about the deployment): `Deployment.record` makes that call from the request's outcome."""

    def __init__(
        self,
        policy: BreakerPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        notify: Notify | None = None,
    ):
        self.policy = policy or BreakerPolicy()
        self.clock = clock
        self.notify = notify
        self._shown = HEALTHY  # the state last told to `notify`
        self.proven = False  # answered since it was created or last opened (slow start)
        self._until = 0.0  # end of cooling or open
        self._state = HEALTHY
        self._open_for = 0.0  # last open duration, doubled on each re-open
        self._probe_out = False
        self._results: deque[tuple[float, bool]] = deque()  # (time, failed) in the window
        self.auth_failed = False

    @property
    def state(self) -> str:
        state = self._state
        if state in (COOLING, OPEN) and self.clock() >= self._until:
            state = HEALTHY if state == COOLING else HALF_OPEN
        if state != self._shown:
            self._tell(state)
        return state

    @property
    def until(self) -> float | None:
        """When a cooling or open deployment may be tried again (clock time), else None."""
        return self._until if self.state in (COOLING, OPEN) else None

    def allows(self, sole: bool = False) -> bool:
        """Whether a request may be sent now (a half-open breaker allows one probe). `sole`:
        this deployment is the only one for the request, so failures do not keep it out."""
        state = self.state
        if state == HEALTHY:
            return self.proven or sole or not self._probe_out
        if sole and state in (OPEN, HALF_OPEN):
            return True
        return state == HALF_OPEN and not self._probe_out

    @property
    def slow_start(self) -> bool:
        """Healthy but unproven, its one request out: the others wait for its answer."""
        return not self.proven and self._probe_out and self.state == HEALTHY

    def on_send(self) -> None:
        """A request was sent; in half-open, or while unproven, it is the probe."""
        state = self.state
        if state == HALF_OPEN or (state == HEALTHY and not self.proven):
            self._probe_out = True
        self._state = state if state in (HALF_OPEN, HEALTHY) else self._state

    def on_answered(self) -> None:
        """The deployment answered (response headers that are not a failure's): slow start is
        over; a half-open probe still waits for its verdict."""
        if self._state != OPEN and self.state == HEALTHY and not self.proven:
            self.proven, self._probe_out = True, False

    def on_success(self) -> None:
        self._record(False)
        if self._state in (HALF_OPEN, OPEN) or self.state == HALF_OPEN:
            self._open_for = 0.0
            self._results.clear()
        self._state, self._probe_out, self.auth_failed = HEALTHY, False, False
        self.proven = True
        if self._shown != HEALTHY:
            self._tell(HEALTHY, "a request succeeded")

    def on_release(self) -> None:
        """The request ended without a verdict (e.g. the client went away)."""
        self._probe_out = False

    def on_rate_limited(self, retry_after: float | None) -> None:
        """A 429: rest until the deployment said, else the default cooldown. It answered, so
        slow start is over."""
        wait = retry_after if retry_after is not None and retry_after > 0 else None
        wait = min(wait if wait is not None else self.policy.default_cooldown, 3600.0)
        self._probe_out = False
        self.proven = True
        if self._state == OPEN and self.state == OPEN:
            self._until = max(self._until, self.clock() + wait)
            return
        self._state, self._until = COOLING, max(self._until, self.clock() + wait)
        self._tell(COOLING, "rate limited")

    def on_failure(self) -> None:
        """A 5xx, a connection failure or a timeout."""
        state = self.state
        half_open = state == HALF_OPEN
        # A slow start's one request counts as a probe; failures while open (a sole
        # deployment is still sent requests) are counted as usual.
        was_probe = self._probe_out or half_open or (state == HEALTHY and not self.proven)
        self._probe_out = False
        self._record(True)
        now = self.clock()
        failures = sum(1 for _, failed in self._results if failed)
        total = len(self._results)
        ratio_trips = (
            total >= self.policy.min_requests_for_ratio
            and failures / total >= self.policy.failure_ratio
        )
        if was_probe or failures >= self.policy.failures_to_open or ratio_trips:
            grown = self._open_for * 2 if self._open_for else self.policy.first_open
            self._open_for = min(grown, self.policy.max_open)
            self._state, self._until = OPEN, now + self._open_for
            self._results.clear()
            self.proven = False
            if was_probe:
                why = "the probe failed" if half_open else "its first request failed"
            else:
                why = f"{failures} failures in {self.policy.window:g} s"
            self._tell(OPEN, why)

    def on_auth_failure(self) -> None:
        """401/403: our key is wrong for this deployment; only an administrator can fix it."""
        self._probe_out = False
        self.auth_failed = True
        self.proven = False
        self._state, self._until = OPEN, self.clock() + self.policy.auth_open
        self._tell(OPEN, "the key was rejected")

    def reset(self) -> None:
        """Forget everything (e.g. the deployment's key changed)."""
        self.__init__(self.policy, self.clock, self.notify)

    def _tell(self, state: str, detail: str = "") -> None:
        # Only changes: a sole deployment, still sent requests while open, would otherwise
        # log each of its failures.
        previous, self._shown = self._shown, state
        if self.notify is not None and state != previous:
            self.notify(state, previous, detail)

    def _record(self, failed: bool) -> None:
        now = self.clock()
        self._results.append((now, failed))
        while self._results and self._results[0][0] < now - self.policy.window:
            self._results.popleft()
