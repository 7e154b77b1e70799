"""Every error the gateway returns, in OpenAI's error shape, written once.

The browser's openai SDK shows `error.message` to the user, so each message says what to do.
No message ever contains a key: auth errors name the key's source, not its value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

# Every `code` an error body of the gateway carries, with what it means: the contract with the
# browser. scripts/error_codes.py writes the browser's copy (src/llm/gatewayCodes.ts), and
# src/llm/errors.ts has a message for each code.
CODES = {
    "no_endpoint_configured": "No endpoint is configured (or only the user's, turned off).",
    "endpoint_config_invalid": "The endpoint configuration is invalid.",
    "api_key_missing": "The endpoint's key source is empty or unreadable.",
    "model_not_found": "No endpoint serves the model alias asked for.",
    "invalid_json": "The request body is not a JSON object.",
    "request_too_large": "The request body is larger than the gateway accepts.",
    "upstream_auth_failed": "The endpoint refused the request's key, or its lack of one.",
    "upstream_unreachable": "The endpoint could not be reached.",
    "upstream_timeout": "The endpoint did not answer in time.",
    "upstream_stream_interrupted": "The endpoint stopped in the middle of its answer.",
    "upstream_malformed_response": "The endpoint's answer is not valid JSON.",
    "rate_limit_exceeded": "Every deployment serving the alias is rate-limited or unavailable.",
    "invalid_key_request": "A key could not be stored.",
    "invalid_name": "A name in the URL is not valid.",
    "user_rate_limited": "The hub service refused: the user's rate limit (per minute, streams).",
    "user_quota_exceeded": "The hub service refused: the user's daily or monthly token quota.",
    "hub_auth_failed": "The hub service got no valid JupyterHub token with its access scope.",
    "hub_state_unavailable": "The hub service cannot reach the store where it counts usage.",
}

# The openai SDKs obey this header; retrying cannot fix a missing endpoint or a rejected key.
NO_RETRY = {"x-should-retry": "false"}

CONFIGURE_HINT = (
    "Set it up in one of three ways: an administrator sets c.CodeInterpreter.endpoint in the "
    "Jupyter Server config; or set the 'Model endpoint' (endpoint) field of the Code Interpreter "
    "settings (jupyterlab-code-interpreter:plugin); or start the server with "
    "AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT (Azure OpenAI), "
    "or with OPENAI_API_KEY and optionally OPENAI_BASE_URL and OPENAI_MODEL (OpenAI-compatible) "
    "in its environment."
)


@dataclass
class GatewayError(Exception):
    """An error answered to the browser as `{"error": {...}}` with an HTTP status."""

    status: int
    message: str
    type: str
    code: str
    headers: dict[str, str] = field(default_factory=dict)
    # More fields of the error object (the hub service's `limit` and `resets_at`).
    details: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self) -> dict:
        """The OpenAI-shaped error body."""
        error = {"message": self.message, "type": self.type, "param": None, "code": self.code}
        error.update(self.details)
        return {"error": error}

    def sse_event(self) -> bytes:
        """The same error as one server-sent event, for failures after the stream started."""
        return b"data: " + json.dumps(self.body()).encode() + b"\n\n"


def no_endpoint_configured() -> GatewayError:
    return GatewayError(
        503,
        "No model endpoint is configured for the Code Interpreter gateway. " + CONFIGURE_HINT,
        "server_error",
        "no_endpoint_configured",
        dict(NO_RETRY),
    )


def endpoint_invalid(problem: str) -> GatewayError:
    """`problem` names the source and field (see endpoint.EndpointConfigError)."""
    return GatewayError(
        503,
        f"The model endpoint configuration is invalid: {problem}",
        "server_error",
        "endpoint_config_invalid",
        dict(NO_RETRY),
    )


def model_not_found(alias: str, available: list[str]) -> GatewayError:
    names = ", ".join(repr(a) for a in available) or "none (no endpoint is configured)"
    return GatewayError(
        404,
        f"The model {alias!r} is not served by this gateway. Available models: {names}.",
        "invalid_request_error",
        "model_not_found",
        dict(NO_RETRY),
    )


def invalid_json(detail: str) -> GatewayError:
    return GatewayError(
        400,
        f"The request body must be a JSON object (OpenAI chat completions request): {detail}.",
        "invalid_request_error",
        "invalid_json",
        dict(NO_RETRY),
    )


def upstream_unreachable(host: str, reason: str) -> GatewayError:
    return GatewayError(
        502,
        f"The model endpoint {host} could not be reached ({reason}). Check that it is running and "
        "that this server can reach it.",
        "server_error",
        "upstream_unreachable",
    )


def upstream_timeout(host: str, phase: str, seconds: float) -> GatewayError:
    return GatewayError(
        504,
        f"The model endpoint {host} did not answer in time ({phase} took longer than "
        f"{seconds:g} s). Try again; if it persists the endpoint is overloaded.",
        "server_error",
        "upstream_timeout",
    )


def stream_interrupted(host: str, reason: str) -> GatewayError:
    return GatewayError(
        502,
        f"The model endpoint {host} stopped in the middle of its answer ({reason}). The partial "
        "answer above is incomplete; send the message again.",
        "server_error",
        "upstream_stream_interrupted",
    )


def key_missing(source: str, where: str) -> GatewayError:
    """The endpoint's key source (named, never its value) holds no key."""
    return GatewayError(
        503,
        f"The endpoint {where} needs a key, but {source}. An administrator must set it up (a "
        "user can store one with PUT code-interpreter/keys/<name>).",
        "server_error",
        "api_key_missing",
        dict(NO_RETRY),
    )


