"""The runtime state of one deployment and the one place where what its requests came to is
booked (pure: no I/O, no tornado; the clock is injected so tests can drive it).

A request is counted when it is sent (`Deployment.on_send`), its slot freed when its answer is
over (`on_done`), and what it came to (an `Outcome`: success, a 429 with its reset, a rejected
key, a failure, or no verdict) is booked in one call, `Deployment.record`: the breaker, the
usage counters, the last error, the rate estimates and the tokens usage reported, together.

Estimates are local (what we sent in the last 60 s) and corrected from the deployment's own
`x-ratelimit-remaining-*` headers, so several gateways sharing a deployment converge. A
deployment with an RPM limit is allowed ceil(rpm/6) requests in any 10 s, the short window
Azure checks (router.py spreads a burst over the tier with it).
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .breaker import Breaker, BreakerPolicy
from .breaker_log import BreakerLog

MINUTE = 60.0
# Azure's short window: rpm/6 requests per 10 s (and the simulator's `burst`).
BURST_WINDOW = 10.0


@dataclass(eq=False, slots=True)
class Sent:
    """One request sent to a deployment: when (clock time) and its token estimate, replaced by
    what usage reported. Compared by identity: requests of the same size are common, and a
    429 or a usage report must update its own request's entry."""

    at: float
    tokens: int


