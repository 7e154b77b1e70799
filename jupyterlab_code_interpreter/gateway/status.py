"""The status route's answer: is anything configured, and how each deployment is doing.

No URLs with credentials, no keys, no key file contents: hosts, names and counters only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from . import errors
from .deployment import Deployment
from .endpoint import Endpoint
from .keys import KeyResolver
from .pool import Pool


class GatewayView(Protocol):
    """What the status needs of the gateway (core.Gateway), read only."""

    keys: KeyResolver
    wall_clock: Callable[[], float]  # Unix time, to date the deployments' clock times

    def pool(self) -> Pool: ...

    def deployment(self, endpoint: Endpoint) -> Deployment: ...

    def scrub(self, endpoint: Endpoint, data: bytes) -> bytes: ...


def pool_status(gateway: GatewayView) -> dict:
    """See docs/gateway.md, "Status", for the shape; the frontend depends on it."""
    pool = gateway.pool()
    first = pool.endpoints[0] if pool.endpoints else None
    missing = {e: gateway.keys.missing(e) for e in pool.endpoints}
    if first is None:
        if pool.problem:
            message = errors.endpoint_invalid(pool.problem).message
        elif pool.notes:
            message = errors.user_endpoints_disabled(" ".join(pool.notes)).message
        else:
            message = errors.no_endpoint_configured().message
    elif all(missing.values()):
        message = errors.key_missing(missing[first], first.where).message
    elif pool.errors:
        message = errors.endpoint_invalid(pool.problem).message
    else:
        message = " ".join(pool.notes)
    endpoints = [_endpoint_status(gateway, e, missing[e]) for e in pool.endpoints]
    endpoints += [
        {"name": error.endpoint, "kind": None, "host": None, "tier": None, "state": "invalid"}
        | _zero_counters()
        | {"last_error": error.message}
        for error in pool.errors
    ]
    return {
        "configured": first is not None,
        "source": pool.source,
        "kind": first.kind if first else None,
        "host": first.host if first else None,
        "models": pool.aliases(),
        "tool_protocols": tool_protocols(pool),
        "message": message,
        "endpoints": endpoints,
        "config_errors": [error.as_dict() for error in pool.errors],
        "notes": list(pool.notes),
    }


def tool_protocols(pool: Pool) -> dict[str, str]:
    """How the frontend's loop runs code with each alias: 'text' or 'native' when every
    deployment serving it says so, else 'auto' (a request may reach any of them)."""
    protocols: dict[str, str] = {}
    for alias in pool.aliases():
        said = {e.tool_protocol for e in pool.serving(alias)}
        protocols[alias] = said.pop() if len(said) == 1 else "auto"
    return protocols


def _endpoint_status(gateway: GatewayView, endpoint: Endpoint, missing: str | None) -> dict:
    deployment = gateway.deployment(endpoint)
    breaker = deployment.breaker
    usage = deployment.usage
    state = "invalid" if missing else breaker.state
    entry = {
        "name": deployment.name,
        "kind": endpoint.kind,
        "host": endpoint.host,
        "tier": endpoint.tier,
        "models": list(endpoint.aliases),
        "tool_protocol": endpoint.tool_protocol,
        "state": state,
        "in_flight": deployment.in_flight,
        "latency_ms_p50": usage.latency_p50(),
        "requests": usage.requests,
        "errors_429": usage.errors_429,
        "errors_5xx": usage.errors_5xx,
        "tokens_prompt": usage.tokens_prompt,
        "tokens_completion": usage.tokens_completion,
    }
    until = breaker.until
    if until is not None:
        # Unix time (seconds) when it may be tried again.
        entry["cooling_until"] = round(gateway.wall_clock() + until - deployment.clock(), 3)
    last_error = f"the key: {missing}" if missing else usage.last_error
    if last_error:
        entry["last_error"] = gateway.scrub(endpoint, last_error.encode()).decode()
    return entry


def _zero_counters() -> dict:
    return {
        "in_flight": 0,
        "latency_ms_p50": None,
        "requests": 0,
        "errors_429": 0,
        "errors_5xx": 0,
        "tokens_prompt": 0,
        "tokens_completion": 0,
    }