def upstream_key_rejected(status: int, where: str, source: str) -> GatewayError:
    """401/403 from an endpoint of a pool: names the key's source, never the key."""
    return GatewayError(
        status,
        f"The gateway's key for the endpoint {where} was rejected (HTTP {status}). An "
        f"administrator must check {source}.",
        "authentication_error" if status == 401 else "permission_error",
        "upstream_auth_failed",
        dict(NO_RETRY),
    )


def user_endpoints_disabled(note: str) -> GatewayError:
    """Nothing configured but the user's endpoint settings, which the administrator turned off."""
    return GatewayError(
        503,
        f"{note} No other model endpoint is configured: ask your administrator to set one up "
        "(c.CodeInterpreter.endpoints in the Jupyter Server config, or the server's environment).",
        "server_error",
        "no_endpoint_configured",
        dict(NO_RETRY),
    )


def upstream_wants_key(status: int, where: str) -> GatewayError:
    """401/403 from an endpoint of the user's settings that names no key: it was sent none,
    since the server's keys go only to the administrator's endpoints."""
    return GatewayError(
        status,
        f"The endpoint {where} refused the request (HTTP {status}): it was sent without a key, "
        "because the endpoint names none (endpoints from your settings never get the server's "
        "keys). Store your key (PUT code-interpreter/keys/<name>) and set apiKeyName on this "
        "endpoint in the Code Interpreter settings.",
        "authentication_error" if status == 401 else "permission_error",
        "upstream_auth_failed",
        dict(NO_RETRY),
    )


def upstream_malformed(host: str) -> GatewayError:
    return GatewayError(
        502,
        f"The model endpoint {host} sent an answer that is not valid JSON. Try again.",
        "server_error",
        "upstream_malformed_response",
    )