class Verdict(enum.Enum):
    """What a request's answer says about the deployment."""

    SUCCESS = "success"
    RATE_LIMITED = "rate_limited"  # a 429: rest until its reset
    AUTH_REJECTED = "auth_rejected"  # 401/403: our key is wrong for it
    FAILED = "failed"  # a 5xx, a timeout, a reset, a malformed or cut answer
    RELEASED = "released"  # over without a verdict (the browser left, the request's own 400)
    NOT_SENT = "not_sent"  # never sent (its key could not be read): only the error is kept


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one request came to, for `Deployment.record`."""

    verdict: Verdict
    sent: Sent | None = None  # from `on_send`; None when nothing was sent
    error: str | None = None  # shown as the deployment's last error
    retry_after: float | None = None  # RATE_LIMITED: the wait its headers asked for, if any
    latency: float | None = None  # seconds from sending to the first byte, if it came
    usage: tuple[int, int] | None = None  # (prompt, completion) tokens the answer reported


@dataclass
class Usage:
    """Counters for the status route."""

    requests: int = 0
    errors_429: int = 0
    errors_5xx: int = 0
    tokens_prompt: int = 0
    tokens_completion: int = 0
    last_error: str | None = None
    latencies: deque = field(default_factory=lambda: deque(maxlen=50))

    def latency_p50(self) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return round(ordered[len(ordered) // 2] * 1000.0, 1)


class Deployment:
    """The runtime state of one endpoint: breaker, in-flight count, rate estimates, usage."""

    def __init__(
        self,
        name: str,
        tier: int = 0,
        weight: float = 1.0,
        rpm: int | None = None,
        tpm: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        policy: BreakerPolicy | None = None,
        log: logging.Logger | None = None,
        wall_clock: Callable[[], float] = time.time,
    ):
        self.name, self.tier, self.weight, self.rpm, self.tpm = name, tier, weight, rpm, tpm
        self.clock = clock
        transitions = BreakerLog(name, log or logging.getLogger(__name__), wall_clock)
        self.breaker = Breaker(policy, clock, transitions)
        transitions.breaker = self.breaker
        self.in_flight = 0
        self.usage = Usage()
        # The requests sent in the last 60 s, oldest first.
        self._sent: deque[Sent] = deque()
        self._tokens_sent = 0
        # The same entries, those of the last `BURST_WINDOW` seconds only.
        self._recent: deque[Sent] = deque()
        # From the last response's headers: (time seen, remaining requests, remaining tokens,
        # when that information expires), and the requests and tokens sent since then.
        self._reported: tuple[float, int | None, int | None, float] | None = None
        self._since_requests = 0
        self._since_tokens = 0
        # Every estimate is kept as running totals, so each costs O(1) per request: the router
        # asks for them for every deployment on every pick, and a deployment at 1,200 RPM holds
        # ~1,000 entries (summing them each time cost ~0.2 ms per request over three).

    def _expire(self, now: float) -> None:
        while self._sent and self._sent[0].at <= now - MINUTE:
            self._tokens_sent -= self._sent.popleft().tokens
        while self._recent and self._recent[0].at <= now - BURST_WINDOW:
            self._recent.popleft()

    def remaining(self, now: float) -> tuple[float | None, float | None]:
        """(requests, tokens) left this minute, None where there is no limit."""
        self._expire(now)
        requests = self.rpm - len(self._sent) if self.rpm else None
        tokens = self.tpm - self._tokens_sent if self.tpm else None
        if self._reported and now < self._reported[3]:
            _, rep_requests, rep_tokens, _ = self._reported
            # While the report holds (under 60 s), no entry sent after it has expired.
            if rep_requests is not None:
                corrected = rep_requests - self._since_requests
                requests = corrected if requests is None else min(requests, corrected)
            if rep_tokens is not None:
                corrected = rep_tokens - self._since_tokens
                tokens = corrected if tokens is None else min(tokens, corrected)
        return requests, tokens

    def sent_in_burst_window(self, now: float) -> int:
        """Requests sent in the last `BURST_WINDOW` seconds."""
        self._expire(now)
        return len(self._recent)

    def burst_share(self) -> int | None:
        """Requests allowed in any `BURST_WINDOW`, None without an RPM limit."""
        return max(1, math.ceil(self.rpm * BURST_WINDOW / MINUTE)) if self.rpm else None

    def has_room(self, now: float, tokens: int) -> bool:
        requests, remaining_tokens = self.remaining(now)
        if requests is not None and requests < 1:
            return False
        if remaining_tokens is not None and remaining_tokens < tokens:
            return False
        share = self.burst_share()
        return share is None or self.sent_in_burst_window(now) < share

    def next_room(self, now: float) -> float:
        """When a request could next fit by the rate estimates (clock time)."""
        requests, tokens = self.remaining(now)
        if (requests is not None and requests < 1) or (tokens is not None and tokens < 1):
            return self._sent[0].at + MINUTE if self._sent else now + 1.0
        share = self.burst_share()
        if share is not None:
            if self.sent_in_burst_window(now) >= share:
                # The window frees up when its oldest request leaves it.
                return self._recent[0].at + BURST_WINDOW
        return now

    def score(self, now: float) -> float:
        requests, tokens = self.remaining(now)
        headroom = 1.0
        if requests is not None and self.rpm:
            headroom = min(headroom, max(requests, 0) / self.rpm)
        if tokens is not None and self.tpm:
            headroom = min(headroom, max(tokens, 0) / self.tpm)
        return self.weight * max(headroom, 0.05) / (1 + self.in_flight)

    def on_send(self, tokens: int) -> Sent:
        """Count a request sent now; its entry goes into the request's `Outcome`."""
        now = self.clock()
        sent = Sent(now, tokens)
        self._sent.append(sent)
        self._recent.append(sent)
        self._tokens_sent += tokens
        if self._reported is not None and now > self._reported[0]:
            self._since_requests += 1
            self._since_tokens += tokens
        self.in_flight += 1
        self.usage.requests += 1
        self.breaker.on_send()
        return sent

    def on_answered(self, status: int) -> None:
        """The deployment sent a response's headers: any but a failure's (5xx, 408) or a
        rejected key's ends its slow start (breaker.py)."""
        if status < 500 and status not in (401, 403, 408):
            self.breaker.on_answered()

    def on_done(self) -> None:
        """The request's answer is over (its outcome recorded or not): it is no longer in
        flight."""
        self.in_flight = max(0, self.in_flight - 1)

    def record(self, outcome: Outcome) -> None:
        """Book what one request came to: the breaker's verdict, the counters and last error
        the status route shows, and the rate estimates (a 429's request did not count against
        the budget; reported usage replaces the token estimate). Call once per request."""
        usage, sent = self.usage, outcome.sent
        if outcome.latency is not None:
            usage.latencies.append(outcome.latency)
        if outcome.usage is not None:
            prompt, completion = outcome.usage
            usage.tokens_prompt += prompt
            usage.tokens_completion += completion
            if sent is not None:
                self.correct_tokens(sent.tokens, prompt + completion, sent)
        if outcome.error is not None:
            usage.last_error = outcome.error
        verdict = outcome.verdict
        if verdict is Verdict.SUCCESS:
            self.breaker.on_success()
        elif verdict is Verdict.RATE_LIMITED:
            if sent is not None:
                self.on_rejected(sent.tokens, sent)
            usage.errors_429 += 1
            self.breaker.on_rate_limited(outcome.retry_after)
        elif verdict is Verdict.AUTH_REJECTED:
            self.breaker.on_auth_failure()
        elif verdict is Verdict.FAILED:
            usage.errors_5xx += 1
            self.breaker.on_failure()
        elif verdict is Verdict.RELEASED:
            self.breaker.on_release()

    def on_rejected(self, tokens: int, sent: Sent | None = None) -> None:
        """The rate estimates' part of a 429: the deployment did not admit the request, so it
        does not count against its RPM/TPM (as neither Azure nor the simulator counts it).
        `sent` names the request; without it, the newest one of `tokens` is removed."""
        index = self._find(tokens, sent)
        if index is not None:
            found = self._sent[index]
            self._tokens_sent -= found.tokens
            del self._sent[index]
            self._forget_recent(found)
            if self._reported is not None and found.at > self._reported[0]:
                self._since_requests -= 1
                self._since_tokens -= found.tokens

    def correct_tokens(self, estimated: int, actual: int, sent: Sent | None = None) -> None:
        """The rate estimates' part of reported usage: a request's token estimate replaced by
        what it really cost."""
        index = self._find(estimated, sent)
        if index is not None:
            found = self._sent[index]
            self._tokens_sent += actual - found.tokens
            if self._reported is not None and found.at > self._reported[0]:
                self._since_tokens += actual - found.tokens
            found.tokens = actual

    def _find(self, tokens: int, sent: Sent | None) -> int | None:
        # Requests of the same size are common (the same prompt from many users): matching by
        # size would update another request's entry, whose time differs, and the short-window
        # estimate would drift from the deployment's own (429s at window edges with room left).
        for index in range(len(self._sent) - 1, -1, -1):
            entry = self._sent[index]
            if entry is sent if sent is not None else entry.tokens == tokens:
                return index
        return None

    def _forget_recent(self, sent: Sent) -> None:
        for index in range(len(self._recent) - 1, -1, -1):
            if self._recent[index] is sent:
                del self._recent[index]
                return

    def observe_headers(self, headers: Mapping[str, str]) -> None:
        """Take the deployment's own view of its remaining budget."""
        requests = _int(headers.get("x-ratelimit-remaining-requests"))
        tokens = _int(headers.get("x-ratelimit-remaining-tokens"))
        if requests is None and tokens is None:
            return
        if (requests is not None and requests < 0) or (tokens is not None and tokens < 0):
            return  # Azure's Responses API was seen sending -1: no information
        now = self.clock()
        resets = [
            parse_duration(headers.get(name))
            for name in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens")
        ]
        horizon = max([r for r in resets if r is not None] or [MINUTE])
        self._reported = (now, requests, tokens, now + min(horizon, MINUTE))
        self._since_requests = self._since_tokens = 0  # nothing is sent after `now` yet


def parse_duration(value: str | None) -> float | None:
    """OpenAI's reset format (`120ms`, `6.5s`, `1m30s`, `2h`) or plain seconds."""
    if not value:
        return None
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    total, number = 0.0, ""
    index = 0
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    while index < len(text):
        char = text[index]
        if char.isdigit() or char == ".":
            number += char
            index += 1
            continue
        unit = "ms" if text.startswith("ms", index) else char
        if unit not in units or not number:
            return None
        total += float(number) * units[unit]
        number, index = "", index + len(unit)
    return None if number else total


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """How long a 429 asks us to wait: retry-after-ms, Retry-After, then the reset headers."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000.0
        except ValueError:
            pass
    after = headers.get("retry-after")
    if after:
        try:
            return float(after)
        except ValueError:
            pass  # an HTTP date: rare from Azure; fall through
    for name in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"):
        seconds = parse_duration(headers.get(name))
        if seconds is not None and seconds > 0:
            return seconds
    return None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None
