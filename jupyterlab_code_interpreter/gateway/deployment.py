"""Which deployment gets the next request (pure: no I/O, no tornado; clock and randomness are
injected so tests can drive them).

Priority tiers first (lower `tier` first); within a tier a weighted random choice among the
deployments whose breaker allows a request and whose local RPM/TPM estimate has room, the
weight divided by (1 + requests in flight) and scaled by the remaining share of the minute's
budget. A deployment with an RPM limit gets at most ceil(rpm/6) requests in any 10 s, the
short window Azure checks, so a burst is spread over the tier instead of earning 429s.

Estimates are local (what we sent in the last 60 s) and corrected from the deployment's own
`x-ratelimit-remaining-*` headers, so several gateways sharing a deployment converge.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .breaker import Breaker, BreakerPolicy

MINUTE = 60.0
# Azure's short window: rpm/6 requests per 10 s (and the simulator's `burst`).
BURST_WINDOW = 10.0


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
    ):
        self.name, self.tier, self.weight, self.rpm, self.tpm = name, tier, weight, rpm, tpm
        self.clock = clock
        self.breaker = Breaker(policy, clock)
        self.in_flight = 0
        self.usage = Usage()
        # [time, estimated tokens] per request sent in the last 60 s; a list so that the 429 or
        # the usage of one request updates its own entry, not another one of the same size.
        self._sent: deque[list] = deque()
        self._tokens_sent = 0
        # The same entries, those of the last `BURST_WINDOW` seconds only.
        self._recent: deque[list] = deque()
        # From the last response's headers: (time seen, remaining requests, remaining tokens,
        # when that information expires), and the requests and tokens sent since then.
        self._reported: tuple[float, int | None, int | None, float] | None = None
        self._since_requests = 0
        self._since_tokens = 0
        # Every estimate is kept as running totals, so each costs O(1) per request: the router
        # asks for them for every deployment on every pick, and a deployment at 1,200 RPM holds
        # ~1,000 entries (summing them each time cost ~0.2 ms per request over three).

    def _expire(self, now: float) -> None:
        while self._sent and self._sent[0][0] <= now - MINUTE:
            self._tokens_sent -= self._sent.popleft()[1]
        while self._recent and self._recent[0][0] <= now - BURST_WINDOW:
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
            return self._sent[0][0] + MINUTE if self._sent else now + 1.0
        share = self.burst_share()
        if share is not None:
            if self.sent_in_burst_window(now) >= share:
                # The window frees up when its oldest request leaves it.
                return self._recent[0][0] + BURST_WINDOW
        return now

    def score(self, now: float) -> float:
        requests, tokens = self.remaining(now)
        headroom = 1.0
        if requests is not None and self.rpm:
            headroom = min(headroom, max(requests, 0) / self.rpm)
        if tokens is not None and self.tpm:
            headroom = min(headroom, max(tokens, 0) / self.tpm)
        return self.weight * max(headroom, 0.05) / (1 + self.in_flight)

    def on_send(self, tokens: int) -> list:
        """Count a request sent now; returns its entry, for `on_rejected`/`correct_tokens`."""
        now = self.clock()
        entry = [now, tokens]
        self._sent.append(entry)
        self._recent.append(entry)
        self._tokens_sent += tokens
        if self._reported is not None and now > self._reported[0]:
            self._since_requests += 1
            self._since_tokens += tokens
        self.in_flight += 1
        self.usage.requests += 1
        self.breaker.on_send()
        return entry

    def on_rejected(self, tokens: int, entry: list | None = None) -> None:
        """The deployment answered 429: it did not admit the request, so it does not count
        against its RPM/TPM (as neither Azure nor the simulator counts it). `entry` (from
        `on_send`) names the request; without it, the newest one of `tokens` is removed."""
        index = self._find(tokens, entry)
        if index is not None:
            found = self._sent[index]
            self._tokens_sent -= found[1]
            del self._sent[index]
            self._forget_recent(found)
            if self._reported is not None and found[0] > self._reported[0]:
                self._since_requests -= 1
                self._since_tokens -= found[1]

    def on_done(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)

    def correct_tokens(self, estimated: int, actual: int, entry: list | None = None) -> None:
        """Replace a request's token estimate by what usage reported."""
        index = self._find(estimated, entry)
        if index is not None:
            found = self._sent[index]
            self._tokens_sent += actual - found[1]
            if self._reported is not None and found[0] > self._reported[0]:
                self._since_tokens += actual - found[1]
            found[1] = actual

    def _find(self, tokens: int, entry: list | None) -> int | None:
        # Requests of the same size are common (the same prompt from many users): matching by
        # size would update another request's entry, whose time differs, and the short-window
        # estimate would drift from the deployment's own (429s at window edges with room left).
        for index in range(len(self._sent) - 1, -1, -1):
            sent = self._sent[index]
            if sent is entry if entry is not None else sent[1] == tokens:
                return index
        return None

    def _forget_recent(self, entry: list) -> None:
        for index in range(len(self._recent) - 1, -1, -1):
            if self._recent[index] is entry:
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


class Router:
    """Chooses among deployments; see the module docstring."""

    def __init__(self, rng: random.Random | None = None):
        self.rng = rng or random.Random()

    def pick(
        self, candidates: Sequence[Deployment], tokens: int, exclude: Iterable[str] = ()
    ) -> Deployment | None:
        excluded = set(exclude)
        sole = len(candidates) == 1  # spared by its breaker: see breaker.py
        tiers = sorted({d.tier for d in candidates})
        for tier in tiers:
            ready = []
            for deployment in candidates:
                if deployment.tier != tier or deployment.name in excluded:
                    continue
                now = deployment.clock()
                if deployment.breaker.allows(sole) and deployment.has_room(now, tokens):
                    ready.append((deployment, deployment.score(now)))
            if ready:
                return ready[0][0] if len(ready) == 1 else self._weighted(ready)
        return None

    def soonest(
        self, candidates: Sequence[Deployment], exclude: Iterable[str] = ()
    ) -> float | None:
        """Seconds until the first of `candidates` can take a request again; None when none is
        expected to recover by itself (all rejected our key)."""
        waits = []
        excluded = set(exclude)
        for deployment in candidates:
            if deployment.name in excluded:
                continue
            breaker = deployment.breaker
            if breaker.auth_failed and breaker.state != "half_open":
                continue
            now = deployment.clock()
            ready = max(breaker.until or now, deployment.next_room(now))
            waits.append(max(0.0, ready - now))
        return min(waits) if waits else None

    def _weighted(self, ready: list[tuple[Deployment, float]]) -> Deployment:
        total = sum(score for _, score in ready)
        point = self.rng.random() * total
        for deployment, score in ready:
            point -= score
            if point <= 0:
                return deployment
        return ready[-1][0]


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