def pool_exhausted(alias: str, count: int, retry_after: float) -> GatewayError:
    """Every deployment serving `alias` is cooling down or open. Retry-After is the soonest
    recovery; past 60 s the SDK would ignore it and retry within seconds, so we forbid that."""
    seconds = max(1, int(-(-retry_after // 1)))
    headers = {"retry-after": str(seconds), "retry-after-ms": str(seconds * 1000)}
    if seconds > 60:
        headers.update(NO_RETRY)
    plural = "s" if count != 1 else ""
    return GatewayError(
        429,
        f"All {count} deployment{plural} serving {alias!r} are rate-limited or unavailable; "
        f"the soonest can take requests again in {seconds} s.",
        "requests",
        "rate_limit_exceeded",
        headers,
    )


def invalid_key_request(detail: str) -> GatewayError:
    return GatewayError(
        400,
        f"The key could not be stored: {detail}",
        "invalid_request_error",
        "invalid_key_request",
        dict(NO_RETRY),
    )


def request_too_large(limit: str) -> GatewayError:
    """The body passed c.CodeInterpreter.max_request_bytes (`limit`, already readable)."""
    return GatewayError(
        413,
        f"The request is larger than the gateway accepts ({limit}). Start a new chat or attach "
        "less data; an administrator can raise c.CodeInterpreter.max_request_bytes.",
        "invalid_request_error",
        "request_too_large",
        dict(NO_RETRY),
    )


def invalid_name(what: str, rule: str) -> GatewayError:
    """A name in the URL (`what`: "key name", …) that does not follow `rule`."""
    return GatewayError(
        400,
        f"That {what} is not valid: {rule}",
        "invalid_request_error",
        "invalid_name",
        dict(NO_RETRY),
    )


def user_rate_limited(limit: str, message: str, retry_after: int, resets_at: str) -> GatewayError:
    """The hub service's per-user rate (`limit`, e.g. requests_per_minute) is reached;
    `message` (hub/quota.py refusal_message) says which and when it frees up. Not retried by
    the SDK: waiting out the limit silently (twice) would leave the panel spinning for up to
    two minutes instead of saying which limit it is."""
    seconds = max(1, retry_after)
    return GatewayError(
        429,
        message,
        "requests",
        "user_rate_limited",
        {"retry-after": str(seconds), "retry-after-ms": str(seconds * 1000), **NO_RETRY},
        {"limit": limit, "resets_at": resets_at},
    )


def user_quota_exceeded(limit: str, message: str, resets_at: str) -> GatewayError:
    """The hub service's per-user daily or monthly token quota is used up: retrying before
    `resets_at` cannot help."""
    return GatewayError(
        403,
        message,
        "insufficient_quota",
        "user_quota_exceeded",
        dict(NO_RETRY),
        {"limit": limit, "resets_at": resets_at},
    )


def hub_auth_failed(status: int, detail: str) -> GatewayError:
    """No JupyterHub token (401), or one the hub does not accept for this service (403)."""
    return GatewayError(
        status,
        f"The Code Interpreter hub service needs a JupyterHub token with access to it: {detail}. "
        "An administrator must grant access:services!service=<name> to the user's role and to "
        "c.Spawner.server_token_scopes.",
        "authentication_error" if status == 401 else "permission_error",
        "hub_auth_failed",
        dict(NO_RETRY),
    )


# A Redis restart, failover or network blip lasts seconds: the SDK waits this long and tries
# again (twice) before the panel shows the message. Safe, since the refused request was never
# sent upstream; a store that stays down is then reported within about ten seconds.
STATE_RETRY_SECONDS = 3


def hub_state_unavailable(store: str) -> GatewayError:
    """The hub service's state store (`store`: its kind and host:port or file, never a
    password) failed, so the request was refused before reaching an endpoint: usage that
    cannot be counted cannot be held to quotas (fail closed)."""
    seconds = STATE_RETRY_SECONDS
    return GatewayError(
        503,
        f"The Code Interpreter hub service cannot reach the store where it counts usage "
        f"({store}). It refuses requests until the store is back, because it could not count "
        f"their usage. Try again in a minute; if it persists, ask an administrator to check "
        f"{store}.",
        "server_error",
        "hub_state_unavailable",
        {"retry-after": str(seconds), "retry-after-ms": str(seconds * 1000)},
    )
