"""Which deployment gets the next request (pure: no I/O, no tornado; randomness is injected
and each deployment carries its own injected clock, so tests can drive both).

Priority tiers first (lower `tier` first); within a tier a weighted random choice among the
deployments whose breaker allows a request and whose local RPM/TPM estimate has room, the
weight divided by (1 + requests in flight) and scaled by the remaining share of the minute's
budget. A deployment with an RPM limit gets at most ceil(rpm/6) requests in any 10 s, the
short window Azure checks, so a burst is spread over the tier instead of earning 429s. The
estimates and health themselves are each deployment's (deployment.py, breaker.py).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from .breaker import HALF_OPEN
from .deployment import Deployment


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
            if breaker.auth_failed and breaker.state != HALF_OPEN:
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
